//! One kernel's search: price all 720 points in parallel, prune them to a frontier named A, B, C…, and pick
//! the fallback (recompute_kv) from the same priced points.

use crate::cost::{Cost, Evaluated};
use crate::priced::{CostTable, Priced};
use crate::prune::{prune_table, total_then};
use crate::space::{memory_of, Axes, Point, MEMORY_VARIANTS};
use rayon::prelude::*;
use riir_dialect::{FallbackAction, MemoryVariant};

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
    // Latency, then energy in `total_cmp` order, then index; each step a plain comparison first (latencies
    // tie across link states when a kernel has no link traffic). A plain loop rather than `min_by`, so the
    // comparison is inlined (this runs once per priced kernel).
    let faster = |a: u16, b: u16| {
        let (ia, ib) = (usize::from(a), usize::from(b));
        total_then(t.lat_ms[ia], t.lat_ms[ib], || {
            total_then(t.jpt[ia], t.jpt[ib], || a.cmp(&b))
        })
        .is_lt()
    };
    let (mut best, mut best_lat) = (None, f64::NAN);
    for &i in &t.feasible {
        let lat = t.lat_ms[usize::from(i)];
        // Most points are decided by the latency alone, against the best one's kept in a register.
        let better = match best {
            None => true,
            Some(_) if lat < best_lat => true,
            Some(_) if lat > best_lat => false,
            Some(b) => faster(i, b),
        };
        if better {
            (best, best_lat) = (Some(i), lat);
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
    let t = CostTable::from_evaluated(evaluated);
    frontier_in(&t, |i| evaluated[usize::from(i)].point, slo_ms, fallback_in(&t))
}

/// [`frontier`] with the feasible points already extracted (`feasible` = `prune::feasible(evaluated)`).
pub fn frontier_feasible<R>(evaluated: &[Evaluated<R>], feasible: &[(u16, Cost)], slo_ms: f64) -> Frontier {
    let t = CostTable::from_feasible(feasible);
    frontier_in(&t, |i| evaluated[usize::from(i)].point, slo_ms, fallback_in(&t))
}

/// [`frontier`] of a kernel's priced points: what the search runs.
pub fn frontier_of<R>(priced: &Priced<R>, slo_ms: f64) -> Frontier {
    let axes = priced.axes();
    frontier_in(
        priced.costs(),
        |i| axes.point(usize::from(i)),
        slo_ms,
        priced.fallback(),
    )
}

/// [`frontier`] on a cost table; `point(i)` is the point at index `i`.
/// `fallback` is [`fallback_in`]`(t)`, which a [`Priced`] computes once for every SLO.
fn frontier_in(t: &CostTable, point: impl Fn(u16) -> Point, slo_ms: f64, fallback: Option<u16>) -> Frontier {
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
        fallback: fallback.map(|i| FallbackPlan {
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
pub(crate) fn fallback_in(t: &CostTable) -> Option<u16> {
    let variants = MEMORY_VARIANTS.len() as u16;
    let recompute = recompute_variant() as u16;
    fallback_among(t, t.feasible.iter().copied().filter(|&i| i % variants == recompute))
}

/// The recompute variant's position in [`MEMORY_VARIANTS`]: a point's variant is its index modulo their count.
pub(crate) fn recompute_variant() -> usize {
    MEMORY_VARIANTS
        .iter()
        .position(|&m| m == MemoryVariant::Recompute)
        .expect("recompute is a memory variant")
}

/// [`fallback_in`]'s choice among `recompute`, the feasible recompute points of `t` by increasing index.
pub(crate) fn fallback_among(t: &CostTable, recompute: impl Iterator<Item = u16>) -> Option<u16> {
    // Power, then energy, then latency in `total_cmp` order, then index; each step a plain comparison first
    // (powers tie often: the board power leaves the links out, so link states differ only in energy).
    let lower = |a: u16, b: u16| {
        let (ia, ib) = (usize::from(a), usize::from(b));
        total_then(t.power_w[ia], t.power_w[ib], || {
            total_then(t.jpt[ia], t.jpt[ib], || {
                total_then(t.lat_ms[ia], t.lat_ms[ib], || a.cmp(&b))
            })
        })
    };
    // The first minimum, as `min_by` (a plain loop, so the comparison is inlined).
    let (mut best, mut best_power) = (None, f64::NAN);
    for i in recompute {
        debug_assert_eq!(memory_of(i), MemoryVariant::Recompute);
        let power = t.power_w[usize::from(i)];
        // Decided by the power alone when it differs from the best one's, kept in a register.
        let better = match best {
            None => true,
            Some(_) if power < best_power => true,
            Some(_) if power > best_power => false,
            Some(b) => lower(i, b).is_lt(),
        };
        if better {
            (best, best_power) = (Some(i), power);
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
