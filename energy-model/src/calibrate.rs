//! Calibration: fits a model form's coefficients to measured rows and scores the fit (R², MAPE, k-fold
//! cross-validated MAPE, per-kernel-class breakdown).
//!
//! Both forms are fitted as two separate linear problems, latency and energy, by [`crate::fit::solve`],
//! anchored at the SKU's current coefficients (`Sku::model`: calibrated ones if the file has them, else the
//! datasheet defaults).
//! - physical latency: the roofline `max` is piecewise linear, so the fit alternates: classify each row's
//!   regime (memory, compute, link) under the current coefficients, solve for `[t_launch, 1/η_bw, 1/η_c]`,
//!   repeat until no row changes regime (at most `MAX_REGIME_ROUNDS`). Deterministic, and exact on
//!   noiseless data once the classification is right.
//! - physical latency per class: the same alternation on each class's rows (at least [`MIN_CLASS_ROWS`]),
//!   starting from and anchored to the pooled fit; a class with fewer rows (or held out) uses the pooled terms.
//! - physical energy: linear given the kernel's duration (clock power and energy per byte per class, energy
//!   per flop per precision; static power held at the SKU's idle power); the fit uses the *measured* latency, so energy
//!   coefficients are not biased by latency-model error. Scoring uses the model's own predicted latency, so
//!   reported energy error includes that propagation.
//! - `joules` in a trace is the GPU board's energy: link (optics) energy is neither fitted (`link_scale` keeps
//!   its prior) nor scored; predictions are compared by their board share (`joules − link_joules`).
//! - seed: both its energy and latency forms are linear as they stand.
//!
//! Cross-validation fits and checks on disjoint data. k-fold: folds are assigned per repeat group
//! ([`TraceRow::group`]: rows of one `config`), group g to fold g mod k, so both repeats of a measurement are
//! held out together and no random numbers are needed (row-index folds would put every held-out row's twin,
//! equal within the noise floor, in the training set and score repeatability instead of prediction).
//! Leave-one-class-out: each kernel class present is held out in turn and predicted by a fit to the others.
//! Both are also reported on the rows whose measured latency is ≥ [`LONG_KERNEL_US`].

use crate::fit::{mape, r_squared, solve, Problem};
use crate::kinds::KernelClass;
use crate::model::{EnergyModel, Model, ModelForm};
use crate::physical::{self, PhysicalCoefficients, Regime};
use crate::seed::{self, SeedCoefficients};
use crate::sku::Sku;
use crate::trace::TraceRow;

/// Kernels at least this long (measured, µs) are scored separately: the accuracy goals split there.
pub const LONG_KERNEL_US: f64 = 40.0;

/// Upper bound on regime-classification rounds of the physical latency fit.
pub const MAX_REGIME_ROUNDS: usize = 50;

/// Why a fit failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalibrateError {
    #[error("no rows with measured joules and latency_us")]
    NoRows,
    #[error("{folds}-fold cross-validation needs at least {folds} rows (got {rows})")]
    TooFewRowsForFolds { folds: usize, rows: usize },
    #[error("{folds}-fold cross-validation needs at least {folds} distinct configs (got {groups})")]
    TooFewGroupsForFolds { folds: usize, groups: usize },
    #[error("cross-validation needs at least 2 folds (got {0})")]
    TooFewFolds(usize),
    #[error("the {0} least-squares problem has non-finite numbers or did not converge")]
    Numerical(&'static str),
    #[error("fitted {0} is not > 0; the trace has too few rows bounded by it")]
    NonPhysical(&'static str),
}

/// Fit quality of one model form on one set of rows.
#[derive(Clone, Debug, PartialEq)]
pub struct FitStats {
    pub rows: usize,
    pub r2_energy: f64,
    pub r2_latency: f64,
    /// In-sample mean absolute percentage errors, %.
    pub mape_energy: f64,
    pub mape_latency: f64,
    /// k-fold (grouped by config) cross-validated MAPE, %, over all held-out rows (= `kfold.all`).
    pub cv_mape_energy: f64,
    pub cv_mape_latency: f64,
    pub folds: usize,
    /// Grouped k-fold cross-validation, on all rows and on rows ≥ [`LONG_KERNEL_US`].
    pub kfold: CvScore,
    /// Leave-one-kernel-class-out cross-validation; `None` when the rows have a single class.
    pub loco: Option<CvScore>,
    /// Leave-one-class-out MAPE of each held-out class, in `KernelClass::ALL` order.
    pub loco_per_class: Vec<ClassStats>,
    /// Grouped k-fold MAPE of each class's held-out rows, in `KernelClass::ALL` order.
    pub kfold_per_class: Vec<ClassStats>,
    /// In-sample breakdown per kernel class present in the rows, in `KernelClass::ALL` order.
    pub per_class: Vec<ClassStats>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassStats {
    pub class: KernelClass,
    pub rows: usize,
    pub mape_energy: f64,
    pub mape_latency: f64,
}

/// Held-out MAPE, %, on all rows and on the long ones (measured latency ≥ [`LONG_KERNEL_US`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CvScore {
    pub rows: usize,
    pub mape_energy: f64,
    pub mape_latency: f64,
    pub rows_long: usize,
    pub mape_energy_long: f64,
    pub mape_latency_long: f64,
}

/// Held-out predictions, in the order they were made, for scoring.
#[derive(Default)]
struct HeldOut {
    class: Vec<KernelClass>,
    pe: Vec<f64>,
    me: Vec<f64>,
    pl: Vec<f64>,
    ml: Vec<f64>,
}

impl HeldOut {
    fn extend(&mut self, class: KernelClass, (pe, me, pl, ml): (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>)) {
        self.class.extend(std::iter::repeat_n(class, ml.len()));
        self.pe.extend(pe);
        self.me.extend(me);
        self.pl.extend(pl);
        self.ml.extend(ml);
    }

    /// MAPE of each class's held-out rows, in `KernelClass::ALL` order.
    fn per_class(&self) -> Vec<ClassStats> {
        KernelClass::ALL
            .into_iter()
            .filter_map(|class| {
                let idx: Vec<usize> = (0..self.class.len()).filter(|&i| self.class[i] == class).collect();
                let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
                (!idx.is_empty()).then(|| ClassStats {
                    class,
                    rows: idx.len(),
                    mape_energy: mape(&pick(&self.pe), &pick(&self.me)),
                    mape_latency: mape(&pick(&self.pl), &pick(&self.ml)),
                })
            })
            .collect()
    }

    fn score(&self) -> CvScore {
        let long: Vec<usize> = (0..self.ml.len())
            .filter(|&i| self.ml[i] * 1e6 >= LONG_KERNEL_US)
            .collect();
        let pick = |v: &[f64]| long.iter().map(|&i| v[i]).collect::<Vec<_>>();
        CvScore {
            rows: self.ml.len(),
            mape_energy: mape(&self.pe, &self.me),
            mape_latency: mape(&self.pl, &self.ml),
            rows_long: long.len(),
            mape_energy_long: mape(&pick(&self.pe), &pick(&self.me)),
            mape_latency_long: mape(&pick(&self.pl), &pick(&self.ml)),
        }
    }
}

/// The k-fold fold of each row: its repeat group modulo `folds`. Rows of one group share a fold.
pub fn fold_of(rows: &[TraceRow], folds: usize) -> Vec<usize> {
    rows.iter().map(|r| r.group % folds).collect()
}

/// A fitted model and how well it fits.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    pub model: Model,
    pub stats: FitStats,
}

/// `(joules, latency_s)` measured on a row; rows without both are skipped by the fits.
fn measured(r: &TraceRow) -> Option<(f64, f64)> {
    Some((r.joules?, r.latency_us? * 1e-6))
}

/// Fits `form` to `rows` without scoring it.
pub fn fit(sku: &Sku, rows: &[TraceRow], form: ModelForm) -> Result<Model, CalibrateError> {
    let rows: Vec<(&TraceRow, f64, f64)> = rows
        .iter()
        .filter_map(|r| measured(r).map(|(j, t)| (r, j, t)))
        .collect();
    if rows.is_empty() {
        return Err(CalibrateError::NoRows);
    }
    match sku.model(form) {
        Model::Physical(prior) => fit_physical(sku, &rows, &prior).map(Model::Physical),
        Model::Seed(prior) => fit_seed(&rows, &prior).map(Model::Seed),
    }
}

/// Rows a class needs in the trace to get its own [`ClassTerms`]; fewer and it uses the pooled terms.
pub const MIN_CLASS_ROWS: usize = 4;

/// Latency coefficients `[t_launch_s, 1/η_bw, 1/η_c]` fitted to `rows` from `prior` by regime alternation.
fn fit_latency(
    terms: &[physical::RooflineTerms],
    y_lat: &[f64],
    prior_lat: [f64; physical::LATENCY_TERMS],
) -> Result<[f64; physical::LATENCY_TERMS], CalibrateError> {
    let mut lat = prior_lat;
    let mut regimes: Vec<Regime> = terms.iter().map(|t| physical::regime(t, &lat)).collect();
    for _ in 0..MAX_REGIME_ROUNDS {
        let (x, offset): (Vec<_>, Vec<_>) = terms
            .iter()
            .zip(&regimes)
            .map(|(t, &g)| physical::latency_features(t, g))
            .unzip();
        lat = solve(&Problem {
            x: &x,
            offset: &offset,
            y: y_lat,
            prior: prior_lat,
        })
        .ok_or(CalibrateError::Numerical("physical latency"))?;
        if lat[1] <= 0.0 {
            return Err(CalibrateError::NonPhysical("1/eta_bw"));
        }
        if lat[2] <= 0.0 {
            return Err(CalibrateError::NonPhysical("1/eta_compute"));
        }
        let next: Vec<Regime> = terms.iter().map(|t| physical::regime(t, &lat)).collect();
        if next == regimes {
            break;
        }
        regimes = next;
    }
    Ok(lat)
}

/// Number of energy coefficients of the per-class fit: clock power and energy per byte per class, energy per
/// flop per precision.
const CLASS_ENERGY_TERMS: usize = 2 * physical::CLASSES + 4;

fn fit_physical(
    sku: &Sku,
    rows: &[(&TraceRow, f64, f64)],
    prior: &PhysicalCoefficients,
) -> Result<PhysicalCoefficients, CalibrateError> {
    let terms: Vec<_> = rows
        .iter()
        .map(|(r, _, _)| physical::roofline_terms(sku, &r.work, &r.point))
        .collect();
    let y_lat: Vec<f64> = rows.iter().map(|&(_, _, t)| t).collect();
    // Pooled latency terms first (all classes together): the fallback for classes with too few rows, and
    // the prior each class's own fit starts from and is anchored to.
    let pooled = fit_latency(&terms, &y_lat, prior.latency_vector())?;
    let mut class_lat: [Option<[f64; physical::LATENCY_TERMS]>; physical::CLASSES] = [None; physical::CLASSES];
    for class in KernelClass::ALL {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].0.work.class == class).collect();
        if idx.len() < MIN_CLASS_ROWS {
            continue;
        }
        let t: Vec<_> = idx.iter().map(|&i| terms[i]).collect();
        let y: Vec<f64> = idx.iter().map(|&i| y_lat[i]).collect();
        class_lat[class.index()] = Some(fit_latency(&t, &y, pooled)?);
    }

    // Energy of the board (NVML's counter): E − p_static·t = p_clock[c]·(f/f_max)³·t + e_byte[c]·bytes +
    // e_flop[p]·flops for a kernel of class c and precision p, with the measured t. p_static is held at its
    // prior (the SKU's idle power): with a clock power per class it is separable from them only through the
    // power-capped rows, and on the H100 traces a free fit put it at −392 W. Link energy is not in a board
    // measurement, so the link term is left out of the fit and link_scale keeps its prior.
    const C: usize = physical::CLASSES;
    let class_x = |r: &TraceRow, t: f64| -> [f64; CLASS_ENERGY_TERMS] {
        let phi = physical::energy_features(sku, &r.work, &r.point, t);
        let mut x = [0.0; CLASS_ENERGY_TERMS];
        x[r.work.class.index()] = phi[1];
        x[C + r.work.class.index()] = phi[2];
        x[2 * C..].copy_from_slice(&phi[3..7]);
        x
    };
    let x: Vec<_> = rows.iter().map(|&(r, _, t)| class_x(r, t)).collect();
    let y: Vec<f64> = rows.iter().map(|&(_, j, _)| j).collect();
    let offset: Vec<f64> = rows.iter().map(|&(_, _, t)| prior.p_static_w * t).collect();
    let mut energy_prior = [prior.p_clock_w; CLASS_ENERGY_TERMS];
    energy_prior[C..2 * C].fill(prior.e_byte_pj);
    energy_prior[2 * C..].copy_from_slice(&prior.e_flop_pj);
    let energy = solve(&Problem {
        x: &x,
        offset: &offset,
        y: &y,
        prior: energy_prior,
    })
    .ok_or(CalibrateError::Numerical("physical energy"))?;
    let e_flop_pj: [f64; 4] = core::array::from_fn(|p| energy[2 * C + p]);
    // The pooled clock power and energy per byte, given those per-flop energies: what a class without
    // its own terms uses.
    let x2: Vec<[f64; 2]> = x
        .iter()
        .map(|r| [r[..C].iter().sum(), r[C..2 * C].iter().sum()])
        .collect();
    let offset2: Vec<f64> = x
        .iter()
        .zip(&offset)
        .map(|(r, o)| o + r[2 * C..].iter().zip(&e_flop_pj).map(|(a, b)| a * b).sum::<f64>())
        .collect();
    let [p_clock_w, e_byte_pj] = solve(&Problem {
        x: &x2,
        offset: &offset2,
        y: &y,
        prior: [prior.p_clock_w, prior.e_byte_pj],
    })
    .ok_or(CalibrateError::Numerical("physical pooled energy"))?;

    let mut c = PhysicalCoefficients::from_vectors(
        [
            prior.p_static_w,
            p_clock_w,
            e_byte_pj,
            e_flop_pj[0],
            e_flop_pj[1],
            e_flop_pj[2],
            e_flop_pj[3],
            prior.link_scale,
        ],
        pooled,
    );
    for class in KernelClass::ALL {
        if let Some(lat) = class_lat[class.index()] {
            c.per_class[class.index()] = Some(physical::ClassTerms::from_latency_vector(
                lat,
                energy[class.index()],
                energy[C + class.index()],
            ));
        }
    }
    Ok(c)
}

fn fit_seed(rows: &[(&TraceRow, f64, f64)], prior: &SeedCoefficients) -> Result<SeedCoefficients, CalibrateError> {
    let offset = vec![0.0; rows.len()];
    // Board energy has no link term: zeroing its feature keeps a3 (J per link-µs) at its prior.
    let xe: Vec<_> = rows
        .iter()
        .map(|(r, _, _)| {
            let mut x = seed::energy_features(&r.work, &r.point);
            x[3] = 0.0;
            x
        })
        .collect();
    let ye: Vec<f64> = rows.iter().map(|&(_, j, _)| j).collect();
    let a = solve(&Problem {
        x: &xe,
        offset: &offset,
        y: &ye,
        prior: prior.a,
    })
    .ok_or(CalibrateError::Numerical("seed energy"))?;
    let xl: Vec<_> = rows
        .iter()
        .map(|(r, _, _)| seed::latency_features(&r.work, &r.point))
        .collect();
    let yl: Vec<f64> = rows.iter().map(|&(_, _, t)| t * 1e6).collect();
    let b = solve(&Problem {
        x: &xl,
        offset: &offset,
        y: &yl,
        prior: prior.b,
    })
    .ok_or(CalibrateError::Numerical("seed latency"))?;
    Ok(SeedCoefficients { a, b })
}

/// Predicted and measured `(joules, latency_s)` for rows that have measurements.
fn score(model: &Model, sku: &Sku, rows: &[&TraceRow]) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut out = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        if let Some((j, t)) = measured(r) {
            let p = model.estimate(sku, &r.work, &r.point);
            // A measured `joules` is the board's energy (a GPU power counter): compare the board's share.
            out.0.push(p.joules - p.link_joules);
            out.1.push(j);
            out.2.push(p.latency_s);
            out.3.push(t);
        }
    }
    out
}

/// Fits `form` to all rows, then scores it in-sample, per class, and by `folds`-fold cross-validation.
pub fn calibrate(sku: &Sku, rows: &[TraceRow], form: ModelForm, folds: usize) -> Result<Calibration, CalibrateError> {
    let rows: Vec<&TraceRow> = rows.iter().filter(|r| measured(r).is_some()).collect();
    if folds < 2 {
        return Err(CalibrateError::TooFewFolds(folds));
    }
    if rows.is_empty() {
        return Err(CalibrateError::NoRows);
    }
    if rows.len() < folds {
        return Err(CalibrateError::TooFewRowsForFolds {
            folds,
            rows: rows.len(),
        });
    }
    let owned: Vec<TraceRow> = rows.iter().map(|r| **r).collect();
    let model = fit(sku, &owned, form)?;
    let (pe, me, pl, ml) = score(&model, sku, &rows);

    let groups: std::collections::BTreeSet<usize> = owned.iter().map(|r| r.group).collect();
    if groups.len() < folds {
        return Err(CalibrateError::TooFewGroupsForFolds {
            folds,
            groups: groups.len(),
        });
    }
    let fold = fold_of(&owned, folds);
    let mut kfold = HeldOut::default();
    for k in 0..folds {
        let train: Vec<TraceRow> = (0..owned.len()).filter(|&i| fold[i] != k).map(|i| owned[i]).collect();
        let test: Vec<&TraceRow> = (0..owned.len()).filter(|&i| fold[i] == k).map(|i| &owned[i]).collect();
        if test.is_empty() {
            continue;
        }
        let fold_model = fit(sku, &train, form)?;
        // Scored one row at a time so each keeps its class for the per-class breakdown.
        for r in test {
            kfold.extend(r.work.class, score(&fold_model, sku, &[r]));
        }
    }
    let kfold_per_class = kfold.per_class();
    let kfold = kfold.score();

    let classes: Vec<KernelClass> = KernelClass::ALL
        .into_iter()
        .filter(|&c| owned.iter().any(|r| r.work.class == c))
        .collect();
    let mut loco = HeldOut::default();
    let mut loco_per_class = Vec::new();
    if classes.len() > 1 {
        for &class in &classes {
            let train: Vec<TraceRow> = owned.iter().filter(|r| r.work.class != class).copied().collect();
            let test: Vec<&TraceRow> = owned.iter().filter(|r| r.work.class == class).collect();
            let class_model = fit(sku, &train, form)?;
            let (pe, me, pl, ml) = score(&class_model, sku, &test);
            loco_per_class.push(ClassStats {
                class,
                rows: test.len(),
                mape_energy: mape(&pe, &me),
                mape_latency: mape(&pl, &ml),
            });
            loco.extend(class, (pe, me, pl, ml));
        }
    }
    let loco = (classes.len() > 1).then(|| loco.score());

    let per_class = KernelClass::ALL
        .into_iter()
        .filter_map(|class| {
            let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].work.class == class).collect();
            if idx.is_empty() {
                return None;
            }
            let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
            Some(ClassStats {
                class,
                rows: idx.len(),
                mape_energy: mape(&pick(&pe), &pick(&me)),
                mape_latency: mape(&pick(&pl), &pick(&ml)),
            })
        })
        .collect();

    Ok(Calibration {
        model,
        stats: FitStats {
            rows: rows.len(),
            r2_energy: r_squared(&pe, &me),
            r2_latency: r_squared(&pl, &ml),
            mape_energy: mape(&pe, &me),
            mape_latency: mape(&pl, &ml),
            cv_mape_energy: kfold.mape_energy,
            cv_mape_latency: kfold.mape_latency,
            folds,
            kfold,
            loco,
            loco_per_class,
            kfold_per_class,
            per_class,
        },
    })
}
