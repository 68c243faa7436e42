//! Bayesian online update of a linear model's coefficients (no_std, no heap: fixed-size nalgebra).
//!
//! Model: `y = θ·φ + ε`, `ε ~ N(0, (noise_rel · ŷ)²)`, where `ŷ` is the current prediction, i.e. noise is
//! relative, like the calibration's relative-error weighting. Prior `θ ~ N(μ₀, Σ₀)` comes from calibration.
//! Each observation applies the exact rank-one (recursive least squares / Kalman) posterior update
//!
//! ```text
//! s = φᵀΣφ + σ²        k = Σφ / s        μ ← μ + k (y − φᵀμ)        Σ ← Σ − k φᵀΣ
//! ```
//!
//! and the posterior predictive at φ is `N(φᵀμ, φᵀΣφ + σ²)`; the runtime reads its variance as a safety margin.
//!
//! Why the coordinates are scaled: coefficients span ~1e-12 (J/flop) to ~1e2 (W), so `Σ` in raw units would mix
//! magnitudes 1e-24..1e4 and the subtraction in the covariance update would lose positive definiteness.
//! Internally `θ = scale ⊙ m` with `scale` the prior mean's magnitude, so `m ≈ 1` and `Σ_m` is O(1).
//!
//! Why outliers are down-weighted: one wild measurement (a counter glitch, a preempted kernel) must not flip a
//! coefficient's sign. When the standardised residual `z = r / √s` exceeds `outlier_z`, the observation's
//! noise variance is inflated by `(z / outlier_z)²` (a one-step Huber-style reweighting). The resulting step
//! `k·r` then grows no faster than `outlier_z·√s`, so a single observation's influence is bounded however
//! large its error.

use nalgebra::{ComplexField, SMatrix, SVector};

/// Posterior over `N` linear coefficients. Plain data: `Copy`, no allocation, no_std.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct BayesianLinear<const N: usize> {
    /// Per-coefficient scale: `θ_i = scale_i · m_i`.
    scale: SVector<f64, N>,
    /// Posterior mean of `m`.
    mean: SVector<f64, N>,
    /// Posterior covariance of `m`.
    cov: SMatrix<f64, N, N>,
    /// Observation noise standard deviation relative to the prediction (e.g. 0.03 = 3 %).
    noise_rel: f64,
    /// Standardised residual beyond which an observation is down-weighted.
    outlier_z: f64,
    /// Number of observations absorbed.
    count: u64,
}

/// What one observation did to the posterior.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Observation {
    /// `y − φᵀμ` before the update, in the units of `y`.
    pub residual: f64,
    /// The residual divided by the prior predictive standard deviation.
    pub z: f64,
    /// True when the observation was treated as an outlier and down-weighted.
    pub downweighted: bool,
}

/// Errors from [`BayesianLinear::new`] and [`BayesianLinear::observe`]; no panics on bad numbers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BayesError {
    /// A prior mean, prior standard deviation, feature or observation is NaN or infinite.
    NotFinite,
    /// A prior standard deviation or the relative noise is not > 0.
    NonPositiveSpread,
}

impl core::fmt::Display for BayesError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            BayesError::NotFinite => f.write_str("a prior, feature or observation is not a finite number"),
            BayesError::NonPositiveSpread => f.write_str("prior standard deviations and noise must be > 0"),
        }
    }
}

/// Default outlier threshold in standard deviations.
pub const DEFAULT_OUTLIER_Z: f64 = 3.0;

impl<const N: usize> BayesianLinear<N> {
    /// A Gaussian prior with independent coefficients: mean `prior_mean`, standard deviation `prior_sd`.
    /// `noise_rel` is the relative observation noise (the calibration's residual spread, e.g. its MAPE).
    pub fn new(prior_mean: [f64; N], prior_sd: [f64; N], noise_rel: f64) -> Result<Self, BayesError> {
        if !noise_rel.is_finite() || prior_mean.iter().chain(prior_sd.iter()).any(|v| !v.is_finite()) {
            return Err(BayesError::NotFinite);
        }
        if noise_rel <= 0.0 || prior_sd.iter().any(|&s| s <= 0.0) {
            return Err(BayesError::NonPositiveSpread);
        }
        let mut scale = SVector::<f64, N>::zeros();
        let mut mean = SVector::<f64, N>::zeros();
        let mut cov = SMatrix::<f64, N, N>::zeros();
        for i in 0..N {
            // A zero prior mean has no magnitude to borrow; its spread sets the scale instead.
            let s = if prior_mean[i] != 0.0 {
                prior_mean[i].abs()
            } else {
                prior_sd[i]
            };
            scale[i] = s;
            mean[i] = prior_mean[i] / s;
            let sd = prior_sd[i] / s;
            cov[(i, i)] = sd * sd;
        }
        Ok(BayesianLinear {
            scale,
            mean,
            cov,
            noise_rel,
            outlier_z: DEFAULT_OUTLIER_Z,
            count: 0,
        })
    }

    /// Changes the outlier threshold (standard deviations; `f64::INFINITY` disables down-weighting).
    pub fn with_outlier_z(mut self, z: f64) -> Self {
        self.outlier_z = z;
        self
    }

    /// Features in the scaled coordinates.
    fn scaled(&self, features: &[f64; N]) -> SVector<f64, N> {
        SVector::<f64, N>::from_fn(|i, _| features[i] * self.scale[i])
    }

    fn noise_var(&self, y_hat: f64, y: f64) -> f64 {
        // Relative noise around the prediction; fall back to the observation when the prediction is ~0.
        let level = if y_hat.abs() > f64::MIN_POSITIVE {
            y_hat.abs()
        } else {
            y.abs().max(f64::MIN_POSITIVE)
        };
        let sd = self.noise_rel * level;
        sd * sd
    }

    /// Absorbs one observation `y` (e.g. measured joules) of the kernel with feature vector `features`.
    pub fn observe(&mut self, features: &[f64; N], y: f64) -> Result<Observation, BayesError> {
        if !y.is_finite() || features.iter().any(|v| !v.is_finite()) {
            return Err(BayesError::NotFinite);
        }
        let phi = self.scaled(features);
        let y_hat = phi.dot(&self.mean);
        let residual = y - y_hat;
        let sigma_phi = self.cov * phi;
        let parameter_var = phi.dot(&sigma_phi).max(0.0);
        let mut noise_var = self.noise_var(y_hat, y);
        // `f64::sqrt` is not in `core`; nalgebra's `ComplexField` supplies it (through libm without std).
        let z = residual / ComplexField::sqrt(parameter_var + noise_var);
        let downweighted = z.abs() > self.outlier_z;
        if downweighted {
            let inflate = (z / self.outlier_z) * (z / self.outlier_z);
            noise_var = noise_var * inflate + parameter_var * (inflate - 1.0);
        }
        let s = parameter_var + noise_var;
        let gain = sigma_phi / s;
        self.mean += gain * residual;
        self.cov -= gain * sigma_phi.transpose();
        // Rounding makes Σ drift from symmetric; re-symmetrise so variances stay meaningful.
        self.cov = (self.cov + self.cov.transpose()) * 0.5;
        self.count += 1;
        Ok(Observation {
            residual,
            z,
            downweighted,
        })
    }

    /// Posterior predictive mean and variance of `y` at `features` (variance includes observation noise).
    pub fn predictive(&self, features: &[f64; N]) -> (f64, f64) {
        let phi = self.scaled(features);
        let mean = phi.dot(&self.mean);
        let parameter_var = phi.dot(&(self.cov * phi)).max(0.0);
        (mean, parameter_var + self.noise_var(mean, mean))
    }

    /// Posterior mean of the coefficients, in the caller's units.
    pub fn coefficients(&self) -> [f64; N] {
        core::array::from_fn(|i| self.mean[i] * self.scale[i])
    }

    /// Posterior variance of coefficient `i`, in the caller's units squared (`None` when out of range).
    pub fn coefficient_variance(&self, i: usize) -> Option<f64> {
        (i < N).then(|| self.cov[(i, i)] * self.scale[i] * self.scale[i])
    }

    /// Observations absorbed so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic uniform numbers in [0, 1) for tests (SplitMix64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Energy-like features: [seconds, bytes, flops] with coefficients [W, J/B, J/flop].
    const TRUE: [f64; 3] = [150.0, 8.0e-11, 6.0e-13];

    fn sample(rng: &mut Rng) -> [f64; 3] {
        [
            1e-5 + 1e-3 * rng.next(),
            1e6 + 1e9 * rng.next(),
            1e8 + 1e12 * rng.next(),
        ]
    }

    fn truth(phi: &[f64; 3]) -> f64 {
        (0..3).map(|i| TRUE[i] * phi[i]).sum()
    }

    #[test]
    fn recovers_known_coefficients_from_noisy_data() {
        let mut rng = Rng(7);
        // Prior 50 % off in both directions, with a wide spread.
        let prior = [TRUE[0] * 1.5, TRUE[1] * 0.5, TRUE[2] * 1.5];
        let sd = [TRUE[0], TRUE[1], TRUE[2]];
        let mut post = BayesianLinear::new(prior, sd, 0.02).unwrap();
        for _ in 0..3000 {
            let phi = sample(&mut rng);
            // ±2 % uniform multiplicative noise.
            let y = truth(&phi) * (1.0 + 0.04 * (rng.next() - 0.5));
            post.observe(&phi, y).unwrap();
        }
        let got = post.coefficients();
        for i in 0..3 {
            let rel = (got[i] - TRUE[i]).abs() / TRUE[i];
            assert!(rel < 0.03, "coefficient {i}: got {} want {} ({rel})", got[i], TRUE[i]);
        }
    }

    #[test]
    fn variance_shrinks_with_data() {
        let mut rng = Rng(11);
        let mut post = BayesianLinear::new(TRUE, [TRUE[0], TRUE[1], TRUE[2]], 0.02).unwrap();
        let probe = [5e-4, 5e8, 5e11];
        let mut last = post.predictive(&probe).1;
        let mut last_coef: [f64; 3] = core::array::from_fn(|i| post.coefficient_variance(i).unwrap());
        for round in 0..5 {
            for _ in 0..50 {
                let phi = sample(&mut rng);
                post.observe(&phi, truth(&phi)).unwrap();
            }
            let now = post.predictive(&probe).1;
            assert!(
                now < last,
                "round {round}: predictive variance {now} did not shrink from {last}"
            );
            for (i, last_v) in last_coef.iter_mut().enumerate() {
                let v = post.coefficient_variance(i).unwrap();
                assert!(v <= *last_v, "round {round}: coefficient {i} variance grew");
                *last_v = v;
            }
            last = now;
        }
        assert_eq!(post.count(), 250);
    }

    #[test]
    fn a_single_wild_outlier_does_not_flip_any_sign() {
        let mut rng = Rng(3);
        let mut post = BayesianLinear::new(TRUE, [TRUE[0], TRUE[1], TRUE[2]], 0.02).unwrap();
        for _ in 0..20 {
            let phi = sample(&mut rng);
            post.observe(&phi, truth(&phi)).unwrap();
        }
        for wild in [-1e9, 1e9, -1e3] {
            let mut p = post;
            let phi = sample(&mut rng);
            let obs = p.observe(&phi, wild).unwrap();
            assert!(obs.downweighted);
            for (i, c) in p.coefficients().into_iter().enumerate() {
                assert!(c > 0.0, "outlier {wild} flipped coefficient {i} to {c}");
            }
        }
    }

    #[test]
    fn without_downweighting_the_same_outlier_does_flip_a_sign() {
        // Guards the previous test: it must be the reweighting, not the data, that keeps the signs.
        let mut rng = Rng(3);
        let mut post = BayesianLinear::new(TRUE, [TRUE[0], TRUE[1], TRUE[2]], 0.02)
            .unwrap()
            .with_outlier_z(f64::INFINITY);
        for _ in 0..20 {
            let phi = sample(&mut rng);
            post.observe(&phi, truth(&phi)).unwrap();
        }
        let phi = sample(&mut rng);
        post.observe(&phi, -1e9).unwrap();
        assert!(post.coefficients().iter().any(|&c| c < 0.0));
    }

    #[test]
    fn bad_numbers_are_errors_not_panics() {
        assert_eq!(
            BayesianLinear::new([1.0], [0.0], 0.1).unwrap_err(),
            BayesError::NonPositiveSpread
        );
        assert_eq!(
            BayesianLinear::new([f64::NAN], [1.0], 0.1).unwrap_err(),
            BayesError::NotFinite
        );
        let mut p = BayesianLinear::new([1.0], [1.0], 0.1).unwrap();
        assert_eq!(p.observe(&[f64::INFINITY], 1.0).unwrap_err(), BayesError::NotFinite);
        assert_eq!(p.count(), 0);
    }
}
