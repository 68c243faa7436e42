//! Whole-module search benchmark: the Llama-3-70B decode step (1124 ops) on all four SKUs. Target ≤ 50 ms on the
//! 2-core CI machine; `cargo xtask bench` runs it beside the NumPy reimplementation (`bench/numpy_search.py`).

use criterion::{criterion_group, criterion_main, Criterion};

mod workload;

fn search(c: &mut Criterion) {
    let w = workload::load();
    let mut group = c.benchmark_group("search");
    group.sample_size(20);
    group.bench_function("llama-3-70b-decode/4-skus", |b| b.iter(|| workload::search_all(&w)));
    // The NumPy script's inputs: the step's distinct kernels per SKU, already extracted (as exported).
    let merged: Vec<_> = w
        .skus
        .iter()
        .map(|(s, m)| workload::merged(&workload::specs(&w, &workload::pricer(s, m))))
        .collect();
    group.bench_function("llama-3-70b-kernels/4-skus", |b| {
        b.iter(|| {
            w.skus
                .iter()
                .zip(&merged)
                .map(|((s, m), k)| workload::search_kernels(&w, s, m, k))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
