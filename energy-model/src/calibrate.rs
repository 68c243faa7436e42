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
//! - physical energy: linear in its 8 coefficients given the kernel's duration; the fit uses the *measured*
//!   latency, so energy coefficients are not biased by latency-model error. Scoring uses the model's own
//!   predicted latency, so reported energy error includes that propagation.
//! - seed: both its energy and latency forms are linear as they stand.
//!
//! Cross-validation folds are interleaved (row i goes to fold i mod k) so they need no random numbers.

use crate::fit::{mape, r_squared, solve, Problem};
use crate::kinds::KernelClass;
use crate::model::{EnergyModel, Model, ModelForm};
use crate::physical::{self, PhysicalCoefficients, Regime};
use crate::seed::{self, SeedCoefficients};
use crate::sku::Sku;
use crate::trace::TraceRow;

/// Upper bound on regime-classification rounds of the physical latency fit.
pub const MAX_REGIME_ROUNDS: usize = 50;

/// Why a fit failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalibrateError {
    #[error("no rows with measured joules and latency_us")]
    NoRows,
    #[error("{folds}-fold cross-validation needs at least {folds} rows (got {rows})")]
    TooFewRowsForFolds { folds: usize, rows: usize },
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
    /// k-fold cross-validated MAPE, %, over all held-out rows.
    pub cv_mape_energy: f64,
    pub cv_mape_latency: f64,
    pub folds: usize,
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
    let prior_lat = prior.latency_vector();
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
            y: &y_lat,
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
    let x: Vec<_> = rows
        .iter()
        .map(|&(r, _, t)| physical::energy_features(sku, &r.work, &r.point, t))
        .collect();
    let y: Vec<f64> = rows.iter().map(|&(_, j, _)| j).collect();
    let offset = vec![0.0; rows.len()];
    let energy = solve(&Problem {
        x: &x,
        offset: &offset,
        y: &y,
        prior: prior.energy_vector(),
    })
    .ok_or(CalibrateError::Numerical("physical energy"))?;
    Ok(PhysicalCoefficients::from_vectors(energy, lat))
}

fn fit_seed(rows: &[(&TraceRow, f64, f64)], prior: &SeedCoefficients) -> Result<SeedCoefficients, CalibrateError> {
    let offset = vec![0.0; rows.len()];
    let xe: Vec<_> = rows
        .iter()
        .map(|(r, _, _)| seed::energy_features(&r.work, &r.point))
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
            out.0.push(p.joules);
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

    let (mut cv_pe, mut cv_me, mut cv_pl, mut cv_ml) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..folds {
        let train: Vec<TraceRow> = owned
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != k)
            .map(|(_, r)| *r)
            .collect();
        let test: Vec<&TraceRow> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == k)
            .map(|(_, r)| *r)
            .collect();
        let fold_model = fit(sku, &train, form)?;
        let (a, b, c, d) = score(&fold_model, sku, &test);
        cv_pe.extend(a);
        cv_me.extend(b);
        cv_pl.extend(c);
        cv_ml.extend(d);
    }

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
            cv_mape_energy: mape(&cv_pe, &cv_me),
            cv_mape_latency: mape(&cv_pl, &cv_ml),
            folds,
            per_class,
        },
    })
}
