//! Code generation from verified IR: frontier tables (binary, JSON, C header), RIIR/MLIR text, Verilog arbiter.
//!
//! Frontier side (this crate's `compile` path):
//! - [`compile`]: search every op on a SKU and annotate the module ([`compile::Compiled`]).
//! - [`annotate`]: plans and fallbacks written into the IR.
//! - [`frontier_json`]: writes `S.frontier.json`.
//! - [`points_csv`]: writes the `--dump-points` CSV.
//! - [`table`]: writes `S.frontier.bin` and `S.frontier.h` through `runtime-stub`'s encoder.
//! - [`outputs`]: atomic writing of a set of files.
//!
//! Arbiter side: [`verilog`] generates the Verilog power arbiter from a rack file (see its `//!`).

pub mod annotate;
pub mod compile;
pub mod frontier_json;
pub mod outputs;
pub mod points_csv;
pub mod table;
pub mod verilog;

pub use compile::{compile, CompileError, CompileOptions, Compiled, CompiledOp, KernelSource, OpKernel};
