//! The `physical` model form (default): a calibrated roofline for latency, a power × time + per-unit-work
//! energy form, and the uncalibrated defaults derived from a SKU's datasheet figures.
//!
//! Latency (seconds):
//! ```text
//! t_mem  = bytes_hbm / (η_bw · BW_level)                       BW_level in bytes/s
//! t_comp = flops / (η_c · peak[precision] · sm_mhz / max_sm_mhz) peak in flop/s at max clock
//! t_link = link_active_us · 10⁻⁶
//! t      = t_launch + t_wake + max(t_mem, t_comp, t_link)
//! ```
//! `t_wake` is the link's sleep-exit time when a sleeping link must carry traffic (0 otherwise).
//! `t_launch`, `η_bw` and `η_c` are per kernel class ([`ClassTerms`]): measured on an H100 inside back-to-back
//! CUDA-graph replays, the fixed cost runs from ~1 µs (a copy) to ~7 µs (a decode attention), and a decode
//! attention or a small linear reaches a lower fraction of HBM bandwidth than a large GEMV. A class without
//! calibrated terms uses the pooled ones (the scalar fields), fitted to all classes together.
//! A hard max, not a smooth one: it keeps each regime linear in its coefficient (1/η), which calibration
//! exploits by alternating "classify rows by regime" and "linear least squares" (see `calibrate`). A p-norm
//! `(t_mem^p + t_comp^p)^(1/p)` was tried on the H100 traces (p = 2, 4): no better in cross-validation than the
//! hard max (7.54 vs 7.71 % latency MAPE at p = 4) and not linear in the coefficients, so it was not kept.
//!
//! Energy (joules), linear in the coefficients once `t` is known:
//! ```text
//! E = p_static·t + p_clock[class]·(f/f_max)³·t + e_byte[class]·bytes_hbm + e_flop[precision]·flops + link_scale·E_link
//! E_link = P[state]·t                                                   active state, or no traffic
//!        = P[state]·t + (P[awake] − P[state])·(t_link + t_entry + t_exit) + 2·E_transition   sleep + traffic
//! ```
//! The first four terms are the GPU board's energy (what NVML's counter measures); `link_scale·E_link` is the
//! scale-out optics outside the board, reported separately in `Prediction::link_joules`.
//! `p_clock[class]·(f/f_max)³` is the clock-dependent (dynamic, V²f with V ∝ f) power of the clocked SMs; the
//! per-flop and per-byte terms are the energy of the work itself. Lowering the clock therefore saves
//! `p_clock` power but stretches compute-bound kernels, which costs static energy: a real trade-off.
//!
//! Uncalibrated defaults (`PhysicalCoefficients::defaults`), from the SKU file plus anchors measured on an
//! H100 (`/work/shared/data/h100`, 700 W limit) and applied to every SKU as ratios:
//! - `t_launch` = 4 µs, `η_bw` = 0.85, `η_c` = 0.70 (typical achieved fractions of peak; assumptions)
//! - `p_static` = the SKU's idle power; `p_clock` = 25 % of (board limit − idle) (assumption)
//! - `e_byte` (≈ 43 pJ/B) and the H100's `e_flop[bf16]` solve two measured H100 operating points (a 2×2
//!   linear system): a bf16 decode linear (64 flop/byte) at max clock and full bandwidth draws 585 W
//!   (`decode_bf16`); an 8192³ bf16 GEMM (2731 flop/byte) is held by the firmware at 1380 of 1980 MHz
//!   drawing 694.8 W of 700 W (`gemm_bf16_capped`, median). `e_byte` is used for every SKU (assumption:
//!   HBM3/HBM3e energy per byte is similar).
//! - each SKU's `e_flop[bf16]` then re-solves the GEMM anchor with its own figures (assumption: a large
//!   bf16 GEMM is power-capped at the same clock ratio and limit fraction on every SKU).
//! - other precisions spend the same power at their own peak: `e_flop[p] = e_flop[bf16]·peak[bf16]/peak[p]`
//!   (precisions without units get the SKU's lowest energy per flop; they are infeasible anyway)
//! - `link_scale` = 1 (link power comes from the SKU's `link.power_w` table).

use crate::kinds::{KernelClass, LinkState, Precision};
use crate::sku::Sku;
use crate::work::{KernelWork, OperatingPoint, Prediction};

/// Number of energy coefficients (the Bayesian update's dimension for this form).
pub const ENERGY_TERMS: usize = 8;
/// Number of latency coefficients: `t_launch`, `1/η_bw`, `1/η_c`.
pub const LATENCY_TERMS: usize = 3;

/// Number of kernel classes (length of per-class coefficient arrays).
pub const CLASSES: usize = KernelClass::ALL.len();

/// The per-kernel-class terms of the physical form, in the units their names say.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct ClassTerms {
    /// Fixed cost of one launch of this class inside a replayed graph (launch, ramp, tail), µs.
    pub t_launch_us: f64,
    /// Achieved fraction of the selected HBM bandwidth level.
    pub eta_bw: f64,
    /// Achieved fraction of the precision's peak at the chosen clock.
    pub eta_compute: f64,
    /// Clock-dependent power of this class at max clock, W (scales with (f/f_max)³).
    pub p_clock_w: f64,
    /// Energy per HBM byte of this class, pJ: the DRAM access plus the on-chip movement (L2, shared memory,
    /// registers) each HBM byte causes, which depends on the access pattern (a decode attention's KV gather,
    /// an elementwise op's write-back, a GEMM's tile reuse).
    pub e_byte_pj: f64,
}

/// Coefficients of the physical form, in the units their names say.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct PhysicalCoefficients {
    /// Launch overhead, µs.
    pub t_launch_us: f64,
    /// Achieved fraction of the selected HBM bandwidth level.
    pub eta_bw: f64,
    /// Achieved fraction of the precision's peak at the chosen clock.
    pub eta_compute: f64,
    /// Power drawn whatever the clock, W.
    pub p_static_w: f64,
    /// Clock-dependent power at max clock, W (scales with (f/f_max)³).
    pub p_clock_w: f64,
    /// Energy per HBM byte, pJ.
    pub e_byte_pj: f64,
    /// Energy per flop by precision, pJ, indexed by [`Precision::index`].
    pub e_flop_pj: [f64; 4],
    /// Multiplier on the SKU's link energy (1 = datasheet).
    pub link_scale: f64,
    /// Calibrated terms per kernel class, indexed by [`KernelClass::index`]; `None` = use the pooled scalar
    /// fields above (`t_launch_us`, `eta_bw`, `eta_compute`, `p_clock_w`).
    pub per_class: [Option<ClassTerms>; CLASSES],
}

/// Which roofline term bounds a kernel's latency.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Regime {
    Memory,
    Compute,
    Link,
}

/// Ratio of the measured power-capped bf16 GEMM clock to max clock on H100 (1380 / 1980 MHz).
const CAPPED_GEMM_CLOCK_RATIO: f64 = 1380.0 / 1980.0;
/// Measured median power of that GEMM as a fraction of the limit (power_avg 694.8 W / 700 W).
const GEMM_POWER_FRAC: f64 = 694.8 / 700.0;
/// Arithmetic intensity of the 8192³ bf16 GEMM: 2·8192³ flops over 3·8192²·2 bytes.
const GEMM_FLOPS_PER_BYTE: f64 = 8192.0 / 3.0;
/// Measured bf16 decode power as a fraction of the board limit on H100 (585 W / 700 W).
const DECODE_POWER_FRAC: f64 = 585.0 / 700.0;
/// Arithmetic intensity of that decode linear: 2·64 flops per 2-byte weight.
const DECODE_FLOPS_PER_BYTE: f64 = 64.0;

/// `e_flop` (pJ) that puts the anchor GEMM at the board limit fraction at the capped clock ratio:
/// `P_g − p_static − p_clock·r³ = F_g·(e_flop + e_byte / I_g)` with `F_g = η_c·peak·r` (10¹² flop/s).
fn gemm_anchor_e_flop_pj(limit_w: f64, p_static_w: f64, p_clock_w: f64, peak_tflops: f64, e_byte_pj: f64) -> f64 {
    let r = CAPPED_GEMM_CLOCK_RATIO;
    let rate_g = DEFAULT_ETA_COMPUTE * peak_tflops * r;
    let b_g = GEMM_POWER_FRAC * limit_w - p_static_w - p_clock_w * r * r * r;
    b_g / rate_g - e_byte_pj / GEMM_FLOPS_PER_BYTE
}

/// `(e_byte, e_flop[bf16])` in pJ solved from the two measured H100 operating points (a 2×2 system):
/// ```text
/// decode: P_d − p_static − p_clock      = R_d·(e_byte + I_d·e_flop)      R_d = η_bw·BW (10¹² B/s)
/// gemm:   P_g − p_static − p_clock·r³   = F_g·(e_flop + e_byte / I_g)    F_g = η_c·peak·r (10¹² flop/s)
/// ```
fn h100_anchor_energies() -> (f64, f64) {
    let (limit_w, idle_w, bw_tbps, peak_tflops) = (700.0, 122.0, 3.35, 989.4);
    let p_clock_w = DEFAULT_CLOCK_POWER_FRAC * (limit_w - idle_w);
    let r = CAPPED_GEMM_CLOCK_RATIO;
    let rate_d = DEFAULT_ETA_BW * bw_tbps;
    let rate_g = DEFAULT_ETA_COMPUTE * peak_tflops * r;
    let b_d = DECODE_POWER_FRAC * limit_w - idle_w - p_clock_w;
    let b_g = GEMM_POWER_FRAC * limit_w - idle_w - p_clock_w * r * r * r;
    let det = rate_d * rate_g * (1.0 - DECODE_FLOPS_PER_BYTE / GEMM_FLOPS_PER_BYTE);
    let e_byte = (b_d * rate_g - DECODE_FLOPS_PER_BYTE * rate_d * b_g) / det;
    let e_flop = (rate_d * b_g - b_d * rate_g / GEMM_FLOPS_PER_BYTE) / det;
    (e_byte, e_flop)
}

const DEFAULT_ETA_BW: f64 = 0.85;
const DEFAULT_ETA_COMPUTE: f64 = 0.70;
const DEFAULT_CLOCK_POWER_FRAC: f64 = 0.25;

impl PhysicalCoefficients {
    /// Uncalibrated defaults from the SKU's datasheet figures (derivation in the module header).
    pub fn defaults(sku: &Sku) -> PhysicalCoefficients {
        let eta_bw = DEFAULT_ETA_BW;
        let eta_compute = DEFAULT_ETA_COMPUTE;
        let p_static_w = sku.idle_w;
        let p_clock_w = DEFAULT_CLOCK_POWER_FRAC * (sku.board_limit_w - sku.idle_w);
        // Reference precision: bf16, or the SKU's highest-peak precision when it has no bf16 units.
        let max_peak = sku.peak_dense_tflops.iter().copied().fold(0.0, f64::max);
        let ref_peak_tflops = if sku.peak_tflops(Precision::Bf16) > 0.0 {
            sku.peak_tflops(Precision::Bf16)
        } else {
            max_peak
        };
        let (e_byte_pj, _) = h100_anchor_energies();
        let e_flop_ref_pj =
            gemm_anchor_e_flop_pj(sku.board_limit_w, p_static_w, p_clock_w, ref_peak_tflops, e_byte_pj).max(0.01);
        let e_flop_pj = core::array::from_fn(|i| {
            let peak = sku.peak_dense_tflops[i];
            e_flop_ref_pj * ref_peak_tflops / if peak > 0.0 { peak } else { max_peak }
        });
        PhysicalCoefficients {
            t_launch_us: 4.0,
            eta_bw,
            eta_compute,
            p_static_w,
            p_clock_w,
            e_byte_pj,
            e_flop_pj,
            link_scale: 1.0,
            per_class: [None; CLASSES],
        }
    }

    /// The pooled terms, used for every class without its own.
    pub fn pooled_terms(&self) -> ClassTerms {
        ClassTerms {
            t_launch_us: self.t_launch_us,
            eta_bw: self.eta_bw,
            eta_compute: self.eta_compute,
            p_clock_w: self.p_clock_w,
            e_byte_pj: self.e_byte_pj,
        }
    }

    /// The terms a kernel of `class` uses: its own when calibrated, else the pooled ones.
    pub fn class_terms(&self, class: KernelClass) -> ClassTerms {
        self.per_class[class.index()].unwrap_or_else(|| self.pooled_terms())
    }

    /// Latency coefficients of one class, in feature order: `[t_launch_s, 1/η_bw, 1/η_c]`.
    pub fn class_latency_vector(&self, class: KernelClass) -> [f64; LATENCY_TERMS] {
        self.class_terms(class).latency_vector()
    }

    /// Energy features of a kernel of duration `t_s` for the Bayesian update: [`energy_features`] with the
    /// clock and byte terms scaled by this class's clock power and energy per byte relative to the pooled
    /// ones, so that `joules = energy_vector · φ` holds for every class and an update of a pooled
    /// coefficient moves every class's in proportion.
    pub fn energy_features(
        &self,
        sku: &Sku,
        work: &KernelWork,
        point: &OperatingPoint,
        t_s: f64,
    ) -> [f64; ENERGY_TERMS] {
        let mut x = energy_features(sku, work, point, t_s);
        let class = self.class_terms(work.class);
        if self.p_clock_w != 0.0 {
            x[1] *= class.p_clock_w / self.p_clock_w;
        }
        if self.e_byte_pj != 0.0 {
            x[2] *= class.e_byte_pj / self.e_byte_pj;
        }
        x
    }
}

impl ClassTerms {
    /// `[t_launch_s, 1/η_bw, 1/η_c]`.
    pub fn latency_vector(&self) -> [f64; LATENCY_TERMS] {
        [self.t_launch_us * 1e-6, 1.0 / self.eta_bw, 1.0 / self.eta_compute]
    }

    /// Rebuilds class terms from `[t_launch_s, 1/η_bw, 1/η_c]`, a clock power and an energy per byte.
    pub fn from_latency_vector(lat: [f64; LATENCY_TERMS], p_clock_w: f64, e_byte_pj: f64) -> ClassTerms {
        ClassTerms {
            t_launch_us: lat[0] * 1e6,
            eta_bw: 1.0 / lat[1],
            eta_compute: 1.0 / lat[2],
            p_clock_w,
            e_byte_pj,
        }
    }
}

impl PhysicalCoefficients {
    /// Energy coefficients in feature order (see [`energy_features`]).
    pub fn energy_vector(&self) -> [f64; ENERGY_TERMS] {
        let e = self.e_flop_pj;
        [
            self.p_static_w,
            self.p_clock_w,
            self.e_byte_pj,
            e[0],
            e[1],
            e[2],
            e[3],
            self.link_scale,
        ]
    }

    /// Latency coefficients in feature order: `[t_launch_s, 1/η_bw, 1/η_c]`.
    pub fn latency_vector(&self) -> [f64; LATENCY_TERMS] {
        [self.t_launch_us * 1e-6, 1.0 / self.eta_bw, 1.0 / self.eta_compute]
    }

    /// Rebuilds coefficients from the two vectors (inverse of the two accessors above); no per-class terms.
    pub fn from_vectors(energy: [f64; ENERGY_TERMS], latency: [f64; LATENCY_TERMS]) -> PhysicalCoefficients {
        PhysicalCoefficients {
            t_launch_us: latency[0] * 1e6,
            eta_bw: 1.0 / latency[1],
            eta_compute: 1.0 / latency[2],
            p_static_w: energy[0],
            p_clock_w: energy[1],
            e_byte_pj: energy[2],
            e_flop_pj: [energy[3], energy[4], energy[5], energy[6]],
            link_scale: energy[7],
            per_class: [None; CLASSES],
        }
    }
}

/// The roofline's raw terms for one kernel, before efficiencies: seconds at 100 % of the level.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RooflineTerms {
    /// `bytes / BW_level`, s.
    pub mem_s: f64,
    /// `flops / (peak · f/f_max)`, s (infinite when the SKU lacks the precision's units).
    pub comp_s: f64,
    /// Link traffic time, s.
    pub link_s: f64,
    /// Sleep-exit time paid before traffic on a sleeping link, s.
    pub wake_s: f64,
}

pub fn roofline_terms(sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> RooflineTerms {
    let mem_s = work.bytes_hbm / (point.hbm_bw_tbps * 1e12);
    let peak = sku.peak_tflops(work.precision) * 1e12 * (point.sm_mhz / sku.max_sm_mhz);
    let comp_s = if work.flops == 0.0 { 0.0 } else { work.flops / peak };
    let link_s = work.link_active_us * 1e-6;
    let wake_s = if point.link.is_sleep() && work.link_active_us > 0.0 {
        sku.sleep_exit_us * 1e-6
    } else {
        0.0
    };
    RooflineTerms {
        mem_s,
        comp_s,
        link_s,
        wake_s,
    }
}

/// The regime that bounds latency under latency coefficients `lat` (ties go to memory, then compute).
#[inline]
pub fn regime(terms: &RooflineTerms, lat: &[f64; LATENCY_TERMS]) -> Regime {
    let mem = lat[1] * terms.mem_s;
    let comp = lat[2] * terms.comp_s;
    if mem >= comp && mem >= terms.link_s {
        Regime::Memory
    } else if comp >= terms.link_s {
        Regime::Compute
    } else {
        Regime::Link
    }
}

/// Latency features given a regime: `latency = lat · x + offset`.
#[inline]
pub fn latency_features(terms: &RooflineTerms, regime: Regime) -> ([f64; LATENCY_TERMS], f64) {
    match regime {
        Regime::Memory => ([1.0, terms.mem_s, 0.0], terms.wake_s),
        Regime::Compute => ([1.0, 0.0, terms.comp_s], terms.wake_s),
        Regime::Link => ([1.0, 0.0, 0.0], terms.wake_s + terms.link_s),
    }
}

/// Latency, s, under latency coefficients `lat`.
#[inline]
pub fn latency_s(terms: &RooflineTerms, lat: &[f64; LATENCY_TERMS]) -> f64 {
    let (x, offset) = latency_features(terms, regime(terms, lat));
    x.iter().zip(lat).map(|(a, b)| a * b).sum::<f64>() + offset
}

/// The SKU's link energy for a kernel of duration `t_s` (before `link_scale`), J.
#[inline]
pub fn link_energy_j(sku: &Sku, work: &KernelWork, link: LinkState, t_s: f64) -> f64 {
    let parked_w = sku.link_power(link).unwrap_or(0.0);
    let mut e = parked_w * t_s;
    if link.is_sleep() && work.link_active_us > 0.0 {
        let awake_w = sku.link_power(link.awake()).unwrap_or(parked_w);
        let awake_s = (work.link_active_us + sku.sleep_entry_us + sku.sleep_exit_us) * 1e-6;
        // One exit before the traffic and one entry after it.
        e += (awake_w - parked_w) * awake_s + 2.0 * sku.transition_uj * 1e-6;
    }
    e
}

/// Energy features for a kernel of duration `t_s`: `joules = energy_vector · features`.
/// Order: `[t, (f/f_max)³·t, bytes·10⁻¹², flops·10⁻¹²·[p = fp16], … bf16, fp8, fp4, E_link]`.
pub fn energy_features(sku: &Sku, work: &KernelWork, point: &OperatingPoint, t_s: f64) -> [f64; ENERGY_TERMS] {
    let ratio = point.sm_mhz / sku.max_sm_mhz;
    let mut x = [0.0; ENERGY_TERMS];
    x[0] = t_s;
    x[1] = ratio * ratio * ratio * t_s;
    x[2] = work.bytes_hbm * 1e-12;
    x[3 + work.precision.index()] = work.flops * 1e-12;
    x[7] = link_energy_j(sku, work, point.link, t_s);
    x
}

impl PhysicalCoefficients {
    /// The estimate, assuming a structurally feasible point (see [`Sku::check`]).
    pub fn estimate(&self, sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> Prediction {
        let class = self.class_terms(work.class);
        let latency_s = latency_s(&roofline_terms(sku, work, point), &class.latency_vector());
        let mut x = energy_features(sku, work, point, latency_s);
        x[1] *= class.p_clock_w;
        x[2] *= class.e_byte_pj;
        let mut coefficients = self.energy_vector();
        coefficients[1] = 1.0;
        coefficients[2] = 1.0;
        let joules = coefficients.iter().zip(&x).map(|(a, b)| a * b).sum();
        Prediction {
            joules,
            latency_s,
            link_joules: self.link_scale * x[7],
        }
    }
}
