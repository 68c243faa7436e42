//! Lowering of the shipped model configs (`examples/models/*.json`): totals against hand-derived formulas,
//! graph shape, memory intent, and snapshots of each model's summary and per-layer op listing.
//!
//! The parameter counts here are written out from the architecture, independently of the lowering code.

use riir_dialect::{KernelClass, Module, Precision};
use riir_frontend::lower::{lower_model, summary, DecodeGraph, LowerOptions, ModelConfig, Role, Summary, DECODE_FUNC};
use std::path::PathBuf;

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/models")
}

fn load(name: &str) -> ModelConfig {
    ModelConfig::load(&models_dir().join(format!("{name}.json"))).unwrap()
}

/// Public figures of a model, typed in by hand from its model card.
struct Figures {
    file: &'static str,
    hidden: f64,
    layers: f64,
    heads: f64,
    kv_heads: f64,
    inter: f64,
    vocab: f64,
    /// (experts, top-k)
    experts: Option<(f64, f64)>,
}

const MODELS: &[Figures] = &[
    Figures {
        file: "llama-3-8b",
        hidden: 4096.0,
        layers: 32.0,
        heads: 32.0,
        kv_heads: 8.0,
        inter: 14336.0,
        vocab: 128256.0,
        experts: None,
    },
    Figures {
        file: "llama-3-70b",
        hidden: 8192.0,
        layers: 80.0,
        heads: 64.0,
        kv_heads: 8.0,
        inter: 28672.0,
        vocab: 128256.0,
        experts: None,
    },
    Figures {
        file: "qwen2.5-72b",
        hidden: 8192.0,
        layers: 80.0,
        heads: 64.0,
        kv_heads: 8.0,
        inter: 29568.0,
        vocab: 152064.0,
        experts: None,
    },
    Figures {
        file: "mixtral-8x7b",
        hidden: 4096.0,
        layers: 32.0,
        heads: 32.0,
        kv_heads: 8.0,
        inter: 14336.0,
        vocab: 32000.0,
        experts: Some((8.0, 2.0)),
    },
];

/// (batch, ctx, tp, precision, bytes per weight)
const CONFIGS: &[(u64, u64, u64, Precision, f64)] = &[
    (1, 1024, 1, Precision::Bf16, 2.0),
    (64, 4096, 8, Precision::Bf16, 2.0),
    (16, 8192, 2, Precision::Fp8, 1.0),
    (32, 2048, 4, Precision::Fp16, 2.0),
];

impl Figures {
    fn head_dim(&self) -> f64 {
        self.hidden / self.heads
    }

    /// Weights of one layer's attention block: q, k, v, o projections.
    fn attn_params(&self) -> f64 {
        let d = self.head_dim();
        self.hidden * self.heads * d + 2.0 * self.hidden * self.kv_heads * d + self.heads * d * self.hidden
    }

    /// One expert's (or the dense) SwiGLU MLP: gate, up, down.
    fn mlp_params(&self) -> f64 {
        3.0 * self.hidden * self.inter
    }

    /// Experts whose weights a batch reads, from E·(1 − (1 − k/E)^b) by hand for the batches tested.
    fn experts_read(&self, batch: u64) -> f64 {
        match (self.experts, batch) {
            (None, _) => 1.0,
            (Some((_, k)), 1) => k,
            // 8·(1 − 0.75^16) = 7.92, and more for bigger batches: every expert is read.
            (Some((e, _)), 16..) => e,
            (Some(_), b) => panic!("no hand figure for batch {b}"),
        }
    }

    /// Parameters one decode step reads from HBM (all GPUs together), for `batch` tokens.
    fn params_read(&self, batch: u64) -> f64 {
        let norms = 2.0 * self.hidden;
        let router = self.experts.map_or(0.0, |(e, _)| self.hidden * e);
        let layer = self.attn_params() + norms + router + self.experts_read(batch) * self.mlp_params();
        let embedding_rows = batch as f64 * self.hidden;
        self.layers * layer + self.hidden + self.vocab * self.hidden + embedding_rows
    }

    /// Parameters each token multiplies by (top-k experts, not every expert read).
    fn params_active(&self) -> f64 {
        let (router, mlps) = self.experts.map_or((0.0, 1.0), |(e, k)| (self.hidden * e, k));
        self.layers * (self.attn_params() + router + mlps * self.mlp_params()) + self.vocab * self.hidden
    }
}

fn within(actual: u128, expected: f64, tolerance: f64, what: &str) {
    let rel = (actual as f64 - expected).abs() / expected;
    assert!(
        rel <= tolerance,
        "{what}: got {actual}, expected {expected:.0} (off by {:.3}%)",
        rel * 100.0
    );
}

#[test]
fn totals_match_hand_derived_formulas_for_every_shipped_model() {
    for m in MODELS {
        let config = load(m.file);
        for &(batch, ctx, tp, precision, bpp) in CONFIGS {
            let what = format!("{} b{batch} c{ctx} tp{tp} {precision}", m.file);
            let s = summary(&config, &LowerOptions::new(batch, ctx, tp, precision)).unwrap();
            let (b, c, t) = (batch as f64, ctx as f64, tp as f64);

            within(
                s.weight_bytes,
                m.params_read(batch) * bpp / t,
                0.01,
                &format!("{what} weight_bytes"),
            );

            // The formula reads ctx tokens. Lowering's attention reads c + 1 (the cached tokens and the
            // new one), and k_append / v_append write the new token's K and V first: exactly c + 2 tokens' worth.
            let kv = |tokens: f64| 2.0 * m.layers * m.kv_heads * m.head_dim() * tokens * b * 2.0 / t;
            assert_eq!(s.kv_bytes as f64, kv(c + 2.0), "{what} kv_bytes");
            within(
                s.kv_bytes,
                kv(c),
                0.0025,
                &format!("{what} kv_bytes vs ctx-only formula"),
            );

            let attention = 4.0 * m.layers * b * (m.heads / t) * c * m.head_dim();
            within(
                s.flops,
                2.0 * m.params_active() * b / t + attention,
                0.01,
                &format!("{what} flops"),
            );

            // Two ring all-reduces per layer plus the embedding's, each 2·(t−1)/t of b×h bf16 per GPU.
            let allreduces = if tp > 1 { 2.0 * m.layers + 1.0 } else { 0.0 };
            let link = allreduces * 2.0 * (t - 1.0) / t * b * m.hidden * 2.0;
            assert_eq!(s.link_bytes as f64, link, "{what} link_bytes");

            assert_eq!(s.bytes_hbm, s.weight_bytes + s.kv_bytes + s.activation_bytes, "{what}");
            assert!(s.activation_bytes > 0, "{what}");
        }
    }
}

#[test]
fn fp8_halves_weight_bytes_and_keeps_kv_bytes() {
    let config = load("llama-3-70b");
    let bf16 = summary(&config, &LowerOptions::new(64, 4096, 8, Precision::Bf16)).unwrap();
    let fp8 = summary(&config, &LowerOptions::new(64, 4096, 8, Precision::Fp8)).unwrap();
    // Every weight at half the bytes but the 2·80 + 1 RMSNorm weights (8192 each), which stay 16-bit.
    let norms = (2 * 80 + 1) * 8192 * 2;
    assert_eq!(fp8.weight_bytes * 2, bf16.weight_bytes + norms);
    assert_eq!(fp8.kv_bytes, bf16.kv_bytes);
    // The same matmuls, plus one flop per element of each fp8 cast: the inputs of qkv (hidden), o (q heads ×
    // head_dim), gate_up (hidden) and down (intermediate / tp) in every layer, and the lm_head's (hidden).
    let (b, h, layers) = (64, 8192, 80);
    let casts = layers * b * (h + 64 / 8 * 128 + h + 28672 / 8) + b * h;
    assert_eq!(fp8.flops, bf16.flops + casts);
    assert_eq!(fp8.ops, bf16.ops + 4 * layers as u64 + 1);
    // Each cast reads 2 bytes and writes 1; each fp8 linear then reads 1-byte inputs instead of 2.
    assert_eq!(fp8.activation_bytes, bf16.activation_bytes + casts * 3 - casts);
}

#[test]
fn kv_appends_write_the_new_token_and_attention_reads_it_back() {
    use riir_frontend::lower::work_for_op_name;
    let config = load("llama-3-70b");
    let opts = LowerOptions::new(64, 4096, 8, Precision::Bf16);
    let work = |name: &str| work_for_op_name(&config, &opts, name).unwrap().unwrap();
    // One 128-wide KV head per GPU at tp 8, 64 sequences, 2 bytes each way.
    for name in ["layer7.k_append", "layer7.v_append"] {
        let w = work(name);
        assert_eq!(w.class, KernelClass::Copy, "{name}");
        assert_eq!(
            (w.kv_bytes, w.activation_bytes, w.flops),
            (64 * 128 * 2, 64 * 128 * 2, 0),
            "{name}"
        );
    }
    let a = work("attention");
    assert_eq!(a.kv_bytes, 2 * 128 * 4097 * 64 * 2);
    // q read and the output written: 8 query heads per GPU.
    assert_eq!(a.activation_bytes, 2 * 64 * 8 * 128 * 2);
    let add = work("attn_residual");
    assert_eq!(
        (add.class, add.activation_bytes),
        (KernelClass::Elementwise, 3 * 64 * 8192 * 2)
    );
    assert!(
        work_for_op_name(&config, &opts, "qkv_quant").unwrap().is_none(),
        "no casts at bf16"
    );
}

#[test]
fn graph_is_a_dag_with_the_expected_ops_per_layer() {
    for m in MODELS {
        let config = load(m.file);
        for &(batch, ctx, tp, precision, _) in CONFIGS {
            let g = DecodeGraph::build(&config, &LowerOptions::new(batch, ctx, tp, precision)).unwrap();
            g.check().unwrap();
            // norm ×2, qkv, k/v append, attention, o, residual add ×2, gate_up, act, down; the router with
            // experts, two all-reduces at tp > 1, four casts at fp8 (and one for the lm_head).
            let fp8 = precision == Precision::Fp8;
            let per_layer =
                12 + usize::from(m.experts.is_some()) + if tp > 1 { 2 } else { 0 } + if fp8 { 4 } else { 0 };
            let prologue = if tp > 1 { 2 } else { 1 };
            let epilogue = 2 + usize::from(fp8);
            let layers = m.layers as usize;
            assert_eq!(
                g.graph.node_count(),
                prologue + layers * per_layer + epilogue,
                "{}",
                m.file
            );
            for l in 0..layers as u64 {
                assert_eq!(g.nodes().filter(|n| n.layer == Some(l)).count(), per_layer);
            }
            // Every op reachable from embed, lm_head reachable from everything: one connected step.
            let first = g.graph.node_indices().next().unwrap();
            let last = g.graph.node_indices().next_back().unwrap();
            assert_eq!(g.graph[first].role, Role::Embed);
            assert_eq!(g.graph[last].role, Role::LmHead);
            let mut dfs = petgraph::visit::Dfs::new(&g.graph, first);
            let mut seen = 0;
            while dfs.next(&g.graph).is_some() {
                seen += 1;
            }
            assert_eq!(seen, g.graph.node_count(), "{}: every op reachable from embed", m.file);
        }
    }
}

#[test]
fn module_has_one_function_with_a_kv_block_per_layer_and_scoped_intent() {
    let config = load("llama-3-70b");
    let module = lower_model(&config, &LowerOptions::new(64, 4096, 8, Precision::Bf16)).unwrap();
    assert_eq!(module.funcs.len(), 1);
    let f = module.funcs.values().next().unwrap();
    assert_eq!(f.name.value, DECODE_FUNC);
    assert_eq!(f.params.len(), 80);
    for (i, &p) in f.params.iter().enumerate() {
        assert_eq!(module.values[p].name.value, format!("kv_l{i}"));
        assert_eq!(module.values[p].ty.value, "kv.block");
    }
    let mut attention = 0;
    for id in module.ops_in_order() {
        let op = &module.ops[id];
        let kernel = op.kernel.as_ref().expect("every lowered op has a kernel");
        assert!(kernel.bytes_hbm.value > 0.0, "{}", op.name.value);
        assert_eq!(
            kernel.link_bytes.is_some(),
            kernel.class.value == KernelClass::Allreduce
        );
        if let Some(mem) = &op.memory {
            for r in mem.prefetch.iter().chain(mem.evict.iter()).flatten() {
                assert!(
                    r.value.is_some(),
                    "{}: %{} resolves to an argument",
                    op.name.value,
                    r.name
                );
            }
            if let Some(c) = &mem.reuse_confidence {
                assert!((0.0..=0.95).contains(&c.value));
            }
        }
        if kernel.class.value == KernelClass::AttentionDecode {
            let mem = op.memory.as_ref().unwrap();
            let names = |v: &Option<Vec<riir_dialect::ValueRef>>| -> Vec<String> {
                v.iter().flatten().map(|r| r.name.clone()).collect()
            };
            let want_prefetch: Vec<String> = (attention + 1..80).take(1).map(|l| format!("kv_l{l}")).collect();
            let want_evict: Vec<String> = (0..attention).last().map(|l| format!("kv_l{l}")).into_iter().collect();
            assert_eq!(names(&mem.prefetch), want_prefetch, "{}", op.name.value);
            assert_eq!(names(&mem.evict), want_evict, "{}", op.name.value);
            attention += 1;
        }
        assert!(op.power.is_none(), "no targets given, no power block");
    }
    assert_eq!(attention, 80);
}

#[test]
fn lowering_is_deterministic() {
    let config = load("mixtral-8x7b");
    let opts = LowerOptions::new(16, 8192, 2, Precision::Fp8);
    assert_eq!(
        lower_model(&config, &opts).unwrap(),
        lower_model(&config, &opts).unwrap()
    );
}

/// A compact listing of the ops of the prologue, of layer 0 (every layer has the same kernels, which is
/// asserted), and of the epilogue: name, class, shape, bytes, flops, link bytes and memory intent.
fn listing(module: &Module) -> String {
    let ops: Vec<_> = module.ops_in_order().map(|id| &module.ops[id]).collect();
    let layer_kernel = |layer: usize, role: &str| {
        ops.iter()
            .find(|op| op.name.value == format!("layer{layer}.{role}"))
            .and_then(|op| op.kernel.clone())
    };
    let mut out = String::new();
    let mut skipped = 0;
    for op in &ops {
        let name = &op.name.value;
        if let Some((layer, role)) = name.strip_prefix("layer").and_then(|r| r.split_once('.')) {
            let layer: usize = layer.parse().unwrap();
            assert_eq!(
                layer_kernel(layer, role),
                layer_kernel(0, role),
                "{name} differs from layer 0"
            );
            if layer > 1 || (layer == 1 && role != "attention") {
                skipped += 1;
                continue;
            }
        }
        let k = op.kernel.as_ref().unwrap();
        let shape: Vec<String> = k
            .shape
            .iter()
            .map(|(n, v)| format!("{}={}", n.value, v.value))
            .collect();
        out += &format!(
            "{name:<22} {:<16} {:<40} bytes={:e} flops={:e}",
            k.class.value.to_string(),
            shape.join(" "),
            k.bytes_hbm.value,
            k.flops.value
        );
        if let Some(l) = &k.link_bytes {
            out += &format!(" link={:e}", l.value);
        }
        if let Some(m) = &op.memory {
            let refs = |v: &Option<Vec<riir_dialect::ValueRef>>| -> String {
                v.iter()
                    .flatten()
                    .map(|r| format!("%{}", r.name))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            out += &format!(" prefetch=[{}] evict=[{}]", refs(&m.prefetch), refs(&m.evict));
            if let Some(c) = &m.reuse_confidence {
                out += &format!(" reuse={}", c.value);
            }
        }
        out += "\n";
    }
    out += &format!("({skipped} ops of later layers omitted: same kernels as layer 0)\n");
    out
}

fn snapshot_text(file: &str, batch: u64, ctx: u64, tp: u64) -> String {
    let config = load(file);
    let opts = LowerOptions::new(batch, ctx, tp, Precision::Bf16);
    let s: Summary = summary(&config, &opts).unwrap();
    let module = lower_model(&config, &opts).unwrap();
    format!("{}\n{}", s.to_json(), listing(&module))
}

#[test]
fn snapshot_llama_3_8b() {
    insta::assert_snapshot!(snapshot_text("llama-3-8b", 1, 4096, 1));
}

#[test]
fn snapshot_llama_3_70b() {
    insta::assert_snapshot!(snapshot_text("llama-3-70b", 64, 4096, 8));
}

#[test]
fn snapshot_qwen2_5_72b() {
    insta::assert_snapshot!(snapshot_text("qwen2.5-72b", 64, 4096, 8));
}

#[test]
fn snapshot_mixtral_8x7b() {
    insta::assert_snapshot!(snapshot_text("mixtral-8x7b", 16, 4096, 2));
}

#[test]
fn no_golden_records_a_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("panicked"), "{} records a panic", path.display());
    }
}

#[test]
fn lowering_verifies_and_its_text_parses_back_to_the_same_text() {
    for m in MODELS {
        let config = load(m.file);
        let module = lower_model(&config, &LowerOptions::new(64, 4096, 8, Precision::Bf16)).unwrap();
        let diagnostics = riir_dialect::verify::diagnose(&module);
        assert!(diagnostics.is_empty(), "{}: {diagnostics:?}", m.file);
        let text = riir_dialect::print_module(&module);
        let parsed = riir_frontend::parse(&text).unwrap_or_else(|d| panic!("{}: {d:?}", m.file));
        assert_eq!(riir_dialect::print_module(&parsed), text, "{}", m.file);
    }
}
