//! The window's energy budget and its safety margin.
//!
//! # Semantics
//! The source computes `(pdu_cap − current) × 0.01 × margin` and spends it on the pending ops. But `current`
//! (measured rack power) already contains those ops' own power, so their energy is counted twice: the budget
//! shrinks as the ops it pays for grow. We budget the whole window instead:
//!
//! `budget_J = max(0, min(cap_now, cap_forecast_5s) − non_gpu_load) × window_s × margin`
//!
//! and spend it on the pending ops' `Σ est_jpt × tokens`: in the window those ops *are* the GPU power, so measured
//! GPU power is not subtracted again. The forecast enters through `min` because the plans chosen now are still
//! running when a forecast curtailment lands; fitting it early is what lets power follow the cap without a
//! firmware throttle. [`BudgetRule::SourceHeadroom`] keeps the source's formula for comparison.
//!
//! # Safety margin
//! [`SafetyMargin::Constant`] is the source's fixed factor (0.92). [`SafetyMargin::RiskBounded`] derives it from the
//! energy model's posterior predictive variance so that P(actual energy > raw budget) ≤ ε. With planned energy E
//! and relative predictive standard deviation σ (errors assumed fully correlated across ops, the worst case),
//! Cantelli's one-sided inequality gives P(X ≥ E(1 + kσ)) ≤ 1/(1 + k²) for *any* distribution with that variance,
//! so k = √((1 − ε)/ε) and margin = 1/(1 + kσ). Distribution-free, so it holds without assuming Gaussian errors.

use super::inputs::Telemetry;

/// How the window's energy budget is computed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BudgetRule {
    /// `(min(cap, forecast) − non_gpu_load) × window × margin` (module docs).
    #[default]
    Window,
    /// The source's `(pdu_cap − rack_power) × 0.01 × margin`, which double-counts the ops' own power.
    SourceHeadroom,
}

/// The factor the raw budget is multiplied by to absorb energy-model error.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum SafetyMargin {
    /// A fixed factor in (0, 1]; the source uses 0.92.
    Constant(f64),
    /// P(over budget) ≤ `epsilon` ∈ (0, 1), from `Telemetry::energy_model_rel_variance` (module docs).
    RiskBounded { epsilon: f64 },
}

impl Default for SafetyMargin {
    fn default() -> Self {
        SafetyMargin::Constant(0.92)
    }
}

impl SafetyMargin {
    /// Whether the parameters are in range.
    pub fn is_valid(&self) -> bool {
        match *self {
            SafetyMargin::Constant(m) => m > 0.0 && m <= 1.0,
            SafetyMargin::RiskBounded { epsilon } => epsilon > 0.0 && epsilon < 1.0,
        }
    }

    /// The margin for this window, or `None` when the variance it needs is not a number ≥ 0.
    pub fn factor(&self, telemetry: &Telemetry) -> Option<f64> {
        match *self {
            SafetyMargin::Constant(m) => Some(m),
            SafetyMargin::RiskBounded { epsilon } => {
                let var = telemetry.energy_model_rel_variance;
                if !(var.is_finite() && var >= 0.0) {
                    return None;
                }
                let k = sqrt((1.0 - epsilon) / epsilon);
                Some(1.0 / (1.0 + k * sqrt(var)))
            }
        }
    }
}

/// The window's energy budget (J), or `None` when the telemetry it needs is not finite and ≥ 0.
pub fn budget_joules(rule: BudgetRule, telemetry: &Telemetry, margin: f64, window_s: f64) -> Option<f64> {
    let valid = |x: f64| x.is_finite() && x >= 0.0;
    match rule {
        BudgetRule::Window => {
            let (cap, forecast, other) = (
                telemetry.pdu_cap_w,
                telemetry.cap_forecast_5s_w,
                telemetry.non_gpu_load_w,
            );
            if !(valid(cap) && valid(forecast) && valid(other)) {
                return None;
            }
            Some((cap.min(forecast) - other).max(0.0) * window_s * margin)
        }
        BudgetRule::SourceHeadroom => {
            let (cap, current) = (telemetry.pdu_cap_w, telemetry.rack_power_w);
            if !(valid(cap) && valid(current)) {
                return None;
            }
            Some((cap - current).max(0.0) * 0.01 * margin)
        }
    }
}

/// Square root by Newton's method: `core` has no `f64::sqrt` without `std`. Exact to the last bit or two for
/// the margins computed here (tested against `std`).
pub fn sqrt(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 || x == f64::INFINITY {
        return x;
    }
    // Halving the exponent bits gives a start within a factor of about 1.5, from which Newton converges in a few
    // steps; subnormals start lower and need more, hence the fixed 64-step cap with an early exit.
    let mut y = f64::from_bits((x.to_bits() >> 1) + (1023u64 << 51));
    for _ in 0..64 {
        let next = 0.5 * (y + x / y);
        if next == y {
            break;
        }
        y = next;
    }
    y
}
