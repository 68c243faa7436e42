//! The `seed` model form: the source document's energy form, literally, kept as a named baseline.
//!
//! ```text
//! est_j      = a0 + a1·bytes_hbm + a2·flops + a3·link_active_us + a4·sm_mhz³      (source §4, as written)
//! est_lat_us = b0 + b1·bytes_hbm + b2·flops/sm_mhz + b3·link_active_us
//! ```
//! The energy form mixes units (`sm_mhz³` is a power, not an energy, and nothing multiplies static power by
//! time); that is the point of keeping it: calibration reports show how much the physical form gains.
//! The source gives no latency form; the seed latency is the same style (linear, no roofline max), with the
//! clock dividing the flop term so a slower clock at least slows compute.
//! It ignores precision, HBM level and link state, as the source's form does.
//!
//! Uncalibrated defaults follow from the physical defaults (`PhysicalCoefficients::defaults`):
//! `a0 = p_static·t_launch`, `a1 = e_byte + (p_static + p_clock)/(η_bw·BW)`, `a2 = e_flop[bf16]`,
//! `a3` = the default link state's power per µs, `a4 = p_clock·100 µs / f_max³` (a typical 100 µs kernel);
//! `b0 = t_launch`, `b1 = 1/(η_bw·BW)`, `b2 = f_max/(η_c·peak[bf16])`, `b3 = 1`.

use crate::kinds::Precision;
use crate::physical::PhysicalCoefficients;
use crate::sku::Sku;
use crate::work::{KernelWork, OperatingPoint, Prediction};

pub const ENERGY_TERMS: usize = 5;
pub const LATENCY_TERMS: usize = 4;

/// Coefficients of the seed form. `a` in J per feature unit, `b` in µs per feature unit.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct SeedCoefficients {
    /// `[a0_j, a1_j_per_byte, a2_j_per_flop, a3_j_per_link_us, a4_j_per_mhz3]`.
    pub a: [f64; ENERGY_TERMS],
    /// `[b0_us, b1_us_per_byte, b2_us_mhz_per_flop, b3_us_per_link_us]`.
    pub b: [f64; LATENCY_TERMS],
}

/// The seed form's energy features: `[1, bytes_hbm, flops, link_active_us, sm_mhz³]`.
pub fn energy_features(work: &KernelWork, point: &OperatingPoint) -> [f64; ENERGY_TERMS] {
    [
        1.0,
        work.bytes_hbm,
        work.flops,
        work.link_active_us,
        point.sm_mhz * point.sm_mhz * point.sm_mhz,
    ]
}

/// The seed form's latency features: `[1, bytes_hbm, flops/sm_mhz, link_active_us]` (latency in µs).
pub fn latency_features(work: &KernelWork, point: &OperatingPoint) -> [f64; LATENCY_TERMS] {
    [1.0, work.bytes_hbm, work.flops / point.sm_mhz, work.link_active_us]
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl SeedCoefficients {
    /// Uncalibrated defaults (derivation in the module header).
    pub fn defaults(sku: &Sku) -> SeedCoefficients {
        let p = PhysicalCoefficients::defaults(sku);
        let bw = p.eta_bw * sku.hbm_bandwidth_tbps * 1e12;
        let bf16_peak = sku.peak_tflops(Precision::Bf16).max(f64::MIN_POSITIVE) * 1e12;
        let link_w = sku.link_power(sku.default_link).unwrap_or(0.0);
        let f3 = sku.max_sm_mhz.powi(3);
        SeedCoefficients {
            a: [
                p.p_static_w * p.t_launch_us * 1e-6,
                p.e_byte_pj * 1e-12 + (p.p_static_w + p.p_clock_w) / bw,
                p.e_flop_pj[Precision::Bf16.index()] * 1e-12,
                link_w * 1e-6,
                p.p_clock_w * 100e-6 / f3,
            ],
            b: [
                p.t_launch_us,
                1e6 / bw,
                1e6 * sku.max_sm_mhz / (p.eta_compute * bf16_peak),
                1.0,
            ],
        }
    }

    pub fn estimate(&self, work: &KernelWork, point: &OperatingPoint) -> Prediction {
        Prediction {
            joules: dot(&self.a, &energy_features(work, point)),
            latency_s: dot(&self.b, &latency_features(work, point)) * 1e-6,
            link_joules: self.a[3] * work.link_active_us,
        }
    }
}
