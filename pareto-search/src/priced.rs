//! One kernel's priced points as columns (struct of arrays): what pricing writes and pruning reads.
//!
//! A kernel has 720 points and a module prices hundreds of kernels, so the search keeps costs in flat `f64`
//! columns indexed by point index, the feasible indices in a list, and each rejected point's reason in a side
//! vector, instead of one 720-element vector of per-point records per kernel. Records ([`Evaluated`]) are made
//! on demand, for the points CSV and the frontier JSON.

use crate::cost::{Cost, Evaluated, Infeasible};
use crate::space::{Axes, MEMORY_VARIANTS, POINTS_PER_KERNEL};

/// Costs by point index and the feasible indices: everything the pruning rules and the fallback read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostTable {
    pub jpt: Vec<f64>,
    pub lat_ms: Vec<f64>,
    pub power_w: Vec<f64>,
    pub link_pj_per_bit: Vec<f64>,
    /// Indices of the feasible points, increasing.
    pub feasible: Vec<u16>,
}

impl CostTable {
    /// An empty table with room for one kernel's points.
    pub fn with_capacity(n: usize) -> CostTable {
        CostTable {
            jpt: Vec::with_capacity(n),
            lat_ms: Vec::with_capacity(n),
            power_w: Vec::with_capacity(n),
            link_pj_per_bit: Vec::with_capacity(n),
            feasible: Vec::with_capacity(n),
        }
    }

    /// The cost stored at point `i` (meaningful for feasible points and invalid costs).
    #[inline]
    pub fn cost(&self, i: u16) -> Cost {
        let i = usize::from(i);
        Cost {
            est_jpt: self.jpt[i],
            est_lat_ms: self.lat_ms[i],
            est_power_w: self.power_w[i],
            link_pj_per_bit: self.link_pj_per_bit[i],
        }
    }

    /// Appends the next point's cost (`None`: no cost, the point is rejected); feasible when `feasible`.
    #[inline]
    fn push(&mut self, cost: Option<Cost>, feasible: bool) {
        let c = cost.unwrap_or(Cost::new(f64::NAN, f64::NAN));
        let i = self.jpt.len();
        self.jpt.push(c.est_jpt);
        self.lat_ms.push(c.est_lat_ms);
        self.power_w.push(c.est_power_w);
        self.link_pj_per_bit.push(c.link_pj_per_bit);
        if feasible {
            self.feasible.push(i as u16);
        }
    }

    /// A table of arbitrary `(index, cost)` feasible points (indices increasing), e.g. from [`crate::feasible`].
    pub fn from_feasible(feasible: &[(u16, Cost)]) -> CostTable {
        let n = feasible.iter().map(|(i, _)| usize::from(*i) + 1).max().unwrap_or(0);
        let mut t = CostTable {
            jpt: vec![f64::NAN; n],
            lat_ms: vec![f64::NAN; n],
            power_w: vec![f64::NAN; n],
            link_pj_per_bit: vec![f64::NAN; n],
            feasible: Vec::with_capacity(feasible.len()),
        };
        for &(i, c) in feasible {
            let at = usize::from(i);
            t.jpt[at] = c.est_jpt;
            t.lat_ms[at] = c.est_lat_ms;
            t.power_w[at] = c.est_power_w;
            t.link_pj_per_bit[at] = c.link_pj_per_bit;
            t.feasible.push(i);
        }
        t
    }

    /// The table of evaluated points (position = point index).
    pub fn from_evaluated<R>(evaluated: &[Evaluated<R>]) -> CostTable {
        let mut t = CostTable::with_capacity(evaluated.len());
        for e in evaluated {
            let c = e.cost();
            t.push(c, c.is_some());
        }
        t
    }
}

/// What became of a point.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Status {
    Feasible,
    /// The pricer returned a NaN, infinite or negative cost (kept in the cost columns).
    InvalidCost,
    /// Rejected by the pricer; the reason is `rejected[k]`.
    Rejected(u16),
}

/// `a` against `b` in `total_cmp` order, a plain comparison first (the last key of a comparison chain).
#[inline(always)]
fn total_then_last(a: f64, b: f64) -> std::cmp::Ordering {
    crate::prune::total_then(a, b, || std::cmp::Ordering::Equal)
}

/// A kernel's 720 priced points (index order), its feasible ones and its fastest feasible cost.
#[derive(Clone, Debug)]
pub struct Priced<R> {
    axes: Axes,
    costs: CostTable,
    status: Vec<Status>,
    rejected: Vec<R>,
    fastest: Option<Cost>,
    fallback: Option<u16>,
}

/// Collects a kernel's points in index order ([`PricedBuilder::push`] and its variants), so that the columns are
/// appended to and the feasible list is built as the points come; [`PricedBuilder::finish`] checks that all 720
/// came.
pub struct PricedBuilder<R> {
    axes: Axes,
    costs: CostTable,
    status: Vec<Status>,
    rejected: Vec<R>,
    /// Feasible indices so far are `costs.feasible[..feasible_len]` (the list is kept at full length so that
    /// appending is a store and an add, with no branch on the point's feasibility).
    feasible_len: usize,
    /// The fastest feasible point so far, as [`crate::frontier::fastest_in`] picks it, with its latency.
    fastest: Option<u16>,
    fastest_lat_ms: f64,
}

impl<R: PartialEq> PricedBuilder<R> {
    pub fn new(axes: &Axes) -> PricedBuilder<R> {
        let n = POINTS_PER_KERNEL;
        // Copies of a constant column (a `memcpy` each) rather than `vec![x; n]`'s element-by-element fill: a
        // rejected point's costs are NaN, and the others are written in place.
        const NAN_COLUMN: [f64; POINTS_PER_KERNEL] = [f64::NAN; POINTS_PER_KERNEL];
        PricedBuilder {
            axes: axes.clone(),
            costs: CostTable {
                jpt: NAN_COLUMN.to_vec(),
                lat_ms: NAN_COLUMN.to_vec(),
                power_w: NAN_COLUMN.to_vec(),
                link_pj_per_bit: NAN_COLUMN.to_vec(),
                feasible: vec![0; n],
            },
            status: Vec::with_capacity(n),
            rejected: Vec::new(),
            feasible_len: 0,
            fastest: None,
            fastest_lat_ms: f64::INFINITY,
        }
    }

    /// Points so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// The next point's outcome, as a pricer returns it (an invalid cost becomes infeasible, as in
    /// [`Evaluated::new`]).
    #[inline]
    pub fn push(&mut self, priced: Result<Cost, R>) {
        match priced {
            Ok(c) => self.push_cost(c),
            Err(r) => self.push_rejected(r),
        }
    }

    /// The next point, priced at `c` (feasible unless `c` is invalid).
    #[inline(always)]
    pub fn push_cost(&mut self, c: Cost) {
        let i = self.len();
        // `Cost::is_finite_nonnegative`, branch-free (`&`, not `&&`). LLVM rewrites `x < ∞` into a class test of
        // the bits (a dozen integer instructions); a bound it cannot see keeps the single comparison.
        let infinity = std::hint::black_box(f64::INFINITY);
        let ok = |x: f64| (x >= 0.0) & (x < infinity);
        let feasible = ok(c.est_jpt) & ok(c.est_lat_ms) & ok(c.est_power_w) & ok(c.link_pj_per_bit);
        // Out of range (a 721st point) panics here, before anything is written.
        self.costs.jpt[i] = c.est_jpt;
        self.costs.lat_ms[i] = c.est_lat_ms;
        self.costs.power_w[i] = c.est_power_w;
        self.costs.link_pj_per_bit[i] = c.link_pj_per_bit;
        self.status.push(if feasible {
            Status::Feasible
        } else {
            Status::InvalidCost
        });
        // Written always, kept by advancing past it (feasibility is as unpredictable as the costs).
        self.costs.feasible[self.feasible_len] = i as u16;
        self.feasible_len += usize::from(feasible);
        // The fastest point: latency, then energy in `total_cmp` order, then index (points come in index order,
        // so a tie keeps the earlier). Asked first whether it is at least as fast as the best so far: rarely,
        // so the branch predicts well (a NaN latency never is, nor is it feasible).
        if c.est_lat_ms <= self.fastest_lat_ms && feasible {
            let better = match self.fastest {
                None => true,
                Some(b) => {
                    let b = usize::from(b);
                    let (lat, jpt) = (self.costs.lat_ms[b], self.costs.jpt[b]);
                    crate::prune::total_then(c.est_lat_ms, lat, || total_then_last(c.est_jpt, jpt)).is_lt()
                }
            };
            if better {
                self.fastest = Some(i as u16);
                self.fastest_lat_ms = c.est_lat_ms;
            }
        }
    }

    /// The next point, rejected for `reason` (its cost columns stay NaN).
    #[inline(always)]
    pub fn push_rejected(&mut self, reason: R) {
        let k = self.intern(reason);
        self.push_rejected_as(k);
    }

    /// The index under which [`PricedBuilder::push_rejected_as`] refers to `reason`. Rejections come in runs
    /// with one reason (a precision the kernel cannot use): each run's reason is stored once.
    #[inline(always)]
    pub fn intern(&mut self, reason: R) -> u16 {
        if self.rejected.last() != Some(&reason) {
            self.new_reason(reason);
        }
        (self.rejected.len() - 1) as u16
    }

    /// The next point, rejected for the reason [`PricedBuilder::intern`] returned `k` for.
    #[inline(always)]
    pub fn push_rejected_as(&mut self, k: u16) {
        assert!(self.len() < POINTS_PER_KERNEL, "more than {POINTS_PER_KERNEL} points");
        assert!(usize::from(k) < self.rejected.len(), "reason {k} was not interned");
        self.status.push(Status::Rejected(k));
    }

    #[cold]
    #[inline(never)]
    fn new_reason(&mut self, reason: R) {
        self.rejected.push(reason);
    }

    /// The next `from.len()` points get the outcomes of the points in `from` (already pushed), in order.
    pub fn push_copy(&mut self, from: std::ops::Range<usize>) {
        let to = self.len();
        assert!(
            from.end <= to && to + from.len() <= POINTS_PER_KERNEL,
            "copy {from:?} to {to}"
        );
        let c = &mut self.costs;
        for column in [&mut c.jpt, &mut c.lat_ms, &mut c.power_w, &mut c.link_pj_per_bit] {
            column.copy_within(from.clone(), to);
        }
        self.status.extend_from_within(from.clone());
        // The copied range's feasible indices, shifted (the list is sorted, so they are one run of it).
        let listed = &c.feasible[..self.feasible_len];
        let lo = listed.partition_point(|&i| usize::from(i) < from.start);
        let hi = listed.partition_point(|&i| usize::from(i) < from.end);
        let shift = (to - from.start) as u16;
        for k in lo..hi {
            c.feasible[self.feasible_len + k - lo] = c.feasible[k] + shift;
        }
        self.feasible_len += hi - lo;
    }

    pub fn finish(mut self) -> Priced<R> {
        let pushed = self.len();
        if pushed != POINTS_PER_KERNEL {
            panic!("point {pushed} was never priced");
        }
        self.costs.feasible.truncate(self.feasible_len);
        // Copied points (`push_copy`) tie with their earlier originals, so they never became the fastest.
        let fastest = self.fastest.map(|i| self.costs.cost(i));
        debug_assert_eq!(fastest, crate::frontier::fastest_in(&self.costs));
        // The fallback does not depend on the SLO: chosen once here, from the recompute points (every fifth).
        let status = self.status;
        let recompute = (crate::frontier::recompute_variant()..status.len())
            .step_by(MEMORY_VARIANTS.len())
            .filter(|&i| matches!(status[i], Status::Feasible))
            .map(|i| i as u16);
        let fallback = crate::frontier::fallback_among(&self.costs, recompute);
        Priced {
            axes: self.axes,
            costs: self.costs,
            status,
            rejected: self.rejected,
            fastest,
            fallback,
        }
    }
}

impl<R: PartialEq> Priced<R> {
    /// Points from records in index order (as [`crate::evaluate`] returns them).
    pub fn from_evaluated(axes: &Axes, evaluated: Vec<Evaluated<R>>) -> Priced<R> {
        let mut b = PricedBuilder::new(axes);
        for (i, e) in evaluated.into_iter().enumerate() {
            assert_eq!(usize::from(e.point.index), i, "points must come in index order");
            match e.outcome {
                Ok(c) => b.push(Ok(c)),
                // Never finite and non-negative, so `push` marks it invalid again.
                Err(Infeasible::InvalidCost(c)) => b.push(Ok(c)),
                Err(Infeasible::Rejected(r)) => b.push(Err(r)),
            }
        }
        b.finish()
    }
}

impl<R> Priced<R> {
    /// Points per kernel (720).
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    pub fn axes(&self) -> &Axes {
        &self.axes
    }

    /// The cost columns and feasible indices.
    pub fn costs(&self) -> &CostTable {
        &self.costs
    }

    /// Feasible point indices, increasing.
    pub fn feasible(&self) -> &[u16] {
        &self.costs.feasible
    }

    /// The fastest feasible cost (ties: lower energy, then lower index); `None` when nothing is feasible.
    pub fn fastest(&self) -> Option<Cost> {
        self.fastest
    }

    /// The fallback's point (`frontier::fallback`'s choice), `None` when no recompute point is feasible.
    pub fn fallback(&self) -> Option<u16> {
        self.fallback
    }

    /// The cost of point `i` when it is feasible.
    pub fn cost(&self, i: u16) -> Option<Cost> {
        (self.status[usize::from(i)] == Status::Feasible).then(|| self.costs.cost(i))
    }
}

impl<R: Clone> Priced<R> {
    /// The record of point `i`.
    pub fn get(&self, i: usize) -> Evaluated<R> {
        let point = self.axes.point(i);
        let outcome = match self.status[i] {
            Status::Feasible => Ok(self.costs.cost(i as u16)),
            Status::InvalidCost => Err(Infeasible::InvalidCost(self.costs.cost(i as u16))),
            Status::Rejected(k) => Err(Infeasible::Rejected(self.rejected[usize::from(k)].clone())),
        };
        Evaluated { point, outcome }
    }

    /// Every point's record, in index order.
    pub fn iter(&self) -> impl Iterator<Item = Evaluated<R>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontier::evaluate;
    use riir_dialect::LinkState;

    fn axes() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    #[test]
    fn records_round_trip_through_the_columns() {
        let ev = evaluate(&axes(), |p| match p.index % 3 {
            0 => Ok(Cost::new(p.index as f64, 1.0 / (1.0 + p.index as f64))),
            1 => Ok(Cost::new(-1.0, 2.0)), // invalid: negative energy
            _ => Err(format!("rejected {}", p.index)),
        });
        let priced = Priced::from_evaluated(&axes(), ev.clone());
        assert_eq!(priced.len(), 720);
        let back: Vec<Evaluated<String>> = priced.iter().collect();
        assert_eq!(back, ev);
        assert_eq!(priced.feasible().len(), 240);
        assert!(priced.feasible().iter().all(|i| i % 3 == 0));
        assert_eq!(priced.cost(3), Some(Cost::new(3.0, 0.25)));
        assert_eq!(priced.cost(4), None, "an invalid cost is not feasible");
        assert_eq!(priced.fastest(), Some(Cost::new(717.0, 1.0 / 718.0)));
        // The fallback chosen from the statuses is the one chosen from the table.
        assert_eq!(priced.fallback(), crate::frontier::fallback_in(priced.costs()));
        assert!(priced.fallback().is_some());
    }

    #[test]
    fn the_fastest_point_tracked_while_pushing_is_fastest_in_of_the_table() {
        // Ties everywhere (few levels), ±0, infinities, NaNs and negative values (invalid, so never feasible,
        // though a negative latency or -NaN sorts before every valid one), and a precision copied from the
        // previous one as `price_kernel` does (copies tie with their originals).
        let levels = [0.0, -0.0, 1.0, 1.0, 2.0, 0.5, f64::INFINITY, f64::NAN, -f64::NAN, -1.0];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let mut b = PricedBuilder::<&str>::new(&axes());
            for i in 0..POINTS_PER_KERNEL {
                if round % 2 == 1 && (180..360).contains(&i) {
                    if i == 180 {
                        b.push_copy(0..180);
                    }
                    continue;
                }
                let mut next = || {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    levels[(state % levels.len() as u64) as usize]
                };
                let (jpt, lat) = (next(), next());
                if jpt == 0.5 {
                    b.push_rejected("no");
                } else {
                    b.push_cost(Cost::new(jpt, lat));
                }
            }
            let priced = b.finish();
            assert_eq!(
                priced.fastest(),
                crate::frontier::fastest_in(priced.costs()),
                "round {round}"
            );
            let listed: Vec<u16> = (0..720u16).filter(|&i| priced.cost(i).is_some()).collect();
            assert_eq!(priced.feasible(), listed.as_slice(), "round {round}");
        }
    }

    #[test]
    #[should_panic(expected = "point 719 was never priced")]
    fn a_kernel_missing_a_point_is_a_bug_not_a_result() {
        let mut b = PricedBuilder::<&str>::new(&axes());
        for _ in 0..719 {
            b.push(Ok(Cost::new(1.0, 1.0)));
        }
        b.finish();
    }

    #[test]
    fn a_table_from_feasible_pairs_keeps_their_costs() {
        let t = CostTable::from_feasible(&[(2, Cost::new(1.0, 2.0)), (9, Cost::new(3.0, 4.0))]);
        assert_eq!(t.feasible, vec![2, 9]);
        assert_eq!(t.cost(9), Cost::new(3.0, 4.0));
        assert_eq!(t.jpt.len(), 10);
    }
}
