//! Frontier-table encoder (feature `alloc`): the owned [`TableSpec`] the compiler's codegen fills, checked with the
//! same rules as the decoder, written as header + records with the CRC patched in last.

use alloc::string::String;
use alloc::vec::Vec;

use super::format::{
    check_plan_ids, name_bytes, Fallback, Header, Invalid, OpHeader, Plan, CONFIG, CRC_OFFSET, FORMAT_VERSION,
    HEADER_LEN, MAGIC, MAX_PLANS,
};

/// A whole table as codegen builds it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    /// GPU SKU id, at most 32 bytes of UTF-8 (e.g. `h200-sxm`).
    pub sku: String,
    /// Hash of the model the frontiers belong to.
    pub model_hash: u64,
    /// One entry per op, in the order the runtime's pending ops index them.
    pub ops: Vec<OpSpec>,
}

/// One op's frontier as codegen builds it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpSpec {
    pub op_id: u32,
    /// At most 32 bytes of UTF-8.
    pub name: String,
    pub slo_ms: f32,
    /// `f32::INFINITY` when the op sets no thermal budget.
    pub max_temp_delta_100ms: f32,
    /// `f32::INFINITY` when the op sets no link budget.
    pub link_budget_pj_per_bit: f32,
    pub link_bits_per_token: f32,
    /// 1..=14 plans with distinct letters.
    pub plans: Vec<Plan>,
    pub fallback: Fallback,
}

/// Why a spec cannot be written; names the op (and plan) at fault.
#[derive(Clone, Debug, PartialEq)]
pub enum EncodeTableError {
    /// The SKU id is empty, longer than 32 bytes or contains NUL.
    Sku,
    /// An op (index into `ops`) or one of its plans breaks a format rule.
    Op {
        op: usize,
        plan: Option<usize>,
        reason: Invalid,
    },
    /// More ops or bytes than the header's 32-bit counts hold.
    TooLarge,
}

impl core::fmt::Display for EncodeTableError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeTableError::Sku => f.write_str("SKU id must be 1..=32 bytes of UTF-8 without NUL"),
            EncodeTableError::Op {
                op,
                plan: Some(plan),
                reason,
            } => write!(f, "op #{op}, plan #{plan}: {reason}"),
            EncodeTableError::Op { op, plan: None, reason } => write!(f, "op #{op}: {reason}"),
            EncodeTableError::TooLarge => f.write_str("table too large for the format's 32-bit counts"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EncodeTableError {}

fn put<T: bincode::Encode>(out: &mut Vec<u8>, value: &T) {
    // Encoding fixed-size records into a Vec cannot fail: there is no limit and no fallible field.
    if let Ok(bytes) = bincode::encode_to_vec(value, CONFIG) {
        out.extend_from_slice(&bytes);
    }
}

/// Writes `spec` as a version-[`FORMAT_VERSION`] table.
pub fn encode(spec: &TableSpec) -> Result<Vec<u8>, EncodeTableError> {
    let sku = name_bytes(&spec.sku).map_err(|_| EncodeTableError::Sku)?;
    let op_count = u32::try_from(spec.ops.len()).map_err(|_| EncodeTableError::TooLarge)?;
    let mut payload = Vec::new();
    for (index, op) in spec.ops.iter().enumerate() {
        let err = |plan, reason| EncodeTableError::Op {
            op: index,
            plan,
            reason,
        };
        if op.plans.is_empty() || op.plans.len() > MAX_PLANS {
            return Err(err(None, Invalid::PlanCount));
        }
        let header = OpHeader {
            op_id: op.op_id,
            name: name_bytes(&op.name).map_err(|reason| err(None, reason))?,
            slo_ms: op.slo_ms,
            max_temp_delta_100ms: op.max_temp_delta_100ms,
            link_budget_pj_per_bit: op.link_budget_pj_per_bit,
            link_bits_per_token: op.link_bits_per_token,
            plan_count: op.plans.len() as u8,
        };
        header.validate().map_err(|reason| err(None, reason))?;
        put(&mut payload, &header);
        for (p, plan) in op.plans.iter().enumerate() {
            plan.validate().map_err(|reason| err(Some(p), reason))?;
            put(&mut payload, plan);
        }
        check_plan_ids(op.plans.iter().map(|p| p.id)).map_err(|reason| err(None, reason))?;
        op.fallback.validate().map_err(|reason| err(None, reason))?;
        put(&mut payload, &op.fallback);
    }
    let payload_len = u32::try_from(payload.len()).map_err(|_| EncodeTableError::TooLarge)?;
    let header = Header {
        magic: MAGIC,
        version: FORMAT_VERSION,
        sku,
        model_hash: spec.model_hash,
        op_count,
        payload_len,
        crc32: 0,
    };
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    put(&mut out, &header);
    out.extend_from_slice(&payload);
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&out[..CRC_OFFSET]);
    hasher.update(&out[HEADER_LEN..]);
    out[CRC_OFFSET..HEADER_LEN].copy_from_slice(&hasher.finalize().to_le_bytes());
    Ok(out)
}

/// Recomputes the CRC of a table in place; tests use it to build tables that are well-checksummed but otherwise
/// wrong (bad version, wrong SKU, bad records), so each decoder check is reached on its own.
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_LEN {
        return;
    }
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&bytes[..CRC_OFFSET]);
    hasher.update(&bytes[HEADER_LEN..]);
    let crc = hasher.finalize().to_le_bytes();
    bytes[CRC_OFFSET..HEADER_LEN].copy_from_slice(&crc);
}
