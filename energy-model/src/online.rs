//! Online refinement of a calibrated model's energy coefficients from live measurements.
//!
//! Glue between a form's features and the no_std [`BayesianLinear`]: the prior mean is the calibrated (or
//! default) coefficient vector, its spread a relative standard deviation per coefficient, and each observed
//! kernel adds one rank-one update. The posterior predictive variance is what the runtime turns into a
//! safety margin. Latency coefficients are not updated online: the roofline's regime switch is not linear.

use crate::bayes::{BayesError, BayesianLinear, Observation};
use crate::model::Model;
use crate::physical::{self, PhysicalCoefficients, ENERGY_TERMS as PHYSICAL_TERMS};
use crate::seed::{self, SeedCoefficients, ENERGY_TERMS as SEED_TERMS};
use crate::sku::Sku;
use crate::work::{KernelWork, OperatingPoint};

/// The posterior over one form's energy coefficients, plus the latency model that gives the physical
/// form its kernel durations.
// The physical posterior (8×8) is larger than the seed one (5×5); boxing it would put a heap allocation in
// what is meant to stay plain, copyable data.
#[allow(clippy::large_enum_variant)]
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum OnlineEnergy {
    Physical {
        latency: PhysicalCoefficients,
        posterior: BayesianLinear<PHYSICAL_TERMS>,
    },
    Seed {
        latency: SeedCoefficients,
        posterior: BayesianLinear<SEED_TERMS>,
    },
}

/// The posterior predictive of one kernel's energy: mean and standard deviation, joules.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct EnergyBelief {
    pub mean_j: f64,
    pub sd_j: f64,
}

impl OnlineEnergy {
    /// Prior centred on `model`'s energy coefficients with relative spread `prior_rel_sd` (e.g. 0.2), and
    /// relative observation noise `noise_rel` (e.g. the calibration's energy MAPE / 100).
    pub fn new(model: &Model, prior_rel_sd: f64, noise_rel: f64) -> Result<OnlineEnergy, BayesError> {
        fn spread<const N: usize>(mean: &[f64; N], rel: f64) -> [f64; N] {
            // A zero coefficient still needs some spread; its scale is unknown, so give it `rel` in its units.
            core::array::from_fn(|i| if mean[i] != 0.0 { mean[i].abs() * rel } else { rel })
        }
        Ok(match model {
            Model::Physical(c) => {
                let mean = c.energy_vector();
                OnlineEnergy::Physical {
                    latency: *c,
                    posterior: BayesianLinear::new(mean, spread(&mean, prior_rel_sd), noise_rel)?,
                }
            }
            Model::Seed(c) => OnlineEnergy::Seed {
                latency: *c,
                posterior: BayesianLinear::new(c.a, spread(&c.a, prior_rel_sd), noise_rel)?,
            },
        })
    }

    fn physical_features(
        sku: &Sku,
        latency: &PhysicalCoefficients,
        work: &KernelWork,
        point: &OperatingPoint,
        measured_latency_s: Option<f64>,
    ) -> [f64; PHYSICAL_TERMS] {
        let t = measured_latency_s.unwrap_or_else(|| latency.estimate(sku, work, point).latency_s);
        physical::energy_features(sku, work, point, t)
    }

    /// Absorbs one measured kernel. `measured_latency_s`, when known, replaces the predicted duration in
    /// the physical form's features (as calibration does).
    pub fn observe(
        &mut self,
        sku: &Sku,
        work: &KernelWork,
        point: &OperatingPoint,
        measured_joules: f64,
        measured_latency_s: Option<f64>,
    ) -> Result<Observation, BayesError> {
        match self {
            OnlineEnergy::Physical { latency, posterior } => {
                let x = Self::physical_features(sku, latency, work, point, measured_latency_s);
                posterior.observe(&x, measured_joules)
            }
            OnlineEnergy::Seed { posterior, .. } => {
                posterior.observe(&seed::energy_features(work, point), measured_joules)
            }
        }
    }

    /// Posterior predictive energy of a kernel at a point.
    pub fn belief(&self, sku: &Sku, work: &KernelWork, point: &OperatingPoint) -> EnergyBelief {
        let (mean_j, var) = match self {
            OnlineEnergy::Physical { latency, posterior } => {
                posterior.predictive(&Self::physical_features(sku, latency, work, point, None))
            }
            OnlineEnergy::Seed { posterior, .. } => posterior.predictive(&seed::energy_features(work, point)),
        };
        EnergyBelief {
            mean_j,
            sd_j: var.sqrt(),
        }
    }

    /// The model with the posterior mean as its energy coefficients (latency coefficients unchanged).
    pub fn model(&self) -> Model {
        match self {
            OnlineEnergy::Physical { latency, posterior } => Model::Physical(PhysicalCoefficients::from_vectors(
                posterior.coefficients(),
                latency.latency_vector(),
            )),
            OnlineEnergy::Seed { latency, posterior } => Model::Seed(SeedCoefficients {
                a: posterior.coefficients(),
                b: latency.b,
            }),
        }
    }
}
