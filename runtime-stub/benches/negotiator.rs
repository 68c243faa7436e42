//! Tick benchmark: one 10 ms tick over 8,000 pending ops with up to 14 plans each, for both policies, at the same
//! budget. Before timing, prints what each policy achieves at that budget (total latency, objective, ops at
//! A/B/C/fallback), so the README can quote both from one command:
//! `cargo bench -p runtime-stub --bench negotiator -- tick/8000`.
//!
//! Each policy has two ids: `tick/8000/<policy>` is wall-clock time (criterion's default) and
//! `tick/8000/<policy>/cpu` is the benchmark thread's CPU time for the same ticks, which is what "per tick on one
//! core" means and which stays meaningful when other processes share the cores (it still includes their cache
//! interference).

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use runtime_stub::negotiator::{Choice, Config, Negotiator, PendingOp, Policy, ScratchBuf, Telemetry};
use runtime_stub::table::TableSpec;
use std::time::Duration;

/// 256 frontiers; `full` gives every op 14 plans (the worst case), otherwise 1..=14 as the Pareto search emits.
fn spec(full: bool) -> TableSpec {
    let mut spec = random_spec(2026, 256);
    if full {
        let mut rng = Rng(7);
        spec.ops = (0..256).map(|i| random_op(&mut rng, i, 14)).collect();
    }
    spec
}

fn bench_ticks(c: &mut Criterion) {
    for (name, full) in [("tick/8000", false), ("tick/8000x14", true)] {
        let f = frontiers(&spec(full));
        let mut rng = Rng(11);
        let ops: Vec<PendingOp> = random_ops(&mut rng, 8000, f.len());
        let (lo, hi) = energy_range(&f, &ops);
        // Half-way between all-cheapest and all-fastest: the budget binds, so both policies have work to do.
        let t: Telemetry = telemetry_for_budget(lo + (hi - lo) * 0.5);
        let mut out = vec![Choice::default(); ops.len()];
        let mut buf = ScratchBuf::new(ops.len());
        let mut scratch = buf.scratch();
        for policy in [Policy::Seed, Policy::Contract] {
            let neg = Negotiator::new(
                &f,
                Config {
                    policy,
                    ..Config::default()
                },
            )
            .unwrap();
            let r = neg.tick(&t, &ops, &mut out, &mut scratch).unwrap();
            println!(
                "{name} {policy:?}: budget {:.1} J, energy {:.1} J, total latency {:.0} ms, objective {:.2}, \
                 A/B/C/fallback {:?}, broadcast {:?}",
                r.budget_j, r.energy_j, r.total_latency_ms, r.objective, r.class_counts, r.broadcast
            );
            let id = format!("{name}/{}", if policy == Policy::Seed { "seed" } else { "contract" });
            c.bench_function(&id, |b| {
                b.iter(|| {
                    neg.tick(black_box(&t), black_box(&ops), &mut out, &mut scratch)
                        .unwrap()
                })
            });
            c.bench_function(&format!("{id}/cpu"), |b| {
                b.iter_custom(|iters| {
                    let start = thread_cpu_time();
                    for _ in 0..iters {
                        black_box(
                            neg.tick(black_box(&t), black_box(&ops), &mut out, &mut scratch)
                                .unwrap(),
                        );
                    }
                    thread_cpu_time() - start
                })
            });
        }
    }
}

/// CPU time consumed by the calling thread.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

criterion_group!(benches, bench_ticks);
criterion_main!(benches);
