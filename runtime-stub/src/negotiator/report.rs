//! What a tick reports besides the plans: status, budget and energy, objective, class counts, broadcast class,
//! guard activity; and the errors for calls that cannot be served at all.

use super::frontier::PlanClass;

/// How the tick ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TickStatus {
    /// Plans chosen within the budget.
    Ok,
    /// Even every op's cheapest allowed point exceeds the budget: every op runs its fallback.
    BudgetInfeasible,
    /// Cap, forecast, non-GPU load (or, per rule, rack power or model variance) is not a finite number ≥ 0: the
    /// budget is unknown, so every op runs its fallback, the lowest-energy action there is.
    FailSafe,
}

/// Summary of one tick.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TickReport {
    pub status: TickStatus,
    /// Energy budget of the window (J), after the safety margin; 0 in fail-safe.
    pub budget_j: f64,
    /// The safety margin applied.
    pub margin: f64,
    /// Predicted energy of the chosen plans (J).
    pub energy_j: f64,
    /// Σ tokens × the cheapest allowed point's J/token: below the budget means a feasible assignment exists.
    pub min_energy_j: f64,
    /// The contract objective of the chosen plans: Σ est_lat_ms / deadline_ms.
    pub objective: f64,
    /// Σ est_lat_ms of the chosen plans.
    pub total_latency_ms: f64,
    /// Ops at A, B, C, fallback (index = `PlanClass` code).
    pub class_counts: [u32; 4],
    /// Class broadcast to the arbiter: the most common class, fallback counted as C, ties to the lower-power class.
    pub broadcast: PlanClass,
    /// Ops restricted to their lowest-power plans by the thermal guard.
    pub thermal_guarded: u32,
    /// Link energy of the chosen plans and the budget it must fit (J).
    pub link_energy_j: f64,
    pub link_budget_j: f64,
    /// Ops the link guard moved to a sleeping link.
    pub link_sleeps: u32,
    /// Link energy still over budget after every op that could sleep did.
    pub link_over_budget: bool,
}

/// Why a tick could not run (caller errors, never telemetry).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TickError {
    /// `out` must have one slot per pending op.
    OutputLength { ops: usize, out: usize },
    /// The scratch buffers hold fewer entries than there are pending ops.
    ScratchTooSmall { ops: usize, scratch: usize },
    /// Pending op `op` names frontier `frontier`, which the negotiator does not hold.
    UnknownFrontier { op: usize, frontier: u32 },
}

impl core::fmt::Display for TickError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TickError::OutputLength { ops, out } => write!(f, "{ops} pending ops but {out} output slots"),
            TickError::ScratchTooSmall { ops, scratch } => {
                write!(f, "{ops} pending ops but scratch for {scratch}")
            }
            TickError::UnknownFrontier { op, frontier } => {
                write!(f, "pending op {op} names frontier {frontier}, which is not loaded")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TickError {}
