//! Writes the benchmark's inputs as JSON for `bench/numpy_search.py` (run by `cargo xtask bench`): per SKU its
//! levels, feasibility figures and resolved physical-model coefficients; the step's distinct kernels with their
//! counts; the variant assumptions; and, to check the NumPy result against, the Rust frontier of every kernel.
//!
//! Usage: `cargo run --release -p pareto-search --example bench_inputs -- OUT.json`

#[path = "../benches/workload.rs"]
mod workload;

use energy_model::{LinkState, Model};
use serde_json::{json, Value};

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: bench_inputs OUT.json");
        std::process::exit(2)
    });
    let w = workload::load();
    let params = pareto_search::VariantParams::default();
    let mut skus = Vec::new();
    for ((sku, model), results) in w.skus.iter().zip(workload::search_all(&w)) {
        let Model::Physical(c) = model else {
            panic!("the workload uses the physical form")
        };
        let p = workload::pricer(sku, model);
        let specs = workload::specs(&w, &p);
        let merged = workload::merged(&specs);
        // The Rust frontier of each distinct kernel, found at its first op.
        let expected: Vec<Value> = merged
            .iter()
            .map(|(k, _)| {
                let i = specs.iter().position(|s| s.key == k.key).unwrap();
                let f = &results[i].frontier;
                json!({
                    "slo_ms": f.slo_ms,
                    "points_feasible": f.points_feasible,
                    "frontier": f.plans.iter().map(|p| p.point.index).collect::<Vec<_>>(),
                })
            })
            .collect();
        let link_power: serde_json::Map<String, Value> = LinkState::ALL
            .iter()
            .map(|&l| (l.name().to_string(), json!(sku.link_power(l))))
            .collect();
        skus.push(json!({
            "id": sku.id,
            "max_sm_mhz": sku.max_sm_mhz,
            "sm_mhz_levels": sku.sm_mhz_levels,
            "hbm_bw_levels_tbps": sku.hbm_bw_levels_tbps,
            "hbm_bandwidth_tbps": sku.hbm_bandwidth_tbps,
            "search_link_states": sku.search_link_states.iter().map(|l| l.name()).collect::<Vec<_>>(),
            "link_power_w": link_power,
            "sleep_entry_us": sku.sleep_entry_us,
            "sleep_exit_us": sku.sleep_exit_us,
            "transition_uj": sku.transition_uj,
            "peak_dense_tflops": sku.peak_dense_tflops,
            "board_limit_w": sku.board_limit_w,
            "energy": c.energy_vector(),
            "latency": c.latency_vector(),
            "kernels": merged.iter().map(|(k, n)| json!({
                "bytes_hbm": k.work.bytes_hbm,
                "flops": k.work.flops,
                "link_bytes": k.work.link_bytes,
                "weight_bytes": k.weight_bytes,
                "reuse_confidence": k.reuse_confidence,
                "count": n,
            })).collect::<Vec<_>>(),
            "expected": expected,
        }));
    }
    let doc = json!({
        "slo_ms": workload::SLO_MS,
        "tokens_per_step": workload::BATCH,
        "gpus": workload::TP,
        "link_gbps": pareto_search::LINK_GBPS,
        "max_plans": pareto_search::MAX_PLANS,
        "variant": {
            "prefetch_hidden": params.prefetch_hidden,
            "prefetch_overfetch": params.prefetch_overfetch,
            "reuse_share": params.reuse_share,
            "reuse_threshold": pareto_search::REUSE_THRESHOLD,
            "sram_share": params.sram_share,
            "sram_flop_penalty": params.sram_flop_penalty,
            "recompute_share": params.recompute_share,
            "recompute_flops_per_byte": params.recompute_flops_per_byte,
        },
        "skus": skus,
    });
    std::fs::write(&out, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    println!("wrote {out}");
}
