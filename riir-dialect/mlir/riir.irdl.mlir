// The `riir` dialect (Resource Intent IR) in IRDL: load with `mlir-opt-22 --irdl-file=riir.irdl.mlir`.
//
// IRDL checks structure: op names, operand and result counts, and the presence and top-level kind of each
// attribute. The fields inside the intent dictionaries (precision names, ranges, f64-ness) are checked by
// riirc's semantic verifier (`riirc verify-mlir`), which reports through MLIR's diagnostics.
//
// Shape of a module (generic form; IRDL has no custom assembly format):
//   func.func @layer(%kv42: !riir.kv_block {riir.name = "kv42"}) { … }   one function per RIIR `func`
//   %kv12 = "riir.block_ref"() {name = "kv12"} : () -> !riir.kv_block     a block of another function
//   "riir.op"(prefetch…, evict…) {name, kernel, memory, power, operandSegmentSizes}
// `kernel`, `memory` and `power` are dictionaries, or `unit` when the op has no such block. In `memory`, the
// unit entries `prefetch` / `evict` say the list is written; its blocks are the op's operand segments.
irdl.dialect @riir {
  // A KV-cache block (`!kv.block` in RIIR text).
  irdl.type @kv_block {
  }

  // Names a KV block that is not an argument of the enclosing function (e.g. another layer's block to evict).
  irdl.operation @block_ref {
    %name = irdl.base "#builtin.string"
    irdl.attributes { "name" = %name }
    %kv = irdl.base @riir::@kv_block
    irdl.operands()
    irdl.results(block: %kv)
  }

  // One decode-graph op with its memory and power intent. Constraint variables are per attribute because
  // IRDL binds a variable to a single attribute value for the whole op.
  irdl.operation @op {
    %name = irdl.base "#builtin.string"
    %kernel_dict = irdl.base "#builtin.dictionary"
    %kernel_none = irdl.base "#builtin.unit"
    %kernel = irdl.any_of(%kernel_dict, %kernel_none)
    %memory_dict = irdl.base "#builtin.dictionary"
    %memory_none = irdl.base "#builtin.unit"
    %memory = irdl.any_of(%memory_dict, %memory_none)
    %power_dict = irdl.base "#builtin.dictionary"
    %power_none = irdl.base "#builtin.unit"
    %power = irdl.any_of(%power_dict, %power_none)
    irdl.attributes { "name" = %name, "kernel" = %kernel, "memory" = %memory, "power" = %power }
    %kv = irdl.base @riir::@kv_block
    irdl.operands(prefetch: variadic %kv, evict: variadic %kv)
    irdl.results()
  }
}
