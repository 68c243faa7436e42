//! Property test: RIIR → MLIR → RIIR is the identity on generated modules — kernel blocks, plans with memory
//! variants, outside block references, comments, extreme and subnormal floats, absent vs empty lists — not only
//! on the shipped examples. 48 cases per run keep it to about a second.
#![cfg(feature = "mlir")]

use proptest::prelude::*;
use riir_dialect::mlir::print_mlir;
use riir_dialect::mlir::verify::verify_mlir;
use riir_dialect::{
    print_module, verify, Fallback, FallbackAction, KernelClass, KernelInfo, LinkState, MemoryIntent, MemoryVariant,
    Module, Named, Op, Plan, PowerIntent, Precision, Residency, Span, Spanned, ValueRef,
};

fn s<T>(v: T) -> Spanned<T> {
    Spanned::synthetic(v)
}

fn pick<T: Named + std::fmt::Debug>() -> impl Strategy<Value = T> {
    (0..T::ALL.len()).prop_map(|i| T::ALL[i])
}

/// Finite, strictly positive, from subnormal to near `f64::MAX`.
fn positive() -> impl Strategy<Value = f64> {
    prop::num::f64::POSITIVE | prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL
}

fn plan(id: usize) -> impl Strategy<Value = Plan> {
    (
        pick::<Precision>(),
        1i64..=i64::MAX,
        positive(),
        pick::<LinkState>(),
        prop::option::of(pick::<MemoryVariant>()),
        positive(),
        positive(),
    )
        .prop_map(move |(precision, mhz, bw, link, memory, jpt, lat)| Plan {
            id: s(((b'A' + id as u8) as char).to_string()),
            precision: s(precision),
            sm_mhz: s(mhz),
            hbm_bw_tbps: s(bw),
            link: s(link),
            memory: memory.map(s),
            est_jpt: s(jpt),
            est_lat_ms: s(lat),
            span: Span::SYNTHETIC,
        })
}

fn kernel() -> impl Strategy<Value = KernelInfo> {
    (
        pick::<KernelClass>(),
        prop::sample::subsequence(vec!["m", "n", "k", "batch", "ctx", "heads"], 0..4),
        prop::collection::vec(1i64..=i64::MAX, 4),
        positive(),
        positive(),
        prop::option::of(positive()),
    )
        .prop_map(|(class, dims, sizes, bytes, flops, link)| KernelInfo {
            class: s(class),
            shape: dims
                .into_iter()
                .zip(sizes)
                .map(|(d, n)| (s(d.to_string()), s(n)))
                .collect(),
            bytes_hbm: s(bytes),
            flops: s(flops),
            link_bytes: link.map(s),
            span: Span::SYNTHETIC,
        })
}

/// Which blocks an op names: indices below the parameter count are arguments, the rest other layers' blocks.
type Refs = Option<Vec<usize>>;

/// target_jpt, max_temp_delta_100ms, link_budget_pJb, alternatives, fallback (action, est_jpt, est_lat_ms).
type PowerSpec = (
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<Vec<Plan>>,
    Option<(FallbackAction, f64, f64)>,
);

#[derive(Debug, Clone)]
struct OpSpec {
    name: String,
    comments: Vec<String>,
    kernel: Option<KernelInfo>,
    memory: Option<(Refs, Option<Residency>, Refs, Option<f64>)>,
    power: Option<PowerSpec>,
}

fn op_spec() -> impl Strategy<Value = OpSpec> {
    let refs = || prop::option::of(prop::collection::vec(0usize..5, 0..4));
    let plans = (0usize..4).prop_flat_map(|n| (0..n).map(plan).collect::<Vec<_>>());
    (
        "[a-z][a-z0-9_]{0,8}",
        prop::collection::vec("[ -~]{0,20}", 0..2),
        prop::option::of(kernel()),
        prop::option::of((
            refs(),
            prop::option::of(pick::<Residency>()),
            refs(),
            prop::option::of(0.0..=1.0f64),
        )),
        prop::option::of((
            prop::option::of(positive()),
            prop::option::of(positive()),
            prop::option::of(positive()),
            prop::option::of(plans),
            prop::option::of((pick::<FallbackAction>(), positive(), positive())),
        )),
    )
        .prop_map(|(name, comments, kernel, memory, power)| OpSpec {
            name,
            comments,
            kernel,
            memory,
            power,
        })
}

fn build(params: usize, ops: Vec<OpSpec>, header: Vec<String>) -> Module {
    let mut m = Module::new();
    m.header_comments = header;
    let f = m.add_func(s("layer".into()), Span::SYNTHETIC);
    for p in 0..params {
        m.add_param(f, s(format!("kv{p}")), s("kv.block".into()));
    }
    let refs = |m: &Module, list: Refs| {
        list.map(|l| {
            l.into_iter()
                .map(|i| {
                    let name = format!("kv{}", if i < params { i } else { 10 + i });
                    ValueRef {
                        value: m.find_param(f, &name),
                        name,
                        span: Span::SYNTHETIC,
                    }
                })
                .collect()
        })
    };
    for spec in ops {
        let mut op = Op::new(f, spec.name);
        op.comments = spec.comments;
        op.kernel = spec.kernel;
        op.memory = spec.memory.map(|(prefetch, residency, evict, reuse)| MemoryIntent {
            prefetch: refs(&m, prefetch),
            residency_hint: residency.map(s),
            evict: refs(&m, evict),
            reuse_confidence: reuse.map(s),
            span: Span::SYNTHETIC,
        });
        op.power = spec
            .power
            .map(|(target, temp, link, alternatives, fallback)| PowerIntent {
                target_jpt: target.map(s),
                max_temp_delta_100ms: temp.map(s),
                link_budget_pj_per_bit: link.map(s),
                alternatives,
                fallback: fallback.map(|(action, jpt, lat)| Fallback {
                    action: s(action),
                    est_jpt: s(jpt),
                    est_lat_ms: s(lat),
                    span: Span::SYNTHETIC,
                }),
                span: Span::SYNTHETIC,
            });
        m.add_op(op);
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn riir_to_mlir_to_riir_is_the_identity(
        params in 0usize..4,
        ops in prop::collection::vec(op_spec(), 0..4),
        header in prop::collection::vec("[ -~]{0,20}", 0..2),
    ) {
        let module = build(params, ops, header);
        let verified = match verify(&module) {
            Ok(v) => v,
            // The generator aims at valid modules; the few it misses (e.g. a comment the verifier refuses) are
            // not this test's subject.
            Err(_) => return Err(TestCaseError::reject("generated module does not verify")),
        };
        let mlir = print_mlir(&verified);
        let back = verify_mlir(&mlir, "gen.mlir").map_err(|d| TestCaseError::fail(format!("{d:#?}\n{mlir}")))?;
        prop_assert_eq!(print_module(&back), print_module(&verified));
        prop_assert_eq!(print_mlir(&back), mlir);
    }
}
