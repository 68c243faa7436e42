//! What a model is asked about (a kernel's work at an operating point) and what it answers.
//!
//! Units are in the field names: `_s` seconds, `_us` microseconds, `_mhz`, `_tbps` (10¹² bytes/s), `_w`, bytes
//! and flops are counts. Counts are `f64` because shapes multiply past `u32` and traces carry them as decimals.

use crate::kinds::{KernelClass, LinkState, Precision};
use core::fmt;

/// One kernel's work, independent of how it is run.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct KernelWork {
    pub class: KernelClass,
    pub precision: Precision,
    /// Bytes moved to or from HBM.
    pub bytes_hbm: f64,
    /// Floating-point operations (a multiply-add counts 2).
    pub flops: f64,
    /// Time the kernel's scale-out links carry traffic, µs (0 for kernels without communication).
    pub link_active_us: f64,
    /// Bytes that must be resident in HBM while it runs (0 = not checked).
    pub footprint_bytes: f64,
}

impl KernelWork {
    /// A kernel with no link traffic and no footprint check.
    pub fn new(class: KernelClass, precision: Precision, bytes_hbm: f64, flops: f64) -> KernelWork {
        KernelWork {
            class,
            precision,
            bytes_hbm,
            flops,
            link_active_us: 0.0,
            footprint_bytes: 0.0,
        }
    }
}

/// How a kernel is run: the knobs the Pareto search turns.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct OperatingPoint {
    /// SM clock, MHz.
    pub sm_mhz: f64,
    /// HBM bandwidth setting, TB/s.
    pub hbm_bw_tbps: f64,
    /// State the links are parked in.
    pub link: LinkState,
}

/// A model's estimate for one kernel at one operating point.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Prediction {
    /// Energy of the whole kernel, joules.
    pub joules: f64,
    /// Wall-clock latency, seconds.
    pub latency_s: f64,
    /// The part of `joules` spent in the scale-out links (optics sit outside the board power limit).
    pub link_joules: f64,
}

impl Prediction {
    pub fn latency_us(&self) -> f64 {
        self.latency_s * 1e6
    }

    /// Average power over the kernel, links included, watts (0 for a zero-latency prediction).
    pub fn avg_power_w(&self) -> f64 {
        if self.latency_s > 0.0 {
            self.joules / self.latency_s
        } else {
            0.0
        }
    }

    /// Average power of the GPU board (links excluded), watts: what the board power limit constrains.
    pub fn board_power_w(&self) -> f64 {
        if self.latency_s > 0.0 {
            (self.joules - self.link_joules) / self.latency_s
        } else {
            0.0
        }
    }
}

/// Operating points of a grid: 4 SM clocks × 3 HBM bandwidths × 3 link states, the search's space per
/// (precision, memory variant).
pub const GRID_POINTS: usize = 4 * 3 * 3;

/// A grid of operating points (see [`OperatingGrid::point`] for the order).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct OperatingGrid {
    pub sm_mhz: [f64; 4],
    pub hbm_bw_tbps: [f64; 3],
    pub links: [LinkState; 3],
}

impl OperatingGrid {
    /// Point `j` (< [`GRID_POINTS`]): SM clock varies slowest, then bandwidth, then link state.
    #[inline]
    pub fn point(&self, j: usize) -> OperatingPoint {
        OperatingPoint {
            sm_mhz: self.sm_mhz[j / 9],
            hbm_bw_tbps: self.hbm_bw_tbps[j / 3 % 3],
            link: self.links[j % 3],
        }
    }

    /// All points, in order.
    pub fn points(&self) -> [OperatingPoint; GRID_POINTS] {
        core::array::from_fn(|j| self.point(j))
    }
}

/// Why a (kernel, operating point) cannot run on a SKU. Reported, never silently dropped.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Infeasible {
    /// The SKU's peak for this precision is zero (e.g. fp4 on Hopper or MI300X).
    NoPrecisionUnits(Precision),
    /// The SM clock is not in (0, max_sm_mhz].
    ClockOutOfRange { sm_mhz: f64, max_sm_mhz: f64 },
    /// The HBM bandwidth is not in (0, bandwidth_tbps].
    BandwidthOutOfRange { hbm_bw_tbps: f64, max_tbps: f64 },
    /// The SKU file gives no power for this link state.
    LinkStateUnavailable(LinkState),
    /// The kernel's footprint exceeds HBM capacity.
    FootprintExceedsCapacity { footprint_bytes: f64, capacity_bytes: f64 },
    /// The kernel's own numbers are invalid (negative or not finite); names the field.
    InvalidWork(&'static str),
    /// The predicted average board power exceeds the board power limit: firmware would throttle the clock, so
    /// the latency estimate would not hold.
    OverPowerLimit { predicted_w: f64, limit_w: f64 },
}

impl fmt::Display for Infeasible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasible::NoPrecisionUnits(p) => write!(f, "sku has no {p} units"),
            Infeasible::ClockOutOfRange { sm_mhz, max_sm_mhz } => {
                write!(f, "sm clock {sm_mhz} MHz is outside (0, {max_sm_mhz}] MHz")
            }
            Infeasible::BandwidthOutOfRange { hbm_bw_tbps, max_tbps } => {
                write!(f, "hbm bandwidth {hbm_bw_tbps} TB/s is outside (0, {max_tbps}] TB/s")
            }
            Infeasible::LinkStateUnavailable(l) => write!(f, "sku has no link state {l}"),
            Infeasible::FootprintExceedsCapacity {
                footprint_bytes,
                capacity_bytes,
            } => {
                write!(
                    f,
                    "footprint {footprint_bytes} B exceeds hbm capacity {capacity_bytes} B"
                )
            }
            Infeasible::InvalidWork(field) => write!(f, "{field} must be a finite number >= 0"),
            Infeasible::OverPowerLimit { predicted_w, limit_w } => {
                write!(
                    f,
                    "predicted power {predicted_w:.0} W exceeds the board limit {limit_w:.0} W"
                )
            }
        }
    }
}
