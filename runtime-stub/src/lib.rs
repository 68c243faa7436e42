//! The power-contract runtime linked into inference servers: `no_std`, allocation-free in the tick.
//!
//! - [`table`]: the frontier-table binary format, its allocation-free decoder, and (feature `alloc`) the encoder
//!   and C-header emitter the compiler calls.
//! - [`negotiator`]: the 10 ms negotiator (seed and contract policies, budget, safety margin, thermal and link
//!   guards) writing one plan per pending op into caller-provided memory.
//!
//! The C ABI lives in the `riir-runtime-capi` crate (`runtime-stub/capi`): a `no_std` crate cannot be built as a
//! `staticlib` on stable Rust (it needs a panic handler and unwinding support from `std`), and a panic handler in
//! this crate would clash with `std`'s in every Rust program that links it.
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod negotiator;
pub mod table;
