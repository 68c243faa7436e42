//! Thermal and link guards.
//!
//! Thermal: HBM temperature plus its rate × 100 ms at or past the limit restricts every op to its lowest-power
//! plans (the source's "switch to plan C 200 ms before throttle"), whatever the budget; a rise over 100 ms above an
//! op's own `max_temp_delta_100ms` restricts that op. Unreadable temperature or rate counts as hot.
//!
//! Link: Σ bitsᵢ · pJ/bit(planᵢ) must stay within Σ bitsᵢ · min(op budget, rack budget), bitsᵢ = tokensᵢ ·
//! link_bits_per_token. When it does not, ops move to their sleep substitute (lowest pJ/bit point that costs no more
//! energy or power, so the energy budget and the thermal guard still hold), lowest priority first — priority is
//! SLO tightness — until it fits. An unreadable rack budget counts as 0: every flow that can sleep does.

use super::frontier::{Frontier, Hull};
use super::inputs::{PendingOp, Telemetry};
use super::report::TickReport;
use super::scratch::{OpSlot, OrderSlot};

/// Predicted HBM temperature rise over the next 100 ms (°C), NaN when unreadable.
pub fn rise_100ms(telemetry: &Telemetry) -> f64 {
    telemetry.hbm_temp_rate_c_per_s * 0.1
}

/// Whether the rack-wide thermal guard holds.
pub fn rack_is_hot(telemetry: &Telemetry, limit_c: f64) -> bool {
    let rise = rise_100ms(telemetry);
    !(telemetry.hbm_temp_c.is_finite() && rise.is_finite()) || telemetry.hbm_temp_c + rise >= limit_c
}

/// Whether the thermal guard holds for an op of `frontier`.
pub fn op_is_hot(rack_hot: bool, rise: f64, frontier: &Frontier) -> bool {
    rack_hot || rise > f64::from(frontier.max_temp_delta_100ms())
}

/// Joules per picojoule.
pub(super) const PJ: f64 = 1e-12;

/// The rack's link budget as used by the guard: NaN or negative → 0 (every flow that can sleep does); rounded to
/// f32 like the tables' pJ/bit, so a rack budget of 0.6 admits a plan stored as 0.6.
pub fn rack_link_budget(pj_per_bit: f64) -> f64 {
    if pj_per_bit >= 0.0 {
        f64::from(pj_per_bit as f32)
    } else {
        0.0
    }
}

/// Link energy of an op at point `p` and its share of the link budget (J).
#[inline]
pub fn link_energy(op: &PendingOp, f: &Frontier, p: usize, rack_pj_per_bit: f64) -> (f64, f64) {
    link_energy_at(op, f, f.link_pj_per_bit(p), rack_pj_per_bit)
}

/// [`link_energy`] of a point whose link pJ/bit is `pj_per_bit`.
#[inline]
pub(super) fn link_energy_at(op: &PendingOp, f: &Frontier, pj_per_bit: f32, rack_pj_per_bit: f64) -> (f64, f64) {
    link_energy_of::<false>(op.tokens, f.hull(false), pj_per_bit, rack_pj_per_bit)
}

/// [`link_energy`] from the frontier's fields in a hull's head (read by the contract's final pass from the hull
/// it chose from). With j = bits per token × 1e-12, energy = (tokens · j) · pJ/bit and budget = tokens · (j ·
/// min(op budget, rack budget)), in that order everywhere, so every path sums the same values. `RACK_UNLIMITED`:
/// the rack budget is at least every op's, so the budget is tokens times the hull's precomputed `j · op budget`.
#[inline(always)]
pub(super) fn link_energy_of<const RACK_UNLIMITED: bool>(
    tokens: u32,
    hull: &Hull,
    pj_per_bit: f32,
    rack_pj_per_bit: f64,
) -> (f64, f64) {
    let tokens = f64::from(tokens);
    let j = hull.link_j_per_token_pjb();
    let energy = tokens * j * f64::from(pj_per_bit);
    let budget = if RACK_UNLIMITED {
        tokens * hull.link_budget_j_per_token()
    } else if j > 0.0 {
        // `f64::min` without its NaN handling (a NaN op budget gives the rack's, as `min` would; the rack budget is
        // never NaN, see `rack_link_budget`).
        let op_budget = hull.link_budget_pjb();
        tokens
            * (j * if op_budget < rack_pj_per_bit {
                op_budget
            } else {
                rack_pj_per_bit
            })
    } else {
        0.0 // also avoids 0 × ∞ for ops without traffic and without a budget
    };
    (energy, budget)
}

/// Moves ops to their sleep substitutes, lowest priority first, until link energy fits the budget in `report`
/// (from `summarise`); returns how many moved. Sorts, so O(n log n); runs only when link energy is over budget.
pub(super) fn link_guard(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    order: &mut [OrderSlot],
    report: &TickReport,
    rack_pj_per_bit: f64,
) -> u32 {
    let mut energy = report.link_energy_j;
    let mut m = 0;
    for (i, (op, slot)) in ops.iter().zip(slots.iter()).enumerate() {
        let f = &frontiers[op.frontier as usize];
        let p = usize::from(slot.point);
        if f.sleep_substitute_of(p) != p && link_energy(op, f, p, rack_pj_per_bit).0 > 0.0 {
            order[m] = OrderSlot {
                key: slot.weight,
                index: i as u32,
            };
            m += 1;
        }
    }
    order[..m].sort_unstable_by(|a, b| a.key.total_cmp(&b.key).then(a.index.cmp(&b.index)));
    let mut sleeps = 0;
    for entry in &order[..m] {
        if energy <= report.link_budget_j {
            break;
        }
        let i = entry.index as usize;
        let f = &frontiers[ops[i].frontier as usize];
        let p = usize::from(slots[i].point);
        let q = f.sleep_substitute_of(p);
        energy -= link_energy(&ops[i], f, p, rack_pj_per_bit).0 - link_energy(&ops[i], f, q, rack_pj_per_bit).0;
        slots[i].point = q as u8;
        sleeps += 1;
    }
    sleeps
}
