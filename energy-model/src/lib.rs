//! Energy and latency models per GPU SKU: SKU files, the `seed` and `physical` forms, calibration, Bayesian update.
//!
//! # Public API (what the Pareto search and the CLI call)
//!
//! ```text
//! Sku::load(&Path) -> Result<Sku, SkuError>                 parse + validate examples/skus/*.toml
//! sku.sm_mhz_levels: [f64; 4], sku.hbm_bw_levels_tbps: [f64; 3], sku.search_link_states: [LinkState; 3]
//! sku.operating_points() -> Vec<OperatingPoint>             the 4 × 3 × 3 grid, fixed order
//! sku.precision_feasible(Precision) -> Result<(), Infeasible>   e.g. Err(NoPrecisionUnits(Fp4)) on Hopper
//! sku.check(&KernelWork, &OperatingPoint) -> Result<(), Infeasible>
//! sku.model(ModelForm) -> Model                             calibrated coefficients, else datasheet defaults
//! trait EnergyModel: Send + Sync {
//!     fn form(&self) -> ModelForm;
//!     fn estimate(&self, &Sku, &KernelWork, &OperatingPoint) -> Prediction;          unchecked
//!     fn predict(&self, &Sku, &KernelWork, &OperatingPoint) -> Result<Prediction, Infeasible>;  checked
//!     fn model_hash(&self) -> u64;                          stable FNV-1a over the coefficients
//! }
//! Prediction { joules, latency_s }   .latency_us()  .avg_power_w()
//! Infeasible: Display gives the reason, e.g. "sku has no fp4 units"
//! calibrate::calibrate(&Sku, &[TraceRow], ModelForm, folds) -> Result<Calibration, CalibrateError>
//! trace::read(&Path, &Sku, Need) -> Result<Trace, TraceError>
//! bayes::BayesianLinear<N>  (no_std, no heap)  ::new(prior_mean, prior_sd, noise_rel) .observe(&φ, y) .predictive(&φ)
//! physical::energy_features(...) -> [f64; 8]               the class-agnostic φ of the physical form
//! PhysicalCoefficients::energy_features(...) -> [f64; 8]    φ with the class's clock/byte terms (Bayesian update)
//! PhysicalCoefficients::class_terms(KernelClass) -> ClassTerms   per-class t_launch, η_bw, η_c, p_clock, e_byte
//! calibrate::fold_of(&[TraceRow], k) -> Vec<usize>          k-fold fold per row: whole repeat groups per fold
//! online::OnlineEnergy::new(&Model, prior_rel_sd, noise_rel) .observe(sku, work, point, joules, latency) .belief(..)
//! ```
//!
//! Units are in names: `_s`, `_us`, `_mhz`, `_tbps`, `_w`, `_pj`, `_j`; bytes and flops are counts.
//! Everything is a pure function of its inputs (no interior mutability), so models are `Send + Sync` and
//! calls from rayon threads give the same bits as calls from one thread.
//!
//! # Features
//! `std` (default) enables everything. Without it only `kinds`, `work` and `bayes` build — the parts the
//! `no_std` runtime needs (`cargo build -p energy-model --no-default-features`).

#![cfg_attr(not(feature = "std"), no_std)]

pub mod bayes;
pub mod kinds;
pub mod work;

#[cfg(feature = "std")]
pub mod calibrate;
#[cfg(feature = "std")]
pub mod fit;
#[cfg(feature = "std")]
pub mod model;
#[cfg(feature = "std")]
pub mod online;
#[cfg(feature = "std")]
pub mod physical;
#[cfg(feature = "std")]
mod physical_batch;
#[cfg(feature = "std")]
pub mod seed;
#[cfg(feature = "std")]
pub mod sku;
#[cfg(feature = "std")]
pub mod sku_write;
#[cfg(feature = "std")]
pub mod synth;
#[cfg(feature = "std")]
pub mod trace;

pub use bayes::BayesianLinear;
pub use kinds::{KernelClass, LinkState, Precision};
pub use work::{Infeasible, KernelWork, OperatingGrid, OperatingPoint, Prediction, GRID_POINTS};

#[cfg(feature = "std")]
pub use model::{EnergyModel, Model, ModelForm, PredictionBatch};
#[cfg(feature = "std")]
pub use physical::{ClassTerms, PhysicalCoefficients};
#[cfg(feature = "std")]
pub use seed::SeedCoefficients;
#[cfg(feature = "std")]
pub use sku::{Sku, SkuError};
