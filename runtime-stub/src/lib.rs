//! The power-contract runtime linked into inference servers: `no_std`, allocation-free in the tick.
#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod fast_loop;
