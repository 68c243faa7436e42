//! The five memory variants: how a plan moves its data, and what each does to the work the energy model prices.
//!
//! Let `B` be the op's HBM bytes, `W ≤ B` the part of them that is weights (at the point's precision), `K = B − W`
//! the rest (KV blocks and activations), `F` its flops and `rc` its `reuse_confidence`.
//! A variant yields two works: the one whose **energy** is charged and the one whose **latency** is seen (they
//! differ only for `prefetch`, whose early reads cost energy but are hidden behind the previous op).
//!
//! | variant           | energy work                 | latency work        | available            |
//! |-------------------|-----------------------------|---------------------|----------------------|
//! | `baseline`        | B, F                        | same                | always               |
//! | `prefetch`        | B·(1 + 0.10), F             | B·(1 − 0.30), F     | always               |
//! | `reuse_low_bytes` | B − 0.30·rc·K, F            | same                | only when rc > 0.7   |
//! | `sram_pinned`     | B·(1 − 0.20), F·1.25        | same                | always               |
//! | `recompute`       | B − 0.50·K, F + 0.50·K·256  | same                | always               |
//!
//! - `prefetch`: 30 % of the reads are issued during the previous op (the next layer's weights and KV blocks
//!   are known in decode), so their time is hidden; 10 % extra bytes are fetched at block granularity and wasted.
//! - `reuse_low_bytes`: KV blocks reused from the previous step stay on chip; up to 30 % of the non-weight
//!   bytes are such blocks, saved in proportion to the confidence (weights are gigabytes per GPU and never stay
//!   on chip between steps). The source emits this "low bytes" variant only when
//!   `reuse_confidence > 0.7`; otherwise the point is infeasible with that reason.
//! - `sram_pinned`: the op's hottest 20 % of bytes are pinned in on-chip SRAM; the pinned lines take SRAM from
//!   the SMs' working space, which costs 25 % more issue slots (modelled as 25 % more flops).
//! - `recompute`: half of the non-weight bytes (the KV share) are recomputed from the layer input instead of
//!   read, at 256 flops per byte avoided (weights cannot be recomputed, so on a pure linear layer this is
//!   nearly the baseline). This is the `recompute_kv` fallback's variant. With the physical model's
//!   default coefficients a recomputed byte costs more energy than a read one (256·e_flop > e_byte), so on
//!   memory-bound decode kernels recompute is a fast-but-costly point, and the fallback (its lowest-power
//!   point) is slower than the plans and not cheaper: the search reports what the model says.
//!
//! The fractions are modelling assumptions, not measurements; they live in [`VariantParams`] so a calibration
//! can replace them. Precision scaling of weight bytes (`price.rs`) is applied before the variant.

use riir_dialect::MemoryVariant;
use std::fmt;

/// Threshold above which `reuse_low_bytes` is available (the source: "greater than 0.7").
pub const REUSE_THRESHOLD: f64 = 0.7;

/// What an op does in one decode step, as the variants transform it.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Work {
    pub bytes_hbm: f64,
    pub flops: f64,
    pub link_bytes: f64,
}

/// The works a variant is priced with.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct VariantWork {
    /// The work whose energy is charged.
    pub energy: Work,
    /// The work whose latency is seen.
    pub latency: Work,
}

/// The variants' modelling assumptions (see the table in this file's header).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct VariantParams {
    pub prefetch_hidden: f64,
    pub prefetch_overfetch: f64,
    pub reuse_share: f64,
    pub sram_share: f64,
    pub sram_flop_penalty: f64,
    pub recompute_share: f64,
    pub recompute_flops_per_byte: f64,
}

impl Default for VariantParams {
    fn default() -> Self {
        VariantParams {
            prefetch_hidden: 0.30,
            prefetch_overfetch: 0.10,
            reuse_share: 0.30,
            sram_share: 0.20,
            sram_flop_penalty: 1.25,
            recompute_share: 0.50,
            recompute_flops_per_byte: 256.0,
        }
    }
}

impl VariantParams {
    /// Folded into the frontier cache key, so changing an assumption never reuses a stale frontier.
    pub fn bits(&self) -> [u64; 7] {
        [
            self.prefetch_hidden,
            self.prefetch_overfetch,
            self.reuse_share,
            self.sram_share,
            self.sram_flop_penalty,
            self.recompute_share,
            self.recompute_flops_per_byte,
        ]
        .map(f64::to_bits)
    }
}

/// Why a memory variant is not available for an op.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum VariantUnavailable {
    /// `reuse_low_bytes` needs `reuse_confidence > 0.7`; the op has this one (`None`: it gives none).
    ReuseConfidence(Option<f64>),
}

impl fmt::Display for VariantUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VariantUnavailable::ReuseConfidence(Some(rc)) => {
                write!(
                    f,
                    "reuse_low_bytes needs reuse_confidence > {REUSE_THRESHOLD} (op has {rc})"
                )
            }
            VariantUnavailable::ReuseConfidence(None) => {
                write!(
                    f,
                    "reuse_low_bytes needs reuse_confidence > {REUSE_THRESHOLD} (op gives none)"
                )
            }
        }
    }
}

/// The works `variant` prices `work` with, or why the variant is unavailable.
/// `weight_bytes` is the part of `work.bytes_hbm` that is weights (clamped to `[0, bytes_hbm]`).
pub fn apply(
    variant: MemoryVariant,
    work: Work,
    weight_bytes: f64,
    reuse_confidence: Option<f64>,
    params: &VariantParams,
) -> Result<VariantWork, VariantUnavailable> {
    let same = |w: Work| VariantWork { energy: w, latency: w };
    let b = work.bytes_hbm;
    let k = b - weight_bytes.clamp(0.0, b);
    Ok(match variant {
        MemoryVariant::Baseline => same(work),
        MemoryVariant::Prefetch => VariantWork {
            energy: Work {
                bytes_hbm: b * (1.0 + params.prefetch_overfetch),
                ..work
            },
            latency: Work {
                bytes_hbm: b * (1.0 - params.prefetch_hidden),
                ..work
            },
        },
        MemoryVariant::ReuseLowBytes => match reuse_confidence {
            Some(rc) if rc > REUSE_THRESHOLD => same(Work {
                bytes_hbm: b - params.reuse_share * rc * k,
                ..work
            }),
            other => return Err(VariantUnavailable::ReuseConfidence(other)),
        },
        MemoryVariant::SramPinned => same(Work {
            bytes_hbm: b * (1.0 - params.sram_share),
            flops: work.flops * params.sram_flop_penalty,
            ..work
        }),
        MemoryVariant::Recompute => same(Work {
            bytes_hbm: b - params.recompute_share * k,
            flops: work.flops + params.recompute_share * k * params.recompute_flops_per_byte,
            ..work
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Work = Work {
        bytes_hbm: 1000.0,
        flops: 100.0,
        link_bytes: 7.0,
    };

    #[test]
    fn baseline_is_the_work_itself() {
        let v = apply(MemoryVariant::Baseline, W, 0.0, None, &VariantParams::default()).unwrap();
        assert_eq!((v.energy, v.latency), (W, W));
    }

    #[test]
    fn prefetch_costs_bytes_but_hides_latency() {
        let v = apply(MemoryVariant::Prefetch, W, 0.0, None, &VariantParams::default()).unwrap();
        assert!(v.energy.bytes_hbm > W.bytes_hbm && v.latency.bytes_hbm < W.bytes_hbm);
        assert_eq!(v.energy.flops, W.flops);
    }

    #[test]
    fn reuse_low_bytes_needs_confidence_above_0_7() {
        let p = VariantParams::default();
        assert_eq!(
            apply(MemoryVariant::ReuseLowBytes, W, 0.0, Some(0.7), &p),
            Err(VariantUnavailable::ReuseConfidence(Some(0.7)))
        );
        assert_eq!(
            apply(MemoryVariant::ReuseLowBytes, W, 0.0, None, &p),
            Err(VariantUnavailable::ReuseConfidence(None))
        );
        let v = apply(MemoryVariant::ReuseLowBytes, W, 0.0, Some(0.73), &p).unwrap();
        assert!((v.energy.bytes_hbm - 1000.0 * (1.0 - 0.3 * 0.73)).abs() < 1e-9);
        assert_eq!(
            VariantUnavailable::ReuseConfidence(Some(0.5)).to_string(),
            "reuse_low_bytes needs reuse_confidence > 0.7 (op has 0.5)"
        );
    }

    #[test]
    fn sram_pinned_and_recompute_trade_bytes_for_flops() {
        let p = VariantParams::default();
        for m in [MemoryVariant::SramPinned, MemoryVariant::Recompute] {
            let v = apply(m, W, 0.0, None, &p).unwrap();
            assert!(v.energy.bytes_hbm < W.bytes_hbm, "{m}");
            assert!(v.energy.flops > W.flops, "{m}");
            assert_eq!(v.energy, v.latency);
            assert_eq!(v.energy.link_bytes, W.link_bytes);
        }
        let r = apply(MemoryVariant::Recompute, W, 0.0, None, &p).unwrap();
        assert_eq!(r.energy.flops, 100.0 + 500.0 * 256.0);
        // Weights are neither recomputed nor reused: only the other 400 bytes are.
        let r = apply(MemoryVariant::Recompute, W, 600.0, None, &p).unwrap();
        assert_eq!((r.energy.bytes_hbm, r.energy.flops), (800.0, 100.0 + 200.0 * 256.0));
        let v = apply(MemoryVariant::ReuseLowBytes, W, 600.0, Some(1.0), &p).unwrap();
        assert!((v.energy.bytes_hbm - 880.0).abs() < 1e-9);
        // A weight figure above the bytes is clamped: nothing is left to recompute.
        let r = apply(MemoryVariant::Recompute, W, 5000.0, None, &p).unwrap();
        assert_eq!(r.energy, W);
    }
}
