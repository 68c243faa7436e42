//! Memory intent of the decode step: which op prefetches and evicts which layer's KV blocks, and how confident
//! the compiler is that a layer's blocks are still on chip when its attention reads them.
//!
//! Blocks: the function `@decode_step` takes one `!kv.block` argument per layer, `%kv_l<N>`, standing for all of
//! that layer's KV-cache blocks on this GPU (every layer's blocks are touched exactly once per step, so a finer
//! split would repeat the same intent per block).
//!
//! Schedule, one layer ahead:
//! - `embed` prefetches `%kv_l0`;
//! - `layer<N>.attention` prefetches `%kv_l<N+1>` (none for the last layer) and evicts `%kv_l<N-1>` (none for
//!   layer 0), whose blocks this step no longer needs; its residency hint is `HBM.tier0`;
//! - `final_norm` evicts the last layer's blocks.
//!
//! reuse_confidence rule (on each attention op): a prefetched block is still in an LRU fast tier of capacity
//! C when it is read if fewer than C bytes passed through between the prefetch and the read. With D = the
//! op's *reuse distance* — HBM bytes of every op from the one that issued the prefetch (inclusive) to this
//! attention (exclusive), plus this layer's KV bytes themselves — the expected fraction of blocks still
//! resident is about C/D. So `reuse_confidence = min(0.95, C / D)`, rounded to two decimals, with
//! C = [`FAST_TIER_BYTES`] (50 MiB, the L2 of H100 SXM and H200). The cap of 0.95 keeps room for what lowering
//! cannot see (batch changes, preemption, other tenants). The Pareto search emits its reuse-aware low-bytes
//! variant only above 0.7, i.e. when the distance is under ~71 MiB: small batches and short contexts.

use super::cost::Role;
use super::graph::Node;
use riir_dialect::Residency;

/// Capacity of the fast tier a prefetch lands in: 50 MiB (H100 SXM / H200 L2).
pub const FAST_TIER_BYTES: u128 = 50 * 1024 * 1024;
/// The most confidence lowering ever claims.
pub const MAX_REUSE_CONFIDENCE: f64 = 0.95;

/// The memory intent of one op, by layer number (the emitter turns layers into `%kv_l<N>` references).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpMemory {
    pub prefetch: Vec<u64>,
    pub evict: Vec<u64>,
    pub residency: Option<Residency>,
    pub reuse_confidence: Option<f64>,
}

/// The rule above: `min(0.95, C / D)` rounded to two decimals.
pub fn reuse_confidence(reuse_distance_bytes: u128) -> f64 {
    let c = (FAST_TIER_BYTES as f64 / reuse_distance_bytes.max(1) as f64).min(MAX_REUSE_CONFIDENCE);
    (c * 100.0).round() / 100.0
}

/// The memory intent of each node (same order as `nodes`); `None` for ops with nothing to say.
pub fn plan(nodes: &[&Node]) -> Vec<Option<OpMemory>> {
    let mut out: Vec<Option<OpMemory>> = vec![None; nodes.len()];
    let attention: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].role == Role::Attention).collect();
    let layers = attention.len() as u64;
    let mut issuer = None;
    for (i, node) in nodes.iter().enumerate() {
        match node.role {
            Role::Embed if layers > 0 => {
                out[i] = Some(OpMemory {
                    prefetch: vec![0],
                    ..OpMemory::default()
                });
                issuer = Some(i);
            }
            Role::Attention => {
                let layer = node.layer.unwrap_or(0);
                let start = issuer.unwrap_or(i);
                let distance: u128 =
                    nodes[start..i].iter().map(|n| n.work.bytes_hbm()).sum::<u128>() + node.work.kv_bytes;
                out[i] = Some(OpMemory {
                    prefetch: (layer + 1 < layers).then_some(layer + 1).into_iter().collect(),
                    evict: layer.checked_sub(1).into_iter().collect(),
                    residency: Some(Residency::HbmTier0),
                    reuse_confidence: Some(reuse_confidence(distance)),
                });
                issuer = Some(i);
            }
            Role::FinalNorm if layers > 0 => {
                out[i] = Some(OpMemory {
                    evict: vec![layers - 1],
                    ..OpMemory::default()
                });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_capacity_over_distance_capped_and_rounded() {
        assert_eq!(reuse_confidence(FAST_TIER_BYTES / 2), 0.95);
        assert_eq!(reuse_confidence(FAST_TIER_BYTES), 0.95);
        assert_eq!(reuse_confidence(FAST_TIER_BYTES * 4), 0.25);
        assert_eq!(reuse_confidence(FAST_TIER_BYTES * 3), 0.33);
        assert_eq!(reuse_confidence(u128::MAX), 0.0);
        assert_eq!(reuse_confidence(0), 0.95);
    }
}
