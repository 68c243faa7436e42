//! Frontier tables: the versioned binary format the compiler writes and the runtime reads (this module is the
//! single source of truth for it), its allocation-free decoder, and — with feature `alloc` — the encoder and the
//! C-header emitter that codegen calls.
//!
//! # Byte layout (format version 1)
//!
//! Every record is bincode 2.0.1 with fixed-width little-endian integers ([`format::CONFIG`]); floats are IEEE-754
//! `f32` little-endian; names are UTF-8 NUL-padded to 32 bytes. No padding between fields.
//!
//! ```text
//! Header (62 bytes)
//!   0  magic            [u8; 8]   "RIIRFRT\0"
//!   8  version          u16       1
//!  10  sku              [u8; 32]  e.g. "h200-sxm"
//!  42  model_hash       u64
//!  50  op_count         u32
//!  54  payload_len      u32       bytes after the header; the table is exactly 62 + payload_len bytes
//!  58  crc32            u32       CRC-32 (IEEE) of bytes 0..58 followed by bytes 62..end
//! Payload: op_count times
//!   OpHeader (53 bytes)
//!     0  op_id                   u32
//!     4  name                    [u8; 32]
//!    36  slo_ms                  f32
//!    40  max_temp_delta_100ms    f32   °C over 100 ms; +inf = none
//!    44  link_budget_pj_per_bit  f32   +inf = none
//!    48  link_bits_per_token     f32
//!    52  plan_count              u8    1..=14
//!   plan_count × Plan (28 bytes)
//!     0  id                u8    ASCII 'A'..='Z', unique within the op
//!     1  precision         u8    0 fp16, 1 bf16, 2 fp8, 3 fp4
//!     2  link              u8    0 dsp, 1 lpo_active, 2 lpo_sleep, 3 cpo_active, 4 cpo_sleep
//!     3  memory            u8    0 baseline, 1 prefetch, 2 reuse_low_bytes, 3 sram_pinned, 4 recompute
//!     4  sm_mhz            u32
//!     8  hbm_bw_tbps       f32
//!    12  est_jpt           f32   J/token
//!    16  est_lat_ms        f32
//!    20  est_power_w       f32   board power while running
//!    24  link_pj_per_bit   f32
//!   Fallback (17 bytes)
//!     0  action            u8    0 recompute_kv
//!     1  est_jpt           f32
//!     5  est_lat_ms        f32
//!     9  est_power_w       f32
//!    13  link_pj_per_bit   f32
//! ```
//! Offsets inside the payload are relative to each record's start. Tests pin the record sizes
//! (`tests/table_format.rs`), so a layout change without a version bump fails.

pub mod decode;
pub mod format;

#[cfg(feature = "alloc")]
pub mod c_header;
#[cfg(feature = "alloc")]
pub mod encode;

pub use decode::{FrontierTable, NameBuf, OpIter, OpView, TableError};
pub use format::{
    Fallback, FallbackAction, Header, Invalid, LinkState, MemoryVariant, OpHeader, Plan, Precision, FORMAT_VERSION,
    MAGIC, MAX_PLANS,
};

#[cfg(feature = "alloc")]
pub use c_header::{emit_c_header, CHeaderError};
#[cfg(feature = "alloc")]
pub use encode::{encode, EncodeTableError, OpSpec, TableSpec};
