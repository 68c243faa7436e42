//! The benchmark's workload, shared by `benches/search.rs` and `examples/bench_inputs.rs`: the Llama-3-70B
//! decode step (batch 64, ctx 4096, tp 8; 1124 ops) searched on all four shipped SKUs with the physical model,
//! SLO 20 ms, each SKU with a fresh cache (repeated layers still hit it within the module, as in `riirc compile`).

#![allow(dead_code)] // each includer uses part of it

use energy_model::{Model, ModelForm, Sku};
use pareto_search::{
    axes_for, search_module_by_kernel, FrontierCache, KernelSpec, OpSearch, Pricer, Reason, VariantParams,
};
use riir_dialect::{Module, Precision};
use riir_frontend::lower::{lower_model, LowerOptions, ModelConfig};
use std::collections::HashMap;
use std::path::PathBuf;

pub const SKUS: [&str; 4] = ["h100", "h200", "gb200", "mi300x"];
pub const SLO_MS: f64 = 20.0;
pub const BATCH: u64 = 64;
pub const TP: u64 = 8;

pub struct Workload {
    pub skus: Vec<(Sku, Model)>,
    pub step: Module,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn load() -> Workload {
    let cfg = ModelConfig::load(&root().join("examples/models/llama-3-70b.json")).unwrap();
    let step = lower_model(&cfg, &LowerOptions::new(BATCH, 4096, TP, Precision::Bf16)).unwrap();
    let skus = SKUS
        .iter()
        .map(|n| {
            let sku = Sku::load(&root().join(format!("examples/skus/{n}.toml"))).unwrap();
            let model = sku.model(ModelForm::Physical);
            (sku, model)
        })
        .collect();
    Workload { skus, step }
}

pub fn pricer<'a>(sku: &'a Sku, model: &'a Model) -> Pricer<'a, Model> {
    Pricer {
        sku,
        model,
        params: VariantParams::default(),
        tokens_per_step: BATCH as f64,
        gpus: TP as f64,
    }
}

/// Every op's kernel spec, in module order (`Pricer::specs`: each distinct kernel's spec is built once).
pub fn specs(w: &Workload, p: &Pricer<'_, Model>) -> Vec<KernelSpec> {
    p.specs(w.step.ops_in_order().map(|op| {
        let o = &w.step.ops[op];
        let rc = o
            .memory
            .as_ref()
            .and_then(|m| m.reuse_confidence.as_ref())
            .map(|r| r.value);
        (o.kernel.as_ref().expect("lowered ops carry kernels"), rc)
    }))
}

/// Distinct kernels with how many times each runs per step, in first-use order.
pub fn merged(specs: &[KernelSpec]) -> Vec<(KernelSpec, f64)> {
    let mut out: Vec<(KernelSpec, f64)> = Vec::new();
    let mut at: HashMap<pareto_search::KernelKey, usize> = HashMap::new();
    for s in specs {
        match at.get(&s.key) {
            Some(&i) => out[i].1 += 1.0,
            None => {
                at.insert(s.key.clone(), out.len());
                out.push((s.clone(), 1.0));
            }
        }
    }
    out
}

/// The whole-module search on one SKU.
pub fn search_sku(w: &Workload, sku: &Sku, model: &Model) -> Vec<OpSearch<Reason>> {
    let p = pricer(sku, model);
    let axes = axes_for(sku).unwrap();
    let specs = specs(w, &p);
    let step = merged(&specs);
    let cache = FrontierCache::new();
    search_module_by_kernel(&cache, SLO_MS, &specs, &step, |k| p.price_kernel(k, &axes)).unwrap()
}

/// The same search on the step's distinct kernels only (with their counts for the SLO shares): exactly the
/// work `bench/numpy_search.py` does from the exported inputs.
pub fn search_kernels(w: &Workload, sku: &Sku, model: &Model, merged: &[(KernelSpec, f64)]) -> Vec<OpSearch<Reason>> {
    let p = pricer(sku, model);
    let axes = axes_for(sku).unwrap();
    let distinct: Vec<KernelSpec> = merged.iter().map(|(k, _)| k.clone()).collect();
    let cache = FrontierCache::new();
    let _ = w;
    search_module_by_kernel(&cache, SLO_MS, &distinct, merged, |k| p.price_kernel(k, &axes)).unwrap()
}

/// The whole-module search on all four SKUs.
pub fn search_all(w: &Workload) -> Vec<Vec<OpSearch<Reason>>> {
    w.skus.iter().map(|(s, m)| search_sku(w, s, m)).collect()
}
