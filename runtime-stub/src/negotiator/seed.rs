//! The source document's negotiator, literally, kept as the baseline:
//!
//! ```text
//! for op in sorted(ops, key=slo_tightness):
//!     feasible = [p for p in op.alternatives if p.est_jpt * op.tokens <= budget_joules_10ms - total]
//!     if not feasible: feasible = [op.fallback]
//!     chosen = min(feasible, key=lambda p: p.est_jpt)
//!     total += chosen.est_jpt * op.tokens
//! ```
//!
//! Its known flaws are kept on purpose so the contract policy can be compared against it: `min(…, est_jpt)`
//! always runs the cheapest plan and never spends headroom on latency, and a fallback is charged even when it
//! overruns what is left, so it can end over budget where a feasible assignment exists. Under the thermal
//! guard, `op.alternatives` is the thermally allowed plans.

use super::frontier::Frontier;
use super::inputs::PendingOp;
use super::scratch::{OpSlot, OrderSlot};

/// Writes each op's chosen point into `slots[i].point`. `order` is scratch for the tightness order.
pub(super) fn choose(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    order: &mut [OrderSlot],
    budget: f64,
) {
    let n = ops.len();
    for (i, (entry, slot)) in order[..n].iter_mut().zip(slots.iter()).enumerate() {
        // Tightness = time left to the deadline; the weight is its inverse, already sanitised.
        *entry = OrderSlot {
            key: 1.0 / slot.weight,
            index: i as u32,
        };
    }
    // Ties by op index so the order, and so the result, is deterministic.
    order[..n].sort_unstable_by(|a, b| a.key.total_cmp(&b.key).then(a.index.cmp(&b.index)));
    let mut total = 0.0;
    for entry in &order[..n] {
        let i = entry.index as usize;
        let f = &frontiers[ops[i].frontier as usize];
        let tokens = f64::from(ops[i].tokens);
        let thermal = slots[i].thermal;
        let mut chosen: Option<usize> = None;
        for p in 0..f.plan_count() {
            if thermal && !f.thermally_allowed(p) {
                continue;
            }
            let cost = f64::from(f.jpt(p)) * tokens;
            if cost <= budget - total && chosen.is_none_or(|c| f.jpt(p) < f.jpt(c)) {
                chosen = Some(p);
            }
        }
        let p = chosen.unwrap_or(f.fallback_point());
        total += f64::from(f.jpt(p)) * tokens;
        slots[i].point = p as u8;
    }
}
