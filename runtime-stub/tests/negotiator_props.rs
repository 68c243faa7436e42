//! Negotiator properties (proptest): never over budget when a feasible assignment exists; more budget never
//! worsens the contract objective; deterministic; any telemetry, NaN and infinities included, gives a defined
//! fail-safe result without panicking.

mod common;

use common::*;
use proptest::prelude::*;
use runtime_stub::negotiator::{
    Choice, Config, Frontier, Negotiator, PendingOp, Policy, ScratchBuf, Telemetry, TickStatus, FALLBACK_PLAN,
};
use std::sync::OnceLock;

/// 64 random frontiers with 1..=14 plans, no link budget (so objectives compare energy alone).
fn table() -> &'static [Frontier] {
    static F: OnceLock<Vec<Frontier>> = OnceLock::new();
    F.get_or_init(|| frontiers(&random_spec(2024, 64)))
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![4 => 0.5f32..80.0, 1 => Just(f32::NAN), 1 => Just(0.0f32), 1 => Just(-3.0f32), 1 => Just(f32::INFINITY)]
}

fn ops_strategy() -> impl Strategy<Value = Vec<PendingOp>> {
    proptest::collection::vec(
        (0u32..64, prop_oneof![9 => 1u32..300, 1 => Just(0u32)], any_f32()).prop_map(
            |(frontier, tokens, deadline_ms)| PendingOp {
                frontier,
                tokens,
                deadline_ms,
            },
        ),
        1..300,
    )
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.0f64..4e6,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => -1e6f64..0.0,
        1 => any::<f64>(),
    ]
}

fn telemetry_strategy() -> impl Strategy<Value = Telemetry> {
    (
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
    )
        .prop_map(|(cap, forecast, rack, other, temp, rate, link, var)| Telemetry {
            pdu_cap_w: cap,
            cap_forecast_5s_w: forecast,
            rack_power_w: rack,
            non_gpu_load_w: other,
            hbm_temp_c: temp,
            hbm_temp_rate_c_per_s: rate,
            link_budget_pj_per_bit: link,
            energy_model_rel_variance: var,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn contract_is_never_over_budget_when_a_feasible_assignment_exists(
        ops in ops_strategy(), fraction in -0.1f64..1.2,
    ) {
        let f = table();
        let (lo, hi) = energy_range(f, &ops);
        let (report, _) = tick(f, Config::default(), &telemetry_for_budget(lo + (hi - lo) * fraction), &ops);
        if report.min_energy_j <= report.budget_j {
            prop_assert_eq!(report.status, TickStatus::Ok);
            prop_assert!(report.energy_j <= report.budget_j, "{:?}", report);
        } else {
            prop_assert_eq!(report.status, TickStatus::BudgetInfeasible);
        }
    }

    #[test]
    fn more_budget_never_worsens_the_contract_objective(
        ops in ops_strategy(), a in 0.0f64..1.0, b in 0.0f64..1.0,
    ) {
        let f = table();
        let (lo, hi) = energy_range(f, &ops);
        let (small, large) = if a < b { (a, b) } else { (b, a) };
        let (r_small, _) = tick(f, Config::default(), &telemetry_for_budget(lo + (hi - lo) * small), &ops);
        let (r_large, _) = tick(f, Config::default(), &telemetry_for_budget(lo + (hi - lo) * large), &ops);
        prop_assume!(r_small.status == TickStatus::Ok);
        prop_assert!(r_large.objective <= r_small.objective, "{} > {}", r_large.objective, r_small.objective);
    }

    #[test]
    fn ticks_are_deterministic_and_scratch_reuse_changes_nothing(
        ops in ops_strategy(), t in telemetry_strategy(), seed_policy in any::<bool>(),
    ) {
        let f = table();
        let config = Config { policy: if seed_policy { Policy::Seed } else { Policy::Contract }, ..Config::default() };
        let neg = Negotiator::new(f, config).unwrap();
        let mut buf = ScratchBuf::new(ops.len());
        let mut scratch = buf.scratch();
        let mut first = vec![Choice::default(); ops.len()];
        let mut second = vec![Choice::default(); ops.len()];
        let r1 = neg.tick(&t, &ops, &mut first, &mut scratch).unwrap();
        let r2 = neg.tick(&t, &ops, &mut second, &mut scratch).unwrap();
        let (r3, third) = tick(f, config, &t, &ops);
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(&first, &third);
        prop_assert_eq!(format!("{r1:?}"), format!("{r2:?}"));
        prop_assert_eq!(format!("{r1:?}"), format!("{r3:?}"));
    }

    #[test]
    fn any_telemetry_gives_a_defined_result(
        ops in ops_strategy(), t in telemetry_strategy(), seed_policy in any::<bool>(),
    ) {
        let f = table();
        let config = Config { policy: if seed_policy { Policy::Seed } else { Policy::Contract }, ..Config::default() };
        let (report, out) = tick(f, config, &t, &ops);
        let readable = |x: f64| x.is_finite() && x >= 0.0;
        let budget_known = readable(t.pdu_cap_w) && readable(t.cap_forecast_5s_w) && readable(t.non_gpu_load_w);
        prop_assert_eq!(report.status == TickStatus::FailSafe, !budget_known);
        if report.status != TickStatus::Ok {
            prop_assert!(out.iter().all(|c| c.plan == FALLBACK_PLAN));
        }
        for (c, op) in out.iter().zip(&ops) {
            let fr = &f[op.frontier as usize];
            prop_assert!(c.plan == FALLBACK_PLAN || usize::from(c.plan) < fr.plan_count());
        }
        prop_assert!(!report.energy_j.is_nan() && !report.objective.is_nan());
        if report.status == TickStatus::Ok && !seed_policy {
            prop_assert!(report.energy_j <= report.budget_j);
        }
        prop_assert_eq!(report.class_counts.iter().sum::<u32>() as usize, ops.len());
    }
}
