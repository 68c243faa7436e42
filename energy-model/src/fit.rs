//! Relative-error-weighted, prior-anchored linear least squares (nalgebra), and the fit metrics.
//!
//! Solves `min_θ Σ_i ((y_i − o_i − x_i·θ) / y_i)² + λ Σ_j ((θ_j − θ⁰_j) / s_j)²` where `θ⁰` is the prior
//! (datasheet defaults or an earlier calibration) and `s_j = |θ⁰_j|` (1 when zero).
//! Why relative weights: kernels span microseconds to milliseconds; unweighted squares would fit only the
//! largest. Why the tiny ridge term: a coefficient the data cannot see (fp4 energy on a trace without fp4
//! rows, link scale on a trace without link traffic) stays at its prior instead of making the system
//! singular; with λ = 10⁻⁹ its pull on identified coefficients is far below measurement noise.
//! Why scaled coordinates: coefficients range over 10⁻¹² (J/flop) to 10² (W); solving for `θ_j / s_j`
//! keeps the matrix well conditioned. The solve is an SVD of the stacked system, not normal equations.

use nalgebra::{DMatrix, DVector};

/// Ridge weight in scaled coordinates (see the module header).
pub const RIDGE_LAMBDA: f64 = 1e-9;

/// One linear problem: `y_i ≈ o_i + x_i·θ`, with `y_i > 0`.
pub struct Problem<'a, const N: usize> {
    pub x: &'a [[f64; N]],
    pub offset: &'a [f64],
    pub y: &'a [f64],
    pub prior: [f64; N],
}

/// The weighted, prior-anchored least-squares solution, or `None` when the numbers are unusable
/// (non-finite inputs or an SVD that does not converge).
pub fn solve<const N: usize>(p: &Problem<'_, N>) -> Option<[f64; N]> {
    let n = p.y.len();
    let scale: [f64; N] = core::array::from_fn(|j| if p.prior[j] != 0.0 { p.prior[j].abs() } else { 1.0 });
    // A coefficient whose feature is zero on every row is not in the data at all: hold it exactly at its
    // prior by leaving it out of the system (the ridge row alone would keep it there only up to rounding).
    let active: Vec<usize> = (0..N).filter(|&j| p.x.iter().any(|row| row[j] != 0.0)).collect();
    let k = active.len();
    let sqrt_lambda = RIDGE_LAMBDA.sqrt();
    let mut a = DMatrix::<f64>::zeros(n + k, k);
    let mut b = DVector::<f64>::zeros(n + k);
    for i in 0..n {
        let w = 1.0 / p.y[i];
        let predicted_by_prior: f64 = (0..N).map(|j| p.x[i][j] * p.prior[j]).sum();
        b[i] = w * (p.y[i] - p.offset[i] - predicted_by_prior);
        for (c, &j) in active.iter().enumerate() {
            a[(i, c)] = w * p.x[i][j] * scale[j];
        }
    }
    for c in 0..k {
        a[(n + c, c)] = sqrt_lambda;
    }
    if a.iter().chain(b.iter()).any(|v| !v.is_finite()) {
        return None;
    }
    let delta = a.svd(true, true).solve(&b, 1e-14).ok()?;
    let mut theta = p.prior;
    for (c, &j) in active.iter().enumerate() {
        theta[j] = p.prior[j] + delta[c] * scale[j];
    }
    theta.iter().all(|v| v.is_finite()).then_some(theta)
}

/// Mean absolute percentage error, %.
pub fn mape(predicted: &[f64], measured: &[f64]) -> f64 {
    if measured.is_empty() {
        return 0.0;
    }
    let sum: f64 = predicted.iter().zip(measured).map(|(p, m)| ((p - m) / m).abs()).sum();
    100.0 * sum / measured.len() as f64
}

/// Coefficient of determination on the raw values (1 − SS_res / SS_tot).
pub fn r_squared(predicted: &[f64], measured: &[f64]) -> f64 {
    let n = measured.len() as f64;
    let mean = measured.iter().sum::<f64>() / n;
    let ss_tot: f64 = measured.iter().map(|m| (m - mean).powi(2)).sum();
    let ss_res: f64 = predicted.iter().zip(measured).map(|(p, m)| (m - p).powi(2)).sum();
    if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_data_gives_exact_coefficients_even_from_a_bad_prior() {
        let x: Vec<[f64; 2]> = (1..20).map(|i| [1.0, f64::from(i) * 1e9]).collect();
        let truth = [3.0, 2e-9];
        let y: Vec<f64> = x.iter().map(|r| truth[0] * r[0] + truth[1] * r[1]).collect();
        let offset = vec![0.0; y.len()];
        let got = solve(&Problem {
            x: &x,
            offset: &offset,
            y: &y,
            prior: [30.0, 1e-10],
        })
        .unwrap();
        for j in 0..2 {
            assert!((got[j] - truth[j]).abs() / truth[j] < 1e-4, "{got:?}");
        }
    }

    #[test]
    fn an_unobserved_coefficient_stays_at_its_prior() {
        let x: Vec<[f64; 2]> = (1..20).map(|i| [f64::from(i), 0.0]).collect();
        let y: Vec<f64> = x.iter().map(|r| 2.0 * r[0]).collect();
        let offset = vec![0.0; y.len()];
        let got = solve(&Problem {
            x: &x,
            offset: &offset,
            y: &y,
            prior: [1.0, 7.0],
        })
        .unwrap();
        assert!((got[0] - 2.0).abs() < 1e-4);
        assert_eq!(got[1], 7.0);
    }

    #[test]
    fn metrics() {
        assert_eq!(mape(&[110.0, 90.0], &[100.0, 100.0]), 10.0);
        assert_eq!(r_squared(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 1.0);
        assert!(r_squared(&[2.0, 2.0, 2.0], &[1.0, 2.0, 3.0]).abs() < 1e-12);
    }
}
