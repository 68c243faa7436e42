//! Frontier-table record layout: constants, the `#[repr(u8)]` code enums, the fixed-size records and their
//! validity rules, shared by the decoder and the encoder so that the encoder never writes what the decoder rejects.
//!
//! Every record is encoded with bincode 2.0.1 in [`CONFIG`] (fixed-width integers, little-endian), so each
//! record type has one size ([`HEADER_LEN`], [`OP_HEADER_LEN`], [`PLAN_LEN`], [`FALLBACK_LEN`]) and can be decoded
//! on its own from a sub-slice without allocating.

use bincode::de::{Decode, Decoder};
use bincode::enc::{Encode, Encoder};
use bincode::error::{DecodeError, EncodeError};

/// bincode configuration of every record: fixed-width little-endian integers, no size limit needed because no
/// record has a length prefix.
pub const CONFIG: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Fixint,
    bincode::config::NoLimit,
> = bincode::config::standard()
    .with_fixed_int_encoding()
    .with_little_endian();

/// First eight bytes of every table.
pub const MAGIC: [u8; 8] = *b"RIIRFRT\0";
/// Format version this runtime reads and writes. Bump it on any layout change.
pub const FORMAT_VERSION: u16 = 1;
/// Bytes of a SKU id or an op name (UTF-8, NUL-padded).
pub const NAME_LEN: usize = 32;
/// Most plans an op's frontier may carry (the Pareto search keeps 7–14), not counting the fallback.
pub const MAX_PLANS: usize = 14;

/// Encoded size of [`Header`].
pub const HEADER_LEN: usize = 8 + 2 + NAME_LEN + 8 + 4 + 4 + 4;
/// Offset of the CRC field inside the header (it is the header's last field).
pub const CRC_OFFSET: usize = HEADER_LEN - 4;
/// Encoded size of [`OpHeader`].
pub const OP_HEADER_LEN: usize = 4 + NAME_LEN + 4 * 4 + 1;
/// Encoded size of [`Plan`].
pub const PLAN_LEN: usize = 4 + 4 + 4 * 5;
/// Encoded size of [`Fallback`].
pub const FALLBACK_LEN: usize = 1 + 4 * 4;

/// Defines a `#[repr(u8)]` code enum with its table code, its RIIR spelling and bincode impls that write the code
/// as one byte and reject unknown codes.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $code),+
        }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The variant with this table code, if any.
            pub const fn from_code(code: u8) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The one-byte table code.
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The name used in RIIR text and JSON.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The variant spelled `text` in RIIR, if any.
            pub fn from_name(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Encode for $name {
            fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
                self.code().encode(encoder)
            }
        }

        impl<Context> Decode<Context> for $name {
            fn decode<D: Decoder<Context = Context>>(decoder: &mut D) -> Result<Self, DecodeError> {
                let code = u8::decode(decoder)?;
                $name::from_code(code).ok_or(DecodeError::Other(concat!("unknown ", $what, " code")))
            }
        }
        bincode::impl_borrow_decode!($name);
    };
}

code_enum!(
    /// Arithmetic precision of a plan.
    Precision, "precision" {
        Fp16 = 0 => "fp16",
        Bf16 = 1 => "bf16",
        Fp8 = 2 => "fp8",
        Fp4 = 3 => "fp4",
    }
);

code_enum!(
    /// Link (NVLink / optics) state a plan runs with.
    LinkState, "link state" {
        Dsp = 0 => "dsp",
        LpoActive = 1 => "lpo_active",
        LpoSleep = 2 => "lpo_sleep",
        CpoActive = 3 => "cpo_active",
        CpoSleep = 4 => "cpo_sleep",
    }
);

code_enum!(
    /// Memory-placement variant of a plan's kernel.
    MemoryVariant, "memory variant" {
        Baseline = 0 => "baseline",
        Prefetch = 1 => "prefetch",
        ReuseLowBytes = 2 => "reuse_low_bytes",
        SramPinned = 3 => "sram_pinned",
        Recompute = 4 => "recompute",
    }
);

code_enum!(
    /// What an op does when no plan fits.
    FallbackAction, "fallback action" {
        RecomputeKv = 0 => "recompute_kv",
    }
);

/// Table header. `crc32` is CRC-32 (IEEE) over the encoded header bytes before it followed by the whole payload,
/// so a flipped bit anywhere after the version field is caught.
#[derive(Copy, Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct Header {
    pub magic: [u8; 8],
    pub version: u16,
    /// SKU id, UTF-8, NUL-padded (e.g. `h200-sxm`).
    pub sku: [u8; NAME_LEN],
    /// Hash of the model the frontiers were searched for; opaque to the runtime.
    pub model_hash: u64,
    pub op_count: u32,
    /// Bytes after the header; the table is exactly `HEADER_LEN + payload_len` bytes long.
    pub payload_len: u32,
    pub crc32: u32,
}

/// Per-op fixed part; followed in the payload by `plan_count` [`Plan`]s and one [`Fallback`].
#[derive(Copy, Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct OpHeader {
    pub op_id: u32,
    /// Op name, UTF-8, NUL-padded (e.g. `decode_layer18.attention`).
    pub name: [u8; NAME_LEN],
    /// Latency SLO of the op the frontier was pruned against (ms).
    pub slo_ms: f32,
    /// Most HBM temperature rise the op tolerates over 100 ms (°C); `+inf` for none.
    pub max_temp_delta_100ms: f32,
    /// The op's declared link-energy budget (pJ/bit); `+inf` for none.
    pub link_budget_pj_per_bit: f32,
    /// Link traffic per generated token (bits), used to turn pJ/bit into joules.
    pub link_bits_per_token: f32,
    pub plan_count: u8,
}

/// One functionally equivalent plan of an op's frontier.
#[derive(Copy, Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct Plan {
    /// Plan letter as an ASCII byte: `b'A'` for the first plan, `b'B'`, …
    pub id: u8,
    pub precision: Precision,
    pub link: LinkState,
    pub memory: MemoryVariant,
    pub sm_mhz: u32,
    pub hbm_bw_tbps: f32,
    /// Predicted energy per token (J).
    pub est_jpt: f32,
    /// Predicted step latency (ms).
    pub est_lat_ms: f32,
    /// Predicted board power while the plan runs (W); the thermal guard ranks plans by it.
    pub est_power_w: f32,
    /// Link energy per bit in this plan's link state (pJ/bit); the link guard sums it over ops.
    pub link_pj_per_bit: f32,
}

/// The op's fallback when no plan fits.
#[derive(Copy, Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct Fallback {
    pub action: FallbackAction,
    pub est_jpt: f32,
    pub est_lat_ms: f32,
    pub est_power_w: f32,
    pub link_pj_per_bit: f32,
}

/// Why a record is invalid; the decoder wraps it in `TableError::Malformed`, the encoder in its own error.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// A name is not UTF-8, is empty, or has bytes after its NUL padding starts.
    BadName,
    /// `plan_count` is 0 or above [`MAX_PLANS`].
    PlanCount,
    /// A plan id is not an ASCII capital letter.
    PlanId,
    /// Two plans of one op share an id.
    DuplicatePlanId,
    /// A field that must be finite and positive is not (names the field).
    NotPositive(&'static str),
    /// A field that must be ≥ 0 and not NaN is not (names the field).
    Negative(&'static str),
    /// A code byte names no known precision / link state / memory variant / fallback action.
    UnknownCode,
    /// The records the header announces end before, or after, the payload does.
    PayloadLength,
    /// bincode could not decode a record (cannot happen for fixed-size records of the right length).
    Undecodable,
}

impl core::fmt::Display for Invalid {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Invalid::BadName => f.write_str("name is empty, not UTF-8, or not NUL-padded"),
            Invalid::PlanCount => write!(f, "plan count must be 1..={MAX_PLANS}"),
            Invalid::PlanId => f.write_str("plan id must be an ASCII capital letter"),
            Invalid::DuplicatePlanId => f.write_str("duplicate plan id"),
            Invalid::NotPositive(field) => write!(f, "{field} must be finite and > 0"),
            Invalid::Negative(field) => write!(f, "{field} must be >= 0"),
            Invalid::UnknownCode => f.write_str("unknown enum code"),
            Invalid::PayloadLength => f.write_str("records do not fill the payload exactly"),
            Invalid::Undecodable => f.write_str("record cannot be decoded"),
        }
    }
}

/// The text of a NUL-padded name field, if it is valid.
pub fn name_str(bytes: &[u8; NAME_LEN]) -> Result<&str, Invalid> {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(NAME_LEN);
    if len == 0 || bytes[len..].iter().any(|&b| b != 0) {
        return Err(Invalid::BadName);
    }
    core::str::from_utf8(&bytes[..len]).map_err(|_| Invalid::BadName)
}

/// Packs `text` into a NUL-padded name field.
pub fn name_bytes(text: &str) -> Result<[u8; NAME_LEN], Invalid> {
    let raw = text.as_bytes();
    if raw.is_empty() || raw.len() > NAME_LEN || raw.contains(&0) {
        return Err(Invalid::BadName);
    }
    let mut out = [0u8; NAME_LEN];
    out[..raw.len()].copy_from_slice(raw);
    Ok(out)
}

fn positive(value: f32, field: &'static str) -> Result<(), Invalid> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(Invalid::NotPositive(field))
    }
}

/// `> 0`, `+inf` allowed (a budget that is not set).
fn positive_or_inf(value: f32, field: &'static str) -> Result<(), Invalid> {
    if value > 0.0 {
        Ok(())
    } else {
        Err(Invalid::NotPositive(field))
    }
}

fn non_negative(value: f32, field: &'static str) -> Result<(), Invalid> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Invalid::Negative(field))
    }
}

impl OpHeader {
    /// Checks the op's own fields (not its plans).
    pub fn validate(&self) -> Result<(), Invalid> {
        name_str(&self.name)?;
        if self.plan_count == 0 || usize::from(self.plan_count) > MAX_PLANS {
            return Err(Invalid::PlanCount);
        }
        positive(self.slo_ms, "slo_ms")?;
        positive_or_inf(self.max_temp_delta_100ms, "max_temp_delta_100ms")?;
        positive_or_inf(self.link_budget_pj_per_bit, "link_budget_pj_per_bit")?;
        non_negative(self.link_bits_per_token, "link_bits_per_token")
    }
}

impl Plan {
    /// Checks one plan's fields (ids are checked across the op by [`check_plan_ids`]).
    pub fn validate(&self) -> Result<(), Invalid> {
        if !self.id.is_ascii_uppercase() {
            return Err(Invalid::PlanId);
        }
        if self.sm_mhz == 0 {
            return Err(Invalid::NotPositive("sm_mhz"));
        }
        positive(self.hbm_bw_tbps, "hbm_bw_tbps")?;
        positive(self.est_jpt, "est_jpt")?;
        positive(self.est_lat_ms, "est_lat_ms")?;
        non_negative(self.est_power_w, "est_power_w")?;
        non_negative(self.link_pj_per_bit, "link_pj_per_bit")
    }

    /// The plan letter as a `char`.
    pub fn letter(&self) -> char {
        char::from(self.id)
    }
}

impl Fallback {
    /// Checks the fallback's fields.
    pub fn validate(&self) -> Result<(), Invalid> {
        positive(self.est_jpt, "fallback est_jpt")?;
        positive(self.est_lat_ms, "fallback est_lat_ms")?;
        non_negative(self.est_power_w, "fallback est_power_w")?;
        non_negative(self.link_pj_per_bit, "fallback link_pj_per_bit")
    }
}

/// Rejects duplicate plan ids within one op (ids are letters, so a 26-bit set suffices).
pub fn check_plan_ids(ids: impl Iterator<Item = u8>) -> Result<(), Invalid> {
    let mut seen = 0u32;
    for id in ids {
        if !id.is_ascii_uppercase() {
            return Err(Invalid::PlanId);
        }
        let bit = 1u32 << (id - b'A');
        if seen & bit != 0 {
            return Err(Invalid::DuplicatePlanId);
        }
        seen |= bit;
    }
    Ok(())
}
