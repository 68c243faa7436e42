//! Deterministic synthetic traces: kernels with realistic shapes, "measured" by a known model plus noise.
//!
//! For tests and CI only. Every file it writes starts with a `# SYNTHETIC` comment, which `trace::parse`
//! detects, so `riirc calibrate` marks anything fitted to it as synthetic (never a calibrated SKU).
//! `examples/traces/synthetic/h100-synthetic.csv` is `generate(h100, &reference_truth(h100), 300, 2026, 0.02)`;
//! a test regenerates it and fails on any difference (re-bless with `RIIR_BLESS=1`).
//!
//! Randomness is SplitMix64 (a fixed, documented 64-bit mixer) with Box–Muller normals, so the output is
//! byte-identical on every platform.

use crate::kinds::{KernelClass, Precision};
use crate::model::{EnergyModel, Model};
use crate::physical::PhysicalCoefficients;
use crate::sku::Sku;
use crate::work::{KernelWork, OperatingPoint};
use std::fmt::Write as _;

/// SplitMix64 (Steele, Lea, Flood 2014): deterministic and good enough for test data.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// The "true" physical coefficients behind the shipped synthetic trace: the SKU's defaults moved by known
/// factors, so a calibration that merely returned its prior would fail the recovery tests.
pub fn reference_truth(sku: &Sku) -> Model {
    let d = PhysicalCoefficients::defaults(sku);
    Model::Physical(PhysicalCoefficients {
        t_launch_us: 5.5,
        eta_bw: 0.78,
        eta_compute: 0.62,
        p_static_w: d.p_static_w * 1.10,
        p_clock_w: d.p_clock_w * 0.80,
        e_byte_pj: d.e_byte_pj * 1.30,
        e_flop_pj: d.e_flop_pj.map(|e| e * 0.90),
        link_scale: 1.0,
    })
}

/// One synthetic kernel with its shape columns (0 = not applicable) and measurements.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct SynthRow {
    pub work: KernelWork,
    pub point: OperatingPoint,
    /// m, n, k, batch, ctx.
    pub shape: [u64; 5],
    pub joules: f64,
    pub latency_us: f64,
}

fn element_bytes(p: Precision) -> f64 {
    match p {
        Precision::Fp16 | Precision::Bf16 => 2.0,
        Precision::Fp8 => 1.0,
        Precision::Fp4 => 0.5,
    }
}

/// A kernel of `class` with a random realistic shape: (bytes_hbm, flops, link_active_us, shape).
fn kernel(rng: &mut SplitMix64, class: KernelClass, p: Precision) -> (f64, f64, f64, [u64; 5]) {
    let eb = element_bytes(p);
    let act = 2.0; // activations stay 16-bit
    match class {
        KernelClass::Linear => {
            let m = rng.pick(&[1u64, 8, 32, 64, 128, 256]);
            let n = rng.pick(&[4096u64, 8192, 14336, 28672]);
            let k = rng.pick(&[4096u64, 8192]);
            let (mf, nf, kf) = (m as f64, n as f64, k as f64);
            (
                nf * kf * eb + (mf * kf + mf * nf) * act,
                2.0 * mf * nf * kf,
                0.0,
                [m, n, k, 0, 0],
            )
        }
        KernelClass::Gemm => {
            let m = rng.pick(&[1024u64, 2048, 4096, 8192]);
            let n = rng.pick(&[2048u64, 4096, 8192]);
            let k = rng.pick(&[2048u64, 4096, 8192]);
            let (mf, nf, kf) = (m as f64, n as f64, k as f64);
            (
                (mf * kf + kf * nf) * eb + mf * nf * act,
                2.0 * mf * nf * kf,
                0.0,
                [m, n, k, 0, 0],
            )
        }
        KernelClass::AttentionDecode => {
            let batch = rng.pick(&[8u64, 32, 64, 128]);
            let ctx = rng.pick(&[1024u64, 4096, 16384, 32768]);
            // Llama-3-70B-like: 64 query heads, 8 KV heads, head dim 128.
            let kv = 2.0 * batch as f64 * ctx as f64 * 8.0 * 128.0;
            (
                kv * eb,
                4.0 * batch as f64 * ctx as f64 * 64.0 * 128.0,
                0.0,
                [0, 0, 0, batch, ctx],
            )
        }
        KernelClass::AttentionPrefill => {
            let ctx = rng.pick(&[1024u64, 2048, 4096, 8192]);
            let c = ctx as f64;
            // Causal: half of the ctx² score matrix.
            (
                4.0 * c * 64.0 * 128.0 * eb,
                2.0 * c * c * 64.0 * 128.0,
                0.0,
                [0, 0, 0, 1, ctx],
            )
        }
        KernelClass::Norm | KernelClass::Elementwise | KernelClass::Softmax => {
            let tokens = rng.pick(&[64u64, 256, 1024, 4096]);
            let hidden = rng.pick(&[4096u64, 8192]);
            let elems = tokens as f64 * hidden as f64;
            let flops_per = if class == KernelClass::Elementwise { 1.0 } else { 5.0 };
            (2.0 * elems * act, flops_per * elems, 0.0, [tokens, hidden, 0, 0, 0])
        }
        KernelClass::Embedding => {
            let tokens = rng.pick(&[64u64, 256, 1024]);
            let hidden = rng.pick(&[4096u64, 8192]);
            (
                tokens as f64 * hidden as f64 * act * 2.0,
                0.0,
                0.0,
                [tokens, hidden, 0, 0, 0],
            )
        }
        KernelClass::Allreduce => {
            let msg_mib = rng.pick(&[1u64, 4, 16, 64]);
            let bytes = msg_mib as f64 * 1048576.0;
            // Ring all-reduce over 8 GPUs moves ~2× the message over links at ~100 GB/s per GPU.
            (
                2.0 * bytes,
                bytes,
                2.0 * bytes / 100e9 * 1e6,
                [bytes as u64, 0, 0, 0, 0],
            )
        }
    }
}

/// `rows` synthetic kernels on `sku`, measured by `truth` with independent relative noise `noise_rel` on
/// joules and latency. Precisions the SKU lacks are never drawn.
pub fn generate(sku: &Sku, truth: &Model, rows: usize, seed: u64, noise_rel: f64) -> Vec<SynthRow> {
    let mut rng = SplitMix64(seed);
    let precisions: Vec<Precision> = Precision::ALL
        .into_iter()
        .filter(|&p| sku.precision_feasible(p).is_ok())
        .collect();
    let mut out = Vec::with_capacity(rows);
    for _ in 0..rows {
        let class = rng.pick(&KernelClass::ALL);
        let precision = rng.pick(&precisions);
        let (bytes_hbm, flops, link_active_us, shape) = kernel(&mut rng, class, precision);
        let work = KernelWork {
            class,
            precision,
            bytes_hbm,
            flops,
            link_active_us,
            footprint_bytes: 0.0,
        };
        let point = OperatingPoint {
            sm_mhz: rng.pick(&sku.sm_mhz_levels),
            hbm_bw_tbps: rng.pick(&sku.hbm_bw_levels_tbps),
            link: rng.pick(&sku.search_link_states),
        };
        let p = truth.estimate(sku, &work, &point);
        // Clamp the noise factor so a measurement stays positive whatever the draw.
        let jitter = |rng: &mut SplitMix64| (1.0 + noise_rel * rng.normal()).max(0.5);
        let joules = p.joules * jitter(&mut rng);
        let latency_us = p.latency_us() * jitter(&mut rng);
        out.push(SynthRow {
            work,
            point,
            shape,
            joules,
            latency_us,
        });
    }
    out
}

/// Renders rows as a trace CSV (schema in `trace`), starting with the `# SYNTHETIC` marker and `note`.
pub fn to_csv(rows: &[SynthRow], note: &str) -> String {
    let mut s = String::new();
    s.push_str("# SYNTHETIC trace: generated data, not a measurement. Never ship a SKU calibrated from it.\n");
    for line in note.lines() {
        let _ = writeln!(s, "# {line}");
    }
    s.push_str(
        "row,kernel,precision,bytes_hbm,flops,sm_mhz,hbm_bw_tbps,link_state,link_active_us,m,n,k,batch,ctx,joules,latency_us\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let [m, n, k, batch, ctx] = r.shape;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{m},{n},{k},{batch},{ctx},{},{}",
            i + 1,
            r.work.class,
            r.work.precision,
            r.work.bytes_hbm,
            r.work.flops,
            r.point.sm_mhz,
            r.point.hbm_bw_tbps,
            r.point.link,
            r.work.link_active_us,
            r.joules,
            r.latency_us,
        );
    }
    s
}
