//! What the tick reads and writes: telemetry, pending ops and the chosen plan per op. Plain `Copy` structs so a
//! caller can fill them from PDU registers or the C ABI without conversions that allocate.

use super::frontier::PlanClass;

/// Telemetry sampled at the start of a 10 ms window. Any field may be NaN or infinite; see the negotiator's
/// fail-safe rules for what each one then means.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Telemetry {
    /// PDU power cap now (W).
    pub pdu_cap_w: f64,
    /// The PDU's forecast of its cap 5 s ahead (W), e.g. from Redfish PowerControl.
    pub cap_forecast_5s_w: f64,
    /// Measured rack power (W). Only the source's budget rule uses it (see `BudgetRule`).
    pub rack_power_w: f64,
    /// Power drawn by everything the negotiator does not schedule: CPUs, NICs, fans, idle GPUs (W).
    pub non_gpu_load_w: f64,
    /// Hottest HBM stack (°C).
    pub hbm_temp_c: f64,
    /// Its rate of change (°C per second; the source's "0.4 °C per 10 ms" is 40).
    pub hbm_temp_rate_c_per_s: f64,
    /// Rack link-energy budget (pJ/bit) from link telemetry; `+inf` when the rack sets none.
    pub link_budget_pj_per_bit: f64,
    /// Relative posterior predictive variance of the energy model (σ²/μ² of a predicted window energy), from the
    /// online Bayesian update; read only by `SafetyMargin::RiskBounded`.
    pub energy_model_rel_variance: f64,
}

impl Telemetry {
    /// A steady rack: cap and forecast `cap_w`, no non-GPU load, cool HBM, no link limit, a 4% model error.
    pub fn steady(cap_w: f64) -> Telemetry {
        Telemetry {
            pdu_cap_w: cap_w,
            cap_forecast_5s_w: cap_w,
            rack_power_w: 0.0,
            non_gpu_load_w: 0.0,
            hbm_temp_c: 70.0,
            hbm_temp_rate_c_per_s: 0.0,
            link_budget_pj_per_bit: f64::INFINITY,
            energy_model_rel_variance: 0.04 * 0.04,
        }
    }
}

/// One op waiting for a plan this window.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct PendingOp {
    /// Index into the negotiator's frontiers (table op order).
    pub frontier: u32,
    /// Tokens the op produces in the window (its batch); its energy is `est_jpt × tokens`.
    pub tokens: u32,
    /// Time left to its SLO deadline (ms). Smaller is tighter. Non-finite or ≤ 0 counts as the tightest.
    pub deadline_ms: f32,
}

/// `Choice::plan` of an op running its fallback.
pub const FALLBACK_PLAN: u8 = 0xFF;

/// The plan chosen for one op. `repr(C)` (plan, then class) matches the order of those bytes in the frontier's
/// vertex records, so the contract's final pass writes a choice with one 2-byte copy and no byte swap.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Choice {
    /// Plan index in the op's table order (0 = the first plan, usually A), or [`FALLBACK_PLAN`].
    pub plan: u8,
    pub class: PlanClass,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            plan: FALLBACK_PLAN,
            class: PlanClass::Fallback,
        }
    }
}
