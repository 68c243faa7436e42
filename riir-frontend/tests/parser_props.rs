//! Property tests for the text front end: it never panics on arbitrary bytes or on mutations of valid files,
//! every error it reports has a position inside the file, and printing is a fixed point for anything it
//! accepts (including randomly generated modules). Case counts are fixed so CI time stays bounded:
//! 1,000 arbitrary inputs + 3,000 mutations + 500 generated modules = 4,500 cases per run.

use proptest::prelude::*;
use riir_dialect::{print_module, Diagnostic};
use riir_frontend::{check_bytes, parse};

/// Valid files the mutations start from: the shipped example and the parse/verify file tests (read once).
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut files = vec![format!("{root}/examples/decode_layer18.riir")];
    for dir in ["parse", "verify"] {
        if let Ok(rd) = std::fs::read_dir(format!("{root}/tests/filetests/{dir}")) {
            let mut v: Vec<_> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "riir"))
                .map(|p| p.display().to_string())
                .collect();
            v.sort();
            files.extend(v);
        }
    }
    files.iter().map(|f| std::fs::read(f).expect("corpus file")).collect()
}

/// The front end's contract on any input: no panic; each error points inside the file (or at its end);
/// accepted text prints to a fixed point.
fn front_end_contract(bytes: &[u8]) -> Result<(), TestCaseError> {
    let checked = check_bytes(bytes);
    fast_parser_agrees_with_pest(bytes)?;
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let span = d.primary_span();
        prop_assert!(!span.is_synthetic(), "error without a position: {}", d.message);
        prop_assert!(span.end as usize <= bytes.len() + 1, "span past the end: {}", d.message);
    }
    if let Ok(src) = std::str::from_utf8(bytes) {
        if let Ok(m) = parse(src) {
            let once = print_module(&m);
            let again = parse(&once).map_err(|e| TestCaseError::fail(describe(&once, &e)))?;
            prop_assert_eq!(&once, &print_module(&again));
        }
    }
    Ok(())
}

/// The hand-written fast path may only accept what the pest grammar accepts, with the same tree.
fn fast_parser_agrees_with_pest(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    if riir_frontend::prescan::scan(src).is_err() {
        return Ok(());
    }
    let reference = riir_frontend::syntax::parse_with_pest(src);
    let chosen = riir_frontend::syntax::parse(src);
    match (&reference, &chosen) {
        (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        _ => prop_assert!(false, "pest: {:?}\nfast path: {:?}", reference.is_ok(), chosen.is_ok()),
    }
    Ok(())
}

fn describe(src: &str, diags: &[Diagnostic]) -> String {
    let msgs: Vec<_> = diags.iter().map(|d| d.message.clone()).collect();
    format!("printed text does not parse: {msgs:?}\n{src}")
}

/// A fixed number of cases, and no failure files written into the source tree (a failure prints its input).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Replace(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to the grammar are likelier than others, so mutations reach deeper than "unexpected x".
    let byte = prop_oneof![
        3 => prop::sample::select(b"{}[](),=%!@\"\\/\n -.e0123456789abAZ_".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Replace(i, b)),
    ]
}

fn apply(mut v: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = v.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *m {
            Mutation::Insert(i, b) => v.insert(at(i), b),
            Mutation::Delete(i, n) => {
                let s = at(i);
                v.drain(s..(s + n).min(len));
            }
            Mutation::Duplicate(i, n) => {
                let s = at(i);
                let piece: Vec<u8> = v[s..(s + n).min(len)].to_vec();
                v.splice(s..s, piece);
            }
            Mutation::Replace(i, b) => {
                if len > 0 {
                    v[i % len] = b;
                }
            }
        }
    }
    v
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        front_end_contract(&bytes)?;
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn mutated_valid_files_never_panic(
        pick in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..8),
    ) {
        let corpus = corpus();
        let base = corpus[pick.index(corpus.len())].clone();
        front_end_contract(&apply(base, &muts))?;
    }
}

mod generated {
    //! Random well-formed modules, printed and parsed back.
    use super::*;
    use riir_dialect::*;

    fn name() -> impl Strategy<Value = String> {
        "[a-zA-Z_][a-zA-Z0-9_]{0,6}(\\.[a-z_][a-z0-9_]{0,3})?"
    }

    fn num() -> impl Strategy<Value = f64> {
        prop_oneof![any::<f64>().prop_filter("finite", |x| x.is_finite()), -1e3..1e3f64]
    }

    fn pick<T: Named + std::fmt::Debug>() -> impl Strategy<Value = T> {
        prop::sample::select(T::ALL.to_vec())
    }

    fn s<T>(v: T) -> Spanned<T> {
        Spanned::synthetic(v)
    }

    fn plan() -> impl Strategy<Value = Plan> {
        (
            "[A-Z][0-9]?",
            pick::<Precision>(),
            any::<i64>(),
            num(),
            pick::<LinkState>(),
            prop::option::of(pick::<MemoryVariant>()),
            num(),
            num(),
        )
            .prop_map(|(id, p, mhz, bw, link, mem, jpt, lat)| Plan {
                id: s(id),
                precision: s(p),
                sm_mhz: s(mhz),
                hbm_bw_tbps: s(bw),
                link: s(link),
                memory: mem.map(s),
                est_jpt: s(jpt),
                est_lat_ms: s(lat),
                span: Span::SYNTHETIC,
            })
    }

    fn refs() -> impl Strategy<Value = Option<Vec<ValueRef>>> {
        let r = "[a-z0-9_.]{1,5}".prop_map(|name| ValueRef {
            name,
            value: None,
            span: Span::SYNTHETIC,
        });
        prop::option::of(prop::collection::vec(r, 0..3))
    }

    fn kernel() -> impl Strategy<Value = KernelInfo> {
        (
            pick::<KernelClass>(),
            // Dimension names are unique within a shape (the front end rejects duplicates).
            prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,4}", any::<i64>(), 0..3),
            num(),
            num(),
            prop::option::of(num()),
        )
            .prop_map(|(class, shape, b, fl, l)| KernelInfo {
                class: s(class),
                shape: shape.into_iter().map(|(n, v)| (s(n), s(v))).collect(),
                bytes_hbm: s(b),
                flops: s(fl),
                link_bytes: l.map(s),
                span: Span::SYNTHETIC,
            })
    }

    fn memory() -> impl Strategy<Value = MemoryIntent> {
        (
            refs(),
            prop::option::of(pick::<Residency>()),
            refs(),
            prop::option::of(num()),
        )
            .prop_map(|(prefetch, res, evict, rc)| MemoryIntent {
                prefetch,
                residency_hint: res.map(s),
                evict,
                reuse_confidence: rc.map(s),
                span: Span::SYNTHETIC,
            })
    }

    fn fallback() -> impl Strategy<Value = Fallback> {
        (pick::<FallbackAction>(), num(), num()).prop_map(|(a, j, lat)| Fallback {
            action: s(a),
            est_jpt: s(j),
            est_lat_ms: s(lat),
            span: Span::SYNTHETIC,
        })
    }

    fn power() -> impl Strategy<Value = PowerIntent> {
        (
            prop::option::of(num()),
            prop::option::of(num()),
            prop::option::of(num()),
            prop::option::of(prop::collection::vec(plan(), 0..3)),
            prop::option::of(fallback()),
        )
            .prop_map(|(t, d, l, alternatives, fallback)| PowerIntent {
                target_jpt: t.map(s),
                max_temp_delta_100ms: d.map(s),
                link_budget_pj_per_bit: l.map(s),
                alternatives,
                fallback,
                span: Span::SYNTHETIC,
            })
    }

    /// An op not yet attached to a function (its `func` is set when the module is assembled).
    fn op() -> impl Strategy<Value = Op> {
        (
            "[ -~]{0,12}",
            prop::collection::vec("[ -~]{0,10}", 0..2),
            prop::option::of(kernel()),
            prop::option::of(memory()),
            prop::option::of(power()),
        )
            .prop_map(|(name, comments, kernel, memory, power)| {
                let mut op = Op::new(FuncId::new(0), name);
                op.comments = comments;
                op.kernel = kernel;
                op.memory = memory;
                op.power = power;
                op
            })
    }

    fn module() -> impl Strategy<Value = Module> {
        (
            prop::collection::vec("[ -~]{0,10}", 0..2),
            prop::collection::vec(
                (
                    name(),
                    prop::collection::vec(("[a-z0-9_]{1,4}", name()), 0..3),
                    prop::collection::vec(op(), 0..3),
                ),
                0..3,
            ),
        )
            .prop_map(|(header, funcs)| {
                let mut m = Module::new();
                m.header_comments = header;
                for (fname, params, ops) in funcs {
                    let f = m.add_func(s(fname), Span::SYNTHETIC);
                    for (p, ty) in params {
                        m.add_param(f, s(p), s(ty));
                    }
                    for mut op in ops {
                        op.func = f;
                        m.add_op(op);
                    }
                }
                m
            })
    }

    proptest! {
        #![proptest_config(super::config(500))]

        /// print → parse → print is the identity on generated modules (duplicate names and out-of-range
        /// numbers included: those are the verifier's business, not the printer's).
        #[test]
        fn generated_modules_round_trip(m in module()) {
            let once = print_module(&m);
            fast_parser_agrees_with_pest(once.as_bytes())?;
            let parsed = parse(&once).map_err(|e| TestCaseError::fail(describe(&once, &e)))?;
            prop_assert_eq!(&once, &print_module(&parsed));
        }
    }
}

/// The deepest nesting the pre-scan lets through must parse on a small thread stack: pest recurses per level.
#[test]
fn maximum_nesting_fits_a_small_stack() {
    let depth = riir_frontend::prescan::MAX_NESTING - 4;
    let src = format!(
        "func @f() {{\n  riir.op \"a\" {{x = {}{}}}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || check_bytes(src.as_bytes()).diagnostics.len())
        .unwrap();
    // One error: `x` is not a key of an op. The point is that parsing got there without overflowing.
    assert_eq!(t.join().unwrap(), 1);
}
