//! Whole-module search: price every op's kernel (through the cache), give each op its share of the decode-step
//! latency SLO, and prune each op's points against its share.
//!
//! SLO shares: an op's share is `slo_ms × fastest(op) / Σ_step count × fastest`, where `fastest` is the op's
//! fastest feasible latency and the sum runs over every op of one decode step (each weighted by how many times
//! it runs per step). The shares of a whole step add up to the SLO, and an op that is inherently slow gets a
//! proportionally larger share. Rule (1) of pruning applies to the share.

use crate::cache::{FrontierCache, KernelKey, Points};
use crate::cost::Cost;
use crate::frontier::{evaluate, Frontier};
use crate::memory::Work;
use crate::priced::Priced;
use crate::space::{Axes, Point};
use riir_dialect::KernelClass;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

/// A kernel to price: its cache key and what the pricer needs.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelSpec {
    pub key: KernelKey,
    pub class: KernelClass,
    /// Work of one decode step with 16-bit weights, before any memory variant.
    pub work: Work,
    /// The part of `work.bytes_hbm` that is weights (scaled by precision; see `price.rs`).
    pub weight_bytes: f64,
    pub reuse_confidence: Option<f64>,
}

/// One op's search result.
#[derive(Clone, Debug)]
pub struct OpSearch<R> {
    /// All 720 priced points, in index order.
    pub points: Points<R>,
    pub fastest: Cost,
    pub frontier: Arc<Frontier>,
}

/// Why a module cannot be searched.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchError {
    /// No point of this kernel is feasible; the distinct reasons, sorted.
    NoFeasiblePoint { kernel: KernelKey, reasons: Vec<String> },
    /// The step's total fastest latency is zero or not finite, so shares are undefined.
    EmptyStep,
    /// The SLO is not a positive finite number.
    BadSlo(f64),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::NoFeasiblePoint { kernel, reasons } => {
                // Reasons carry numbers (predicted watts…), so there can be hundreds; the first few say enough.
                const SHOWN: usize = 4;
                write!(
                    f,
                    "no feasible point for {} kernel on {}: {}",
                    kernel.class,
                    kernel.sku,
                    reasons[..reasons.len().min(SHOWN)].join("; ")
                )?;
                if reasons.len() > SHOWN {
                    write!(f, "; and {} more reasons", reasons.len() - SHOWN)?;
                }
                Ok(())
            }
            SearchError::EmptyStep => f.write_str("the decode step has no latency to share the SLO by"),
            SearchError::BadSlo(s) => write!(f, "the SLO must be a positive number of milliseconds, got {s}"),
        }
    }
}

impl std::error::Error for SearchError {}

fn fastest_or_error<R: Clone + fmt::Display>(kernel: &KernelKey, points: &Priced<R>) -> Result<Cost, SearchError> {
    points.fastest().ok_or_else(|| SearchError::NoFeasiblePoint {
        kernel: kernel.clone(),
        reasons: points
            .iter()
            .filter_map(|e| e.outcome.err().map(|r| r.to_string()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    })
}

/// Searches `ops` against `slo_ms`, with shares computed over `step` (kernel, runs per step). `price` prices a
/// kernel at a point; it is called from many threads, at most once per distinct (kernel key, point).
pub fn search_module<R, F>(
    cache: &FrontierCache<R>,
    axes: &Axes,
    slo_ms: f64,
    ops: &[KernelSpec],
    step: &[(KernelSpec, f64)],
    price: F,
) -> Result<Vec<OpSearch<R>>, SearchError>
where
    R: Send + Sync + Clone + PartialEq + fmt::Display,
    F: Fn(&KernelSpec, &Point) -> Result<Cost, R> + Sync,
{
    search_module_by_kernel(cache, slo_ms, ops, step, |k| {
        Priced::from_evaluated(axes, evaluate(axes, |p| price(k, p)))
    })
}

/// [`search_module`] with a pricer of whole kernels: `price_kernel` returns a kernel's 720 priced points
/// (e.g. [`crate::Pricer::price_kernel`]). It is called from many threads,
/// at most once per distinct kernel key.
pub fn search_module_by_kernel<R, F>(
    cache: &FrontierCache<R>,
    slo_ms: f64,
    ops: &[KernelSpec],
    step: &[(KernelSpec, f64)],
    price_kernel: F,
) -> Result<Vec<OpSearch<R>>, SearchError>
where
    R: Send + Sync + Clone + fmt::Display,
    F: Fn(&KernelSpec) -> Priced<R> + Sync,
{
    // The caller runs the search and works in its parallel steps beside the pool (see `parallel.rs`).
    search_steps(cache, slo_ms, ops, step, &price_kernel)
}

fn search_steps<R, F>(
    cache: &FrontierCache<R>,
    slo_ms: f64,
    ops: &[KernelSpec],
    step: &[(KernelSpec, f64)],
    price_kernel: &F,
) -> Result<Vec<OpSearch<R>>, SearchError>
where
    R: Send + Sync + Clone + fmt::Display,
    F: Fn(&KernelSpec) -> Priced<R> + Sync,
{
    if !(slo_ms.is_finite() && slo_ms > 0.0) {
        return Err(SearchError::BadSlo(slo_ms));
    }
    if ops.is_empty() {
        // Nothing to share the SLO among: a module without ops compiles to empty tables.
        return Ok(Vec::new());
    }
    let all: Vec<&KernelSpec> = ops.iter().chain(step.iter().map(|(k, _)| k)).collect();
    let keys: Vec<KernelKey> = all.iter().map(|k| k.key.clone()).collect();
    let points = cache.points(&keys, |i| price_kernel(all[i]));

    let mut step_ms = 0.0;
    for (i, (kernel, count)) in step.iter().enumerate() {
        step_ms += count * fastest_or_error(&kernel.key, &points[ops.len() + i])?.est_lat_ms;
    }
    if !(step_ms.is_finite() && step_ms > 0.0) {
        return Err(SearchError::EmptyStep);
    }
    let mut fastest_ops = Vec::with_capacity(ops.len());
    for (kernel, pts) in ops.iter().zip(&points) {
        fastest_ops.push(fastest_or_error(&kernel.key, pts)?);
    }
    let requests: Vec<(KernelKey, f64)> = ops
        .iter()
        .zip(&fastest_ops)
        .map(|(k, f)| (k.key.clone(), slo_ms * f.est_lat_ms / step_ms))
        .collect();
    let frontiers = cache.frontiers(&requests, &points[..ops.len()]);
    Ok(points
        .into_iter()
        .zip(fastest_ops)
        .zip(frontiers)
        .map(|((points, fastest), frontier)| OpSearch {
            points,
            fastest,
            frontier,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use riir_dialect::{LinkState, Precision};

    fn axes() -> Axes {
        Axes::new(
            [1980, 1680, 1530, 1200],
            [4.8, 3.35, 2.1],
            [LinkState::CpoActive, LinkState::LpoSleep, LinkState::CpoSleep],
        )
        .unwrap()
    }

    fn spec(name: &str, bytes: f64) -> KernelSpec {
        KernelSpec {
            key: KernelKey::new(crate::cache::KeyData {
                sku: "test".into(),
                class: KernelClass::Linear,
                shape: vec![(name.into(), 1)],
                inputs: vec![bytes.to_bits()],
                model_hash: 0,
            }),
            class: KernelClass::Linear,
            work: Work {
                bytes_hbm: bytes,
                flops: 0.0,
                link_bytes: 0.0,
            },
            weight_bytes: 0.0,
            reuse_confidence: None,
        }
    }

    /// Latency proportional to bytes over bandwidth; energy falls with the clock.
    fn price(k: &KernelSpec, p: &Point) -> Result<Cost, &'static str> {
        if p.precision == Precision::Fp4 {
            return Err("no fp4 units");
        }
        Ok(Cost::new(p.sm_mhz as f64 / 1000.0, k.work.bytes_hbm / p.hbm_bw_tbps))
    }

    #[test]
    fn shares_are_proportional_to_fastest_latency_and_sum_to_the_slo() {
        let cache = FrontierCache::new();
        let (a, b) = (spec("a", 4.8), spec("b", 3.0 * 4.8));
        let step = vec![(a.clone(), 1.0), (b.clone(), 1.0)];
        let r = search_module(&cache, &axes(), 20.0, &[a, b], &step, price).unwrap();
        assert_eq!(r[0].fastest.est_lat_ms, 1.0);
        assert!((r[0].frontier.slo_ms - 5.0).abs() < 1e-12);
        assert!((r[1].frontier.slo_ms - 15.0).abs() < 1e-12);
        // The step counts weigh shares: an op that runs 4 times per step gets a quarter of the share.
        let a = spec("a", 4.8);
        let r = search_module(
            &cache,
            &axes(),
            20.0,
            std::slice::from_ref(&a),
            &[(a.clone(), 4.0)],
            price,
        )
        .unwrap();
        assert!((r[0].frontier.slo_ms - 5.0).abs() < 1e-12);
    }

    #[test]
    fn an_op_with_no_feasible_point_is_an_error_with_its_reasons() {
        let cache = FrontierCache::new();
        let a = spec("a", 1.0);
        let err = search_module(
            &cache,
            &axes(),
            20.0,
            std::slice::from_ref(&a),
            &[(a.clone(), 1.0)],
            |_, _| Err::<Cost, _>("nope"),
        )
        .unwrap_err();
        assert!(matches!(&err, SearchError::NoFeasiblePoint { reasons, .. } if reasons == &["nope"]));
        assert!(matches!(
            search_module(&cache, &axes(), 0.0, &[], &[], price),
            Err(SearchError::BadSlo(_))
        ));
        assert!(search_module(&cache, &axes(), 20.0, &[], &[], price)
            .unwrap()
            .is_empty());
    }
}
