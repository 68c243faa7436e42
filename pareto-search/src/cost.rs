//! What pricing a point yields: a cost (joules per token, latency) or the reason the point cannot run.

use crate::space::Point;
use std::cmp::Ordering;
use std::fmt;

/// The estimated cost of running an op at one point.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Cost {
    /// Joules per generated token attributable to the op.
    pub est_jpt: f64,
    /// Latency of the op, milliseconds.
    pub est_lat_ms: f64,
    /// Board power while the op runs (links excluded, as the board limit), W; the runtime's thermal guard
    /// ranks plans by it. Not used by pruning.
    pub est_power_w: f64,
    /// Link energy per bit sent in the point's link state, pJ/bit (0 when the op sends nothing). Not used by
    /// pruning.
    pub link_pj_per_bit: f64,
}

impl Cost {
    /// A cost with only the two pruned quantities set (the others 0), for synthetic pricers.
    pub fn new(est_jpt: f64, est_lat_ms: f64) -> Cost {
        Cost {
            est_jpt,
            est_lat_ms,
            est_power_w: 0.0,
            link_pj_per_bit: 0.0,
        }
    }

    /// Total order used by every rule: energy, then latency (`f64::total_cmp`, so NaN cannot reorder anything).
    pub fn cmp_energy_then_latency(&self, other: &Cost) -> Ordering {
        self.est_jpt
            .total_cmp(&other.est_jpt)
            .then(self.est_lat_ms.total_cmp(&other.est_lat_ms))
    }

    #[inline]
    pub(crate) fn is_finite_nonnegative(&self) -> bool {
        // `0 ≤ x < ∞` is `x.is_finite() && x >= 0.0` (NaN fails both), as two plain comparisons.
        let ok = |x: f64| (0.0..f64::INFINITY).contains(&x);
        ok(self.est_jpt) && ok(self.est_lat_ms) && ok(self.est_power_w) && ok(self.link_pj_per_bit)
    }
}

/// Why a point was not priced. `R` is the pricer's own reason type (the energy model's, a memory variant's).
#[derive(Clone, Debug, PartialEq)]
pub enum Infeasible<R> {
    /// The pricer said the point cannot run.
    Rejected(R),
    /// The pricer returned a NaN, infinite or negative cost; such a point is never put on a frontier.
    InvalidCost(Cost),
}

impl<R: fmt::Display> fmt::Display for Infeasible<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasible::Rejected(r) => r.fmt(f),
            Infeasible::InvalidCost(c) => write!(
                f,
                "model returned an invalid cost (est_jpt {}, est_lat_ms {})",
                c.est_jpt, c.est_lat_ms
            ),
        }
    }
}

/// A point with its outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated<R> {
    pub point: Point,
    pub outcome: Result<Cost, Infeasible<R>>,
}

impl<R> Evaluated<R> {
    /// Wraps a pricer's answer, turning an invalid cost into an infeasible point.
    pub fn new(point: Point, priced: Result<Cost, R>) -> Self {
        let outcome = match priced {
            Ok(c) if c.is_finite_nonnegative() => Ok(c),
            Ok(c) => Err(Infeasible::InvalidCost(c)),
            Err(r) => Err(Infeasible::Rejected(r)),
        };
        Evaluated { point, outcome }
    }

    pub fn cost(&self) -> Option<Cost> {
        self.outcome.as_ref().ok().copied()
    }
}
