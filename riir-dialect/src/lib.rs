//! RIIR (Resource Intent IR): the typed, arena-allocated IR every other crate works on.
//!
//! - [`module`]: the data model (functions, `riir.op`s, memory/power intent, plans).
//! - [`names`]: the closed vocabularies (precision, link state, residency, …).
//! - [`entity`]: typed `u32` handles and arenas.
//! - [`diagnostic`]: span-carrying errors and warnings.
//! - [`mlir`]: MLIR generic-form printer; IRDL verification and import behind feature `mlir`.
//! - [`print`]: the canonical text form (`riirc fmt`).
//! - [`verified`]: the `Verified<Module>` token that codegen requires.
//! - [`verify`]: the verifier; its header lists every invariant and which stage checks it.

pub mod diagnostic;
pub mod entity;
pub mod mlir;
pub mod module;
pub mod names;
pub mod print;
pub mod span;
pub mod verified;
pub mod verify;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use entity::{Arena, EntityRef, FuncId, OpId, ValueId};
pub use module::{Fallback, Function, KernelInfo, MemoryIntent, Module, Op, Plan, PowerIntent, Value, ValueRef};
pub use names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Named, Precision, Residency};
pub use print::print_module;
pub use span::{Span, Spanned};
pub use verified::Verified;
pub use verify::{diagnose, verify, verify_owned};
