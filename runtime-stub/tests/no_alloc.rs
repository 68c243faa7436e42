//! Zero heap allocations per tick, counted by a global allocator, for both policies on 8,000 ops with up to 14
//! plans each, including a tick where the link guard sorts and one with unreadable telemetry.

mod common;

use common::*;
use runtime_stub::negotiator::{Choice, Config, Negotiator, Policy, ScratchBuf, Telemetry};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_tick_allocates_nothing() {
    let mut spec = random_spec(77, 256);
    // A link budget on every op so that one of the ticks below runs the link guard's priority sort too.
    for op in &mut spec.ops {
        op.link_budget_pj_per_bit = 1.0;
    }
    let f = frontiers(&spec);
    let mut rng = Rng(1);
    let ops = random_ops(&mut rng, 8000, 256);
    let (lo, hi) = energy_range(&f, &ops);
    let mut out = vec![Choice::default(); ops.len()];
    let mut buf = ScratchBuf::new(ops.len());
    let mut scratch = buf.scratch();
    let mut nan = Telemetry::steady(1e6);
    nan.pdu_cap_w = f64::NAN;
    let mut no_link = telemetry_for_budget((lo + hi) / 2.0);
    no_link.link_budget_pj_per_bit = f64::NAN;
    let cases = [
        telemetry_for_budget((lo + hi) / 2.0),
        telemetry_for_budget(lo * 0.5),
        nan,
        no_link,
    ];
    for policy in [Policy::Contract, Policy::Seed] {
        let neg = Negotiator::new(
            &f,
            Config {
                policy,
                ..Config::default()
            },
        )
        .unwrap();
        for t in &cases {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            let report = neg.tick(t, &ops, &mut out, &mut scratch);
            let after = ALLOCATIONS.load(Ordering::SeqCst);
            assert!(report.is_ok());
            assert_eq!(
                after - before,
                0,
                "{policy:?}: {} allocations in one tick",
                after - before
            );
        }
    }
    // The counter works: the allocator sees an ordinary allocation.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let v = std::hint::black_box(vec![1u8; 10]);
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before && v.len() == 10);
}
