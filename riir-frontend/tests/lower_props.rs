//! Property tests of lowering over generated configs and options: it never panics, every error names a field or
//! an option, and every success is a verified DAG whose summary totals are the sums of its ops' kernels.

use proptest::prelude::*;
use riir_dialect::{KernelClass, Named, Precision};
use riir_frontend::lower::{lower_model, summary, DecodeGraph, LowerError, LowerOptions, ModelConfig};

fn config_text() -> impl Strategy<Value = String> {
    (
        1u64..=512,                                                       // hidden
        1u64..=4,                                                         // layers
        prop::sample::select(vec![1u64, 2, 3, 4, 6, 8, 16]),              // heads
        prop::sample::select(vec![1u64, 2, 3, 4, 8]),                     // kv heads
        1u64..=1024,                                                      // intermediate
        1u64..=5000,                                                      // vocab
        prop::option::of(prop::sample::select(vec![16u64, 32, 64, 128])), // head_dim
        prop::option::of((1u64..=8, 1u64..=8)),                           // experts, top-k
        any::<bool>(),                                                    // tie_word_embeddings
    )
        .prop_map(|(per_head, l, heads, kv, inter, vocab, hd, moe, tie)| {
            // Mostly valid shapes (hidden a multiple of heads, intermediate of 24 so every tp divides it);
            // kv heads and tp still vary freely, so the error paths are exercised too.
            let (h, inter) = (per_head * heads, inter * 24);
            let mut s = format!(
                r#"{{"hidden_size": {h}, "num_hidden_layers": {l}, "num_attention_heads": {heads},
                    "num_key_value_heads": {kv}, "intermediate_size": {inter}, "vocab_size": {vocab},
                    "tie_word_embeddings": {tie}"#
            );
            if let Some(d) = hd {
                s += &format!(r#", "head_dim": {d}"#);
            }
            if let Some((e, k)) = moe {
                s += &format!(r#", "num_local_experts": {e}, "num_experts_per_tok": {k}"#);
            }
            s + "}"
        })
}

fn options() -> impl Strategy<Value = LowerOptions> {
    (
        1u64..=128,
        1u64..=8192,
        prop::sample::select(vec![1u64, 2, 3, 4, 8]),
        prop::sample::select(Precision::ALL.to_vec()),
    )
        .prop_map(|(b, c, tp, p)| LowerOptions::new(b, c, tp, p))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lowering_verifies_or_names_what_is_wrong(text in config_text(), opts in options()) {
        let config = match ModelConfig::from_json(&text, "p.json", "p") {
            Ok(c) => c,
            Err(e) => {
                prop_assert!(matches!(e, LowerError::Field { .. }), "{e}");
                return Ok(());
            }
        };
        let graph = match DecodeGraph::build(&config, &opts) {
            Ok(g) => g,
            Err(e) => {
                prop_assert!(matches!(e, LowerError::Field { .. }), "{e}");
                return Ok(());
            }
        };
        prop_assert!(graph.check().is_ok());
        let module = lower_model(&config, &opts).unwrap();
        let diagnostics = riir_dialect::diagnose(&module);
        prop_assert!(diagnostics.is_empty(), "{:?}", diagnostics);

        let s = summary(&config, &opts).unwrap();
        let kernels: Vec<_> = module.ops.values().map(|op| op.kernel.clone().unwrap()).collect();
        prop_assert_eq!(s.ops as usize, kernels.len());
        let bytes: f64 = kernels.iter().map(|k| k.bytes_hbm.value).sum();
        let flops: f64 = kernels.iter().map(|k| k.flops.value).sum();
        let link: f64 = kernels.iter().filter_map(|k| k.link_bytes.as_ref()).map(|l| l.value).sum();
        prop_assert!((bytes - s.bytes_hbm as f64).abs() <= 1e-9 * bytes);
        prop_assert!((flops - s.flops as f64).abs() <= 1e-9 * flops.max(1.0));
        prop_assert!((link - s.link_bytes as f64).abs() <= 1e-9 * link.max(1.0));
        prop_assert_eq!(s.link_bytes == 0, opts.tp == 1);
        let allreduces = kernels.iter().filter(|k| k.class.value == KernelClass::Allreduce).count() as u64;
        let expected = if opts.tp > 1 { 2 * config.num_hidden_layers + 1 } else { 0 };
        prop_assert_eq!(allreduces, expected);
    }
}
