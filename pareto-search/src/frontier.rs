//! One kernel's search: price all 720 points in parallel, prune them to a frontier named A, B, C…, and pick
//! the fallback (recompute_kv) from the same priced points.

use crate::cost::{Cost, Evaluated};
use crate::priced::{CostTable, Priced};
use crate::prune::prune_table;
use crate::space::{memory_of, Axes, Point};
use rayon::prelude::*;
use riir_dialect::{FallbackAction, MemoryVariant};
use std::cmp::Ordering;

/// Prices every point of `axes` with `pricer`, in parallel. The result is in point-index order whatever the
/// thread count (rayon's indexed collect keeps positions), so everything downstream is deterministic.
pub fn evaluate<R, F>(axes: &Axes, pricer: F) -> Vec<Evaluated<R>>
where
    R: Send,
    F: Fn(&Point) -> Result<Cost, R> + Sync,
{
    // A point prices in tens of nanoseconds: chunks of 90 (8 per kernel) keep rayon's task overhead small;
    // kernels themselves are priced in parallel by the cache.
    axes.points()
        .into_par_iter()
        .with_min_len(90)
        .map(|p| Evaluated::new(p, pricer(&p)))
        .collect()
}

/// The fastest feasible cost of a kernel (ties: lower energy, then lower index); `None` when nothing is feasible.
/// The SLO share of an op is proportional to it.
pub fn fastest<R>(evaluated: &[Evaluated<R>]) -> Option<Cost> {
    fastest_in(&CostTable::from_evaluated(evaluated))
}

/// [`fastest`] on the feasible points (as `prune::feasible` returns them).
pub fn fastest_feasible(feasible: &[(u16, Cost)]) -> Option<Cost> {
    fastest_in(&CostTable::from_feasible(feasible))
}

/// [`fastest`] on a cost table.
pub fn fastest_in(t: &CostTable) -> Option<Cost> {
    // A plain loop rather than `min_by`, so the comparison is inlined (this runs once per priced kernel).
    let faster = |a: u16, b: u16| {
        let (ia, ib) = (usize::from(a), usize::from(b));
        t.lat_ms[ia]
            .total_cmp(&t.lat_ms[ib])
            .then(t.jpt[ia].total_cmp(&t.jpt[ib]))
            .then(a.cmp(&b))
            .is_lt()
    };
    let mut best: Option<u16> = None;
    let mut best_lat = f64::NAN;
    for &i in &t.feasible {
        let lat = t.lat_ms[usize::from(i)];
        // Latencies rarely tie: a plain `<` or `>` decides as `total_cmp` would (it orders non-NaN values the
        // same way, and neither holds for NaN or ±0 pairs), and the full comparison settles the rest.
        let better = match (best, lat.partial_cmp(&best_lat)) {
            (None, _) => true,
            (Some(_), Some(std::cmp::Ordering::Less)) => true,
            (Some(_), Some(std::cmp::Ordering::Greater)) => false,
            (Some(b), _) => faster(i, b),
        };
        if better {
            best = Some(i);
            best_lat = lat;
        }
    }
    best.map(|i| t.cost(i))
}

/// A named frontier point.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPlan {
    /// `A`, `B`, … in decreasing energy.
    pub id: String,
    pub point: Point,
    pub cost: Cost,
}

/// What the runtime does when no plan fits, with the point it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct FallbackPlan {
    pub action: FallbackAction,
    pub point: Point,
    pub cost: Cost,
}

/// A kernel's frontier for one SLO share.
#[derive(Clone, Debug, PartialEq)]
pub struct Frontier {
    /// The latency bound rule (1) was applied to, before the 1.2 slack: the op's SLO share, ms.
    pub slo_ms: f64,
    pub plans: Vec<NamedPlan>,
    /// `None` when no recompute point is feasible.
    pub fallback: Option<FallbackPlan>,
    pub points_feasible: usize,
}

/// Prunes priced points to a frontier for `slo_ms`.
pub fn frontier<R>(evaluated: &[Evaluated<R>], slo_ms: f64) -> Frontier {
    frontier_in(
        &CostTable::from_evaluated(evaluated),
        |i| evaluated[usize::from(i)].point,
        slo_ms,
    )
}

/// [`frontier`] with the feasible points already extracted (`feasible` = `prune::feasible(evaluated)`).
pub fn frontier_feasible<R>(evaluated: &[Evaluated<R>], feasible: &[(u16, Cost)], slo_ms: f64) -> Frontier {
    frontier_in(
        &CostTable::from_feasible(feasible),
        |i| evaluated[usize::from(i)].point,
        slo_ms,
    )
}

/// [`frontier`] of a kernel's priced points: what the search runs.
pub fn frontier_of<R>(priced: &Priced<R>, slo_ms: f64) -> Frontier {
    let axes = priced.axes();
    frontier_in(priced.costs(), |i| axes.point(usize::from(i)), slo_ms)
}

/// [`frontier`] on a cost table; `point(i)` is the point at index `i`.
fn frontier_in(t: &CostTable, point: impl Fn(u16) -> Point, slo_ms: f64) -> Frontier {
    let plans = prune_table(t, slo_ms)
        .into_iter()
        .enumerate()
        .map(|(rank, i)| NamedPlan {
            id: plan_id(rank),
            point: point(i),
            cost: t.cost(i),
        })
        .collect();
    Frontier {
        slo_ms,
        plans,
        fallback: fallback_in(t).map(|i| FallbackPlan {
            action: FallbackAction::RecomputeKv,
            point: point(i),
            cost: t.cost(i),
        }),
        points_feasible: t.feasible.len(),
    }
}

/// The fallback, computed from the model: the runtime falls back when no plan fits the power budget, so it is
/// the `recompute` memory variant (`recompute_kv`, as in the source) at its lowest-power feasible point
/// (lowest `est_power_w`; ties: lower energy, then lower index). It ignores the SLO: it is the last resort.
/// `None` when no recompute point is feasible.
pub fn fallback<R>(evaluated: &[Evaluated<R>]) -> Option<FallbackPlan> {
    let t = CostTable::from_evaluated(evaluated);
    fallback_in(&t).map(|i| FallbackPlan {
        action: FallbackAction::RecomputeKv,
        point: evaluated[usize::from(i)].point,
        cost: t.cost(i),
    })
}

/// The index of [`fallback`]'s point in a cost table.
fn fallback_in(t: &CostTable) -> Option<u16> {
    let lower = |a: u16, b: u16| {
        let (ia, ib) = (usize::from(a), usize::from(b));
        // A plain comparison of the powers decides unless they tie (see `fastest_in`).
        match t.power_w[ia].partial_cmp(&t.power_w[ib]) {
            Some(o @ (Ordering::Less | Ordering::Greater)) => o,
            _ => t.power_w[ia]
                .total_cmp(&t.power_w[ib])
                .then(t.jpt[ia].total_cmp(&t.jpt[ib]))
                .then(t.lat_ms[ia].total_cmp(&t.lat_ms[ib]))
                .then(a.cmp(&b)),
        }
    };
    // The first minimum, as `min_by` (a plain loop, so the comparison is inlined).
    let mut best: Option<u16> = None;
    for &i in &t.feasible {
        if memory_of(i) == MemoryVariant::Recompute && best.is_none_or(|b| lower(i, b).is_lt()) {
            best = Some(i);
        }
    }
    best
}

/// Plan names in rank order: A … Z, then AA, AB, … (bijective base 26), so any frontier size has unique names.
pub fn plan_id(rank: usize) -> String {
    let mut n = rank + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use riir_dialect::{LinkState, Precision};

    fn axes() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    #[test]
    fn plan_ids_are_letters_then_pairs() {
        let ids: Vec<String> = [0, 1, 2, 25, 26, 27, 51, 52, 701, 702]
            .iter()
            .map(|&r| plan_id(r))
            .collect();
        assert_eq!(ids, ["A", "B", "C", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn infeasible_points_are_kept_with_their_reason() {
        let ev = evaluate(&axes(), |p| {
            if p.precision == Precision::Fp4 {
                Err("no fp4 units")
            } else {
                Ok(Cost::new(1.0, 1.0))
            }
        });
        assert_eq!(ev.len(), 720);
        assert_eq!(ev.iter().filter(|e| e.outcome.is_err()).count(), 180);
        let f = frontier(&ev, 10.0);
        assert_eq!(f.points_feasible, 540);
    }

    #[test]
    fn fallback_is_the_lowest_power_recompute_point() {
        let ev = evaluate(&axes(), |p| {
            let mut c = Cost::new(1.0, 1.0);
            c.est_power_w = 1000.0 - p.index as f64;
            Ok::<_, &str>(c)
        });
        let fb = fallback(&ev).unwrap();
        assert_eq!(fb.action, FallbackAction::RecomputeKv);
        assert_eq!(fb.point.memory, MemoryVariant::Recompute);
        assert_eq!(fb.point.index, 719, "the last recompute point draws the least power");

        let ev = evaluate(&axes(), |p| {
            if p.memory == MemoryVariant::Recompute {
                Err("recompute unavailable")
            } else {
                Ok(Cost::new(1.0, 1.0))
            }
        });
        assert_eq!(fallback(&ev), None);
    }

    #[test]
    fn nan_costs_become_infeasible() {
        let ev = evaluate(&axes(), |p| {
            Ok::<_, &str>(Cost::new(if p.index == 0 { f64::NAN } else { 1.0 }, 1.0))
        });
        assert!(ev[0].outcome.is_err());
        assert_eq!(frontier(&ev, 1.0).points_feasible, 719);
    }
}
