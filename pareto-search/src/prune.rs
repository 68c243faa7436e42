//! The three pruning rules of the source document, each a function with its own tests:
//! (1) drop points whose latency exceeds SLO × 1.2; (2) drop dominated points; (3) keep at least one point per
//! precision that has any feasible point. A fourth step caps the frontier at [`MAX_PLANS`] (14, the source's
//! "7 to 14 points" and the frontier-table format's limit): see [`thin`].
//!
//! Every rule works on point indices and breaks ties by index, so the result is a pure function of the priced
//! points, whatever order they were priced in.

use crate::cost::{Cost, Evaluated};
use crate::priced::CostTable;
use crate::space::{precision_of, PRECISIONS};
use std::cmp::Ordering;

/// Most plans a frontier keeps (the runtime table format's `MAX_PLANS`; a codegen test checks they agree).
pub const MAX_PLANS: usize = 14;

/// Rule (1)'s slack: a point may exceed the op's SLO share by 20 %.
pub const SLO_SLACK: f64 = 1.2;

/// Rule (1): true when the point's latency is within `slo_ms × 1.2`.
pub fn within_slo(cost: &Cost, slo_ms: f64) -> bool {
    cost.est_lat_ms <= slo_ms * SLO_SLACK
}

/// Rule (2): the indices (into `candidates`) of points no other candidate dominates, by increasing latency.
///
/// `q` dominates `p` when it is no worse in both joules and latency and strictly better in one. Points with
/// identical costs do not dominate each other in that sense, but keeping both would put two indistinguishable
/// plans on the frontier, so among exact ties only the lowest index survives (the source: "strictly worse or
/// equal in both").
pub fn non_dominated(candidates: &[(u16, Cost)]) -> Vec<usize> {
    sweep(candidates.len(), |at| {
        let (i, c) = &candidates[at];
        (c.est_jpt, c.est_lat_ms, *i)
    })
}

/// [`non_dominated`] over the candidates `at(0..n)` = (joules, latency, point index); returns positions.
#[inline]
fn sweep(n: usize, at: impl Fn(usize) -> (f64, f64, u16)) -> Vec<usize> {
    // By latency, then energy, then index: a sweep keeping strictly decreasing energy is then exactly the
    // non-dominated set, in O(n log n). The sort runs on packed keys ordered as `total_cmp` orders the f64s
    // (no two keys are equal: indices differ), which sorts several times faster than comparing through
    // the candidates.
    assert!(n <= usize::from(u16::MAX), "at most 720 points per kernel");
    // Only points between the first in sort order (F) and the cheapest (E) can survive the sweep, so the rest
    // are dropped before sorting: a point after F in order with energy not below F's is never below the
    // sweep's running minimum (≤ F's energy once F is swept), nor is a point after E, the first non-NaN energy
    // minimum in total order (the running minimum is ≤ E's energy from E on). A NaN energy never survives.
    let mut first: Option<((f64, f64, u16), usize)> = None;
    let mut cheapest: Option<(f64, f64, u16)> = None;
    for pos in 0..n {
        let c = at(pos);
        if first.is_none_or(|(f, f_pos)| by_order(c, f).then(pos.cmp(&f_pos)).is_lt()) {
            first = Some((c, pos));
        }
        // E: lowest energy, then the sort's order.
        if !c.0.is_nan() && cheapest.is_none_or(|e| total_then(c.0, e.0, || by_order(c, e)).is_lt()) {
            cheapest = Some(c);
        }
    }
    let first_jpt = first.map(|(f, _)| f.0).filter(|j| !j.is_nan());
    // Second pass: only the few survivors are keyed and kept (one kernel's are 1-16 of hundreds).
    let mut order: Vec<(u128, u16, u16)> = Vec::new();
    for pos in 0..n {
        let c = at(pos);
        let below_first = match (first, first_jpt) {
            (Some((_, f_pos)), Some(f_jpt)) => pos == f_pos || c.0 < f_jpt,
            _ => true,
        };
        if below_first && cheapest.is_none_or(|e| by_order(c, e).is_le()) {
            order.push((sweep_key(c.0, c.1), c.2, pos as u16));
        }
    }
    keep_decreasing_energy(order, |pos| at(usize::from(pos)).0)
        .into_iter()
        .map(usize::from)
        .collect()
}

/// The sweep's sort key of a point: latency, then energy, as `total_cmp` orders them.
#[inline]
fn sweep_key(jpt: f64, lat: f64) -> u128 {
    u128::from(total_order_key(lat)) << 64 | u128::from(total_order_key(jpt))
}

/// The sweep itself: `order` = (sweep key, point index, tag) of the survivors, sorted, and the tags of those
/// with strictly decreasing energy (`jpt(tag)`) kept.
fn keep_decreasing_energy(mut order: Vec<(u128, u16, u16)>, jpt: impl Fn(u16) -> f64) -> Vec<u16> {
    order.sort_unstable();
    let mut kept = Vec::new();
    let mut best_jpt = f64::INFINITY;
    for (_, _, tag) in order {
        let jpt = jpt(tag);
        if jpt < best_jpt {
            best_jpt = jpt;
            kept.push(tag);
        }
    }
    kept
}

/// `a` against `b` as [`f64::total_cmp`] orders them, then `then()` on a tie. A plain comparison decides first:
/// where it says less or greater, `total_cmp` says the same (they differ only on NaNs and on ±0, which compare
/// neither less nor greater), and it is far cheaper than the bit transform.
#[inline(always)]
pub(crate) fn total_then(a: f64, b: f64, then: impl FnOnce() -> Ordering) -> Ordering {
    match a.partial_cmp(&b) {
        Some(Ordering::Less) => Ordering::Less,
        Some(Ordering::Greater) => Ordering::Greater,
        _ => a.total_cmp(&b).then_with(then),
    }
}

/// An unsigned key that orders f64s exactly as [`f64::total_cmp`] does (the same bit transform, then the
/// sign bit flipped so that unsigned order is the signed one).
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits() as i64;
    let key = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    (key as u64) ^ (1 << 63)
}

/// The feasible points of `evaluated` as `(index, cost)`, in index order.
pub fn feasible<R>(evaluated: &[Evaluated<R>]) -> Vec<(u16, Cost)> {
    let mut out = Vec::with_capacity(evaluated.len());
    out.extend(evaluated.iter().filter_map(|e| e.cost().map(|c| (e.point.index, c))));
    out
}

/// Rule (3)'s choice for one precision: its lowest-energy point within the SLO bound; when none is within it,
/// its fastest point (the one closest to meeting the SLO). Ties go to the lower index. `feasible` as
/// [`feasible`] returns it.
pub fn best_of_precision(feasible: &[(u16, Cost)], precision: riir_dialect::Precision, slo_ms: f64) -> Option<u16> {
    best_of_precision_in(&CostTable::from_feasible(feasible), precision, slo_ms)
}

/// [`best_of_precision`] on a cost table.
fn best_of_precision_in(t: &CostTable, precision: riir_dialect::Precision, slo_ms: f64) -> Option<u16> {
    best_of_precision_within(t, &within_bound(t, slo_ms), precision)
}

/// Rule (1), as [`within_slo`]: the table's feasible points within the SLO bound as (joules, latency, index),
/// in index order, gathered once so that the rules read them in sequence.
fn within_bound(t: &CostTable, slo_ms: f64) -> Vec<(f64, f64, u16)> {
    let bound = slo_ms * SLO_SLACK;
    let (jpt, lat) = (&t.jpt[..], &t.lat_ms[..]);
    // Branch-free: every index is written at the end and kept by advancing past it when within the bound (the
    // test is as unpredictable as the costs); then the kept ones' costs are gathered.
    let mut kept = vec![0u16; t.feasible.len()];
    let mut n = 0;
    for &i in &t.feasible {
        kept[n] = i;
        n += usize::from(lat[usize::from(i)] <= bound);
    }
    kept[..n]
        .iter()
        .map(|&i| (jpt[usize::from(i)], lat[usize::from(i)], i))
        .collect()
}

/// The run of `items` (by increasing index) whose precision is `precision`: precision varies slowest in index
/// order.
fn precision_run<T>(items: &[T], index: impl Fn(&T) -> u16, precision: riir_dialect::Precision) -> &[T] {
    let lo = items.partition_point(|x| precision_of(index(x)) < precision);
    let hi = lo + items[lo..].partition_point(|x| precision_of(index(x)) == precision);
    &items[lo..hi]
}

/// [`best_of_precision_in`] given `within`, rule (1)'s candidates ([`within_bound`]).
fn best_of_precision_within(
    t: &CostTable,
    within: &[(f64, f64, u16)],
    precision: riir_dialect::Precision,
) -> Option<u16> {
    let energy_then_latency =
        |a: &(f64, f64, u16), b: &(f64, f64, u16)| total_then(a.0, b.0, || total_then(a.1, b.1, || a.2.cmp(&b.2)));
    let (jpt, lat) = (|i: u16| t.jpt[usize::from(i)], |i: u16| t.lat_ms[usize::from(i)]);
    let latency_then_energy =
        |a: &u16, b: &u16| total_then(lat(*a), lat(*b), || total_then(jpt(*a), jpt(*b), || a.cmp(b)));
    min_by(precision_run(within, |c| c.2, precision), energy_then_latency)
        .map(|c| c.2)
        .or_else(|| min_by(precision_run(&t.feasible, |&i| i, precision), latency_then_energy).copied())
}

/// The first minimum of `run` under `cmp`, as `Iterator::min_by` (a plain loop, so `cmp` is inlined).
#[inline]
fn min_by<T>(run: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Option<&T> {
    let mut best: Option<&T> = None;
    for x in run {
        if best.is_none_or(|b| cmp(x, b).is_lt()) {
            best = Some(x);
        }
    }
    best
}

/// All three rules, then [`thin`]. Returns point indices of the frontier sorted by decreasing energy (plan A
/// first), ties by increasing latency, then index.
pub fn prune<R>(evaluated: &[Evaluated<R>], slo_ms: f64) -> Vec<u16> {
    prune_table(&CostTable::from_evaluated(evaluated), slo_ms)
}

/// [`prune`] on the feasible points (as [`feasible`] returns them), keeping each point's cost.
pub fn prune_feasible(feasible: &[(u16, Cost)], slo_ms: f64) -> Vec<(u16, Cost)> {
    let t = CostTable::from_feasible(feasible);
    prune_table(&t, slo_ms).into_iter().map(|i| (i, t.cost(i))).collect()
}

/// [`prune`] on a kernel's cost table: what the search runs.
pub fn prune_table(t: &CostTable, slo_ms: f64) -> Vec<u16> {
    let scan = Scan::of(t, slo_ms * SLO_SLACK);
    let mut frontier = scan.non_dominated(t);
    // Decreasing energy, then increasing latency, then index: the frontier's order.
    let by_decreasing_energy = |a: &u16, b: &u16| {
        let (a, b) = (*a, *b);
        t.jpt[usize::from(b)]
            .total_cmp(&t.jpt[usize::from(a)])
            .then(t.lat_ms[usize::from(a)].total_cmp(&t.lat_ms[usize::from(b)]))
            .then(a.cmp(&b))
    };
    frontier.sort_unstable_by(by_decreasing_energy);
    // One representative per precision: on the frontier already, its lowest-energy point there; otherwise
    // rule 3's pick, which joins the frontier.
    let mut representatives = Vec::new();
    for precision in PRECISIONS {
        let on_frontier = frontier.iter().rev().find(|&&i| precision_of(i) == precision);
        match on_frontier {
            Some(&i) => representatives.push(i),
            None => {
                if let Some(best) = scan.best_of_precision(t, precision) {
                    representatives.push(best);
                    frontier.push(best);
                }
            }
        }
    }
    frontier.sort_unstable_by(by_decreasing_energy);
    let kept = thin(frontier.clone(), &representatives, MAX_PLANS);
    frontier.retain(|i| kept.contains(i));
    frontier
}

/// Rule (1)'s candidates (feasible points within the SLO bound) summarised in one pass over a table's feasible
/// points, instead of gathering them: what rule (2)'s sweep and rule (3) need. Candidates are compared as
/// (joules, latency, index) triples with [`total_then`] (a plain comparison first; `total_cmp` on ties and NaNs).
struct Scan {
    bound: f64,
    /// F: the first candidate in the sweep's order (latency, then energy, then index).
    first: Option<(f64, f64, u16)>,
    /// E: the cheapest candidate with a non-NaN energy (energy, then latency, then index).
    cheapest: Option<(f64, f64, u16)>,
    /// Rule (3)'s pick per precision among the candidates (energy, then latency, then index; NaNs included).
    best: [Option<(f64, f64, u16)>; PRECISIONS.len()],
}

/// The sweep's order on (joules, latency, index): latency, then energy, then index.
#[inline(always)]
fn by_order(a: (f64, f64, u16), b: (f64, f64, u16)) -> Ordering {
    total_then(a.1, b.1, || total_then(a.0, b.0, || a.2.cmp(&b.2)))
}

/// Rule (3)'s order on (joules, latency, index): energy, then latency, then index.
#[inline(always)]
fn by_energy(a: (f64, f64, u16), b: (f64, f64, u16)) -> Ordering {
    total_then(a.0, b.0, || total_then(a.1, b.1, || a.2.cmp(&b.2)))
}

impl Scan {
    fn of(t: &CostTable, bound: f64) -> Scan {
        let (jpt, lat) = (&t.jpt[..], &t.lat_ms[..]);
        let mut scan = Scan {
            bound,
            first: None,
            cheapest: None,
            best: [None; PRECISIONS.len()],
        };
        for (p, best) in PRECISIONS.iter().zip(&mut scan.best) {
            for &i in precision_run(&t.feasible, |&i| i, *p) {
                let c = (jpt[usize::from(i)], lat[usize::from(i)], i);
                // Each test asks first whether the candidate beats the running minimum (rarely: predictable) and
                // only then whether it is within the bound (as unpredictable as the costs).
                let within = || c.1 <= bound;
                if scan.first.is_none_or(|f| by_order(c, f).is_lt()) && within() {
                    scan.first = Some(c);
                }
                if best.is_none_or(|b| by_energy(c, b).is_lt()) && within() {
                    *best = Some(c);
                }
                if scan.cheapest.is_none_or(|e| by_energy(c, e).is_lt()) && !c.0.is_nan() && within() {
                    scan.cheapest = Some(c);
                }
            }
        }
        scan
    }

    /// Rule (2) on the candidates, as [`non_dominated`]: their non-dominated points' indices.
    fn non_dominated(&self, t: &CostTable) -> Vec<u16> {
        // As in [`sweep`], only candidates between F and E in the sweep's order can survive: F itself and those
        // below F's energy (all, when F's energy is NaN), and none after E.
        let (jpt, lat) = (&t.jpt[..], &t.lat_ms[..]);
        let (f_index, f_jpt) = match self.first {
            Some(f) if !f.0.is_nan() => (f.2, f.0),
            _ => (u16::MAX, f64::NAN),
        };
        let all_below_first = f_jpt.is_nan();
        let e_lat = self.cheapest.map_or(f64::INFINITY, |e| e.1);
        let mut order: Vec<(u128, u16, u16)> = Vec::new();
        for &i in &t.feasible {
            let c = (jpt[usize::from(i)], lat[usize::from(i)], i);
            // Branch-free pre-test (`&`, `|`): false for nearly every point, so the branch on it predicts well;
            // the exact test on E follows only for the few that pass. (Candidates' latencies are never NaN, nor is
            // E's, so `c.1 <= e_lat` holds whenever the exact test can.)
            let maybe = (c.1 <= self.bound) & (all_below_first | (c.0 < f_jpt) | (i == f_index)) & (c.1 <= e_lat);
            if maybe && self.cheapest.is_none_or(|e| by_order(c, e).is_le()) {
                order.push((sweep_key(c.0, c.1), i, i));
            }
        }
        keep_decreasing_energy(order, |i| jpt[usize::from(i)])
    }

    /// Rule (3)'s pick for `precision`, as [`best_of_precision`]: its best candidate, else its fastest point.
    fn best_of_precision(&self, t: &CostTable, precision: riir_dialect::Precision) -> Option<u16> {
        let p = PRECISIONS
            .iter()
            .position(|&q| q == precision)
            .expect("a searched precision");
        self.best[p].map(|c| c.2).or_else(|| fastest_of_precision(t, precision))
    }
}

/// The fastest feasible point of `precision` (latency, then energy, then index).
fn fastest_of_precision(t: &CostTable, precision: riir_dialect::Precision) -> Option<u16> {
    let (jpt, lat) = (|i: u16| t.jpt[usize::from(i)], |i: u16| t.lat_ms[usize::from(i)]);
    let latency_then_energy =
        |a: &u16, b: &u16| total_then(lat(*a), lat(*b), || total_then(jpt(*a), jpt(*b), || a.cmp(b)));
    min_by(precision_run(&t.feasible, |&i| i, precision), latency_then_energy).copied()
}

/// Caps a frontier (sorted by decreasing energy) at `max` points: keeps every precision's representative and
/// both ends (the fastest and the cheapest plan), then fills the remaining slots with points evenly spaced in
/// rank between them, so the runtime still sees the whole energy/latency range. Order is preserved.
pub fn thin(frontier: Vec<u16>, representatives: &[u16], max: usize) -> Vec<u16> {
    if frontier.len() <= max {
        return frontier;
    }
    let mut keep: Vec<u16> = representatives.to_vec();
    for end in [frontier[0], frontier[frontier.len() - 1]] {
        if !keep.contains(&end) {
            keep.push(end);
        }
    }
    let rest: Vec<u16> = frontier.iter().copied().filter(|i| !keep.contains(i)).collect();
    let slots = max.saturating_sub(keep.len());
    // Midpoints of `slots` equal rank intervals of `rest`: deterministic and spread over the whole range.
    keep.extend((0..slots).map(|k| rest[(2 * k + 1) * rest.len() / (2 * slots)]));
    frontier.into_iter().filter(|i| keep.contains(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Axes, Point};
    use riir_dialect::{LinkState, Precision};

    fn c(est_jpt: f64, est_lat_ms: f64) -> Cost {
        Cost::new(est_jpt, est_lat_ms)
    }

    const ODD_F64: [f64; 12] = [
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        1.0,
        -1.5,
        f64::MAX,
    ];

    #[test]
    fn total_order_key_orders_as_total_cmp() {
        for a in ODD_F64 {
            for b in ODD_F64 {
                assert_eq!(
                    total_order_key(a).cmp(&total_order_key(b)),
                    a.total_cmp(&b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn non_dominated_matches_the_comparator_sweep_on_ties_and_odd_values() {
        // The reference: sort by `total_cmp` through the candidates, then sweep.
        let reference = |cands: &[(u16, Cost)]| {
            let mut order: Vec<usize> = (0..cands.len()).collect();
            order.sort_by(|&a, &b| {
                let ((ia, ca), (ib, cb)) = (&cands[a], &cands[b]);
                ca.est_lat_ms
                    .total_cmp(&cb.est_lat_ms)
                    .then(ca.est_jpt.total_cmp(&cb.est_jpt))
                    .then(ia.cmp(ib))
            });
            let mut best = f64::INFINITY;
            order
                .into_iter()
                .filter(|&i| {
                    let keep = cands[i].1.est_jpt < best;
                    if keep {
                        best = cands[i].1.est_jpt;
                    }
                    keep
                })
                .collect::<Vec<_>>()
        };
        // Pseudo-random grids with repeated values (ties in latency, in energy and in both).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |levels: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % levels) as f64 * 0.25
        };
        for round in 0..200 {
            let levels = 3 + round % 40;
            let n = 1 + (round * 7) % 720;
            let cands: Vec<(u16, Cost)> = (0..n).map(|i| (i as u16, c(next(levels), next(levels)))).collect();
            assert_eq!(non_dominated(&cands), reference(&cands), "round {round}");
        }
        let mut cands = Vec::new();
        for (n, j) in ODD_F64.iter().chain(&[2.0, 3.0, 1.0]).enumerate() {
            for (m, l) in [1.0, -0.0, 0.0, 2.0, f64::NAN, 1.0].iter().enumerate() {
                // Descending indices, so index order differs from position order.
                cands.push(((700 - n * 10 - m) as u16, c(*j, *l)));
            }
        }
        assert_eq!(non_dominated(&cands), reference(&cands));
    }

    fn axes() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    /// Prices every point with `f`; `None` makes the point infeasible.
    fn priced(f: impl Fn(&Point) -> Option<Cost>) -> Vec<Evaluated<&'static str>> {
        axes()
            .points()
            .into_iter()
            .map(|p| Evaluated::new(p, f(&p).ok_or("synthetic")))
            .collect()
    }

    #[test]
    fn rule1_keeps_exactly_the_points_within_slack() {
        assert!(within_slo(&c(1.0, 12.0), 10.0));
        assert!(!within_slo(&c(1.0, 12.000001), 10.0));
        // Faster points cost more energy, so without rule 1 every point would be on the frontier; every
        // precision has points within the bound, so rule 3 adds nothing.
        let ev = priced(|p| {
            let k = (p.index % 180) as f64;
            Some(c(1000.0 - k, 5.0 + k / 10.0))
        });
        let f = prune(&ev, 10.0);
        assert!(!f.is_empty());
        assert!(f.iter().all(|&i| ev[i as usize].cost().unwrap().est_lat_ms <= 12.0));
        assert!(
            f.iter().any(|&i| ev[i as usize].cost().unwrap().est_lat_ms == 12.0),
            "12 ms is within 10 × 1.2"
        );
    }

    #[test]
    fn rule3_and_fastest_match_total_cmp_references_on_ties_and_odd_values() {
        // The references: `min_by` with the full `total_cmp` comparators, as the rules are written.
        let reference = |feasible: &[(u16, Cost)], precision: Precision, slo_ms: f64| {
            let mine: Vec<&(u16, Cost)> = feasible
                .iter()
                .filter(|(i, _)| crate::space::precision_of(*i) == precision)
                .collect();
            let by_energy = |a: &&&(u16, Cost), b: &&&(u16, Cost)| {
                a.1.est_jpt
                    .total_cmp(&b.1.est_jpt)
                    .then(a.1.est_lat_ms.total_cmp(&b.1.est_lat_ms))
                    .then(a.0.cmp(&b.0))
            };
            let by_latency = |a: &&&(u16, Cost), b: &&&(u16, Cost)| {
                a.1.est_lat_ms
                    .total_cmp(&b.1.est_lat_ms)
                    .then(a.1.est_jpt.total_cmp(&b.1.est_jpt))
                    .then(a.0.cmp(&b.0))
            };
            mine.iter()
                .filter(|(_, c)| c.est_lat_ms <= slo_ms * SLO_SLACK)
                .min_by(by_energy)
                .or_else(|| mine.iter().min_by(by_latency))
                .map(|(i, _)| *i)
        };
        let fastest_reference = |feasible: &[(u16, Cost)]| {
            feasible
                .iter()
                .min_by(|a, b| {
                    a.1.est_lat_ms
                        .total_cmp(&b.1.est_lat_ms)
                        .then(a.1.est_jpt.total_cmp(&b.1.est_jpt))
                        .then(a.0.cmp(&b.0))
                })
                .map(|(_, c)| *c)
        };
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |levels: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % levels
        };
        let odd = [ODD_F64.as_slice(), &[0.0, -0.0, 1.0, 1.0, 2.0]].concat();
        for round in 0..300 {
            let levels = 2 + round % 9;
            let mut feasible = Vec::new();
            for i in 0..720u16 {
                if next(3) == 0 {
                    continue;
                }
                let mut value = || {
                    if round % 2 == 0 {
                        odd[next(odd.len() as u64) as usize]
                    } else {
                        next(levels) as f64 * 0.5
                    }
                };
                feasible.push((i, c(value(), value())));
            }
            for precision in PRECISIONS {
                for slo in [0.4, 1.0, 3.0] {
                    assert_eq!(
                        best_of_precision(&feasible, precision, slo),
                        reference(&feasible, precision, slo),
                        "round {round} {precision} {slo}"
                    );
                }
            }
            let got = crate::frontier::fastest_feasible(&feasible);
            let want = fastest_reference(&feasible);
            assert_eq!(
                got.map(|c| (c.est_jpt.to_bits(), c.est_lat_ms.to_bits())),
                want.map(|c| (c.est_jpt.to_bits(), c.est_lat_ms.to_bits())),
                "round {round}"
            );
        }
    }

    #[test]
    fn prune_table_equals_the_rules_composed_literally_on_ties_and_odd_values() {
        // The reference: rule (1) as a filter, rule (2) as `non_dominated`, rule (3) as `best_of_precision`, each
        // on its own, then the frontier's order and `thin` (what `prune_table` computed before its one-pass scan).
        let reference = |feasible: &[(u16, Cost)], slo_ms: f64| {
            let candidates: Vec<(u16, Cost)> = feasible
                .iter()
                .copied()
                .filter(|(_, c)| within_slo(c, slo_ms))
                .collect();
            let mut frontier: Vec<(u16, Cost)> =
                non_dominated(&candidates).into_iter().map(|k| candidates[k]).collect();
            let by_decreasing_energy = |a: &(u16, Cost), b: &(u16, Cost)| {
                b.1.est_jpt
                    .total_cmp(&a.1.est_jpt)
                    .then(a.1.est_lat_ms.total_cmp(&b.1.est_lat_ms))
                    .then(a.0.cmp(&b.0))
            };
            frontier.sort_by(by_decreasing_energy);
            let mut representatives = Vec::new();
            for precision in PRECISIONS {
                match frontier.iter().rev().find(|(i, _)| precision_of(*i) == precision) {
                    Some(&(i, _)) => representatives.push(i),
                    None => {
                        if let Some(best) = best_of_precision(feasible, precision, slo_ms) {
                            representatives.push(best);
                            frontier.push(*feasible.iter().find(|(i, _)| *i == best).unwrap());
                        }
                    }
                }
            }
            frontier.sort_by(by_decreasing_energy);
            thin(frontier.iter().map(|(i, _)| *i).collect(), &representatives, MAX_PLANS)
        };
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |levels: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % levels
        };
        let odd = [ODD_F64.as_slice(), &[0.0, -0.0, 1.0, 1.0, 2.0]].concat();
        for round in 0..400 {
            // Coarse levels (ties everywhere), odd values (NaNs, infinities, ±0), or many distinct values (long
            // frontiers that `thin` caps); some rounds leave a precision without feasible points.
            let levels = 2 + round % 9;
            let missing_precision = (round % 5 == 0).then_some((round / 5) % 4);
            let mut feasible = Vec::new();
            for i in 0..720u16 {
                if next(3) == 0 || missing_precision == Some(u64::from(i) / 180) {
                    continue;
                }
                let mut value = || match round % 3 {
                    0 => odd[next(odd.len() as u64) as usize],
                    1 => next(levels) as f64 * 0.5,
                    _ => next(1 << 20) as f64 / 1024.0,
                };
                let (jpt, lat) = (value(), value());
                feasible.push((i, c(jpt, lat)));
            }
            for slo in [0.2, 1.0, 3.0, 1e9] {
                let got: Vec<u16> = prune_feasible(&feasible, slo).into_iter().map(|(i, _)| i).collect();
                assert_eq!(got, reference(&feasible, slo), "round {round} slo {slo}");
            }
        }
    }

    #[test]
    fn rule2_drops_dominated_and_duplicate_points() {
        let cands = [
            (0, c(3.0, 1.0)),
            (1, c(2.0, 2.0)),
            (2, c(2.0, 2.0)), // exact duplicate of 1: only the lower index stays
            (3, c(2.5, 2.5)), // dominated by 1
            (4, c(1.0, 3.0)),
            (5, c(1.0, 3.5)), // same energy, slower: dominated by 4
            (6, c(3.0, 1.0)), // duplicate of 0
        ];
        assert_eq!(non_dominated(&cands), vec![0, 1, 4]);
    }

    #[test]
    fn rule3_keeps_the_best_point_of_a_precision_the_others_dominate() {
        // fp16 is 2× the energy of anything else at the same latency, so rule 2 alone would drop it.
        let ev = priced(|p| {
            let scale = if p.precision == Precision::Fp16 { 2.0 } else { 1.0 };
            Some(c(
                scale * (10.0 - p.sm_mhz as f64 / 1000.0),
                10.0 / p.sm_mhz as f64 * 1000.0,
            ))
        });
        let f = prune(&ev, 100.0);
        let fp16: Vec<u16> = f
            .iter()
            .copied()
            .filter(|&i| ev[i as usize].point.precision == Precision::Fp16)
            .collect();
        assert_eq!(fp16.len(), 1);
        let kept = ev[fp16[0] as usize].cost().unwrap();
        // Its best = its lowest-energy point within the SLO bound.
        let min_fp16 = ev
            .iter()
            .filter(|e| e.point.precision == Precision::Fp16)
            .map(|e| e.cost().unwrap().est_jpt)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(kept.est_jpt, min_fp16);
    }

    #[test]
    fn rule3_skips_a_precision_without_feasible_points_and_falls_back_to_fastest_beyond_slo() {
        let ev = priced(|p| match p.precision {
            Precision::Fp4 => None,
            Precision::Fp16 => Some(c(5.0, 50.0 + p.index as f64)), // never within the SLO bound
            _ => Some(c(1.0 + p.index as f64 / 1000.0, 1.0 + (720 - p.index) as f64 / 1000.0)),
        });
        let f = prune(&ev, 10.0);
        assert!(f.iter().all(|&i| ev[i as usize].point.precision != Precision::Fp4));
        let fp16: Vec<u16> = f
            .iter()
            .copied()
            .filter(|&i| ev[i as usize].point.precision == Precision::Fp16)
            .collect();
        assert_eq!(fp16, vec![0], "the fastest fp16 point is the first one");
    }

    #[test]
    fn frontier_is_sorted_by_decreasing_energy() {
        let ev = priced(|p| Some(c(1.0 + (p.index % 37) as f64, 1.0 + (p.index % 41) as f64)));
        let f = prune(&ev, 100.0);
        let costs: Vec<Cost> = f.iter().map(|&i| ev[i as usize].cost().unwrap()).collect();
        assert!(costs.windows(2).all(|w| w[0].est_jpt >= w[1].est_jpt));
    }

    #[test]
    fn thinning_keeps_ends_and_representatives_and_spreads_the_rest() {
        let f: Vec<u16> = (0..30).collect();
        let t = thin(f.clone(), &[7, 20], 14);
        assert_eq!(t.len(), 14);
        assert!(t.contains(&0) && t.contains(&29) && t.contains(&7) && t.contains(&20));
        assert!(t.windows(2).all(|w| w[0] < w[1]), "order kept");
        assert_eq!(thin(f[..10].to_vec(), &[3], 14), f[..10].to_vec());
    }

    #[test]
    fn frontier_never_exceeds_max_plans() {
        // A smooth trade-off: every point is non-dominated within its precision.
        let ev = priced(|p| {
            let k = p.index as f64;
            Some(c(1000.0 - k, 1.0 + k))
        });
        let f = prune(&ev, 1000.0);
        assert_eq!(f.len(), MAX_PLANS);
        for prec in PRECISIONS {
            assert!(f.iter().any(|&i| ev[i as usize].point.precision == prec), "{prec} kept");
        }
    }

    #[test]
    fn all_infeasible_gives_an_empty_frontier() {
        let ev = priced(|_| None);
        assert!(prune(&ev, 10.0).is_empty());
    }
}
