//! Profiling harness for the contract tick: the benchmark's `tick/8000` instance (8,000 ops over 256 random
//! frontiers, budget half-way), run a fixed number of times so callgrind counts per tick can be read off, and the
//! best wall time per tick printed (the minimum is the least noisy statistic on a shared machine).
//! `cargo run --release -p runtime-stub --example tick_profile -- [ticks] [x14]`;
//! `valgrind --tool=callgrind --cache-sim=yes target/release/examples/tick_profile 100`. `FRONTIER_MOD=m` maps
//! every op onto the first m frontiers, to see what the frontiers' cache footprint costs.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use runtime_stub::negotiator::{Choice, Config, Negotiator, PendingOp, ScratchBuf, Telemetry};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let ticks: usize = args.next().map_or(2000, |s| s.parse().expect("tick count"));
    let full = args.next().is_some_and(|s| s == "x14");
    let mut spec = random_spec(2026, 256);
    if full {
        let mut rng = Rng(7);
        spec.ops = (0..256).map(|i| random_op(&mut rng, i, 14)).collect();
    }
    let f = frontiers(&spec);
    println!("frontiers per hull length 0..=16: {:?}", hull_lengths(&f));
    let mut rng = Rng(11);
    let mut ops: Vec<PendingOp> = random_ops(&mut rng, 8000, f.len());
    if let Some(m) = std::env::var("FRONTIER_MOD").ok().and_then(|m| m.parse::<u32>().ok()) {
        // Experiment: ops over only the first `m` frontiers (a smaller working set; same op order and sizes).
        for op in &mut ops {
            op.frontier %= m.max(1);
        }
    }
    let (lo, hi) = energy_range(&f, &ops);
    let t: Telemetry = telemetry_for_budget(lo + (hi - lo) * 0.5);
    let mut out = vec![Choice::default(); ops.len()];
    let mut buf = ScratchBuf::new(ops.len());
    let mut scratch = buf.scratch();
    let neg = Negotiator::new(&f, Config::default()).expect("valid config");
    let r = neg.tick(&t, &ops, &mut out, &mut scratch).expect("tick");
    println!(
        "energy {:.1} J of {:.1} J, total latency {:.0} ms, objective {:.4}, A/B/C/fallback {:?}",
        r.energy_j, r.budget_j, r.total_latency_ms, r.objective, r.class_counts
    );
    let mut times = Vec::with_capacity(ticks);
    for _ in 0..ticks {
        let start = Instant::now();
        black_box(
            neg.tick(black_box(&t), black_box(&ops), &mut out, &mut scratch)
                .expect("tick"),
        );
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{ticks} ticks: min {:.1} µs, median {:.1} µs, mean {:.1} µs, 90th percentile {:.1} µs",
        times[0],
        times[ticks / 2],
        times.iter().sum::<f64>() / ticks as f64,
        times[ticks * 9 / 10]
    );
}

/// How many frontiers have a hull of each length (0..=16): what the preparation pass's fixed lanes are tuned for.
fn hull_lengths(f: &[runtime_stub::negotiator::Frontier]) -> [usize; 17] {
    let mut h = [0; 17];
    for fr in f {
        h[fr.hull(false).len()] += 1;
    }
    h
}
