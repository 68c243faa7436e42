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
//! result is within one upgrade of the LP bound (tests measure the gap).
//!
//! Instead of sorting the n·h upgrades, the threshold is found by radix selection on the bits of λ as an `f32`
//! (positive floats order like their bit patterns): an 11-bit histogram of energy per bucket over all upgrades
//! finds the bucket where the budget runs out, then two 10-bit histograms over only the ops with upgrades in that
//! bucket pin the exact key. Upgrades above the key are taken; upgrades exactly at it are taken in op order while
//! they fit. The order is thus (λ desc, op asc, vertex asc): total and deterministic, and the chosen set for a
//! larger budget is a superset of the set for a smaller one, so more budget never worsens the objective.

use super::frontier::Frontier;
use super::inputs::PendingOp;
use super::scratch::{OpSlot, OrderSlot, BUCKETS};

/// (shift, width) of the key bits each level selects on: bits 20..31, 10..20, 0..10 (bit 31, the sign, is 0).
const LEVELS: [(u32, u32); 3] = [(20, 11), (10, 10), (0, 10)];

/// Efficiency of an upgrade as a bit pattern that orders like the value (saturates to +inf, never NaN).
#[inline]
fn key(rate: f64, slope: f64) -> u32 {
    ((rate * slope) as f32).to_bits()
}

/// Which upgrades are taken once the threshold is known.
#[derive(Copy, Clone)]
enum Threshold {
    /// Every upgrade with key ≥ this (all of them fit).
    AtLeast(u32),
    /// Every upgrade with key > this, and those equal to it in op order while they fit.
    Exact(u32),
}

/// Whether the op has an upgrade whose key lies in the block `key & mask == prefix`.
#[inline]
fn has_upgrade_in(rate: f64, frontier: &Frontier, thermal: bool, prefix: u32, mask: u32) -> bool {
    let hull = frontier.hull(thermal);
    for k in 1..hull.len() {
        let kk = key(rate, hull.slope(k));
        if kk & mask == prefix {
            return true;
        }
        if kk < prefix {
            return false;
        }
    }
    false
}

/// Writes each op's chosen point into `slots[i].point`. `left` is the budget after every op's cheapest vertex;
/// `list` is scratch for the boundary ops.
pub(super) fn choose(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    list: &mut [OrderSlot],
    buckets: &mut [f64; BUCKETS],
    mut left: f64,
) {
    let mut prefix = 0u32;
    let mut mask = 0u32;
    let mut threshold = Threshold::AtLeast(0);
    let mut listed = 0usize;
    for (level, &(shift, width)) in LEVELS.iter().enumerate() {
        let nb = 1usize << width;
        let low = (nb as u32) - 1;
        buckets[..nb].fill(0.0);
        if level == 0 {
            for (op, slot) in ops.iter().zip(slots.iter()) {
                if slot.rate == f64::INFINITY {
                    continue; // no tokens: its upgrades are free and taken below
                }
                let hull = frontiers[op.frontier as usize].hull(slot.thermal);
                let tokens = f64::from(op.tokens);
                for k in 1..hull.len() {
                    buckets[(key(slot.rate, hull.slope(k)) >> shift) as usize] += tokens * hull.djpt(k);
                }
            }
        } else {
            for entry in &list[..listed] {
                let (op, slot) = (&ops[entry.index as usize], &slots[entry.index as usize]);
                let hull = frontiers[op.frontier as usize].hull(slot.thermal);
                let tokens = f64::from(op.tokens);
                for k in 1..hull.len() {
                    let kk = key(slot.rate, hull.slope(k));
                    if kk & mask == prefix {
                        buckets[((kk >> shift) & low) as usize] += tokens * hull.djpt(k);
                    } else if kk < prefix {
                        break;
                    }
                }
            }
        }
        // Walk buckets from the most efficient down; everything above the crossing bucket fits.
        let mut cum = 0.0;
        let mut crossing = None;
        for b in (0..nb).rev() {
            let v = buckets[b];
            if v > 0.0 {
                if cum + v > left {
                    crossing = Some(b as u32);
                    break;
                }
                cum += v;
            }
        }
        left -= cum;
        let Some(b) = crossing else {
            threshold = Threshold::AtLeast(prefix);
            break;
        };
        prefix |= b << shift;
        mask |= low << shift;
        if level + 1 == LEVELS.len() {
            threshold = Threshold::Exact(prefix);
            break;
        }
        // Keep only the ops with upgrades in the crossing block for the next, finer level.
        if level == 0 {
            for (i, (op, slot)) in ops.iter().zip(slots.iter()).enumerate() {
                if slot.rate != f64::INFINITY
                    && has_upgrade_in(slot.rate, &frontiers[op.frontier as usize], slot.thermal, prefix, mask)
                {
                    list[listed] = OrderSlot {
                        key: 0.0,
                        index: i as u32,
                    };
                    listed += 1;
                }
            }
        } else {
            let mut kept = 0;
            for j in 0..listed {
                let i = list[j].index as usize;
                let slot = &slots[i];
                if has_upgrade_in(
                    slot.rate,
                    &frontiers[ops[i].frontier as usize],
                    slot.thermal,
                    prefix,
                    mask,
                ) {
                    list[kept] = list[j];
                    kept += 1;
                }
            }
            listed = kept;
        }
    }

    let mut stopped = false;
    for (op, slot) in ops.iter().zip(slots.iter_mut()) {
        let hull = frontiers[op.frontier as usize].hull(slot.thermal);
        let mut taken = 0;
        if slot.rate == f64::INFINITY {
            taken = hull.len() - 1;
        } else {
            let tokens = f64::from(op.tokens);
            for k in 1..hull.len() {
                let kk = key(slot.rate, hull.slope(k));
                let take = match threshold {
                    Threshold::AtLeast(t) => kk >= t,
                    Threshold::Exact(t) if kk > t => true,
                    Threshold::Exact(t) if kk == t && !stopped => {
                        let cost = tokens * hull.djpt(k);
                        if cost <= left {
                            left -= cost;
                            true
                        } else {
                            // Stop at the first tie that does not fit, so the taken set stays a prefix of the
                            // global order (what makes more budget never worse).
                            stopped = true;
                            false
                        }
                    }
                    Threshold::Exact(_) => false,
                };
                if !take {
                    break;
                }
                taken = k;
            }
        }
        slot.point = hull.point(taken) as u8;
    }
}
