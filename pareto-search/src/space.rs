//! The 720-point configuration space of one kernel: precision × SM clock × HBM bandwidth × link state × memory
//! variant (4 × 4 × 3 × 3 × 5), enumerated in one fixed order so point indices are stable across runs.

use riir_dialect::{LinkState, MemoryVariant, Precision};
use std::fmt;

/// The four precisions every kernel is searched at, in enumeration order.
pub const PRECISIONS: [Precision; 4] = [Precision::Fp16, Precision::Bf16, Precision::Fp8, Precision::Fp4];

/// The five memory variants (see `memory.rs` for what each does), in enumeration order.
pub const MEMORY_VARIANTS: [MemoryVariant; 5] = [
    MemoryVariant::Baseline,
    MemoryVariant::Prefetch,
    MemoryVariant::ReuseLowBytes,
    MemoryVariant::SramPinned,
    MemoryVariant::Recompute,
];

/// Points per kernel: 4 precisions × 4 SM clocks × 3 HBM settings × 3 link states × 5 memory variants.
pub const POINTS_PER_KERNEL: usize = 4 * 4 * 3 * 3 * 5;

/// The SKU-dependent levels of the space. Precisions and memory variants are the same for every SKU.
#[derive(Clone, Debug, PartialEq)]
pub struct Axes {
    /// SM clock levels, MHz, in the order the SKU file lists them.
    pub sm_mhz: [u32; 4],
    /// HBM bandwidth settings, TB/s.
    pub hbm_bw_tbps: [f64; 3],
    /// Link states the SKU's scale-out links can be parked in.
    pub links: [LinkState; 3],
}

/// Why a set of levels cannot define a search space.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AxesError {
    #[error("SM clock levels must be positive and distinct, got {0:?}")]
    SmClocks([u32; 4]),
    #[error("HBM bandwidth levels must be finite, positive and distinct, got {0:?}")]
    HbmLevels([f64; 3]),
    #[error("link states must be distinct, got {0:?}")]
    Links([LinkState; 3]),
}

impl Axes {
    /// Checks the levels: positive, finite and distinct (a repeated level would enumerate duplicate points).
    pub fn new(sm_mhz: [u32; 4], hbm_bw_tbps: [f64; 3], links: [LinkState; 3]) -> Result<Axes, AxesError> {
        if sm_mhz.contains(&0) || !all_distinct(&sm_mhz) {
            return Err(AxesError::SmClocks(sm_mhz));
        }
        let hbm_ok =
            hbm_bw_tbps.iter().all(|b| b.is_finite() && *b > 0.0) && all_distinct(&hbm_bw_tbps.map(f64::to_bits));
        if !hbm_ok {
            return Err(AxesError::HbmLevels(hbm_bw_tbps));
        }
        if !all_distinct(&links) {
            return Err(AxesError::Links(links));
        }
        Ok(Axes {
            sm_mhz,
            hbm_bw_tbps,
            links,
        })
    }

    /// The point at `index` (0..720). Memory variant varies fastest, precision slowest.
    pub fn point(&self, index: usize) -> Point {
        assert!(index < POINTS_PER_KERNEL, "point index {index} out of range");
        let memory = index % 5;
        let link = (index / 5) % 3;
        let hbm = (index / 15) % 3;
        let sm = (index / 45) % 4;
        let precision = index / 180;
        Point {
            index: index as u16,
            precision: PRECISIONS[precision],
            sm_mhz: self.sm_mhz[sm],
            hbm_bw_tbps: self.hbm_bw_tbps[hbm],
            link: self.links[link],
            memory: MEMORY_VARIANTS[memory],
        }
    }

    /// All 720 points, in index order.
    pub fn points(&self) -> Vec<Point> {
        (0..POINTS_PER_KERNEL).map(|i| self.point(i)).collect()
    }
}

/// The precision of the point at `index` (precision varies slowest: 180 points each).
pub fn precision_of(index: u16) -> Precision {
    PRECISIONS[usize::from(index) / 180 % 4]
}

/// The memory variant of the point at `index` (it varies fastest).
pub fn memory_of(index: u16) -> MemoryVariant {
    MEMORY_VARIANTS[usize::from(index) % 5]
}

fn all_distinct<T: PartialEq>(xs: &[T]) -> bool {
    xs.iter().enumerate().all(|(i, x)| !xs[..i].contains(x))
}

/// One configuration of a kernel.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Point {
    /// Position in enumeration order (0..720); the final tie-breaker everywhere, so results never depend on
    /// the order threads finish in.
    pub index: u16,
    pub precision: Precision,
    pub sm_mhz: u32,
    pub hbm_bw_tbps: f64,
    pub link: LinkState,
    pub memory: MemoryVariant,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} MHz {} TB/s {} {}",
            self.precision, self.sm_mhz, self.hbm_bw_tbps, self.link, self.memory
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn h200_like() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    #[test]
    fn enumerates_exactly_720_distinct_points() {
        let axes = h200_like();
        let points = axes.points();
        assert_eq!(points.len(), 720);
        for (i, p) in points.iter().enumerate() {
            assert_eq!(p.index as usize, i);
            assert_eq!((precision_of(p.index), memory_of(p.index)), (p.precision, p.memory));
            let same = |q: &Point| {
                q.precision == p.precision
                    && q.sm_mhz == p.sm_mhz
                    && q.hbm_bw_tbps.to_bits() == p.hbm_bw_tbps.to_bits()
                    && q.link == p.link
                    && q.memory == p.memory
            };
            assert_eq!(points.iter().filter(|q| same(q)).count(), 1, "{p} appears twice");
        }
    }

    #[test]
    fn every_axis_level_appears_equally_often() {
        let points = h200_like().points();
        for p in PRECISIONS {
            assert_eq!(points.iter().filter(|q| q.precision == p).count(), 180);
        }
        for m in MEMORY_VARIANTS {
            assert_eq!(points.iter().filter(|q| q.memory == m).count(), 144);
        }
        for f in [1980, 1680, 1530, 1200] {
            assert_eq!(points.iter().filter(|q| q.sm_mhz == f).count(), 180);
        }
    }

    #[test]
    fn rejects_repeated_or_invalid_levels() {
        let links = [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep];
        assert!(matches!(
            Axes::new([1980, 1980, 1530, 1200], [4.8, 3.35, 2.1], links),
            Err(AxesError::SmClocks(_))
        ));
        assert!(matches!(
            Axes::new([1980, 1680, 1530, 0], [4.8, 3.35, 2.1], links),
            Err(AxesError::SmClocks(_))
        ));
        assert!(matches!(
            Axes::new([1980, 1680, 1530, 1200], [4.8, f64::NAN, 2.1], links),
            Err(AxesError::HbmLevels(_))
        ));
        assert!(matches!(
            Axes::new(
                [1980, 1680, 1530, 1200],
                [4.8, 3.35, 2.1],
                [LinkState::CpoActive, LinkState::CpoActive, LinkState::CpoSleep]
            ),
            Err(AxesError::Links(_))
        ));
    }
}
