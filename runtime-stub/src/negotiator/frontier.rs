//! Per-op frontier prepared once from a decoded table, so the tick touches only flat arrays: the points
//! (plans + fallback), each op's lower convex hull in (energy, latency) for the contract policy, the hull of the
//! thermally allowed points, plan classes A/B/C, and the link guard's sleep substitute for every point.
//!
//! The hull does not depend on the op's tokens or SLO weight: scaling energy by tokens and latency by the weight
//! is a positive scaling of both axes, which keeps the same vertices. That is why it can be built here and not
//! in the tick.

use super::inputs::FALLBACK_PLAN;
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

/// One hull vertex: 16 bytes, so a hull walk reads four vertices per cache line.
#[derive(Copy, Clone, Debug, PartialEq)]
struct Vertex {
    /// `jpt[k] − jpt[k−1]` (J/token) for k ≥ 1: the extra energy per token of moving up to this vertex.
    djpt: f64,
    /// Latency saved per J/token moving up to this vertex; non-increasing along the hull (that is convexity).
    /// `f32` because the contract policy ranks efficiencies as `f32` anyway.
    slope: f32,
    /// Frontier point index.
    point: u8,
}

const NO_VERTEX: Vertex = Vertex {
    djpt: 0.0,
    slope: 0.0,
    point: 0,
};

/// What a tick's accounting reads about a chosen point.
#[derive(Copy, Clone, Debug)]
pub(crate) struct PointInfo {
    /// `Choice::plan`: the point index, or `FALLBACK_PLAN`.
    pub plan: u8,
    pub class: PlanClass,
    pub jpt: f32,
    pub lat: f32,
    pub link_pjb: f32,
}

/// A lower convex hull over some of a frontier's points, cheapest first.
// `repr(C)`: `len`, `base_jpt` and the first vertices share the frontier's first cache line (see `Frontier`).
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C)]
pub struct Hull {
    len: u8,
    /// J/token of vertex 0 (the cheapest point), kept beside `len` so the tick's first pass reads one line.
    base_jpt: f32,
    v: [Vertex; MAX_POINTS],
}

impl Hull {
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Frontier point index of vertex `k`.
    #[inline]
    pub fn point(&self, k: usize) -> usize {
        usize::from(self.v[k].point)
    }

    /// J/token of the cheapest vertex.
    #[inline]
    pub fn base_jpt(&self) -> f32 {
        self.base_jpt
    }

    #[inline]
    pub fn djpt(&self, k: usize) -> f64 {
        self.v[k].djpt
    }

    #[inline]
    pub fn slope(&self, k: usize) -> f64 {
        f64::from(self.v[k].slope)
    }
}

/// One point of a frontier (a plan or the fallback), all its fields in one place.
#[derive(Copy, Clone, Debug, PartialEq)]
struct Point {
    jpt: f32,
    lat: f32,
    power: f32,
    link_pjb: f32,
    class: PlanClass,
    /// The link guard's replacement: the lowest-pJ/bit point that costs no more energy and power.
    sleep_sub: u8,
}

const NO_POINT: Point = Point {
    jpt: 0.0,
    lat: 0.0,
    power: 0.0,
    link_pjb: 0.0,
    class: PlanClass::B,
    sleep_sub: 0,
};

/// One op's frontier, ready for the tick. Fixed size and `Copy`, so callers can keep any number of them in
/// memory they own (a static array on a controller, a `Vec` on a server).
// Layout for the tick, which visits frontiers in random op order: `repr(C)` keeps the fields every op reads (the
// header, then the normal hull's length, base energy and first vertices) in the first of its cache-line-aligned
// lines; the thermal hull, read only while the guard holds, sits between the hull and the points.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Frontier {
    n_plans: u8,
    /// Bit p set when point p is allowed under the thermal guard.
    thermal_mask: u16,
    max_temp_delta_100ms: f32,
    link_budget_pjb: f32,
    link_bits_per_token: f32,
    hull: Hull,
    thermal_hull: Hull,
    points: [Point; MAX_POINTS],
}

impl Frontier {
    /// Prepares the frontier of a validated table op.
    pub fn from_op(op: &OpView<'_>) -> Frontier {
        let mut f = Frontier {
            n_plans: 0,
            thermal_mask: 0,
            max_temp_delta_100ms: op.header().max_temp_delta_100ms,
            link_budget_pjb: op.header().link_budget_pj_per_bit,
            link_bits_per_token: op.header().link_bits_per_token,
            hull: EMPTY_HULL,
            thermal_hull: EMPTY_HULL,
            points: [NO_POINT; MAX_POINTS],
        };
        let mut n = 0;
        for plan in op.plans().take(MAX_PLANS) {
            f.points[n] = Point {
                jpt: plan.est_jpt,
                lat: plan.est_lat_ms,
                power: plan.est_power_w,
                link_pjb: plan.link_pj_per_bit,
                ..NO_POINT
            };
            n += 1;
        }
        let fb = op.fallback();
        f.points[n] = Point {
            jpt: fb.est_jpt,
            lat: fb.est_lat_ms,
            power: fb.est_power_w,
            link_pjb: fb.link_pj_per_bit,
            class: PlanClass::Fallback,
            sleep_sub: 0,
        };
        f.n_plans = n as u8;
        f.classify();
        let all = (1u16 << (n + 1)) - 1;
        f.hull = f.build_hull(all);
        // Under the thermal guard only the lowest-power plan(s) run — the source's "switch to plan C" — plus the
        // fallback when it draws no more than they do.
        let min_power = f.points[..n].iter().map(|p| p.power).fold(f32::INFINITY, f32::min);
        f.thermal_mask = (0..=n)
            .filter(|&p| f.points[p].power <= min_power)
            .fold(0, |m, p| m | 1 << p);
        f.thermal_hull = f.build_hull(f.thermal_mask);
        for p in 0..=n {
            f.points[p].sleep_sub = f.sleep_substitute(p) as u8;
        }
        f
    }

    /// C = the cheapest plan, A = the most expensive other plan, B = the rest (first index wins ties).
    fn classify(&mut self) {
        let n = self.plan_count();
        let mut cheapest = 0;
        let mut dearest = 0;
        for p in 1..n {
            if self.points[p].jpt < self.points[cheapest].jpt {
                cheapest = p;
            }
            if self.points[p].jpt > self.points[dearest].jpt {
                dearest = p;
            }
        }
        for p in 0..n {
            self.points[p].class = if p == cheapest {
                PlanClass::C
            } else if p == dearest {
                PlanClass::A
            } else {
                PlanClass::B
            };
        }
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
            self.points[a]
                .jpt
                .total_cmp(&self.points[b].jpt)
                .then(self.points[a].lat.total_cmp(&self.points[b].lat))
                .then(a.cmp(&b))
        });
        let mut point = [0u8; MAX_POINTS];
        let mut len = 0usize;
        for &p in &order[..m] {
            let p_idx = usize::from(p);
            // Pareto: a point is worth more energy only if it is strictly faster than the last vertex.
            if len > 0 && self.points[p_idx].lat >= self.points[usize::from(point[len - 1])].lat {
                continue;
            }
            // Convexity: drop the last vertex while it lies on or above the segment from its predecessor to p.
            while len >= 2 {
                let a = usize::from(point[len - 2]);
                let b = usize::from(point[len - 1]);
                let (ja, jb, jc) = (
                    f64::from(self.points[a].jpt),
                    f64::from(self.points[b].jpt),
                    f64::from(self.points[p_idx].jpt),
                );
                let (la, lb, lc) = (
                    f64::from(self.points[a].lat),
                    f64::from(self.points[b].lat),
                    f64::from(self.points[p_idx].lat),
                );
                if (la - lb) * (jc - jb) <= (lb - lc) * (jb - ja) {
                    len -= 1;
                } else {
                    break;
                }
            }
            point[len] = p;
            len += 1;
        }
        let mut hull = EMPTY_HULL;
        for (vertex, &p) in hull.v.iter_mut().zip(&point[..len]) {
            vertex.point = p;
        }
        for k in 1..len {
            let (a, b) = (usize::from(point[k - 1]), usize::from(point[k]));
            let djpt = f64::from(self.points[b].jpt) - f64::from(self.points[a].jpt);
            hull.v[k].djpt = djpt;
            hull.v[k].slope = ((f64::from(self.points[a].lat) - f64::from(self.points[b].lat)) / djpt) as f32;
        }
        hull.len = len as u8;
        hull.base_jpt = if len > 0 {
            self.points[usize::from(point[0])].jpt
        } else {
            0.0
        };
        hull
    }

    fn sleep_substitute(&self, p: usize) -> usize {
        let mut best = p;
        for q in 0..=self.plan_count() {
            let cheaper = self.points[q].jpt <= self.points[p].jpt && self.points[q].power <= self.points[p].power;
            if !cheaper || self.points[q].link_pjb >= self.points[p].link_pjb {
                continue;
            }
            let better = best == p
                || self.points[q].link_pjb < self.points[best].link_pjb
                || (self.points[q].link_pjb == self.points[best].link_pjb
                    && self.points[q].lat < self.points[best].lat);
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

    #[inline]
    pub fn jpt(&self, p: usize) -> f32 {
        self.points[p].jpt
    }

    #[inline]
    pub fn lat_ms(&self, p: usize) -> f32 {
        self.points[p].lat
    }

    #[inline]
    pub fn power_w(&self, p: usize) -> f32 {
        self.points[p].power
    }

    #[inline]
    pub fn link_pj_per_bit(&self, p: usize) -> f32 {
        self.points[p].link_pjb
    }

    #[inline]
    pub fn class(&self, p: usize) -> PlanClass {
        self.points[p].class
    }

    /// The accounting's view of point `p`.
    #[inline]
    pub(crate) fn info(&self, p: usize) -> PointInfo {
        let q = &self.points[p];
        PointInfo {
            plan: if p == self.fallback_point() {
                FALLBACK_PLAN
            } else {
                p as u8
            },
            class: q.class,
            jpt: q.jpt,
            lat: q.lat,
            link_pjb: q.link_pjb,
        }
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
        usize::from(self.points[p].sleep_sub)
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
    base_jpt: 0.0,
    v: [NO_VERTEX; MAX_POINTS],
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
