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
    /// Not priced yet (only while building).
    Unpriced,
    Feasible,
    /// The pricer returned a NaN, infinite or negative cost (kept in the cost columns).
    InvalidCost,
    /// Rejected by the pricer; the reason is `rejected[k]`.
    Rejected(u16),
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

/// Collects a kernel's points in any order ([`PricedBuilder::set`]) or index order ([`PricedBuilder::push`]);
/// [`PricedBuilder::finish`] checks that every one of the 720 came.
pub struct PricedBuilder<R> {
    axes: Axes,
    costs: CostTable,
    status: Vec<Status>,
    rejected: Vec<R>,
    pushed: usize,
}

impl<R: PartialEq> PricedBuilder<R> {
    pub fn new(axes: &Axes) -> PricedBuilder<R> {
        let n = POINTS_PER_KERNEL;
        // Copies of constant columns (a `memcpy` each) rather than `vec![x; n]`'s element-by-element fill.
        const NAN_COLUMN: [f64; POINTS_PER_KERNEL] = [f64::NAN; POINTS_PER_KERNEL];
        const UNPRICED_COLUMN: [Status; POINTS_PER_KERNEL] = [Status::Unpriced; POINTS_PER_KERNEL];
        PricedBuilder {
            axes: axes.clone(),
            costs: CostTable {
                jpt: NAN_COLUMN.to_vec(),
                lat_ms: NAN_COLUMN.to_vec(),
                power_w: NAN_COLUMN.to_vec(),
                link_pj_per_bit: NAN_COLUMN.to_vec(),
                feasible: Vec::with_capacity(n),
            },
            status: UNPRICED_COLUMN.to_vec(),
            rejected: Vec::new(),
            pushed: 0,
        }
    }

    /// The outcome of point `index`, as a pricer returns it (an invalid cost becomes infeasible, as in
    /// [`Evaluated::new`]).
    #[inline]
    pub fn set(&mut self, index: usize, priced: Result<Cost, R>) {
        match priced {
            Ok(c) => self.set_cost(index, c),
            Err(r) => self.set_rejected(index, r),
        }
    }

    /// Point `index` priced at `c` (feasible unless `c` is invalid).
    #[inline(always)]
    pub fn set_cost(&mut self, index: usize, c: Cost) {
        self.costs.jpt[index] = c.est_jpt;
        self.costs.lat_ms[index] = c.est_lat_ms;
        self.costs.power_w[index] = c.est_power_w;
        self.costs.link_pj_per_bit[index] = c.link_pj_per_bit;
        self.status[index] = if c.is_finite_nonnegative() {
            Status::Feasible
        } else {
            Status::InvalidCost
        };
    }

    /// Point `index` rejected for `reason`.
    #[inline]
    pub fn set_rejected(&mut self, index: usize, reason: R) {
        // Rejections come in runs with one reason (a variant or precision the kernel cannot use): store each
        // distinct run once.
        if self.rejected.last() != Some(&reason) {
            self.rejected.push(reason);
        }
        self.status[index] = Status::Rejected((self.rejected.len() - 1) as u16);
    }

    /// Points `first + stride·j` for `j < N`: point `j` costs `columns[·][j]` (energy per token, latency, power,
    /// link pJ/bit) unless `rejected(j)` gives a reason. As [`PricedBuilder::set`] of each, in one pass over
    /// the columns.
    #[inline]
    pub fn set_strided<const N: usize>(
        &mut self,
        first: usize,
        stride: usize,
        columns: [&[f64; N]; 4],
        mut rejected: impl FnMut(usize) -> Option<R>,
    ) {
        let [jpt, lat_ms, power_w, link] = columns;
        let end = first + stride * N.saturating_sub(1);
        assert!(N == 0 || end < self.status.len(), "points {first}..={end} out of range");
        // `Cost::is_finite_nonnegative`, branch-free (`&`, not `&&`). LLVM rewrites `x < ∞` into a class test
        // of the bits (a dozen integer instructions); a bound it cannot see keeps the single comparison.
        let infinity = std::hint::black_box(f64::INFINITY);
        let ok = |x: f64| (x >= 0.0) & (x < infinity);
        for j in 0..N {
            let i = first + stride * j;
            match rejected(j) {
                Some(reason) => self.set_rejected(i, reason),
                None => {
                    self.costs.jpt[i] = jpt[j];
                    self.costs.lat_ms[i] = lat_ms[j];
                    self.costs.power_w[i] = power_w[j];
                    self.costs.link_pj_per_bit[i] = link[j];
                    self.status[i] = if ok(jpt[j]) & ok(lat_ms[j]) & ok(power_w[j]) & ok(link[j]) {
                        Status::Feasible
                    } else {
                        Status::InvalidCost
                    };
                }
            }
        }
    }

    /// Gives the points from `to` on the outcomes of the points in `from` (already set), in order.
    pub fn copy_points(&mut self, from: std::ops::Range<usize>, to: usize) {
        let n = from.len();
        let c = &mut self.costs;
        for column in [&mut c.jpt, &mut c.lat_ms, &mut c.power_w, &mut c.link_pj_per_bit] {
            column.copy_within(from.clone(), to);
        }
        self.status.copy_within(from, to);
        debug_assert!(
            !self.status[to..to + n].contains(&Status::Unpriced),
            "copied points must be priced"
        );
    }

    /// The next point's outcome, in index order.
    #[inline]
    pub fn push(&mut self, priced: Result<Cost, R>) {
        self.set(self.pushed, priced);
        self.pushed += 1;
    }

    pub fn finish(mut self) -> Priced<R> {
        let status = self.status;
        // The feasible indices in order, branch-free: each index is written at the end and kept by advancing
        // past it when feasible (feasibility is as unpredictable as the costs). The same pass notes whether a
        // point was never priced (a bug, reported below).
        let feasible = &mut self.costs.feasible;
        feasible.clear();
        feasible.resize(status.len(), 0);
        let mut n = 0;
        let mut unpriced = false;
        for (i, s) in status.iter().enumerate() {
            feasible[n] = i as u16;
            // `matches!` tests the tag alone; the derived `==` branched on it.
            n += usize::from(matches!(s, Status::Feasible));
            unpriced |= matches!(s, Status::Unpriced);
        }
        if unpriced {
            let i = status.iter().position(|s| *s == Status::Unpriced).expect("seen above");
            panic!("point {i} was never priced");
        }
        feasible.truncate(n);
        let fastest = crate::frontier::fastest_in(&self.costs);
        // The fallback does not depend on the SLO: chosen once here, from the recompute points (every fifth).
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
            Status::Unpriced => unreachable!("`PricedBuilder::finish` checks every point was priced"),
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
