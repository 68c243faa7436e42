//! Benchmark: parse + verify a generated 10,000-op RIIR file (target ≤ 200 ms).
//!
//! `cargo bench -p riir-frontend --bench parse_verify`. The file is the source's example op (memory and power
//! intent, three plans, a fallback) plus a kernel block, repeated over 100 functions of 100 ops each.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::fmt::Write;
use std::hint::black_box;

/// A module of `funcs × ops_per_func` ops, each shaped like the source document's example.
pub fn generate(funcs: usize, ops_per_func: usize) -> String {
    let mut s = String::from("// generated for the parse + verify benchmark\n");
    for f in 0..funcs {
        let _ = writeln!(s, "\nfunc @decode_layer{f}(%kv{f}a: !kv.block, %kv{f}b: !kv.block) {{");
        for o in 0..ops_per_func {
            let _ = write!(
                s,
                r#"  // op {o} of layer {f}
  riir.op "attention_{o}" {{
    kernel = {{class = attention_decode, shape = {{batch = 64, ctx = 4096, heads = 8}}, bytes_hbm = 1.6e7, flops = 1.07e9, link_bytes = 0.0}},
    memory = {{
      prefetch = [%kv{f}a, %kv{f}b],
      residency_hint = HBM.tier0,
      evict = [%kv{f}a],
      reuse_confidence = 0.73
    }},
    power = {{
      target_jpt = 0.30,
      max_temp_delta_100ms = 3.0,
      link_budget_pJb = 2.1,
      alternatives = [
        {{id = A, precision = fp16, sm_mhz = 1980, hbm_bw = 3.35, link = cpo_active, est_jpt = 0.42, est_lat_ms = 18.2}},
        {{id = B, precision = fp8, sm_mhz = 1680, hbm_bw = 2.1, link = lpo_sleep, memory = prefetch, est_jpt = 0.28, est_lat_ms = 19.6}},
        {{id = C, precision = fp8, sm_mhz = 1530, hbm_bw = 1.8, link = cpo_sleep, est_jpt = 0.24, est_lat_ms = 21.1}}
      ],
      fallback = {{action = recompute_kv, est_jpt = 0.19, est_lat_ms = 24.5}}
    }}
  }}
"#
            );
        }
        s.push_str("}\n");
    }
    s
}

fn bench(c: &mut Criterion) {
    let src = generate(100, 100);
    // The benchmark is only meaningful on a valid file: fail loudly if the generator drifts.
    let checked = riir_frontend::check_source(&src);
    assert!(
        checked.module.is_some() && checked.diagnostics.is_empty(),
        "{:?}",
        checked.diagnostics.first()
    );
    assert_eq!(checked.module.as_ref().map(|m| m.ops.len()), Some(10_000));

    let mut group = c.benchmark_group("parse_verify");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(10);
    group.bench_function("10000_ops", |b| b.iter(|| riir_frontend::check_source(black_box(&src))));
    group.bench_function("10000_ops/print", |b| {
        let m = checked.module.as_ref().expect("checked above");
        b.iter(|| riir_dialect::print_module(black_box(m)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
