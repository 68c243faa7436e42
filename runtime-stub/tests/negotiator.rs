//! Negotiator behaviour: budget semantics on the source's numbers, both policies, infeasible budget, thermal and
//! link guards, fail-safe telemetry, the risk-bounded margin, the broadcast class, caller errors, and the
//! contract policy's gap to the LP-relaxation bound on random instances.

mod common;

use common::*;
use runtime_stub::negotiator::budget::{budget_joules, sqrt};
use runtime_stub::negotiator::{
    BudgetRule, Choice, Config, Negotiator, PendingOp, PlanClass, Policy, SafetyMargin, ScratchBuf, Telemetry,
    TickError, TickStatus, FALLBACK_PLAN,
};

const SEED: Config = Config {
    policy: Policy::Seed,
    budget_rule: BudgetRule::Window,
    margin: SafetyMargin::Constant(0.92),
    hbm_temp_limit_c: 100.0,
    window_s: 0.010,
};

/// The source's op without its 2.1 pJ/bit link budget, for tests about energy alone.
fn no_link_spec() -> runtime_stub::table::TableSpec {
    let mut spec = source_spec();
    spec.ops[0].link_budget_pj_per_bit = f32::INFINITY;
    spec
}

fn contract() -> Config {
    Config::default()
}

/// 8,000 copies of the source's attention op, 5 tokens each (≈ 40k tokens per 10 ms on a 2 MW PDU).
fn source_ops(n: usize, tokens: u32) -> Vec<PendingOp> {
    (0..n)
        .map(|_| PendingOp {
            frontier: 0,
            tokens,
            deadline_ms: 20.0,
        })
        .collect()
}

fn curtailment_telemetry(cap_w: f64, non_gpu_w: f64) -> Telemetry {
    Telemetry {
        non_gpu_load_w: non_gpu_w,
        ..Telemetry::steady(cap_w)
    }
}

#[test]
fn window_budget_uses_the_forecast_cap_and_non_gpu_load_not_measured_power() {
    let mut t = curtailment_telemetry(1.92e6, 90e3);
    t.rack_power_w = 1.77e6;
    let b = budget_joules(BudgetRule::Window, &t, 0.92, 0.010).unwrap();
    assert!((b - 1.83e6 * 0.010 * 0.92).abs() < 1e-6, "{b}");
    // Measured rack power does not enter the window budget.
    t.rack_power_w = 0.0;
    assert_eq!(budget_joules(BudgetRule::Window, &t, 0.92, 0.010), Some(b));
    // A forecast curtailment lowers the budget now; a forecast rise does not raise it.
    t.cap_forecast_5s_w = 1.78e6;
    let curtailed = budget_joules(BudgetRule::Window, &t, 0.92, 0.010).unwrap();
    assert!((curtailed - 1.69e6 * 0.0092).abs() < 1e-6);
    t.cap_forecast_5s_w = 2.5e6;
    assert_eq!(budget_joules(BudgetRule::Window, &t, 0.92, 0.010), Some(b));
    // Non-GPU load above the cap leaves nothing, not a negative budget.
    t.non_gpu_load_w = 3e6;
    assert_eq!(budget_joules(BudgetRule::Window, &t, 0.92, 0.010), Some(0.0));
}

#[test]
fn curtailment_from_1_92_to_1_78_mw_shifts_ops_from_a_to_b() {
    let f = frontiers(&no_link_spec());
    let ops = source_ops(8000, 5);
    // 8,000 ops × 5 tokens at A = 16.8 kJ per 10 ms; with 90 kW of non-GPU load, 1.92 MW leaves 16.84 kJ.
    let (before, out) = tick(&f, contract(), &curtailment_telemetry(1.92e6, 90e3), &ops);
    assert_eq!(before.status, TickStatus::Ok);
    assert_eq!(before.class_counts, [8000, 0, 0, 0], "all at A before the curtailment");
    assert!(out.iter().all(|c| c.plan == 0 && c.class == PlanClass::A));
    assert_eq!(before.broadcast, PlanClass::A);

    let (after, out) = tick(&f, contract(), &curtailment_telemetry(1.78e6, 90e3), &ops);
    // Budget 1.69 MW × 10 ms × 0.92 = 15,548 J. Each op moved A → B saves 5 × 0.14 J; B → A is the least
    // efficient upgrade (10 ms per J/token vs 37.5 for C → B), so the cut is taken there and nowhere else.
    let needed = (16800.0 - after.budget_j) / 0.7;
    let shifted = after.class_counts[1] as f64;
    assert!(
        shifted >= needed && shifted < needed + 1.0,
        "shifted {shifted}, needed {needed}"
    );
    assert_eq!(after.class_counts[0] + after.class_counts[1], 8000);
    assert!(after.energy_j <= after.budget_j);
    assert_eq!(
        out.iter().filter(|c| c.plan == 1).count(),
        after.class_counts[1] as usize
    );
    println!(
        "curtailment 1.92 -> 1.78 MW: {} of 8000 ops A -> B ({:.1}%), energy {:.0} J of {:.0} J",
        after.class_counts[1],
        100.0 * shifted / 8000.0,
        after.energy_j,
        after.budget_j
    );

    // The seed always runs the cheapest plan: all at C before and after, headroom never spent.
    for cap in [1.92e6, 1.78e6] {
        let (seed, _) = tick(&f, SEED, &curtailment_telemetry(cap, 90e3), &ops);
        assert_eq!(seed.class_counts, [0, 0, 8000, 0]);
        assert!(seed.total_latency_ms > after.total_latency_ms);
    }
}

#[test]
fn source_headroom_rule_double_counts_the_ops_own_power() {
    let f = frontiers(&no_link_spec());
    let ops = source_ops(8000, 5);
    // The rack measures the ops' own 1.68 MW plus 90 kW of other load.
    let mut t = curtailment_telemetry(1.92e6, 90e3);
    t.rack_power_w = 16800.0 / 0.010 + 90e3;
    let config = Config {
        budget_rule: BudgetRule::SourceHeadroom,
        ..contract()
    };
    let (report, out) = tick(&f, config, &t, &ops);
    // (1.92 − 1.77) MW × 10 ms × 0.92 = 1,380 J, less than even all-fallback (7,600 J): the ops that fit the cap
    // are declared infeasible because their own power was subtracted from the budget that pays for them.
    assert!((report.budget_j - 1380.0).abs() < 1e-6);
    assert_eq!(report.status, TickStatus::BudgetInfeasible);
    assert!(out.iter().all(|c| c.plan == FALLBACK_PLAN));
    let (window, _) = tick(&f, contract(), &t, &ops);
    assert_eq!(window.class_counts, [8000, 0, 0, 0]);
}

#[test]
fn infeasible_budget_puts_every_op_at_its_fallback_and_says_so() {
    let spec = random_spec(11, 20);
    let f = frontiers(&spec);
    let mut rng = Rng(5);
    let ops = random_ops(&mut rng, 300, 20);
    let (lo, _) = energy_range(&f, &ops);
    for policy in [Policy::Seed, Policy::Contract] {
        let config = Config { policy, ..contract() };
        let (report, out) = tick(&f, config, &telemetry_for_budget(lo * 0.99), &ops);
        assert_eq!(report.status, TickStatus::BudgetInfeasible);
        assert_eq!(report.class_counts, [0, 0, 0, 300]);
        assert!(out.iter().all(|c| *c
            == Choice {
                plan: FALLBACK_PLAN,
                class: PlanClass::Fallback
            }));
        assert_eq!(report.broadcast, PlanClass::C);
        let (report, _) = tick(&f, config, &telemetry_for_budget(lo * 1.01), &ops);
        assert_eq!(report.status, TickStatus::Ok);
    }
}

#[test]
fn thermal_guard_forces_lowest_power_plans_even_with_power_to_spare() {
    let f = frontiers(&no_link_spec());
    let ops = source_ops(100, 5);
    // The source's thermal event: HBM at 96 °C rising 0.4 °C per 10 ms reaches 100 °C within 100 ms.
    let mut t = Telemetry::steady(2e6);
    t.hbm_temp_c = 96.0;
    t.hbm_temp_rate_c_per_s = 40.0;
    for policy in [Policy::Seed, Policy::Contract] {
        let (report, out) = tick(&f, Config { policy, ..contract() }, &t, &ops);
        assert_eq!(report.thermal_guarded, 100);
        assert_eq!(
            report.class_counts,
            [0, 0, 100, 0],
            "{policy:?}: plan C, not the fallback, not A"
        );
        assert!(out.iter().all(|c| c.plan == 2));
    }
    // Cooler: 1 °C per 100 ms stays below the limit and the op's own 3 °C, so the budget buys plan A again.
    t.hbm_temp_rate_c_per_s = 10.0;
    let (report, _) = tick(&f, contract(), &t, &ops);
    assert_eq!((report.thermal_guarded, report.class_counts[0]), (0, 100));
    // Far from the limit but rising faster than the op's max_temp_delta_100ms (3 °C): guarded per op.
    t.hbm_temp_c = 60.0;
    t.hbm_temp_rate_c_per_s = 35.0;
    let (report, _) = tick(&f, contract(), &t, &ops);
    assert_eq!((report.thermal_guarded, report.class_counts[2]), (100, 100));
    // An unreadable temperature counts as hot.
    t.hbm_temp_c = f64::NAN;
    t.hbm_temp_rate_c_per_s = 0.0;
    assert_eq!(tick(&f, contract(), &t, &ops).0.thermal_guarded, 100);
}

#[test]
fn link_guard_puts_low_priority_flows_to_sleep_first() {
    let f = frontiers(&source_spec());
    // Deadlines 10..=17.99 ms: op i is looser (lower priority) than op i−1.
    let ops: Vec<PendingOp> = (0..8000)
        .map(|i| PendingOp {
            frontier: 0,
            tokens: 5,
            deadline_ms: 10.0 + i as f32 * 0.001,
        })
        .collect();
    let (free, out) = tick(&f, contract(), &Telemetry::steady(3e6), &ops);
    // The energy budget buys A for every op, but A (3.0 pJ/bit) is over the op's 2.1 pJ/bit link budget: a share
    // x of the flows must sleep at 0.6 pJ/bit with 3.0·(1 − x) + 0.6·x ≤ 2.1, x ≥ 37.5% — 3,000 ops, plus one
    // because the table stores 2.1 and 0.6 as f32 — the loosest ones, each moved to B (the fastest sleeper).
    let needed = ((3.0f32 - 2.1f32) as f64 / (3.0f32 - 0.6f32) as f64 * 8000.0).ceil() as usize;
    assert_eq!(needed, 3001);
    assert!(
        free.link_sleeps as usize == needed && !free.link_over_budget,
        "{free:?}"
    );
    assert_eq!(free.class_counts, [8000 - needed as u32, needed as u32, 0, 0]);
    assert!(out[..8000 - needed].iter().all(|c| c.plan == 0));
    assert!(out[8000 - needed..].iter().all(|c| c.plan == 1));
    // A rack budget below the op's tightens it further; an unreadable one sleeps every flow that can.
    let mut t = Telemetry::steady(3e6);
    t.link_budget_pj_per_bit = 0.6;
    let (report, _) = tick(&f, contract(), &t, &ops);
    assert!(report.class_counts[1] == 8000 && !report.link_over_budget, "{report:?}");
    t.link_budget_pj_per_bit = f64::NAN;
    let (report, _) = tick(&f, contract(), &t, &ops);
    assert!(report.link_sleeps == 8000 && report.link_over_budget);
}

/// The link guard starts from the contract's choices when they are a mix of plans: with a budget that buys A for
/// some ops and B for the rest, the guard moves only A ops (3.0 pJ/bit, over the op's 2.1) to B (which sleeps), so
/// the counts are those without a link budget with exactly `link_sleeps` ops moved from A to B.
#[test]
fn link_guard_moves_a_to_b_from_a_mixed_contract_choice() {
    let ops: Vec<PendingOp> = (0..8000)
        .map(|i| PendingOp {
            frontier: 0,
            tokens: 5,
            deadline_ms: 10.0 + i as f32 * 0.001,
        })
        .collect();
    let f = frontiers(&source_spec());
    let mut unlimited = source_spec();
    unlimited.ops[0].link_budget_pj_per_bit = f32::INFINITY;
    let f_unlimited = frontiers(&unlimited);
    let (lo, hi) = energy_range(&f, &ops);
    let t = telemetry_for_budget(lo + (hi - lo) * 0.8);
    let (before, _) = tick(&f_unlimited, contract(), &t, &ops);
    let [a, b, c, fallback] = before.class_counts;
    assert!(before.link_sleeps == 0 && a > 0 && b > 0, "{before:?}");
    let (r, out) = tick(&f, contract(), &t, &ops);
    let s = r.link_sleeps;
    assert!(s > 0 && s <= a, "{r:?}");
    assert_eq!(r.class_counts, [a - s, b + s, c, fallback]);
    assert!(r.energy_j <= r.budget_j, "{r:?}");
    assert_eq!(out.iter().filter(|c| c.plan == 0).count(), (a - s) as usize);
}

#[test]
fn unreadable_telemetry_gives_fail_safe_fallback() {
    let f = frontiers(&source_spec());
    let ops = source_ops(10, 5);
    let bad = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0];
    for v in bad {
        for field in 0..3 {
            let mut t = Telemetry::steady(2e6);
            match field {
                0 => t.pdu_cap_w = v,
                1 => t.cap_forecast_5s_w = v,
                _ => t.non_gpu_load_w = v,
            }
            let (report, out) = tick(&f, contract(), &t, &ops);
            assert_eq!(report.status, TickStatus::FailSafe, "field {field} = {v}");
            assert!(out.iter().all(|c| c.plan == FALLBACK_PLAN));
        }
    }
    let mut t = Telemetry::steady(2e6);
    t.energy_model_rel_variance = f64::NAN;
    let config = Config {
        margin: SafetyMargin::RiskBounded { epsilon: 0.01 },
        ..contract()
    };
    assert_eq!(tick(&f, config, &t, &ops).0.status, TickStatus::FailSafe);
}

#[test]
fn risk_bounded_margin_follows_cantelli() {
    let mut t = Telemetry::steady(1e6);
    let margin = |t: &Telemetry, epsilon| SafetyMargin::RiskBounded { epsilon }.factor(t).unwrap();
    // σ = 4%, ε = 1%: k = √99 ≈ 9.95, margin = 1 / (1 + 0.398) ≈ 0.715.
    assert!((margin(&t, 0.01) - 1.0 / (1.0 + 99f64.sqrt() * 0.04)).abs() < 1e-12);
    // ε = 0.2: k = 2 → margin = 1 / 1.08 ≈ 0.926, close to the source's constant 0.92.
    assert!((margin(&t, 0.2) - 1.0 / 1.08).abs() < 1e-12);
    // A sharper model earns a larger budget; a perfect one the whole budget.
    t.energy_model_rel_variance = 0.01f64.powi(2);
    assert!(margin(&t, 0.01) > 0.9);
    t.energy_model_rel_variance = 0.0;
    assert_eq!(margin(&t, 0.01), 1.0);
    // Cantelli's bound itself: P(X ≥ μ + kσ) ≤ 1/(1+k²) = ε at that k.
    for eps in [0.5, 0.1, 0.01, 0.001] {
        let k = sqrt((1.0 - eps) / eps);
        assert!((1.0 / (1.0 + k * k) - eps).abs() < 1e-12);
    }
    for x in [0.0, 1e-300, 1e-10, 0.5, 2.0, 99.0, 1e10, 1e300, f64::MAX] {
        assert!((sqrt(x) - x.sqrt()).abs() <= x.sqrt() * 2.0 * f64::EPSILON, "sqrt({x})");
    }
    assert!(sqrt(-1.0).is_nan() && sqrt(f64::NAN).is_nan());
    assert!(!SafetyMargin::RiskBounded { epsilon: 1.0 }.is_valid());
    assert!(!SafetyMargin::Constant(1.5).is_valid());
}

#[test]
fn seed_can_overspend_where_a_feasible_assignment_exists() {
    let f = frontiers(&no_link_spec());
    // The tight op takes C (1.2 J of 1.5 J); the loose op's C no longer fits, so it gets its fallback anyway and the
    // total (2.15 J) overruns the budget, although both at fallback (1.9 J) would fit. The contract policy fits.
    let ops = [
        PendingOp {
            frontier: 0,
            tokens: 5,
            deadline_ms: 10.0,
        },
        PendingOp {
            frontier: 0,
            tokens: 5,
            deadline_ms: 30.0,
        },
    ];
    let t = telemetry_for_budget(2.0);
    let (seed, _) = tick(&f, SEED, &t, &ops);
    assert!(seed.energy_j > seed.budget_j, "{seed:?}");
    let (c, out) = tick(&f, contract(), &t, &ops);
    assert!(c.energy_j <= c.budget_j);
    assert_eq!((out[0].plan, out[1].plan), (FALLBACK_PLAN, FALLBACK_PLAN));
}

#[test]
fn broadcast_is_the_most_common_class_with_ties_to_lower_power() {
    let f = frontiers(&no_link_spec());
    let ops = source_ops(4, 5);
    // Energy for exactly two ops at A and two at B.
    let (r, _) = tick(
        &f,
        contract(),
        &telemetry_for_budget(2.0 * 2.1 + 2.0 * 1.4 + 1e-6),
        &ops,
    );
    assert_eq!(r.class_counts, [2, 2, 0, 0]);
    assert_eq!(r.broadcast, PlanClass::B);
}

#[test]
fn caller_errors_are_reported_not_panicked() {
    let f = frontiers(&source_spec());
    let neg = Negotiator::new(&f, contract()).unwrap();
    let t = Telemetry::steady(1e6);
    let ops = source_ops(3, 1);
    let mut buf = ScratchBuf::new(2);
    let mut out = vec![Choice::default(); 3];
    assert_eq!(
        neg.tick(&t, &ops, &mut out[..2], &mut buf.scratch()),
        Err(TickError::OutputLength { ops: 3, out: 2 })
    );
    assert_eq!(
        neg.tick(&t, &ops, &mut out, &mut buf.scratch()),
        Err(TickError::ScratchTooSmall { ops: 3, scratch: 2 })
    );
    let mut buf = ScratchBuf::new(3);
    let bad = [ops[0], PendingOp { frontier: 1, ..ops[0] }, ops[0]];
    assert_eq!(
        neg.tick(&t, &bad, &mut out, &mut buf.scratch()),
        Err(TickError::UnknownFrontier { op: 1, frontier: 1 })
    );
    // The rejected tick had already filled part of the contract's histogram; the scratch must come back clean.
    let mut scratch = buf.scratch();
    let budget = telemetry_for_budget(0.9); // C → B fits for all three ops, B → A for none
    assert!(neg.tick(&budget, &bad, &mut out, &mut scratch).is_err());
    neg.tick(&budget, &ops, &mut out, &mut scratch).unwrap();
    assert_eq!(out, tick(&f, contract(), &budget, &ops).1);
    assert!(Negotiator::new(
        &f,
        Config {
            window_s: 0.0,
            ..contract()
        }
    )
    .is_err());
    assert!(Negotiator::new(
        &f,
        Config {
            margin: SafetyMargin::Constant(0.0),
            ..contract()
        }
    )
    .is_err());
}

/// Lower bound on the contract objective from LP duality, computed over all points (no hull), independently of
/// the policy's code: for any λ ≥ 0, Σᵢ minₚ (wᵢ·latₚ + λ·tokensᵢ·jptₚ) − λ·B ≤ the LP optimum ≤ any integer
/// solution. The dual is concave in λ, so a ternary search approaches its maximum (the LP optimum) from below.
fn lp_lower_bound(f: &[runtime_stub::negotiator::Frontier], ops: &[PendingOp], budget: f64) -> f64 {
    let dual = |lambda: f64| {
        let mut sum = -lambda * budget;
        for op in ops {
            let fr = &f[op.frontier as usize];
            let w = 1.0 / f64::from(op.deadline_ms);
            sum += (0..=fr.plan_count())
                .map(|p| w * f64::from(fr.lat_ms(p)) + lambda * f64::from(op.tokens) * f64::from(fr.jpt(p)))
                .fold(f64::INFINITY, f64::min);
        }
        sum
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    while dual(hi) > dual(hi / 2.0) {
        hi *= 2.0;
    }
    // (2/3)^100 ≈ 2e-18 of the bracket is left: far below the 1% being tested.
    for _ in 0..100 {
        let (a, b) = (lo + (hi - lo) / 3.0, hi - (hi - lo) / 3.0);
        if dual(a) < dual(b) {
            lo = a;
        } else {
            hi = b;
        }
    }
    dual(lo)
}

#[test]
fn contract_policy_is_within_one_percent_of_the_lp_bound() {
    let spec = random_spec(42, 64);
    let f = frontiers(&spec);
    let mut rng = Rng(99);
    let mut worst: f64 = 0.0;
    for case in 0..40 {
        let n = [100, 300, 1000][case % 3];
        let ops = random_ops(&mut rng, n, 64);
        let (lo, hi) = energy_range(&f, &ops);
        let budget = lo + (hi - lo) * rng.range(0.02, 0.98);
        let (report, _) = tick(&f, contract(), &telemetry_for_budget(budget), &ops);
        assert_eq!(report.status, TickStatus::Ok);
        assert!(report.energy_j <= report.budget_j, "case {case}: over budget");
        let bound = lp_lower_bound(&f, &ops, report.budget_j);
        let gap = (report.objective - bound) / bound;
        assert!(
            gap >= -1e-9,
            "case {case}: objective {} below the LP bound {bound}",
            report.objective
        );
        assert!(gap <= 0.01, "case {case} ({n} ops): gap {:.4}%", gap * 100.0);
        worst = worst.max(gap);
    }
    println!(
        "contract policy: worst gap to the LP bound over 40 instances of 100-1000 ops: {:.4}%",
        worst * 100.0
    );
}

#[test]
fn contract_beats_or_ties_seed_at_equal_budget() {
    let spec = random_spec(8, 64);
    let f = frontiers(&spec);
    let mut rng = Rng(3);
    for _ in 0..10 {
        let ops = random_ops(&mut rng, 500, 64);
        let (lo, hi) = energy_range(&f, &ops);
        let t = telemetry_for_budget(lo + (hi - lo) * rng.range(0.1, 0.9));
        let (s, _) = tick(&f, SEED, &t, &ops);
        let (c, _) = tick(&f, contract(), &t, &ops);
        assert!(
            c.objective < s.objective,
            "contract {} vs seed {}",
            c.objective,
            s.objective
        );
    }
}

#[test]
fn zero_token_ops_get_their_fastest_plan_for_free() {
    let f = frontiers(&source_spec());
    let ops = [
        PendingOp {
            frontier: 0,
            tokens: 0,
            deadline_ms: 20.0,
        },
        PendingOp {
            frontier: 0,
            tokens: 5,
            deadline_ms: 20.0,
        },
    ];
    let (r, out) = tick(&f, contract(), &telemetry_for_budget(5.0 * 0.19 + 1e-6), &ops);
    assert_eq!((out[0].plan, out[1].plan), (0, FALLBACK_PLAN));
    assert_eq!(r.status, TickStatus::Ok);
}

/// The report's sums (energy, latency, objective, class counts, link energy) equal a recomputation from the
/// written choices and the frontiers' public points, for both policies, with and without the thermal guard: the
/// contract policy accounts in its final pass rather than through the shared summary, so the two must agree.
#[test]
fn report_sums_match_the_written_choices() {
    let mut spec = random_spec(5, 64);
    for op in &mut spec.ops {
        op.link_budget_pj_per_bit = 50.0;
    }
    let f = frontiers(&spec);
    let mut rng = Rng(21);
    for case in 0..12 {
        let ops = random_ops(&mut rng, 700, 64);
        let (lo, hi) = energy_range(&f, &ops);
        let mut t = telemetry_for_budget(lo + (hi - lo) * rng.range(0.05, 0.95));
        if case % 3 == 2 {
            t.hbm_temp_c = 100.5; // rack hot (past the default 100 °C limit): every op on its thermal hull
        } else if case % 3 == 1 {
            // A 4 °C rise in 100 ms trips the guard of the frontiers allowing less (their limits are 2..6 °C):
            // some ops on their thermal hull, the rest not, in one tick.
            t.hbm_temp_rate_c_per_s = 40.0;
        }
        if case % 4 == 2 {
            // A rack link budget under the ops' own (50 pJ/bit) but above every plan's: it sets their budgets
            // (the contract's general path) without any flow having to sleep.
            t.link_budget_pj_per_bit = 20.0;
        }
        let config = if case % 2 == 0 { contract() } else { SEED };
        let (r, out) = tick(&f, config, &t, &ops);
        assert_eq!(r.status, TickStatus::Ok, "case {case}");
        let rise = runtime_stub::negotiator::guards::rise_100ms(&t);
        let rack_hot = runtime_stub::negotiator::guards::rack_is_hot(&t, Config::default().hbm_temp_limit_c);
        let hot =
            |fr: &runtime_stub::negotiator::Frontier| runtime_stub::negotiator::guards::op_is_hot(rack_hot, rise, fr);
        let guarded = ops.iter().filter(|op| hot(&f[op.frontier as usize])).count();
        assert_eq!(r.thermal_guarded as usize, guarded, "case {case}");
        match case % 3 {
            0 => assert_eq!(guarded, 0, "case {case}"),
            1 => assert!(guarded > 0 && guarded < ops.len(), "case {case}: {guarded} guarded"),
            _ => assert_eq!(guarded, ops.len(), "case {case}"),
        }
        let rack_link = runtime_stub::negotiator::guards::rack_link_budget(t.link_budget_pj_per_bit);
        let (mut energy, mut latency, mut objective, mut counts) = (0.0, 0.0, 0.0, [0u32; 4]);
        let (mut link, mut link_budget) = (0.0, 0.0);
        for (op, choice) in ops.iter().zip(&out) {
            let fr = &f[op.frontier as usize];
            let p = if choice.plan == FALLBACK_PLAN {
                fr.fallback_point()
            } else {
                usize::from(choice.plan)
            };
            assert!(p < fr.fallback_point() || choice.plan == FALLBACK_PLAN, "case {case}");
            assert!(
                !hot(fr) || fr.thermally_allowed(p),
                "case {case}: guarded op at point {p}"
            );
            assert_eq!(choice.class, fr.class(p), "case {case}");
            let lat = f64::from(fr.lat_ms(p));
            energy += f64::from(op.tokens) * f64::from(fr.jpt(p));
            latency += lat;
            objective += lat * (1.0 / f64::from(op.deadline_ms));
            counts[choice.class as usize] += 1;
            let (e, b) = runtime_stub::negotiator::guards::link_energy(op, fr, p, rack_link);
            link += e;
            link_budget += b;
        }
        assert_eq!(
            (r.energy_j, r.total_latency_ms, r.objective, r.class_counts),
            (energy, latency, objective, counts),
            "case {case}"
        );
        assert_eq!((r.link_energy_j, r.link_budget_j), (link, link_budget), "case {case}");
        assert_eq!(r.link_sleeps, 0, "case {case}");
    }
}
