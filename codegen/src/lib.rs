//! Code generation from verified IR: frontier tables (binary, JSON, C header), RIIR/MLIR text, Verilog arbiter.

pub mod verilog;
