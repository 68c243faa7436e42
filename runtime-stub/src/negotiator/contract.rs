//! The contract policy: spend the window's energy where it buys the most SLO-weighted latency.
//!
//! # Objective
//! Minimise Σᵢ lat(pᵢ) / deadlineᵢ subject to Σᵢ tokensᵢ · jpt(pᵢ) ≤ budget, one point pᵢ per op from its frontier
//! (plans + fallback). Dividing each op's latency by its own deadline makes ops comparable (the fraction of its
//! SLO each op uses) and gives tight ops more weight: a millisecond matters more to an op with 5 ms left than to
//! one with 50 ms left. This is a multiple-choice knapsack.
//!
//! # Algorithm: the LP-greedy threshold, in O(n·h) with no sort
//! Every op starts at its cheapest hull vertex. Moving op i from vertex k−1 to k costs tokensᵢ·Δjptₖ joules and
//! saves weightᵢ·Δlatₖ, an efficiency λᵢₖ = (weightᵢ / tokensᵢ) · slopeₖ. On a convex hull the slopes decrease, so
//! taking all upgrades with λ above a threshold is always a per-op prefix; taking them in decreasing λ until the
//! budget runs out is the classic greedy whose fractional completion is the LP-relaxation optimum, so the integer
//! result is within about one upgrade of the LP bound (tests measure the gap against an LP-duality bound).
//!
//! Instead of sorting the n·h upgrades (too slow for 8,000 ops in 100 µs), the threshold is found with one
//! histogram: positive `f32`s order like their bit patterns, so the bits of λ, offset by the tick's smallest λ and
//! shifted to fit [`BUCKETS`], are a bucket index that is monotone in λ and about log-uniform (one bucket spans at
//! most 2⁻¹¹ of the bit range in use: ~0.5% of λ for a range of 2¹⁰). One pass adds each upgrade's energy to its
//! bucket; a walk from the top finds the bucket where the budget runs out; one more pass takes every upgrade above
//! it, and those inside it in op order while they fit.
//!
//! The order is therefore (bucket desc, op asc, vertex asc): total, fixed before the budget is known and
//! consistent with each op's chain, so the chosen set for a larger budget is a superset of the set for a smaller
//! one — more budget never worsens the objective — and ties are broken the same way on every run. Within the
//! boundary bucket upgrades differ in efficiency by under a bucket's width, which is all the exactness it gives
//! up against a full sort.

use super::frontier::Frontier;
use super::inputs::PendingOp;
use super::scratch::{OpSlot, BUCKETS};

/// Efficiency of an upgrade as a bit pattern that orders like the value (saturates to +inf, never NaN).
#[inline]
fn key(rate: f64, slope: f64) -> u32 {
    ((rate * slope) as f32).to_bits()
}

/// Range of upgrade efficiencies of a tick, gathered by the caller's preparation pass, mapped onto buckets.
#[derive(Copy, Clone, Debug)]
pub(super) struct KeyRange {
    lo: u32,
    shift: u32,
}

impl KeyRange {
    /// The range for efficiencies between `min` and `max` (any order; empty ranges map everything to bucket 0).
    pub(super) fn new(min: f64, max: f64) -> KeyRange {
        let lo = (min as f32).to_bits();
        let hi = (max as f32).to_bits().max(lo);
        let mut shift = 0;
        while ((hi - lo) >> shift) as usize >= BUCKETS {
            shift += 1;
        }
        KeyRange { lo, shift }
    }

    #[inline]
    fn bucket(&self, rate: f64, slope: f64) -> usize {
        // Clamped at both ends so a rounding difference with the caller's range can never index out of bounds.
        let k = key(rate, slope).max(self.lo);
        (((k - self.lo) >> self.shift) as usize).min(BUCKETS - 1)
    }
}

/// Writes each op's chosen point into `slots[i].point`. `left` is the budget after every op's cheapest vertex;
/// `range` spans every upgrade's efficiency.
pub(super) fn choose(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    buckets: &mut [f64; BUCKETS],
    range: KeyRange,
    mut left: f64,
) {
    buckets.fill(0.0);
    for (op, slot) in ops.iter().zip(slots.iter()) {
        if slot.rate == f64::INFINITY {
            continue; // no tokens: its upgrades are free and taken below
        }
        let hull = frontiers[op.frontier as usize].hull(slot.thermal);
        let tokens = f64::from(op.tokens);
        for k in 1..hull.len() {
            buckets[range.bucket(slot.rate, hull.slope(k))] += tokens * hull.djpt(k);
        }
    }
    // Walk buckets from the most efficient down; everything above the crossing bucket fits.
    let mut crossing = None;
    for b in (0..BUCKETS).rev() {
        let v = buckets[b];
        if v > 0.0 {
            if v > left {
                crossing = Some(b);
                break;
            }
            left -= v;
        }
    }

    let mut stopped = false;
    for (op, slot) in ops.iter().zip(slots.iter_mut()) {
        let hull = frontiers[op.frontier as usize].hull(slot.thermal);
        let mut taken = 0;
        if slot.rate == f64::INFINITY || crossing.is_none() {
            taken = hull.len() - 1;
        } else if let Some(crossing) = crossing {
            let tokens = f64::from(op.tokens);
            for k in 1..hull.len() {
                let b = range.bucket(slot.rate, hull.slope(k));
                if b < crossing {
                    break;
                }
                if b == crossing {
                    let cost = tokens * hull.djpt(k);
                    if stopped || cost > left {
                        // Stop at the first upgrade in the crossing bucket that does not fit, so the taken set
                        // stays a prefix of the global order (what makes more budget never worse).
                        stopped = true;
                        break;
                    }
                    left -= cost;
                }
                taken = k;
            }
        }
        slot.point = hull.point(taken) as u8;
    }
}
