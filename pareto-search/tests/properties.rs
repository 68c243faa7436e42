//! Property tests of the search on synthetic cost functions: the frontier's defining invariants, and that the
//! result does not depend on the number of threads.

use pareto_search::{evaluate, frontier, Axes, Cost, Evaluated, Point, SLO_SLACK};
use proptest::prelude::*;
use riir_dialect::LinkState;

fn axes() -> Axes {
    Axes::new(
        [1980, 1680, 1530, 1200],
        [4.8, 3.35, 2.1],
        [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
    )
    .unwrap()
}

/// A random cost table: per point, `None` (infeasible) or a cost on a coarse grid (so ties happen often).
fn table() -> impl Strategy<Value = Vec<Option<(u8, u8)>>> {
    prop::collection::vec(prop::option::weighted(0.8, (1u8..40, 1u8..40)), 720)
}

fn priced(table: &[Option<(u8, u8)>]) -> Vec<Evaluated<&'static str>> {
    evaluate(&axes(), |p: &Point| {
        table[p.index as usize]
            .map(|(j, l)| Cost::new(j as f64 / 10.0, l as f64))
            .ok_or("synthetic infeasible")
    })
}

fn dominates(q: &Cost, p: &Cost) -> bool {
    q.est_jpt <= p.est_jpt && q.est_lat_ms <= p.est_lat_ms
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn frontier_invariants(t in table(), slo in 1.0f64..40.0) {
        let ev = priced(&t);
        let f = frontier(&ev, slo);
        let within: Vec<&Evaluated<_>> = ev.iter().filter(|e| e.cost().is_some_and(|c| c.est_lat_ms <= slo * SLO_SLACK)).collect();
        // Points within the SLO bound on the frontier are mutually non-dominated (rule 2), except a point rule 3
        // added for its precision, which is then the only one of its precision.
        let in_bound: Vec<&pareto_search::NamedPlan> = f.plans.iter().filter(|p| p.cost.est_lat_ms <= slo * SLO_SLACK).collect();
        for a in &in_bound {
            for b in &in_bound {
                // Among exact ties the lower index is the one rule 2 keeps.
                let beats = dominates(&a.cost, &b.cost) && (a.cost != b.cost || a.point.index < b.point.index);
                if a.point.index != b.point.index && beats {
                    let same_precision = f.plans.iter().filter(|p| p.point.precision == b.point.precision).count();
                    prop_assert_eq!(same_precision, 1, "{} dominates {}", &a.id, &b.id);
                }
            }
        }
        // Unless the frontier was capped, every point within the bound is on it or dominated (weakly) by a
        // point on it.
        prop_assert!(f.plans.len() <= pareto_search::MAX_PLANS);
        if f.plans.len() < pareto_search::MAX_PLANS {
            for e in &within {
                let c = e.cost().unwrap();
                prop_assert!(f.plans.iter().any(|p| dominates(&p.cost, &c)));
            }
        }
        // Rule 3: each precision with a feasible point is represented.
        for prec in pareto_search::PRECISIONS {
            let has_feasible = ev.iter().any(|e| e.point.precision == prec && e.outcome.is_ok());
            let on_frontier = f.plans.iter().any(|p| p.point.precision == prec);
            prop_assert_eq!(has_feasible, on_frontier);
        }
        // Sorted by decreasing energy, named A, B, C…; every plan is a feasible point.
        prop_assert!(f.plans.windows(2).all(|w| w[0].cost.est_jpt >= w[1].cost.est_jpt));
        for (i, p) in f.plans.iter().enumerate() {
            prop_assert_eq!(&p.id, &pareto_search::plan_id(i));
            prop_assert_eq!(Some(p.cost), ev[p.point.index as usize].cost());
        }
        prop_assert_eq!(f.points_feasible, t.iter().filter(|x| x.is_some()).count());
        let recompute_feasible = ev.iter().any(|e| e.point.memory == riir_dialect::MemoryVariant::Recompute && e.outcome.is_ok());
        prop_assert_eq!(f.fallback.is_some(), recompute_feasible);
    }

    #[test]
    fn thread_count_does_not_change_the_frontier(t in table(), slo in 1.0f64..40.0) {
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| frontier(&priced(&t), slo));
        let b = four.install(|| frontier(&priced(&t), slo));
        prop_assert_eq!(a, b);
    }
}
