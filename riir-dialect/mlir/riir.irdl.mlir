// The `riir` dialect (Resource Intent IR) in IRDL: load with `mlir-opt-22 --irdl-file=riir.irdl.mlir`.
//
// IRDL checks structure: op names, operand and result counts, and the presence and top-level kind of each
// attribute, and — because vocabulary values are attributes of this dialect (`#riir.precision<"fp8">`) — that
// every precision, link state, residency, fallback action, memory variant and kernel class is a known name,
// wherever it is nested. The other fields inside the intent dictionaries (required keys, ranges, f64-ness) are
// checked by riirc's semantic verifier (`riirc verify-mlir`), which reports through MLIR's diagnostics.
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

  // Numeric precision of a plan. `#riir.precision<"fp16">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @precision {
    %fp16 = irdl.is "fp16"
    %bf16 = irdl.is "bf16"
    %fp8 = irdl.is "fp8"
    %fp4 = irdl.is "fp4"
    %name = irdl.any_of(%fp16, %bf16, %fp8, %fp4)
    irdl.parameters(name: %name)
  }

  // Power state of the scale-out links. `#riir.link_state<"dsp">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @link_state {
    %dsp = irdl.is "dsp"
    %lpo_active = irdl.is "lpo_active"
    %lpo_sleep = irdl.is "lpo_sleep"
    %cpo_active = irdl.is "cpo_active"
    %cpo_sleep = irdl.is "cpo_sleep"
    %name = irdl.any_of(%dsp, %lpo_active, %lpo_sleep, %cpo_active, %cpo_sleep)
    irdl.parameters(name: %name)
  }

  // Where the working set should live. `#riir.residency<"HBM.tier0">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @residency {
    %hbm_tier0 = irdl.is "HBM.tier0"
    %hbm_tier1 = irdl.is "HBM.tier1"
    %sram = irdl.is "SRAM"
    %host = irdl.is "host"
    %name = irdl.any_of(%hbm_tier0, %hbm_tier1, %sram, %host)
    irdl.parameters(name: %name)
  }

  // What the runtime does when no plan fits. `#riir.fallback_action<"recompute_kv">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @fallback_action {
    %recompute_kv = irdl.is "recompute_kv"
    %defer = irdl.is "defer"
    %name = irdl.any_of(%recompute_kv, %defer)
    irdl.parameters(name: %name)
  }

  // How a plan moves its data. `#riir.memory_variant<"baseline">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @memory_variant {
    %baseline = irdl.is "baseline"
    %prefetch = irdl.is "prefetch"
    %reuse_low_bytes = irdl.is "reuse_low_bytes"
    %sram_pinned = irdl.is "sram_pinned"
    %recompute = irdl.is "recompute"
    %name = irdl.any_of(%baseline, %prefetch, %reuse_low_bytes, %sram_pinned, %recompute)
    irdl.parameters(name: %name)
  }

  // What kind of kernel an op is. `#riir.kernel_class<"linear">`; the names are riir-dialect/src/names.rs's (a test checks).
  irdl.attribute @kernel_class {
    %linear = irdl.is "linear"
    %attention_decode = irdl.is "attention_decode"
    %gemm = irdl.is "gemm"
    %norm = irdl.is "norm"
    %elementwise = irdl.is "elementwise"
    %allreduce = irdl.is "allreduce"
    %embedding = irdl.is "embedding"
    %router = irdl.is "router"
    %copy = irdl.is "copy"
    %name = irdl.any_of(%linear, %attention_decode, %gemm, %norm, %elementwise, %allreduce, %embedding, %router, %copy)
    irdl.parameters(name: %name)
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
