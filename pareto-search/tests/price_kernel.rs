//! `Pricer::price_kernel` (the batched path the search uses) against `Pricer::price` (one point at a time):
//! the same 720 outcomes, bit for bit, for every shipped SKU, both model forms and every distinct kernel of
//! two lowered decode steps (dense and mixture-of-experts), with and without reuse confidence. On the shipped
//! SKUs fp16 and bf16 price alike, so `price_kernel` copies fp16's outcomes to bf16; two variants of one SKU
//! where they differ (bf16's peak, bf16's energy per flop) check the path that prices bf16 itself.

use energy_model::Precision as ModelPrecision;
use energy_model::{EnergyModel, Model, ModelForm, Sku};
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
    let (mut compared, mut feasible, mut infeasible, mut alike_cases) = (0, 0, 0, 0);
    // (SKU, model, whether fp16 and bf16 must price alike when it is known).
    let mut cases: Vec<(Sku, Model, Option<bool>)> = Vec::new();
    for sku in shipped_skus() {
        // The search benchmark's SKUs have equal fp16 and bf16 peaks and energies per flop; the calibrated H100
        // fitted different energies per flop.
        let alike = ["gb200", "h100", "h200", "mi300x"]
            .iter()
            .any(|n| sku.path.file_stem().is_some_and(|s| s == *n));
        for form in [ModelForm::Physical, ModelForm::Seed] {
            cases.push((sku.clone(), sku.model(form), alike.then_some(true)));
        }
    }
    let (fp16, bf16) = (ModelPrecision::Fp16.index(), ModelPrecision::Bf16.index());
    let mut slower_bf16 = cases[0].0.clone();
    slower_bf16.peak_dense_tflops[bf16] *= 0.75;
    let model = slower_bf16.model(ModelForm::Physical);
    cases.push((slower_bf16, model, Some(false)));
    let (sku, mut model) = (cases[0].0.clone(), cases[0].1);
    let Model::Physical(c) = &mut model else {
        panic!("the first case is the physical form")
    };
    c.e_flop_pj[bf16] = c.e_flop_pj[fp16] * 1.5;
    cases.push((sku, model, Some(false)));
    for (sku, model, alike) in &cases {
        let (sku, form) = (sku, model.form());
        let priced_alike = model.precisions_alike(sku, ModelPrecision::Fp16, ModelPrecision::Bf16);
        if let Some(alike) = alike {
            // The seed form ignores precision, so it prices fp16 and bf16 alike whenever both have units.
            assert_eq!(priced_alike, *alike || form == ModelForm::Seed, "{} {form}", sku.id);
        }
        alike_cases += usize::from(priced_alike);
        let axes = axes_for(sku).unwrap();
        {
            let pricer = Pricer {
                sku,
                model,
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
    // Both paths (bf16 copied from fp16, bf16 priced itself) are exercised.
    assert!(
        alike_cases >= 8 && alike_cases < cases.len(),
        "{alike_cases} of {}",
        cases.len()
    );
    // Both outcomes are exercised: fp4 on Hopper, reuse below 0.7, the power limit.
    assert!(
        compared > 100_000 && feasible > 10_000 && infeasible > 10_000,
        "{feasible} {infeasible}"
    );
}
