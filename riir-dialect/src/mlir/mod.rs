//! MLIR interop for the `riir` dialect (defined in IRDL: `riir-dialect/mlir/riir.irdl.mlir`).
//!
//! - [`schema`]: the RIIR ↔ MLIR naming contract shared by printer and importer.
//! - [`print`]: the generic-form printer; no LLVM needed.
//! - With feature `mlir` (melior / MLIR 22): [`context`] (a context with only the dialects we need and the
//!   IRDL dialect loaded once), [`import`] (MLIR → RIIR, with the semantic checks IRDL cannot express) and
//!   [`verify`] (IRDL + semantic verification, every error reported through MLIR's diagnostics).

pub mod print;
pub mod schema;

#[cfg(feature = "mlir")]
pub mod context;
#[cfg(feature = "mlir")]
pub mod import;
#[cfg(feature = "mlir")]
pub mod verify;

pub use print::print_mlir;
pub use schema::IRDL_SOURCE;
