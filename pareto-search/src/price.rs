//! Pricing a point with a SKU's energy model: precision scaling, the memory variant, then the model's
//! prediction, turned into the per-token figures a plan carries.
//!
//! - **Precision.** A `kernel` block describes the work with 16-bit weights (what `riirc lower` writes by
//!   default). Weight bytes are `2·n·k` (× `experts`) for kernels whose shape has `n` and `k` (linear layers,
//!   routers, expert groups), capped at `bytes_hbm`; other kernels' weights are under 1 % of their bytes and are
//!   not scaled. At a precision of `b` bits the weights move `b/16` of their 16-bit bytes (the source: "FP8
//!   halves HBM traffic for weights. FP4 quarters it"). The KV cache and activations stay 16-bit.
//! - **Memory variant.** See [`crate::memory`].
//! - **Links.** Link bytes become link-active time at [`LINK_GBPS`] per GPU.
//! - **Per token.** The model prices one GPU's shard; a decode step makes `tokens_per_step` tokens on `gpus`
//!   GPUs, so `est_jpt = joules · gpus / tokens_per_step`.

use crate::cache::{Fnv1a, KernelKey, KeyData, KeyMap};
use crate::cost::Cost;
use crate::memory::{apply, VariantParams, VariantUnavailable, Work};
use crate::priced::{Priced, PricedBuilder};
use crate::search::KernelSpec;
use crate::space::{Axes, AxesError, Point, MEMORY_VARIANTS, PRECISIONS};
use energy_model::{EnergyModel, KernelWork, OperatingGrid, OperatingPoint, Prediction, PredictionBatch, Sku};
use riir_dialect::{KernelClass, KernelInfo, LinkState, Precision};
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Scale-out bandwidth per GPU, GB/s, that turns link bytes into link-active time: 8 links of 800 Gb/s per
/// GPU, as the SKU files' link power assumes (and `riirc estimate`'s default). SKU files carry no link bandwidth.
pub const LINK_GBPS: f64 = 800.0;

/// Operating points per precision and memory variant: 4 SM clocks × 3 HBM settings × 3 link states.
const OPERATING_POINTS: usize = energy_model::GRID_POINTS;

/// Why a point cannot run.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Reason {
    /// The SKU or its model rejects the point (e.g. "sku has no fp4 units").
    Model(energy_model::Infeasible),
    /// The memory variant is not available for this op.
    Variant(VariantUnavailable),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Model(r) => r.fmt(f),
            Reason::Variant(r) => r.fmt(f),
        }
    }
}

/// Why a SKU's levels cannot define the search space.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SkuAxesError {
    #[error("SKU {sku}: SM clock level {mhz} MHz is not a whole number of MHz")]
    FractionalClock { sku: String, mhz: f64 },
    #[error("SKU {sku}: {source}")]
    Axes { sku: String, source: AxesError },
}

/// The SKU's 4 × 3 × 3 levels as search axes.
pub fn axes_for(sku: &Sku) -> Result<Axes, SkuAxesError> {
    let mut sm = [0u32; 4];
    for (slot, &mhz) in sm.iter_mut().zip(&sku.sm_mhz_levels) {
        if mhz.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&mhz) {
            return Err(SkuAxesError::FractionalClock {
                sku: sku.id.clone(),
                mhz,
            });
        }
        *slot = mhz as u32;
    }
    Axes::new(sm, sku.hbm_bw_levels_tbps, sku.search_link_states.map(link_to_dialect)).map_err(|source| {
        SkuAxesError::Axes {
            sku: sku.id.clone(),
            source,
        }
    })
}

/// A hash of what [`Pricer::spec`] reads from a kernel (spans excluded), without allocating.
fn work_fingerprint(k: &KernelInfo, rc: Option<f64>) -> u64 {
    let mut h = Fnv1a::default();
    k.class.value.hash(&mut h);
    for (n, v) in &k.shape {
        n.value.hash(&mut h);
        v.value.hash(&mut h);
    }
    k.bytes_hbm.value.to_bits().hash(&mut h);
    k.flops.value.to_bits().hash(&mut h);
    k.link_bytes.as_ref().map(|b| b.value.to_bits()).hash(&mut h);
    rc.map(f64::to_bits).hash(&mut h);
    h.finish()
}

/// Whether two kernels describe the same work (values only, not where they were written).
fn same_work(a: &KernelInfo, b: &KernelInfo) -> bool {
    a.class.value == b.class.value
        && a.shape.len() == b.shape.len()
        && a.shape
            .iter()
            .zip(&b.shape)
            .all(|(x, y)| x.0.value == y.0.value && x.1.value == y.1.value)
        && a.bytes_hbm.value.to_bits() == b.bytes_hbm.value.to_bits()
        && a.flops.value.to_bits() == b.flops.value.to_bits()
        && a.link_bytes.as_ref().map(|x| x.value.to_bits()) == b.link_bytes.as_ref().map(|x| x.value.to_bits())
}

/// Bits per weight.
pub fn precision_bits(p: Precision) -> f64 {
    match p {
        Precision::Fp16 | Precision::Bf16 => 16.0,
        Precision::Fp8 => 8.0,
        Precision::Fp4 => 4.0,
    }
}

/// 16-bit weight bytes of a kernel, from its shape (see the file header).
pub fn weight_bytes_16(kernel: &KernelInfo) -> f64 {
    let dim = |name: &str| {
        kernel
            .shape
            .iter()
            .find(|(n, _)| n.value == name)
            .map(|(_, v)| v.value as f64)
    };
    match (dim("n"), dim("k")) {
        (Some(n), Some(k)) => (2.0 * n * k * dim("experts").unwrap_or(1.0)).min(kernel.bytes_hbm.value),
        _ => 0.0,
    }
}

fn precision_to_model(p: Precision) -> energy_model::Precision {
    match p {
        Precision::Fp16 => energy_model::Precision::Fp16,
        Precision::Bf16 => energy_model::Precision::Bf16,
        Precision::Fp8 => energy_model::Precision::Fp8,
        Precision::Fp4 => energy_model::Precision::Fp4,
    }
}

fn link_to_model(l: LinkState) -> energy_model::LinkState {
    match l {
        LinkState::Dsp => energy_model::LinkState::Dsp,
        LinkState::LpoActive => energy_model::LinkState::LpoActive,
        LinkState::LpoSleep => energy_model::LinkState::LpoSleep,
        LinkState::CpoActive => energy_model::LinkState::CpoActive,
        LinkState::CpoSleep => energy_model::LinkState::CpoSleep,
    }
}

fn link_to_dialect(l: energy_model::LinkState) -> LinkState {
    match l {
        energy_model::LinkState::Dsp => LinkState::Dsp,
        energy_model::LinkState::LpoActive => LinkState::LpoActive,
        energy_model::LinkState::LpoSleep => LinkState::LpoSleep,
        energy_model::LinkState::CpoActive => LinkState::CpoActive,
        energy_model::LinkState::CpoSleep => LinkState::CpoSleep,
    }
}

/// The energy model's kernel class for a dialect class: routers are priced as the small linear layers they are,
/// copies as elementwise kernels. `riirc estimate` uses this too, so search and estimate price ops alike.
pub fn energy_class(c: KernelClass) -> energy_model::KernelClass {
    match c {
        KernelClass::Linear | KernelClass::Router => energy_model::KernelClass::Linear,
        KernelClass::Gemm => energy_model::KernelClass::Gemm,
        KernelClass::AttentionDecode => energy_model::KernelClass::AttentionDecode,
        KernelClass::Norm => energy_model::KernelClass::Norm,
        KernelClass::Elementwise | KernelClass::Copy => energy_model::KernelClass::Elementwise,
        KernelClass::Allreduce => energy_model::KernelClass::Allreduce,
        KernelClass::Embedding => energy_model::KernelClass::Embedding,
    }
}

/// Prices kernels on one SKU with one model.
pub struct Pricer<'a, M: EnergyModel> {
    pub sku: &'a Sku,
    pub model: &'a M,
    pub params: VariantParams,
    /// Tokens one decode step generates (the batch).
    pub tokens_per_step: f64,
    /// GPUs one decode step runs on (the tensor-parallel degree).
    pub gpus: f64,
}

impl<M: EnergyModel> Pricer<'_, M> {
    /// A kernel block as the search sees it, with its cache key.
    pub fn spec(&self, kernel: &KernelInfo, reuse_confidence: Option<f64>) -> KernelSpec {
        let work = Work {
            bytes_hbm: kernel.bytes_hbm.value,
            flops: kernel.flops.value,
            link_bytes: kernel.link_bytes.as_ref().map_or(0.0, |b| b.value),
        };
        let weight = weight_bytes_16(kernel);
        let mut inputs = vec![
            work.bytes_hbm.to_bits(),
            work.flops.to_bits(),
            work.link_bytes.to_bits(),
            weight.to_bits(),
            // `None` and every confidence get distinct bits (no f64 is u64::MAX's NaN payload by accident here).
            reuse_confidence.map_or(u64::MAX, f64::to_bits),
            self.tokens_per_step.to_bits(),
            self.gpus.to_bits(),
            LINK_GBPS.to_bits(),
        ];
        inputs.extend(self.params.bits());
        KernelSpec {
            key: KernelKey::new(KeyData {
                sku: self.sku.id.clone(),
                class: kernel.class.value,
                shape: kernel.shape.iter().map(|(n, v)| (n.value.clone(), v.value)).collect(),
                inputs,
                model_hash: self.model.model_hash(),
            }),
            class: kernel.class.value,
            work,
            weight_bytes: weight,
            reuse_confidence,
        }
    }

    /// [`Pricer::spec`] of many kernels, building each distinct one once (a decode step repeats every layer's
    /// kernels; identical specs then share one key allocation).
    pub fn specs<'k>(&self, kernels: impl IntoIterator<Item = (&'k KernelInfo, Option<f64>)>) -> Vec<KernelSpec> {
        // Fingerprint → the distinct kernels with that fingerprint (kernel, reuse confidence, index in `out`).
        type Seen<'a> = KeyMap<u64, Vec<(&'a KernelInfo, Option<f64>, usize)>>;
        let mut seen: Seen<'k> = KeyMap::default();
        let mut out: Vec<KernelSpec> = Vec::new();
        for (kernel, rc) in kernels {
            let bucket = seen.entry(work_fingerprint(kernel, rc)).or_default();
            let found = bucket
                .iter()
                .find(|(k, r, _)| same_work(k, kernel) && r.map(f64::to_bits) == rc.map(f64::to_bits));
            let spec = match found {
                Some(&(_, _, i)) => out[i].clone(),
                None => {
                    bucket.push((kernel, rc, out.len()));
                    self.spec(kernel, rc)
                }
            };
            out.push(spec);
        }
        out
    }

    /// The cost of running `kernel` at `point`, or why it cannot run.
    pub fn price(&self, kernel: &KernelSpec, point: &Point) -> Result<Cost, Reason> {
        let w = kernel.work;
        let weight = kernel.weight_bytes;
        let scaled = Work {
            bytes_hbm: w.bytes_hbm - weight + weight * precision_bits(point.precision) / 16.0,
            ..w
        };
        let weight_scaled = weight * precision_bits(point.precision) / 16.0;
        let vw = apply(
            point.memory,
            scaled,
            weight_scaled,
            kernel.reuse_confidence,
            &self.params,
        )
        .map_err(Reason::Variant)?;
        let op = OperatingPoint {
            sm_mhz: f64::from(point.sm_mhz),
            hbm_bw_tbps: point.hbm_bw_tbps,
            link: link_to_model(point.link),
        };
        let model_work = |w: Work| KernelWork {
            class: energy_class(kernel.class),
            precision: precision_to_model(point.precision),
            bytes_hbm: w.bytes_hbm,
            flops: w.flops,
            // bytes / (GB/s · 10⁹) s = bytes / (GB/s · 10³) µs
            link_active_us: w.link_bytes / (LINK_GBPS * 1e3),
            footprint_bytes: 0.0,
        };
        let energy = self
            .model
            .predict(self.sku, &model_work(vw.energy), &op)
            .map_err(Reason::Model)?;
        let latency = if vw.latency == vw.energy {
            energy
        } else {
            self.model
                .predict(self.sku, &model_work(vw.latency), &op)
                .map_err(Reason::Model)?
        };
        Ok(self.cost(&energy, &latency, vw.energy.link_bytes))
    }

    /// The per-token figures of a point whose energy work predicts `energy` and latency work `latency`.
    fn cost(&self, energy: &Prediction, latency: &Prediction, link_bytes: f64) -> Cost {
        let link_bits = link_bytes * 8.0;
        let link_pj_per_bit = if link_bits > 0.0 {
            energy.link_joules / link_bits * 1e12
        } else {
            0.0
        };
        Cost {
            est_jpt: energy.joules * self.gpus / self.tokens_per_step,
            est_lat_ms: latency.latency_s * 1e3,
            // What the board power limit constrains (the optics sit outside it), as the model's feasibility.
            est_power_w: energy.board_power_w(),
            link_pj_per_bit,
        }
    }

    /// All 720 points of `kernel` on `axes`: the same outcomes as [`Pricer::price`] at each point, bit for bit,
    /// but each (precision, memory variant) work is transformed once and priced at the SKU's 36 operating
    /// points in one [`EnergyModel::predict_grid`] call, which hoists what depends on the work alone out of the
    /// per-point arithmetic and returns columns (with the board power it checked); a precision's five variants
    /// are then interleaved into the kernel's columns in index order.
    pub fn price_kernel(&self, kernel: &KernelSpec, axes: &Axes) -> Priced<Reason> {
        // The prediction batches are reused by every kernel a thread prices (their columns would otherwise be
        // allocated and freed per kernel, a tenth of its pricing time).
        thread_local! {
            static BATCHES: RefCell<VariantBatches> = RefCell::default();
        }
        BATCHES.with(|b| match b.try_borrow_mut() {
            Ok(mut b) => self.price_kernel_with(kernel, axes, &mut b),
            // Only if a model's `predict_grid` priced a kernel itself: fresh batches.
            Err(_) => self.price_kernel_with(kernel, axes, &mut VariantBatches::default()),
        })
    }

    /// [`Pricer::price_kernel`] with scratch batches.
    fn price_kernel_with(&self, kernel: &KernelSpec, axes: &Axes, batches: &mut VariantBatches) -> Priced<Reason> {
        // `axes.point`'s order is the grid's: SM clock, then HBM bandwidth, then link state.
        let grid = OperatingGrid {
            sm_mhz: axes.sm_mhz.map(f64::from),
            hbm_bw_tbps: axes.hbm_bw_tbps,
            links: axes.links.map(link_to_model),
        };
        let mut out = PricedBuilder::new(axes);
        let model_work = |w: Work, precision: Precision| KernelWork {
            class: energy_class(kernel.class),
            precision: precision_to_model(precision),
            bytes_hbm: w.bytes_hbm,
            flops: w.flops,
            link_active_us: w.link_bytes / (LINK_GBPS * 1e3),
            footprint_bytes: 0.0,
        };
        let per_token = |joules: f64| joules * self.gpus / self.tokens_per_step;
        let block = OPERATING_POINTS * MEMORY_VARIANTS.len();
        for (pi, &precision) in PRECISIONS.iter().enumerate() {
            // A precision the model prices exactly as the previous one (bf16 after fp16 on every shipped SKU:
            // same peak, same energy per flop, same 16-bit weights) has the same outcomes: copy them.
            if pi > 0 {
                let previous = PRECISIONS[pi - 1];
                if precision_bits(previous) == precision_bits(precision)
                    && self.model.precisions_alike(
                        self.sku,
                        precision_to_model(previous),
                        precision_to_model(precision),
                    )
                {
                    out.push_copy((pi - 1) * block..pi * block);
                    continue;
                }
            }
            // As `price` scales and transforms the work, once per (precision, variant) instead of per point.
            let w = kernel.work;
            let weight = kernel.weight_bytes;
            let scaled = Work {
                bytes_hbm: w.bytes_hbm - weight + weight * precision_bits(precision) / 16.0,
                ..w
            };
            let weight_scaled = weight * precision_bits(precision) / 16.0;
            let mut unavailable: [Option<VariantUnavailable>; MEMORY_VARIANTS.len()] = [None; MEMORY_VARIANTS.len()];
            for (mi, &memory) in MEMORY_VARIANTS.iter().enumerate() {
                let vw = match apply(memory, scaled, weight_scaled, kernel.reuse_confidence, &self.params) {
                    Ok(vw) => vw,
                    Err(e) => {
                        unavailable[mi] = Some(e);
                        continue;
                    }
                };
                let (energy, latency, f) = (
                    &mut batches.energy[mi],
                    &mut batches.latency[mi],
                    &mut batches.figures[mi],
                );
                // A variant that hides latency (prefetch) times different work than it pays for: its latency
                // comes from a second prediction, and either prediction's rejection rejects the point.
                self.model
                    .predict_grid(self.sku, &model_work(vw.energy, precision), &grid, energy);
                f.hides_latency = vw.latency != vw.energy;
                if f.hides_latency {
                    self.model
                        .predict_grid(self.sku, &model_work(vw.latency, precision), &grid, latency);
                }
                let timing = if f.hides_latency { &*latency } else { &*energy };
                // Per-token figures of all 36 points in straight-line passes (vectorised).
                let link_bits = vw.energy.link_bytes * 8.0;
                let (joules, link_joules) = (
                    &energy.joules[..OPERATING_POINTS],
                    &energy.link_joules[..OPERATING_POINTS],
                );
                let latency_s = &timing.latency_s[..OPERATING_POINTS];
                for j in 0..OPERATING_POINTS {
                    f.jpt[j] = per_token(joules[j]);
                    f.lat_ms[j] = latency_s[j] * 1e3;
                    f.link_pj_per_bit[j] = if link_bits > 0.0 {
                        link_joules[j] / link_bits * 1e12
                    } else {
                        0.0
                    };
                }
            }
            // The precision's 180 points in index order: operating point `j`, then memory variant. A variant's
            // own rejection recurs at every fifth point: its reason is stored once, up front, so that the runs of
            // other reasons between keep theirs too.
            let unavailable = unavailable.map(|e| e.map(|e| out.intern(Reason::Variant(e))));
            for j in 0..OPERATING_POINTS {
                for (mi, unavailable) in unavailable.iter().enumerate() {
                    if let Some(k) = *unavailable {
                        out.push_rejected_as(k);
                        continue;
                    }
                    let f = &batches.figures[mi];
                    let energy = &batches.energy[mi];
                    let timing = if f.hides_latency { &batches.latency[mi] } else { energy };
                    match (&energy.status[j], &timing.status[j]) {
                        (Ok(()), Ok(())) => out.push_cost(Cost {
                            est_jpt: f.jpt[j],
                            est_lat_ms: f.lat_ms[j],
                            est_power_w: energy.board_power_w[j],
                            link_pj_per_bit: f.link_pj_per_bit[j],
                        }),
                        (Err(e), _) | (Ok(()), Err(e)) => out.push_rejected(Reason::Model(*e)),
                    }
                }
            }
        }
        out.finish()
    }
}

/// A (precision, memory variant)'s per-token figures at the 36 operating points (statuses and board power stay
/// in its prediction batches).
struct VariantFigures {
    hides_latency: bool,
    jpt: [f64; OPERATING_POINTS],
    lat_ms: [f64; OPERATING_POINTS],
    link_pj_per_bit: [f64; OPERATING_POINTS],
}

impl Default for VariantFigures {
    fn default() -> Self {
        VariantFigures {
            hides_latency: false,
            jpt: [0.0; OPERATING_POINTS],
            lat_ms: [0.0; OPERATING_POINTS],
            link_pj_per_bit: [0.0; OPERATING_POINTS],
        }
    }
}

/// Scratch per memory variant: an energy and a latency prediction batch and the per-token figures.
#[derive(Default)]
struct VariantBatches {
    energy: [PredictionBatch; MEMORY_VARIANTS.len()],
    latency: [PredictionBatch; MEMORY_VARIANTS.len()],
    figures: [VariantFigures; MEMORY_VARIANTS.len()],
}
