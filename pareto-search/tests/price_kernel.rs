//! `Pricer::price_kernel` (the batched path the search uses) against `Pricer::price` (one point at a time):
//! the same 720 outcomes, bit for bit, for every shipped SKU, both model forms and every distinct kernel of
//! two lowered decode steps (dense and mixture-of-experts), with and without reuse confidence.

use energy_model::{ModelForm, Sku};
use pareto_search::{axes_for, Evaluated, Pricer, Reason, VariantParams, POINTS_PER_KERNEL};
use riir_dialect::Precision;
use riir_frontend::lower::{lower_model, LowerOptions, ModelConfig};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn shipped_skus() -> Vec<Sku> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples/skus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 4);
    paths.iter().map(|p| Sku::load(p).unwrap()).collect()
}

/// Every bit of an outcome: the point, the cost's four f64s, or the reason (structure and text).
fn bits(e: &Evaluated<Reason>) -> String {
    let p = e.point;
    let point = format!(
        "{} {} {} {:x} {} {}",
        p.index,
        p.precision,
        p.sm_mhz,
        p.hbm_bw_tbps.to_bits(),
        p.link,
        p.memory
    );
    match &e.outcome {
        Ok(c) => format!(
            "{point} ok {:x} {:x} {:x} {:x}",
            c.est_jpt.to_bits(),
            c.est_lat_ms.to_bits(),
            c.est_power_w.to_bits(),
            c.link_pj_per_bit.to_bits()
        ),
        Err(r) => format!("{point} err {r:?} {r}"),
    }
}

#[test]
fn price_kernel_equals_price_at_every_point() {
    let mut kernels = Vec::new();
    for (model, tp) in [("llama-3-70b", 8), ("mixtral-8x7b", 2)] {
        let cfg = ModelConfig::load(&root().join(format!("examples/models/{model}.json"))).unwrap();
        let step = lower_model(&cfg, &LowerOptions::new(64, 4096, tp, Precision::Bf16)).unwrap();
        let mut seen = BTreeSet::new();
        for op in step.ops_in_order() {
            let k = step.ops[op].kernel.clone().expect("lowered ops carry kernels");
            if seen.insert(format!("{k:?}")) {
                kernels.push(k);
            }
        }
    }
    assert!(kernels.len() > 10);
    let (mut compared, mut feasible, mut infeasible) = (0, 0, 0);
    for sku in shipped_skus() {
        let axes = axes_for(&sku).unwrap();
        for form in [ModelForm::Physical, ModelForm::Seed] {
            let model = sku.model(form);
            let pricer = Pricer {
                sku: &sku,
                model: &model,
                params: VariantParams::default(),
                tokens_per_step: 64.0,
                gpus: 8.0,
            };
            for k in &kernels {
                for rc in [Some(0.73), None, Some(0.5)] {
                    let spec = pricer.spec(k, rc);
                    let batch = pricer.price_kernel(&spec, &axes);
                    assert_eq!(batch.len(), POINTS_PER_KERNEL);
                    for (i, got) in batch.iter().enumerate() {
                        let got = &got;
                        let point = axes.point(i);
                        let want = Evaluated::new(point, pricer.price(&spec, &point));
                        assert_eq!(bits(got), bits(&want), "{} {form} {:?}", sku.id, spec.key);
                        if got.outcome.is_ok() {
                            feasible += 1;
                        } else {
                            infeasible += 1;
                        }
                        compared += 1;
                    }
                }
            }
        }
    }
    // Both outcomes are exercised: fp4 on Hopper, reuse below 0.7, the power limit.
    assert!(
        compared > 100_000 && feasible > 10_000 && infeasible > 10_000,
        "{feasible} {infeasible}"
    );
}
