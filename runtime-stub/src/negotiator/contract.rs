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
//! histogram: positive `f32`s order like their bit patterns, so the top bits of λ as an `f32` are a bucket index
//! that is monotone in λ and log-uniform: [`BUCKETS`] = 2¹⁴ buckets of 1/64 octave (1.1% of λ) each. The tick's
//! preparation pass adds each upgrade's energy to its bucket ([`add_upgrades`]); a walk from the most efficient
//! bucket down finds where the budget runs out; one more pass ([`finish`]) takes every upgrade above that bucket,
//! and those inside it in op order while they fit, and accounts the result. Only the buckets in use are walked
//! and then zeroed again, so scratch stays clean for the next tick.
//!
//! The order is therefore (bucket desc, op asc, vertex asc): total, fixed before the budget is known and
//! consistent with each op's chain, so the chosen set for a larger budget is a superset of the set for a smaller
//! one — more budget never worsens the objective — and ties are broken the same way on every run. Within the
//! boundary bucket upgrades differ in efficiency by under a bucket's width, which is all the exactness it gives
//! up against a full sort.

use super::frontier::{Frontier, Hull, PointInfo};
use super::inputs::PendingOp;
use super::scratch::{OpSlot, BUCKETS};

/// Bits of λ dropped to form a bucket: 23 mantissa bits − 6 kept = 64 buckets per octave.
const SHIFT: u32 = 17;

/// Bucket of an upgrade of efficiency `rate × slope` (monotone in it; saturates at +inf, never out of range).
#[inline]
fn bucket(rate: f64, slope: f64) -> usize {
    ((((rate * slope) as f32).to_bits() >> SHIFT) as usize).min(BUCKETS - 1)
}

/// Buckets touched this tick (`lo > hi` when none).
#[derive(Copy, Clone, Debug)]
pub(super) struct Touched {
    pub lo: usize,
    pub hi: usize,
}

impl Touched {
    pub const NONE: Touched = Touched { lo: BUCKETS, hi: 0 };
}

/// Bucket bounds of an op without upgrades: above every crossing, so it takes its (only) vertex.
pub(super) const NO_UPGRADES: (u16, u16) = (BUCKETS as u16, 0);

/// Adds an op's upgrades to the histogram (called from the tick's preparation pass); returns the buckets of its
/// least and most efficient upgrades ([`NO_UPGRADES`] when it has none).
#[inline]
pub(super) fn add_upgrades(
    hull: &Hull,
    rate: f64,
    tokens: f64,
    buckets: &mut [f64; BUCKETS],
    touched: &mut Touched,
) -> (u16, u16) {
    let len = hull.len();
    if len < 2 {
        return NO_UPGRADES;
    }
    let mut b = 0;
    let mut hi = 0;
    for k in 1..len {
        b = bucket(rate, hull.slope(k));
        if k == 1 {
            hi = b;
        }
        buckets[b] += tokens * hull.djpt(k);
    }
    // Slopes fall along the hull, so the first and last upgrades bound this op's buckets.
    touched.hi = touched.hi.max(hi);
    touched.lo = touched.lo.min(b);
    (b as u16, hi as u16)
}

/// Zeroes the touched buckets (every tick ends with a clean histogram).
pub(super) fn clear(buckets: &mut [f64; BUCKETS], touched: Touched) {
    if touched.lo <= touched.hi {
        buckets[touched.lo..=touched.hi].fill(0.0);
    }
}

/// Finds the crossing bucket, picks each op's point into `slots[i].point`, and calls `account` for each op with
/// its index, weight and chosen point. `left` is the budget after every op's cheapest vertex. Clears the histogram.
pub(super) fn finish(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    buckets: &mut [f64; BUCKETS],
    touched: Touched,
    mut left: f64,
    mut account: impl FnMut(usize, &PendingOp, &Frontier, f64, PointInfo),
) {
    // Walk buckets from the most efficient down; everything above the crossing bucket fits.
    let mut crossing = None;
    if touched.lo <= touched.hi {
        for b in (touched.lo..=touched.hi).rev() {
            let v = buckets[b];
            if v > 0.0 {
                if v > left {
                    crossing = Some(b);
                    break;
                }
                left -= v;
            }
        }
    }
    clear(buckets, touched);

    let mut stopped = false;
    for (i, (op, slot)) in ops.iter().zip(slots.iter_mut()).enumerate() {
        let f = &frontiers[op.frontier as usize];
        let hull = f.hull(slot.thermal);
        let mut taken = 0;
        match crossing {
            _ if slot.rate == f64::INFINITY => taken = hull.len() - 1, // no tokens: upgrades are free
            None => taken = hull.len() - 1,                            // everything fits
            // Every upgrade strictly above the crossing bucket: all taken, as the walk below would.
            Some(crossing) if usize::from(slot.lo) > crossing => taken = hull.len() - 1,
            // Every upgrade below it: none taken.
            Some(crossing) if usize::from(slot.hi) < crossing => {}
            Some(crossing) => {
                let tokens = f64::from(op.tokens);
                for k in 1..hull.len() {
                    let b = bucket(slot.rate, hull.slope(k));
                    if b < crossing {
                        break;
                    }
                    if b == crossing {
                        let cost = tokens * hull.djpt(k);
                        if stopped || cost > left {
                            // Stop at the first upgrade in the crossing bucket that does not fit, so the taken
                            // set stays a prefix of the global order (what makes more budget never worse).
                            stopped = true;
                            break;
                        }
                        left -= cost;
                    }
                    taken = k;
                }
            }
        }
        slot.point = hull.point(taken) as u8;
        account(i, op, f, slot.weight, f.info(hull.point(taken)));
    }
}
