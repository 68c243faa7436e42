//! The `EnergyModel` trait both forms implement, the form selector, and the stable model hash.

use crate::kinds::Precision;
use crate::physical::PhysicalCoefficients;
use crate::seed::SeedCoefficients;
use crate::sku::Sku;
use crate::work::{Infeasible, KernelWork, OperatingGrid, OperatingPoint, Prediction};
use std::fmt;

/// Predicts a kernel's energy and latency on a SKU. Implementations are pure functions of their
/// coefficients and arguments, so the search may call them from many threads.
pub trait EnergyModel: Send + Sync {
    /// Which form this is.
    fn form(&self) -> ModelForm;

    /// The raw estimate, assuming `sku.check(work, point)` passed. Calibration scores this directly.
    fn estimate(&self, sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> Prediction;

    /// Stable across runs, platforms and Rust versions: FNV-1a over the form name and the coefficients'
    /// IEEE-754 bits. Cache keys use it; any coefficient change changes it.
    fn model_hash(&self) -> u64;

    /// The estimate, or why the point cannot run: the SKU's structural rules ([`Sku::check`]) and the
    /// board power limit on the board's share of the power (links excluded): a point predicted above it
    /// would be throttled by firmware, so its latency would be fiction.
    fn predict(&self, sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> Result<Prediction, Infeasible> {
        sku.check(work, point)?;
        within_board_limit(sku, self.estimate(sku, work, point))
    }

    /// [`EnergyModel::predict`] of one work at each of `points`, into `out`'s columns (reset first), in order,
    /// with each estimate's board power. A search prices one work at a SKU's whole grid of operating points;
    /// an implementation may hoist what does not depend on the point, but its results must equal `predict`'s
    /// bit for bit.
    fn predict_batch(&self, sku: &Sku, work: &KernelWork, points: &[OperatingPoint], out: &mut PredictionBatch) {
        batch_with_estimate(self, sku, work, points, out);
    }

    /// [`EnergyModel::predict_batch`] at the points of `grid`, in [`OperatingGrid::point`] order: what the
    /// search calls for each (precision, memory variant) work. An implementation may hoist what depends on one
    /// axis level alone; its results must equal `predict`'s bit for bit.
    fn predict_grid(&self, sku: &Sku, work: &KernelWork, grid: &OperatingGrid, out: &mut PredictionBatch) {
        self.predict_batch(sku, work, &grid.points(), out);
    }

    /// True when [`EnergyModel::predict`] of any work at precision `a` equals, bit for bit, its prediction of the
    /// same work at precision `b` on `sku`, at every point (rejections included, so both must have units: a
    /// rejection for missing units names the precision). A search may then price one precision and copy the
    /// other. `false` is always correct.
    fn precisions_alike(&self, sku: &Sku, a: Precision, b: Precision) -> bool {
        let _ = sku;
        a == b
    }
}

/// [`EnergyModel::predict_batch`] point by point through `estimate` (what `predict` does).
fn batch_with_estimate<M: EnergyModel + ?Sized>(
    model: &M,
    sku: &Sku,
    work: &KernelWork,
    points: &[OperatingPoint],
    out: &mut PredictionBatch,
) {
    out.reset(points.len());
    for (i, p) in points.iter().enumerate() {
        let (result, w) = match sku.check(work, p) {
            Err(e) => (Err(e), 0.0),
            Ok(()) => {
                let estimate = model.estimate(sku, work, p);
                (within_board_limit(sku, estimate), estimate.board_power_w())
            }
        };
        out.set(i, result, w);
    }
}

/// The board power limit rule of [`EnergyModel::predict`], applied to an estimate.
pub(crate) fn within_board_limit(sku: &Sku, p: Prediction) -> Result<Prediction, Infeasible> {
    let predicted_w = p.board_power_w();
    if predicted_w > sku.board_limit_w {
        return Err(Infeasible::OverPowerLimit {
            predicted_w,
            limit_w: sku.board_limit_w,
        });
    }
    Ok(p)
}

/// One work's predictions at many operating points, as columns ([`crate::EnergyModel::predict_batch`]). Point
/// `i`'s result is [`PredictionBatch::get`]`(i)`; keep one batch and reuse it, so pricing a grid allocates
/// nothing after the first call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PredictionBatch {
    pub joules: Vec<f64>,
    pub latency_s: Vec<f64>,
    pub link_joules: Vec<f64>,
    /// [`Prediction::board_power_w`] of each estimate: the power the board limit was checked against
    /// (meaningful where the status is `Ok` or `OverPowerLimit`).
    pub board_power_w: Vec<f64>,
    /// `Ok` for a feasible point, else why not (the other estimate columns are meaningful only for `Ok`).
    pub status: Vec<Result<(), Infeasible>>,
}

impl PredictionBatch {
    /// Points in the batch.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Sizes the batch for `n` points, keeping the allocations. Values left from an earlier batch are not
    /// cleared: every point's status is written again, and the estimate columns are meaningful only where the
    /// status says so (see the fields).
    pub fn reset(&mut self, n: usize) {
        for column in [
            &mut self.joules,
            &mut self.latency_s,
            &mut self.link_joules,
            &mut self.board_power_w,
        ] {
            column.resize(n, 0.0);
        }
        self.status.resize(n, Ok(()));
    }

    /// Point `i` as [`crate::EnergyModel::predict`] returns it.
    #[inline]
    pub fn get(&self, i: usize) -> Result<Prediction, Infeasible> {
        self.status[i].map(|()| Prediction {
            joules: self.joules[i],
            latency_s: self.latency_s[i],
            link_joules: self.link_joules[i],
        })
    }

    /// Stores point `i`'s result (as `predict` returns it) with its board power.
    #[inline]
    pub fn set(&mut self, i: usize, result: Result<Prediction, Infeasible>, board_power_w: f64) {
        match result {
            Ok(p) => {
                self.joules[i] = p.joules;
                self.latency_s[i] = p.latency_s;
                self.link_joules[i] = p.link_joules;
                self.status[i] = Ok(());
            }
            Err(e) => self.status[i] = Err(e),
        }
        self.board_power_w[i] = board_power_w;
    }
}

/// The two model forms. Names on the command line and in SKU tables: `physical`, `seed`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ModelForm {
    #[default]
    Physical,
    Seed,
}

impl ModelForm {
    pub const ALL: [ModelForm; 2] = [ModelForm::Physical, ModelForm::Seed];

    pub const fn name(self) -> &'static str {
        match self {
            ModelForm::Physical => "physical",
            ModelForm::Seed => "seed",
        }
    }

    pub fn from_name(name: &str) -> Option<ModelForm> {
        ModelForm::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for ModelForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// FNV-1a, 64-bit: tiny, stable, and good enough to tell coefficient sets apart in a cache key.
pub(crate) fn fnv1a(tag: &str, values: &[f64]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let bytes = tag.bytes().chain(values.iter().flat_map(|v| v.to_bits().to_le_bytes()));
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// A model of either form: what `Sku::model` returns and what the CLI and the search hold.
/// Unboxed on purpose (the physical form's per-class terms make it ~0.5 KiB): the search copies models into
/// its threads, and `Copy` keeps that free of allocation and shared state.
#[allow(clippy::large_enum_variant)]
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Model {
    Physical(PhysicalCoefficients),
    Seed(SeedCoefficients),
}

impl Model {
    /// Flattened coefficients (energy then latency, then each calibrated class's index and terms), as hashed.
    pub fn coefficients(&self) -> Vec<f64> {
        match self {
            Model::Physical(c) => {
                let mut v: Vec<f64> = c.energy_vector().into_iter().chain(c.latency_vector()).collect();
                for (i, t) in c.per_class.iter().enumerate() {
                    if let Some(t) = t {
                        v.extend([
                            i as f64,
                            t.t_launch_us,
                            t.eta_bw,
                            t.eta_compute,
                            t.p_clock_w,
                            t.e_byte_pj,
                        ]);
                    }
                }
                v
            }
            Model::Seed(c) => c.a.into_iter().chain(c.b).collect(),
        }
    }
}

impl EnergyModel for Model {
    fn form(&self) -> ModelForm {
        match self {
            Model::Physical(_) => ModelForm::Physical,
            Model::Seed(_) => ModelForm::Seed,
        }
    }

    fn estimate(&self, sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> Prediction {
        match self {
            Model::Physical(c) => c.estimate(sku, work, point),
            Model::Seed(c) => c.estimate(work, point),
        }
    }

    fn model_hash(&self) -> u64 {
        fnv1a(self.form().name(), &self.coefficients())
    }

    fn predict_grid(&self, sku: &Sku, work: &KernelWork, grid: &OperatingGrid, out: &mut PredictionBatch) {
        match self {
            Model::Physical(c) => c.predict_grid(sku, work, grid, out),
            Model::Seed(_) => batch_with_estimate(self, sku, work, &grid.points(), out),
        }
    }

    fn precisions_alike(&self, sku: &Sku, a: Precision, b: Precision) -> bool {
        // Both need units (`Sku::check_work`'s last rule), so neither is rejected for its precision.
        let has_units = |p: Precision| sku.peak_tflops(p) > 0.0;
        a == b
            || (has_units(a)
                && has_units(b)
                && match self {
                    // The seed form ignores precision.
                    Model::Seed(_) => true,
                    // Precision enters the physical form through its peak (compute time) and its energy per flop
                    // (the flop feature's slot: the dot product adds `e_flop[p]·flops` and a zero product
                    // `e_flop[q]·0` for the other, in swapped slots, and the sum of `x`, `±0` is the same in
                    // either order). Equal bits of both make every prediction identical.
                    Model::Physical(c) => {
                        sku.peak_tflops(a).to_bits() == sku.peak_tflops(b).to_bits()
                            && c.e_flop_pj[a.index()].to_bits() == c.e_flop_pj[b.index()].to_bits()
                    }
                })
    }
}

impl Sku {
    /// The SKU's model of a form: its calibrated coefficients when the file has them, else the
    /// datasheet-derived defaults.
    pub fn model(&self, form: ModelForm) -> Model {
        match form {
            ModelForm::Physical => {
                Model::Physical(self.physical.unwrap_or_else(|| PhysicalCoefficients::defaults(self)))
            }
            ModelForm::Seed => Model::Seed(self.seed.unwrap_or_else(|| SeedCoefficients::defaults(self))),
        }
    }

    /// True when the file carries calibrated coefficients for `form`.
    pub fn is_calibrated(&self, form: ModelForm) -> bool {
        match form {
            ModelForm::Physical => self.physical.is_some(),
            ModelForm::Seed => self.seed.is_some(),
        }
    }

    /// The search's grid for this SKU: every (clock level, HBM level, search link state) operating point,
    /// in a fixed order (clock, then bandwidth, then link; highest first).
    pub fn operating_points(&self) -> Vec<OperatingPoint> {
        let mut out = Vec::with_capacity(4 * 3 * 3);
        for &sm_mhz in &self.sm_mhz_levels {
            for &hbm_bw_tbps in &self.hbm_bw_levels_tbps {
                for &link in &self.search_link_states {
                    out.push(OperatingPoint {
                        sm_mhz,
                        hbm_bw_tbps,
                        link,
                    });
                }
            }
        }
        out
    }
}
