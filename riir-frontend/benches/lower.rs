//! Speed of decode-graph lowering: building, emitting and printing one step of each 80-layer shipped model.
//!
//! `cargo bench -p riir-frontend --bench lower`

use criterion::{criterion_group, criterion_main, Criterion};
use riir_dialect::Precision;
use riir_frontend::lower::{lower_model, summary, LowerOptions, ModelConfig};
use std::hint::black_box;
use std::path::PathBuf;

fn load(name: &str) -> ModelConfig {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/models/{name}.json"));
    ModelConfig::load(&path).expect("shipped config")
}

fn bench(c: &mut Criterion) {
    let opts = LowerOptions::new(64, 4096, 8, Precision::Bf16);
    for name in ["llama-3-70b", "mixtral-8x7b"] {
        let config = load(name);
        c.bench_function(&format!("lower/{name}/tp8"), |b| {
            b.iter(|| lower_model(black_box(&config), black_box(&opts)).unwrap())
        });
        c.bench_function(&format!("summary/{name}/tp8"), |b| {
            b.iter(|| summary(black_box(&config), black_box(&opts)).unwrap())
        });
        let module = lower_model(&config, &opts).unwrap();
        c.bench_function(&format!("print/{name}/tp8"), |b| {
            b.iter(|| riir_dialect::print_module(black_box(&module)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
