//! The search on the shipped SKU files and the Llama-3-70B decode layer: infeasible points keep their reason,
//! every precision a SKU can run is on the frontier, and the fallback is the recompute variant.

use energy_model::{ModelForm, Sku};
use pareto_search::{axes_for, evaluate, frontier, Pricer, VariantParams, POINTS_PER_KERNEL};
use riir_dialect::{MemoryVariant, Precision};
use riir_frontend::lower::{kernel_for_op_name, LowerOptions, ModelConfig};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn llama_layer_on_every_sku() {
    let cfg = ModelConfig::load(&root().join("examples/models/llama-3-70b.json")).unwrap();
    let opts = LowerOptions::new(64, 4096, 8, Precision::Bf16);
    for (name, has_fp4) in [("h100", false), ("h200", false), ("gb200", true), ("mi300x", false)] {
        let sku = Sku::load(&root().join(format!("examples/skus/{name}.toml"))).unwrap();
        let model = sku.model(ModelForm::Physical);
        let pricer = Pricer {
            sku: &sku,
            model: &model,
            params: VariantParams::default(),
            tokens_per_step: 64.0,
            gpus: 8.0,
        };
        let axes = axes_for(&sku).unwrap();
        for op in ["attention", "qkv_proj", "gate_up", "attn_allreduce"] {
            let k = kernel_for_op_name(&cfg, &opts, op).unwrap().unwrap();
            let spec = pricer.spec(&k, Some(0.73));
            let ev = evaluate(&axes, |p| pricer.price(&spec, p));
            assert_eq!(ev.len(), POINTS_PER_KERNEL);
            let fp4: Vec<_> = ev.iter().filter(|e| e.point.precision == Precision::Fp4).collect();
            if !has_fp4 {
                for e in &fp4 {
                    let reason = e.outcome.as_ref().unwrap_err().to_string();
                    assert_eq!(reason, "sku has no fp4 units", "{name} {op}");
                }
            }
            let f = frontier(&ev, 20.0);
            assert!(
                !f.plans.is_empty() && f.plans.len() <= 14,
                "{name} {op}: {}",
                f.plans.len()
            );
            for p in [Precision::Fp16, Precision::Bf16, Precision::Fp8] {
                assert!(f.plans.iter().any(|x| x.point.precision == p), "{name} {op} keeps {p}");
            }
            assert_eq!(
                f.plans.iter().any(|x| x.point.precision == Precision::Fp4),
                has_fp4,
                "{name} {op}"
            );
            let fb = f.fallback.expect("recompute is feasible somewhere");
            assert_eq!(fb.point.memory, MemoryVariant::Recompute);
            // fp8 moves half the weight bytes of bf16: at the same point it is never slower on a linear layer.
            if op == "qkv_proj" {
                let at = |p: Precision| {
                    ev.iter()
                        .find(|e| e.point.precision == p && e.point.index % 180 == 0)
                        .unwrap()
                };
                let (b, e) = (at(Precision::Bf16).cost().unwrap(), at(Precision::Fp8).cost().unwrap());
                assert!(e.est_lat_ms < b.est_lat_ms && e.est_jpt < b.est_jpt, "{name}");
            }
        }
    }
}
