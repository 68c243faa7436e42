//! The 10 ms power-contract negotiator: holds prepared frontiers and, every tick, turns telemetry and the pending
//! ops into one plan per op, written into a caller-provided slice, with no heap allocation.
//!
//! A tick, in order:
//! 1. caller errors (`out` length, scratch size, unknown frontier index) return `Err` before anything is written;
//! 2. the safety margin and the window budget ([`budget`]); unreadable telemetry → every op at its fallback,
//!    [`TickStatus::FailSafe`];
//! 3. the thermal guard marks ops restricted to their lowest-power plans ([`guards`]);
//! 4. if even every op's cheapest allowed point exceeds the budget → every op at its fallback,
//!    [`TickStatus::BudgetInfeasible`];
//! 5. the policy picks points: [`Policy::Seed`] (the source's greedy, literally) or [`Policy::Contract`];
//! 6. the link guard puts low-priority flows to sleep while link energy is over budget;
//! 7. the report: energy, objective, A/B/C/fallback counts and the class broadcast to the arbiter.
//!
//! Cost: O(n·h) for the contract policy (h ≤ 15 points per op; no sort): a preparation pass that adds each
//! upgrade to a histogram with an integer add and shift, and a final pass that picks each op's vertex with SIMD
//! compares and accounts it, reading about two cache lines of its frontier in each pass; one division per op (the
//! SLO weight in the objective). O(n log n) for the seed's tightness sort and, only when the link budget is
//! exceeded, for the link guard's priority sort. Deterministic: no hashing, no
//! threads, every order has an index tie-break. No telemetry value, NaN and infinities included, can panic it.

pub mod budget;
mod contract;
pub mod frontier;
pub mod guards;
pub mod inputs;
mod logscale;
pub mod report;
pub mod scratch;
mod seed;

pub use budget::{BudgetRule, SafetyMargin};
pub use frontier::{prepare_frontiers, Frontier, Hull, PlanClass, MAX_POINTS};
pub use inputs::{Choice, PendingOp, Telemetry, FALLBACK_PLAN};
pub use report::{TickError, TickReport, TickStatus};
pub use scratch::{OpSlot, OrderSlot, Scratch, BUCKETS};

#[cfg(feature = "alloc")]
pub use frontier::frontiers_of;
#[cfg(feature = "alloc")]
pub use scratch::ScratchBuf;

/// Which policy picks the plans.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Policy {
    /// The source document's greedy (cheapest plan that fits, in SLO-tightness order), as a baseline.
    Seed,
    /// Minimise Σ latency / deadline within the energy budget (multiple-choice knapsack; see `contract`).
    #[default]
    Contract,
}

/// Negotiator settings.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Config {
    pub policy: Policy,
    pub budget_rule: BudgetRule,
    pub margin: SafetyMargin,
    /// HBM temperature the thermal guard keeps predicted temperature below (°C); the source's throttle point.
    pub hbm_temp_limit_c: f64,
    /// Length of the control window (s).
    pub window_s: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policy: Policy::Contract,
            budget_rule: BudgetRule::Window,
            margin: SafetyMargin::Constant(0.92),
            hbm_temp_limit_c: 100.0,
            window_s: 0.010,
        }
    }
}

/// A configuration value out of range.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Constant margin outside (0, 1] or ε outside (0, 1).
    Margin,
    /// HBM limit not finite.
    HbmLimit,
    /// Window not finite and > 0.
    Window,
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ConfigError::Margin => "safety margin must be in (0, 1] (or epsilon in (0, 1))",
            ConfigError::HbmLimit => "HBM temperature limit must be finite",
            ConfigError::Window => "window must be finite and > 0 seconds",
        })
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ConfigError {}

/// Shortest deadline a weight is computed from (ms): NaN, ≤ 0 and tinier deadlines count as this tight.
const MIN_DEADLINE_MS: f64 = 1e-3;
/// Longest deadline a weight is computed from (ms), so +inf still gives a weight > 0.
const MAX_DEADLINE_MS: f64 = 1e12;
/// The deadline an op's SLO weight is computed from: NaN, ≤ 0 and tiny deadlines count as the tightest, +inf as
/// the loosest, so weights stay finite and > 0.
#[inline]
fn clamped_deadline_ms(op: &PendingOp) -> f64 {
    let deadline = f64::from(op.deadline_ms);
    if deadline >= MIN_DEADLINE_MS {
        deadline.min(MAX_DEADLINE_MS)
    } else {
        MIN_DEADLINE_MS
    }
}

/// Relative slack kept off the budget in the contract's decisions, so rounding in f64 sums of up to millions of
/// terms can never push the chosen energy over the budget.
const DECISION_SLACK: f64 = 1e-9;

/// The negotiator: prepared frontiers (borrowed) and a configuration.
#[derive(Copy, Clone, Debug)]
pub struct Negotiator<'f> {
    frontiers: &'f [Frontier],
    config: Config,
    /// Extreme slope logs of the frontiers' hulls, so the contract tick can bound its histogram per op cheaply.
    slopes: contract::SlopeBounds,
    /// The largest op link budget of the frontiers (pJ/bit; 0 when none): a rack budget at or above it never
    /// binds, so the contract's final pass takes each op's budget from its hull unchanged.
    max_link_budget: f64,
    /// The smallest `max_temp_delta_100ms` of the frontiers (NaN ones never trip the guard; +inf when none):
    /// a predicted rise at or below it trips no op's guard, so the tick skips the per-op check.
    min_temp_delta: f64,
}

impl<'f> Negotiator<'f> {
    pub fn new(frontiers: &'f [Frontier], config: Config) -> Result<Self, ConfigError> {
        if !config.margin.is_valid() {
            return Err(ConfigError::Margin);
        }
        if !config.hbm_temp_limit_c.is_finite() {
            return Err(ConfigError::HbmLimit);
        }
        if !(config.window_s.is_finite() && config.window_s > 0.0) {
            return Err(ConfigError::Window);
        }
        Ok(Negotiator {
            frontiers,
            config,
            slopes: contract::SlopeBounds::of(frontiers),
            max_link_budget: frontiers
                .iter()
                .map(|f| f64::from(f.link_budget_pj_per_bit()))
                .fold(0.0, f64::max),
            min_temp_delta: frontiers
                .iter()
                .map(|f| f64::from(f.max_temp_delta_100ms()))
                .filter(|d| !d.is_nan())
                .fold(f64::INFINITY, f64::min),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The same frontiers under another configuration (e.g. the other policy).
    pub fn with_config(&self, config: Config) -> Result<Self, ConfigError> {
        Negotiator::new(self.frontiers, config)
    }

    pub fn frontiers(&self) -> &'f [Frontier] {
        self.frontiers
    }

    /// One 10 ms tick: writes `out[i]` for `ops[i]`. Never allocates.
    pub fn tick(
        &self,
        telemetry: &Telemetry,
        ops: &[PendingOp],
        out: &mut [Choice],
        scratch: &mut Scratch<'_>,
    ) -> Result<TickReport, TickError> {
        let n = ops.len();
        if out.len() != n {
            return Err(TickError::OutputLength { ops: n, out: out.len() });
        }
        if scratch.capacity() < n {
            return Err(TickError::ScratchTooSmall {
                ops: n,
                scratch: scratch.capacity(),
            });
        }
        let frontiers = self.frontiers;
        let Scratch {
            ops: slots,
            order,
            buckets,
        } = scratch;
        let slots = &mut slots[..n];

        let margin = self.config.margin.factor(telemetry);
        let budget =
            margin.and_then(|m| budget::budget_joules(self.config.budget_rule, telemetry, m, self.config.window_s));

        // One preparation pass: checks frontier indices (before `out` is touched), applies the thermal guard,
        // weighs ops by SLO tightness, sums the cheapest energy and, for the contract policy, builds its histogram.
        let histogram = budget.is_some() && self.config.policy == Policy::Contract;
        let mut touched = contract::Touched::NONE;
        let rack_hot = guards::rack_is_hot(telemetry, self.config.hbm_temp_limit_c);
        let rise = guards::rise_100ms(telemetry);
        // Whether any op's guard can trip: when none can (the usual tick), the per-op check, a load, conversion
        // and compare that every hull load would wait for, is skipped.
        let any_hot = rack_hot || rise > self.min_temp_delta;
        // The loop copies for the contract's histogram with no op possibly hot (the usual tick) and the general one.
        let prepared = if histogram && !any_hot {
            prepare::<true, false>(frontiers, ops, slots, buckets, &mut touched, rack_hot, rise)
        } else if histogram {
            prepare::<true, true>(frontiers, ops, slots, buckets, &mut touched, rack_hot, rise)
        } else {
            prepare::<false, true>(frontiers, ops, slots, buckets, &mut touched, rack_hot, rise)
        };
        let (min_energy, thermal_guarded) = match prepared {
            Ok(sums) => sums,
            Err(e) => {
                contract::clear(buckets, touched, self.slopes);
                return Err(e);
            }
        };

        let status = match budget {
            None => TickStatus::FailSafe,
            Some(b) if min_energy > b => TickStatus::BudgetInfeasible,
            Some(_) => TickStatus::Ok,
        };
        let budget_j = budget.unwrap_or(0.0);
        let mut report = TickReport {
            status,
            budget_j,
            margin: margin.unwrap_or(0.0),
            energy_j: 0.0,
            min_energy_j: min_energy,
            objective: 0.0,
            total_latency_ms: 0.0,
            class_counts: [0; 4],
            broadcast: PlanClass::C,
            thermal_guarded,
            link_energy_j: 0.0,
            link_budget_j: 0.0,
            link_sleeps: 0,
            link_over_budget: false,
        };
        let rack_link = guards::rack_link_budget(telemetry.link_budget_pj_per_bit);
        match (status, self.config.policy) {
            (TickStatus::Ok, Policy::Contract) => {
                // The final pass picks and accounts in one go.
                let left = (budget_j * (1.0 - DECISION_SLACK) - min_energy).max(0.0);
                let mut acc = Accounting::default();
                contract::finish(
                    frontiers,
                    ops,
                    slots,
                    out,
                    buckets,
                    touched,
                    self.slopes,
                    left,
                    rack_link,
                    rack_link >= self.max_link_budget,
                    thermal_guarded > 0,
                    &mut acc,
                );
                acc.write(&mut report);
            }
            (TickStatus::Ok, Policy::Seed) => {
                seed::choose(frontiers, ops, slots, order, budget_j);
                summarise(frontiers, ops, slots, out, rack_link, &mut report);
            }
            _ => {
                contract::clear(buckets, touched, self.slopes);
                for (op, slot) in ops.iter().zip(slots.iter_mut()) {
                    slot.point = frontiers[op.frontier as usize].fallback_point() as u8;
                }
                summarise(frontiers, ops, slots, out, rack_link, &mut report);
            }
        }
        if status == TickStatus::Ok && report.link_energy_j > report.link_budget_j {
            // Rare path: sort by priority and put flows to sleep, then summarise the new choices.
            if self.config.policy == Policy::Contract {
                // The contract's final pass writes only `out`; the guard works on points.
                for ((op, slot), choice) in ops.iter().zip(slots.iter_mut()).zip(out.iter()) {
                    slot.point = if choice.plan == FALLBACK_PLAN {
                        frontiers[op.frontier as usize].fallback_point() as u8
                    } else {
                        choice.plan
                    };
                }
            }
            report.link_sleeps = guards::link_guard(frontiers, ops, slots, order, &report, rack_link);
            summarise(frontiers, ops, slots, out, rack_link, &mut report);
            report.link_over_budget = report.link_energy_j > report.link_budget_j;
        }
        if status == TickStatus::Ok {
            // Most common class; fallback counts as C; ties go to the lower-power class.
            let [a, b, c, fb] = report.class_counts;
            let c = c + fb;
            report.broadcast = if a > b && a > c {
                PlanClass::A
            } else if b > c {
                PlanClass::B
            } else {
                PlanClass::C
            };
        }
        Ok(report)
    }
}

/// The tick's preparation pass: checks frontier indices (before `out` is touched), applies the thermal guard,
/// weighs ops by SLO tightness and, with `HISTOGRAM`, adds the contract's upgrades to its histogram. Returns the
/// energy of every op at its cheapest allowed point and how many ops the thermal guard restricted. `MAYBE_HOT`:
/// whether any op's guard can trip this tick (without it, every op reads its normal hull unchecked).
#[inline(always)]
fn prepare<const HISTOGRAM: bool, const MAYBE_HOT: bool>(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    buckets: &mut [f64; BUCKETS],
    touched: &mut contract::Touched,
    rack_hot: bool,
    rise: f64,
) -> Result<(f64, u32), TickError> {
    let mut thermal_guarded = 0;
    let mut min_energy = 0.0;
    for (i, (op, slot)) in ops.iter().zip(slots.iter_mut()).enumerate() {
        let Some(f) = frontiers.get(op.frontier as usize) else {
            return Err(TickError::UnknownFrontier {
                op: i,
                frontier: op.frontier,
            });
        };
        let thermal = MAYBE_HOT && guards::op_is_hot(rack_hot, rise, f);
        let hull = f.hull(thermal);
        let deadline = clamped_deadline_ms(op);
        let rate_log = if HISTOGRAM {
            contract::add_upgrades(hull, op, deadline, buckets, touched)
        } else {
            0
        };
        min_energy += f64::from(op.tokens) * hull.base_jpt();
        thermal_guarded += u32::from(thermal);
        if MAYBE_HOT {
            *slot = OpSlot {
                weight: 1.0 / deadline,
                rate_log,
                point: 0,
                thermal,
            };
        } else {
            // One store less per op: with no op possibly hot nothing reads `thermal` this tick (the final pass
            // reads normal hulls only), and every path that reads `point` writes it first.
            slot.weight = 1.0 / deadline;
            slot.rate_log = rate_log;
        }
    }
    Ok((min_energy, thermal_guarded))
}

/// Running sums of a tick's report while choices are written.
#[derive(Default)]
struct Accounting {
    energy_j: f64,
    total_latency_ms: f64,
    objective: f64,
    class_counts: [u32; 4],
    link_energy_j: f64,
    link_budget_j: f64,
}

impl Accounting {
    /// Writes the op's choice and adds it to the sums.
    #[inline]
    fn add(&mut self, op: &PendingOp, f: &Frontier, slot: &OpSlot, choice: &mut Choice, rack_link: f64) {
        let info = f.info(usize::from(slot.point));
        *choice = Choice {
            plan: info.plan,
            class: info.class,
        };
        let lat = f64::from(info.lat);
        self.energy_j += f64::from(op.tokens) * f64::from(info.jpt);
        self.total_latency_ms += lat;
        self.objective += lat * slot.weight;
        self.class_counts[info.class as usize] += 1;
        let (energy, budget) = guards::link_energy_at(op, f, info.link_pjb, rack_link);
        self.link_energy_j += energy;
        self.link_budget_j += budget;
    }

    fn write(&self, report: &mut TickReport) {
        report.energy_j = self.energy_j;
        report.total_latency_ms = self.total_latency_ms;
        report.objective = self.objective;
        report.class_counts = self.class_counts;
        report.link_energy_j = self.link_energy_j;
        report.link_budget_j = self.link_budget_j;
    }
}

/// Writes `out` from the chosen points and fills the report's energy, latency, objective, class counts and link
/// energy and budget.
fn summarise(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &[OpSlot],
    out: &mut [Choice],
    rack_link_pj_per_bit: f64,
    report: &mut TickReport,
) {
    let mut acc = Accounting::default();
    for ((op, slot), choice) in ops.iter().zip(slots).zip(out.iter_mut()) {
        acc.add(op, &frontiers[op.frontier as usize], slot, choice, rack_link_pj_per_bit);
    }
    acc.write(report);
}
