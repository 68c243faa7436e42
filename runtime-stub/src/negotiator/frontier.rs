//! Per-op frontier prepared once from a decoded table, so the tick touches only flat arrays: the points
//! (plans + fallback), each op's lower convex hull in (energy, latency) for the contract policy, the hull of the
//! thermally allowed points, plan classes A/B/C, and the link guard's sleep substitute for every point.
//!
//! The hull does not depend on the op's tokens or SLO weight: scaling energy by tokens and latency by the weight
//! is a positive scaling of both axes, which keeps the same vertices. That is why it can be built here and not
//! in the tick.
//!
//! Layout (the tick visits frontiers in random op order, so what it reads per op is packed into few cache lines):
//! a [`Frontier`] is its normal [`Hull`], its thermal hull, then the points (1,216 bytes in all). A hull is 7 cache
//! lines: line 0 holds the 16 slope-log lanes both tick passes read (the preparation pass to bucket upgrades, the
//! final pass to compare against its threshold), a mask of the real lanes, the hull length and copies of the
//! frontier fields the tick reads per op (thermal limit, link factors and budget); lines 1–2 the upgrade energies (f64
//! differences of the points' f32 J/token, exact, so the decisions sum what the accounting sums) read by the
//! preparation pass; lines 3–6 one 16-byte record per vertex (J/token, latency, link pJ/bit, point, plan, class), of
//! which the final pass reads the one it chose. The thermal hull is read only while the thermal guard holds.

use super::guards;
use super::inputs::FALLBACK_PLAN;
use super::logscale;
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

/// What the tick's final pass reads about the vertex it chose: 16 bytes, so one load of one cache line.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C)]
struct VertexOut {
    jpt: f32,
    lat: f32,
    link_pjb: f32,
    /// Frontier point index.
    point: u8,
    /// `Choice::plan`: the point index, or `FALLBACK_PLAN`.
    plan: u8,
    class: PlanClass,
}

const NO_VERTEX: VertexOut = VertexOut {
    jpt: 0.0,
    lat: 0.0,
    link_pjb: 0.0,
    point: 0,
    plan: FALLBACK_PLAN,
    class: PlanClass::Fallback,
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

/// Slope log of lane 0 and of every lane of a hull without upgrades: below every real one (real slope logs are
/// clamped to `i16::MIN + 1 ..= MAX_SLOPE`).
pub(super) const NO_SLOPE: i16 = i16::MIN;

/// Highest slope log: one bucket (8 units) below `i16::MAX`, so a threshold one bucket below a saturated one still
/// lies above every real slope log (the final pass derives one from the other with a saturating subtract).
pub(super) const MAX_SLOPE: i32 = i16::MAX as i32 - 8;

/// The first cache line of a hull: everything the tick reads for every op before it knows which vertex it takes.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C, align(64))]
struct HullHead {
    /// `slope_log[k]` for 1 ≤ k < len: 512 · log2 of the latency saved per J/token moving up to vertex k (ms per
    /// J/token, see `logscale`), non-increasing along the hull (that is convexity, enforced against rounding).
    /// Lanes k ≥ len (when len ≥ 2) continue downwards one bucket per lane, so the preparation pass can run a fixed
    /// number of lanes (their energy is 0.0, added to buckets no upgrade of the op shares, so no store-to-load
    /// chain); the final pass masks them out with `valid`. Lane 0 and hulls without upgrades hold [`NO_SLOPE`].
    slope_log: [i16; 16],
    /// The frontier's link fields as the tick uses them per op (see `guards::link_energy_of`), so it reads them
    /// from this line with no conversion: link J per token per pJ/bit (bits per token × 1e-12), the op's link budget
    /// (pJ/bit), and their product, the op's budget in J per token when the rack sets none tighter (0 without
    /// traffic, sparing 0 × ∞).
    link_j_per_token_pjb: f64,
    link_budget_pjb: f64,
    link_budget_j_per_token: f64,
    max_temp_delta_100ms: f32,
    /// Bits 1..len: the lanes of `slope_log` that are real upgrades.
    valid: u16,
    len: u8,
}

/// A lower convex hull over some of a frontier's points, cheapest first, laid out for the tick: its first line
/// (`HullHead`) holds the slope logs, the next two the upgrade energies the preparation pass adds to the
/// histogram, the last four what the final pass reads about the one vertex it takes. 448 bytes, 7 lines.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Hull {
    head: HullHead,
    /// `energy[0]` = J/token of vertex 0; `energy[k]` = `jpt[k] − jpt[k−1]` in f64 from the points' f32 values
    /// (exact), the extra energy per token of moving up to vertex k.
    energy: [f64; 16],
    out: [VertexOut; 16],
}

impl Hull {
    pub fn len(&self) -> usize {
        usize::from(self.head.len)
    }

    pub fn is_empty(&self) -> bool {
        self.head.len == 0
    }

    /// Frontier point index of vertex `k`.
    #[inline]
    pub fn point(&self, k: usize) -> usize {
        usize::from(self.out[k].point)
    }

    /// J/token of the cheapest vertex.
    #[inline]
    pub fn base_jpt(&self) -> f64 {
        self.energy[0]
    }

    /// Extra J/token of moving from vertex `k − 1` to `k` (k ≥ 1).
    #[inline]
    pub fn djpt(&self, k: usize) -> f64 {
        self.energy[k]
    }

    /// 512 · log2 of the latency saved per J/token moving up to vertex `k` (1 ≤ k < len), clamped to about ±64
    /// octaves (`i16::MIN + 1 ..= MAX_SLOPE`).
    #[inline]
    pub fn slope_log(&self, k: usize) -> i16 {
        self.head.slope_log[k]
    }

    /// `energies()[k]` = [`Hull::djpt`] for k ≥ 1, [`Hull::base_jpt`] for k = 0.
    #[inline]
    pub(super) fn energies(&self) -> &[f64; 16] {
        &self.energy
    }

    /// Bits 1..len: the real upgrades among the slope-log lanes.
    #[inline]
    pub(super) fn valid_lanes(&self) -> u32 {
        u32::from(self.head.valid)
    }

    /// All 16 slope-log lanes (see [`HullHead`]).
    #[inline]
    pub(super) fn slope_logs(&self) -> &[i16; 16] {
        &self.head.slope_log
    }

    /// The final pass's view of vertex `k`, returned as (point, `PointInfo`).
    #[inline]
    pub(super) fn vertex(&self, k: usize) -> (u8, PointInfo) {
        let v = &self.out[k & 15];
        (
            v.point,
            PointInfo {
                plan: v.plan,
                class: v.class,
                jpt: v.jpt,
                lat: v.lat,
                link_pjb: v.link_pjb,
            },
        )
    }

    #[inline]
    pub(super) fn max_temp_delta_100ms(&self) -> f32 {
        self.head.max_temp_delta_100ms
    }

    #[inline]
    pub(super) fn link_j_per_token_pjb(&self) -> f64 {
        self.head.link_j_per_token_pjb
    }

    #[inline]
    pub(super) fn link_budget_pjb(&self) -> f64 {
        self.head.link_budget_pjb
    }

    #[inline]
    pub(super) fn link_budget_j_per_token(&self) -> f64 {
        self.head.link_budget_j_per_token
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
// Layout for the tick, which visits frontiers in random op order: the normal hull first (its head line is the one
// line every op reads), the thermal hull (read only while the guard holds), then the points, which only the seed
// policy, the fallback paths and the link guard read.
#[derive(Copy, Clone, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Frontier {
    hull: Hull,
    thermal_hull: Hull,
    points: [Point; MAX_POINTS],
    n_plans: u8,
    /// Bit p set when point p is allowed under the thermal guard.
    thermal_mask: u16,
    link_bits_per_token: f32,
}

impl Frontier {
    /// Prepares the frontier of a validated table op.
    pub fn from_op(op: &OpView<'_>) -> Frontier {
        let mut f = Frontier {
            hull: EMPTY_HULL,
            thermal_hull: EMPTY_HULL,
            points: [NO_POINT; MAX_POINTS],
            n_plans: 0,
            thermal_mask: 0,
            link_bits_per_token: 0.0,
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
        let header = op.header();
        f.link_bits_per_token = header.link_bits_per_token;
        let head = |hull: &mut Hull| {
            let j_per_pjb = f64::from(header.link_bits_per_token) * guards::PJ;
            let budget = f64::from(header.link_budget_pj_per_bit);
            hull.head.max_temp_delta_100ms = header.max_temp_delta_100ms;
            hull.head.link_j_per_token_pjb = j_per_pjb;
            hull.head.link_budget_pjb = budget;
            hull.head.link_budget_j_per_token = if j_per_pjb > 0.0 { j_per_pjb * budget } else { 0.0 };
        };
        let all = (1u16 << (n + 1)) - 1;
        f.hull = f.build_hull(all);
        head(&mut f.hull);
        // Under the thermal guard only the lowest-power plan(s) run — the source's "switch to plan C" — plus the
        // fallback when it draws no more than they do.
        let min_power = f.points[..n].iter().map(|p| p.power).fold(f32::INFINITY, f32::min);
        f.thermal_mask = (0..=n)
            .filter(|&p| f.points[p].power <= min_power)
            .fold(0, |m, p| m | 1 << p);
        f.thermal_hull = f.build_hull(f.thermal_mask);
        head(&mut f.thermal_hull);
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
        for (k, &p) in point[..len].iter().enumerate() {
            let info = self.info(usize::from(p));
            hull.out[k] = VertexOut {
                jpt: info.jpt,
                lat: info.lat,
                link_pjb: info.link_pjb,
                point: p,
                plan: info.plan,
                class: info.class,
            };
        }
        if len > 0 {
            hull.energy[0] = f64::from(self.points[usize::from(point[0])].jpt);
        }
        for k in 1..len {
            let (a, b) = (usize::from(point[k - 1]), usize::from(point[k]));
            let djpt = f64::from(self.points[b].jpt) - f64::from(self.points[a].jpt);
            hull.energy[k] = djpt;
            let slope = (f64::from(self.points[a].lat) - f64::from(self.points[b].lat)) / djpt;
            let log = logscale::log2_precise(slope).clamp(i32::from(NO_SLOPE) + 1, MAX_SLOPE) as i16;
            // Non-increasing even where rounding in the convexity test let a slope rise by an ulp: the tick's
            // per-op prefixes rely on it.
            hull.head.slope_log[k] = if k > 1 {
                log.min(hull.head.slope_log[k - 1])
            } else {
                log
            };
        }
        if len >= 2 {
            // Padding lanes: one bucket (8 units) further down per lane, floored at the lowest real slope log.
            let mut pad = i32::from(hull.head.slope_log[len - 1]);
            for lane in &mut hull.head.slope_log[len..] {
                pad = (pad - 8).max(i32::from(NO_SLOPE) + 1);
                *lane = pad as i16;
            }
        }
        hull.head.valid = if len >= 2 { ((1u32 << len) - 2) as u16 } else { 0 };
        hull.head.len = len as u8;
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
        self.hull.max_temp_delta_100ms()
    }

    pub fn link_budget_pj_per_bit(&self) -> f32 {
        self.hull.link_budget_pjb() as f32
    }

    pub fn link_bits_per_token(&self) -> f32 {
        self.link_bits_per_token
    }
}

const EMPTY_HULL: Hull = Hull {
    head: HullHead {
        slope_log: [NO_SLOPE; 16],
        link_j_per_token_pjb: 0.0,
        link_budget_pjb: 0.0,
        link_budget_j_per_token: 0.0,
        max_temp_delta_100ms: 0.0,
        valid: 0,
        len: 0,
    },
    energy: [0.0; 16],
    out: [NO_VERTEX; 16],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache-line layout the tick's cost depends on (module docs): a 64-byte head line, 7-line hulls, 16-byte
    /// vertex records that never straddle a line.
    #[test]
    fn layout_is_what_the_tick_expects() {
        assert_eq!(core::mem::size_of::<HullHead>(), 64);
        assert_eq!((core::mem::size_of::<Hull>(), core::mem::align_of::<Hull>()), (448, 64));
        assert_eq!(core::mem::size_of::<VertexOut>(), 16);
        assert_eq!(core::mem::offset_of!(Hull, out) % 64, 0);
        assert_eq!(core::mem::size_of::<Frontier>(), 1216);
    }
}
