//! Per-op frontier prepared once from a decoded table, so the tick touches only flat arrays: the points
//! (plans + fallback), each op's lower convex hull in (energy, latency) for the contract policy, the hull of the
//! thermally allowed points, plan classes A/B/C, and the link guard's sleep substitute for every point.
//!
//! The hull does not depend on the op's tokens or SLO weight: scaling energy by tokens and latency by the weight
//! is a positive scaling of both axes, which keeps the same vertices. That is why it can be built here and not
//! in the tick.

use crate::table::{OpView, MAX_PLANS};

/// Points per frontier: up to [`MAX_PLANS`] plans and the fallback.
pub const MAX_POINTS: usize = MAX_PLANS + 1;

/// Plan class broadcast to the fast-loop arbiter (codes match the arbiter's `plan_select`: 0 = A, 1 = B, 2 = C).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum PlanClass {
    /// The op's highest-energy (fastest) plan.
    A = 0,
    /// Any plan between A and C.
    B = 1,
    /// The op's lowest-energy plan.
    C = 2,
    /// The fallback action (recompute_kv); the arbiter treats it as C.
    Fallback = 3,
}

impl PlanClass {
    /// Every class, in code order (the order of `TickReport::class_counts`).
    pub const ALL: [PlanClass; 4] = [PlanClass::A, PlanClass::B, PlanClass::C, PlanClass::Fallback];
}

/// A lower convex hull over some of a frontier's points, cheapest first.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Hull {
    len: u8,
    /// Frontier point index of each vertex.
    point: [u8; MAX_POINTS],
    /// `jpt[k] − jpt[k−1]` (J/token) for k ≥ 1: the extra energy per token of moving up to vertex k.
    djpt: [f64; MAX_POINTS],
    /// Latency saved per J/token moving up to vertex k; strictly decreasing in k (that is convexity).
    slope: [f64; MAX_POINTS],
}

impl Hull {
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Frontier point index of vertex `k`.
    pub fn point(&self, k: usize) -> usize {
        usize::from(self.point[k])
    }

    pub fn djpt(&self, k: usize) -> f64 {
        self.djpt[k]
    }

    pub fn slope(&self, k: usize) -> f64 {
        self.slope[k]
    }
}

/// One op's frontier, ready for the tick. Fixed size and `Copy`, so callers can keep any number of them in
/// memory they own (a static array on a controller, a `Vec` on a server).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Frontier {
    n_plans: u8,
    jpt: [f32; MAX_POINTS],
    lat: [f32; MAX_POINTS],
    power: [f32; MAX_POINTS],
    link_pjb: [f32; MAX_POINTS],
    class: [PlanClass; MAX_POINTS],
    hull: Hull,
    thermal_hull: Hull,
    /// Bit p set when point p is allowed under the thermal guard.
    thermal_mask: u16,
    /// The link guard's replacement for each point: the lowest-pJ/bit point that costs no more energy and power.
    sleep_sub: [u8; MAX_POINTS],
    max_temp_delta_100ms: f32,
    link_budget_pjb: f32,
    link_bits_per_token: f32,
}

impl Frontier {
    /// Prepares the frontier of a validated table op.
    pub fn from_op(op: &OpView<'_>) -> Frontier {
        let mut f = Frontier {
            n_plans: 0,
            jpt: [0.0; MAX_POINTS],
            lat: [0.0; MAX_POINTS],
            power: [0.0; MAX_POINTS],
            link_pjb: [0.0; MAX_POINTS],
            class: [PlanClass::B; MAX_POINTS],
            hull: EMPTY_HULL,
            thermal_hull: EMPTY_HULL,
            thermal_mask: 0,
            sleep_sub: [0; MAX_POINTS],
            max_temp_delta_100ms: op.header().max_temp_delta_100ms,
            link_budget_pjb: op.header().link_budget_pj_per_bit,
            link_bits_per_token: op.header().link_bits_per_token,
        };
        let mut n = 0;
        for plan in op.plans().take(MAX_PLANS) {
            f.jpt[n] = plan.est_jpt;
            f.lat[n] = plan.est_lat_ms;
            f.power[n] = plan.est_power_w;
            f.link_pjb[n] = plan.link_pj_per_bit;
            n += 1;
        }
        let fb = op.fallback();
        f.jpt[n] = fb.est_jpt;
        f.lat[n] = fb.est_lat_ms;
        f.power[n] = fb.est_power_w;
        f.link_pjb[n] = fb.link_pj_per_bit;
        f.n_plans = n as u8;
        f.classify();
        let all = (1u16 << (n + 1)) - 1;
        f.hull = f.build_hull(all);
        // Under the thermal guard only the lowest-power plan(s) run — the source's "switch to plan C" — plus the
        // fallback when it draws no more than they do.
        let min_power = f.power[..n].iter().copied().fold(f32::INFINITY, f32::min);
        f.thermal_mask = (0..=n).filter(|&p| f.power[p] <= min_power).fold(0, |m, p| m | 1 << p);
        f.thermal_hull = f.build_hull(f.thermal_mask);
        for p in 0..=n {
            f.sleep_sub[p] = f.sleep_substitute(p) as u8;
        }
        f
    }

    /// C = the cheapest plan, A = the most expensive other plan, B = the rest (first index wins ties).
    fn classify(&mut self) {
        let n = self.plan_count();
        let mut cheapest = 0;
        let mut dearest = 0;
        for p in 1..n {
            if self.jpt[p] < self.jpt[cheapest] {
                cheapest = p;
            }
            if self.jpt[p] > self.jpt[dearest] {
                dearest = p;
            }
        }
        for p in 0..n {
            self.class[p] = if p == cheapest {
                PlanClass::C
            } else if p == dearest {
                PlanClass::A
            } else {
                PlanClass::B
            };
        }
        self.class[n] = PlanClass::Fallback;
    }

    /// Lower convex hull of the points in `mask`, from the cheapest point towards lower latency.
    fn build_hull(&self, mask: u16) -> Hull {
        let mut order = [0u8; MAX_POINTS];
        let mut m = 0;
        for p in 0..=self.plan_count() {
            if mask & (1 << p) != 0 {
                order[m] = p as u8;
                m += 1;
            }
        }
        // Cheapest first, then fastest, then table order: a total order, so the hull is deterministic.
        order[..m].sort_unstable_by(|&a, &b| {
            let (a, b) = (usize::from(a), usize::from(b));
            self.jpt[a]
                .total_cmp(&self.jpt[b])
                .then(self.lat[a].total_cmp(&self.lat[b]))
                .then(a.cmp(&b))
        });
        let mut hull = EMPTY_HULL;
        let mut len = 0usize;
        for &p in &order[..m] {
            let p_idx = usize::from(p);
            // Pareto: a point is worth more energy only if it is strictly faster than the last vertex.
            if len > 0 && self.lat[p_idx] >= self.lat[usize::from(hull.point[len - 1])] {
                continue;
            }
            // Convexity: drop the last vertex while it lies on or above the segment from its predecessor to p.
            while len >= 2 {
                let a = usize::from(hull.point[len - 2]);
                let b = usize::from(hull.point[len - 1]);
                let (ja, jb, jc) = (
                    f64::from(self.jpt[a]),
                    f64::from(self.jpt[b]),
                    f64::from(self.jpt[p_idx]),
                );
                let (la, lb, lc) = (
                    f64::from(self.lat[a]),
                    f64::from(self.lat[b]),
                    f64::from(self.lat[p_idx]),
                );
                if (la - lb) * (jc - jb) <= (lb - lc) * (jb - ja) {
                    len -= 1;
                } else {
                    break;
                }
            }
            hull.point[len] = p;
            len += 1;
        }
        for k in 1..len {
            let (a, b) = (usize::from(hull.point[k - 1]), usize::from(hull.point[k]));
            let djpt = f64::from(self.jpt[b]) - f64::from(self.jpt[a]);
            hull.djpt[k] = djpt;
            hull.slope[k] = (f64::from(self.lat[a]) - f64::from(self.lat[b])) / djpt;
        }
        hull.len = len as u8;
        hull
    }

    fn sleep_substitute(&self, p: usize) -> usize {
        let mut best = p;
        for q in 0..=self.plan_count() {
            let cheaper = self.jpt[q] <= self.jpt[p] && self.power[q] <= self.power[p];
            if !cheaper || self.link_pjb[q] >= self.link_pjb[p] {
                continue;
            }
            let better = best == p
                || self.link_pjb[q] < self.link_pjb[best]
                || (self.link_pjb[q] == self.link_pjb[best] && self.lat[q] < self.lat[best]);
            if better {
                best = q;
            }
        }
        best
    }

    /// Number of plans (the fallback is point `plan_count()`).
    pub fn plan_count(&self) -> usize {
        usize::from(self.n_plans)
    }

    /// Index of the fallback point.
    pub fn fallback_point(&self) -> usize {
        self.plan_count()
    }

    pub fn jpt(&self, p: usize) -> f32 {
        self.jpt[p]
    }

    pub fn lat_ms(&self, p: usize) -> f32 {
        self.lat[p]
    }

    pub fn power_w(&self, p: usize) -> f32 {
        self.power[p]
    }

    pub fn link_pj_per_bit(&self, p: usize) -> f32 {
        self.link_pjb[p]
    }

    pub fn class(&self, p: usize) -> PlanClass {
        self.class[p]
    }

    /// The contract policy's hull, normal or under the thermal guard.
    pub fn hull(&self, thermal: bool) -> &Hull {
        if thermal {
            &self.thermal_hull
        } else {
            &self.hull
        }
    }

    /// Whether point `p` may run while the thermal guard holds.
    pub fn thermally_allowed(&self, p: usize) -> bool {
        self.thermal_mask & (1 << p) != 0
    }

    pub fn sleep_substitute_of(&self, p: usize) -> usize {
        usize::from(self.sleep_sub[p])
    }

    pub fn max_temp_delta_100ms(&self) -> f32 {
        self.max_temp_delta_100ms
    }

    pub fn link_budget_pj_per_bit(&self) -> f32 {
        self.link_budget_pjb
    }

    pub fn link_bits_per_token(&self) -> f32 {
        self.link_bits_per_token
    }
}

const EMPTY_HULL: Hull = Hull {
    len: 0,
    point: [0; MAX_POINTS],
    djpt: [0.0; MAX_POINTS],
    slope: [0.0; MAX_POINTS],
};

/// Fills `out` with the prepared frontiers of `table`'s ops, in table order; returns how many it wrote, or
/// `Err(needed)` when `out` is too short.
pub fn prepare_frontiers(table: &crate::table::FrontierTable<'_>, out: &mut [Frontier]) -> Result<usize, usize> {
    let needed = table.op_count();
    if out.len() < needed {
        return Err(needed);
    }
    for (slot, op) in out.iter_mut().zip(table.ops()) {
        *slot = Frontier::from_op(&op);
    }
    Ok(needed)
}

/// The prepared frontiers of `table`'s ops, in table order (feature `alloc`).
#[cfg(feature = "alloc")]
pub fn frontiers_of(table: &crate::table::FrontierTable<'_>) -> alloc::vec::Vec<Frontier> {
    table.ops().map(|op| Frontier::from_op(&op)).collect()
}
