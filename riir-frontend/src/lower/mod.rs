//! Model config → decode graph (petgraph) → `riir.op` lowering: one decode step of a decoder-only transformer,
//! with analytic bytes, flops and link bytes for one GPU's tensor-parallel shard, and memory intent.
//!
//! Entry points: [`lower_model`] (→ [`Module`]), [`summary`] (→ per-step totals), [`kernel_for_op_name`] (the
//! kernel of one op of a decoder layer, for pricing hand-written RIIR such as the source's `decode_layer18`).
//!
//! # The step
//! `embed` (+ `embed_allreduce`) → per layer N: `layerN.attn_norm` → [`qkv_quant` →] `qkv_proj` → `k_append`
//! → `v_append` → `attention` → [`o_quant` →] `o_proj` (+ `attn_allreduce`) → `attn_residual` → `mlp_norm` →
//! [`router` →] [`gate_up_quant` →] `gate_up` → `act` → [`down_quant` →] `down` (+ `mlp_allreduce`) →
//! `mlp_residual` → then `final_norm` → [`lm_head_quant` →] `lm_head`. All-reduces exist only when tp > 1, the
//! `*_quant` casts only at fp8. Dense layers have 12 ops (14 with tp > 1), mixture-of-experts layers 13 (15);
//! fp8 adds 4 per layer. With experts, `gate_up`/`act`/`down` are one grouped kernel over the top-k experts of
//! every token (as a fused MoE kernel runs them), not one op per expert.
//!
//! These are the kernels an unfused decode step launches (and the ones the measured H100 step of
//! `profiling/riirc_profile/decode.py` runs): the new token's K and V are copied into the cache by their own
//! kernels before attention reads it, the residual add is its own kernel rather than fused into the next norm
//! (a fused add + RMSNorm, as vLLM runs it, would save one launch and b·h·a bytes per norm), and each fp8
//! linear's input is cast to e4m3 by a kernel of its own (per-tensor scales).
//!
//! # Formulas (one GPU, one decode step)
//! Notation: b = batch, c = ctx (tokens already in each sequence's cache), t = tp, h = hidden_size,
//! H = heads/t, G = KV heads per GPU (kv_heads/t, or 1 when t > kv_heads and they are replicated),
//! d = head_dim, I = intermediate_size/t, V = ⌈vocab/t⌉, w = bytes per weight (bf16/fp16 2, fp8 1, fp4 ½),
//! a = 2 bytes per activation, kv = 2 bytes per KV element (the cache stays 16-bit at every weight precision),
//! a′ = bytes per linear input: 1 at fp8 (the cast's output), else a.
//!
//! | op | weights (bytes) | KV (bytes) | activations (bytes) | flops | link bytes |
//! |----|-----------------|------------|---------------------|-------|------------|
//! | linear m×k·k×n (qkv n=(H+2G)d, o n=h k=Hd, gate_up n=2I, down k=I, lm_head n=V) | w·n·k | 0 | a′·m·k + a·m·n | 2·m·n·k | 0 |
//! | k_append, v_append (copy) | 0 | kv·b·G·d: the new token's K (V) written | a·b·G·d (read from the qkv output) | 0 | 0 |
//! | attention | 0 | kv·2·G·d·(c+1)·b: K,V of the c cached tokens and the new one read | a·2·b·H·d (q in, out) | 4·b·H·(c+1)·d (QKᵀ and PV) | 0 |
//! | rmsnorm | a·h (replicated, 16-bit at every precision) | 0 | a·2·b·h (in, out) | 4·b·h | 0 |
//! | residual add x += y | 0 | 0 | a·3·b·h | b·h | 0 |
//! | fp8 cast of an m×k linear input | 0 | 0 | (a + 1)·m·k | m·k | 0 |
//! | act SiLU(gate)·up, m rows | 0 | 0 | a·3·m·I | 5·m·I | 0 |
//! | all-reduce (ring) of b×h | 0 | 0 | a·2·b·h | (t−1)·⌈b·h/t⌉ | a·2·(t−1)·⌈b·h/t⌉ |
//! | embed (vocab-parallel) | w·⌈b/t⌉·h | 0 | a·b·h | 0 | 0 |
//! | router (replicated), E experts | w·h·E | 0 | a·(b·h + b·E) | 2·b·h·E | 0 |
//! | experts gate_up / down, m = b·k | w·R·(2I·h) / w·R·(I·h) | 0 | a·(m·h + m·2I) / a·(m·I + b·h) | 2·m·2I·h / 2·m·I·h | 0 |
//!
//! `bytes_hbm` = weights + KV + activations; per layer the KV bytes total kv·2·G·d·(c+2)·b (the appends' one
//! token written plus attention's c+1 read). The casts' inputs: qkv and gate_up b×h, o b×Hd, down b×I
//! (b·k×I with experts), lm_head b×h; the router reads 16-bit inputs and has no cast. R = experts whose weights are read: the expected number of
//! distinct experts hit by b tokens each choosing k of E uniformly, E·(1 − (1 − k/E)^b), rounded up (so
//! R = k at batch 1 and R → E at large batch). The ring all-reduce sends 2·(t−1)/t of the message per GPU;
//! chunks are ⌈elements/t⌉, so the formula is exact for padded chunks. Not modelled (each < 0.1% of a
//! step's bytes or flops for the shipped models): biases (Qwen2's q/k/v bias), RoPE and softmax flops, the
//! logits gather and sampling after `lm_head`. Tied embeddings (`tie_word_embeddings`) share one matrix but
//! the step still reads the same bytes, so they change nothing here.
//!
//! # Memory intent
//! See [`memory`]: one `!kv.block` argument per layer, prefetch one layer ahead, evict one layer behind, and
//! the reuse-distance rule for `reuse_confidence`.

pub mod config;
pub mod cost;
pub mod emit;
pub mod error;
pub mod graph;
pub mod memory;
pub mod summary;

pub use config::{ModelConfig, MoeConfig};
pub use cost::{Dims, LowerOptions, PowerTargets, Role, Work};
pub use emit::{kv_block_name, DECODE_FUNC};
pub use error::LowerError;
pub use graph::{DecodeGraph, Edge, Node};
pub use summary::Summary;

use riir_dialect::{KernelInfo, Module};

/// Lowers one decode step of `config` at `opts` to a module with one function, `@decode_step`.
pub fn lower_model(config: &ModelConfig, opts: &LowerOptions) -> Result<Module, LowerError> {
    let graph = DecodeGraph::build(config, opts)?;
    Ok(emit::to_module(&graph))
}

/// Per-step totals for one GPU (what `riirc lower --summary` prints).
pub fn summary(config: &ModelConfig, opts: &LowerOptions) -> Result<Summary, LowerError> {
    Ok(Summary::of(&DecodeGraph::build(config, opts)?))
}

/// Op names [`kernel_for_op_name`] understands: every op role, plus common aliases.
pub const KNOWN_OP_NAMES: &[&str] = &[
    "embed",
    "embed_allreduce",
    "attn_norm",
    "qkv_quant",
    "qkv_proj",
    "k_append",
    "v_append",
    "attention",
    "o_quant",
    "o_proj",
    "attn_allreduce",
    "attn_residual",
    "mlp_norm",
    "router",
    "gate_up_quant",
    "gate_up",
    "act",
    "down_quant",
    "down",
    "mlp_allreduce",
    "mlp_residual",
    "final_norm",
    "lm_head_quant",
    "lm_head",
    // Aliases: a decoder layer's norm, all-reduce, embedding, activation and fused qkv projection.
    "rmsnorm",
    "allreduce",
    "embedding",
    "activation",
    "qkv",
];

/// The role an op name stands for: a role name or alias, optionally prefixed `layerN.` (`layer18.attention`).
pub fn role_for_op_name(name: &str) -> Option<Role> {
    let base = match name.split_once('.') {
        Some((prefix, rest))
            if prefix.len() > "layer".len()
                && prefix.starts_with("layer")
                && prefix["layer".len()..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => name,
    };
    Role::from_name(base).or(match base {
        "rmsnorm" => Some(Role::AttnNorm),
        "allreduce" => Some(Role::AttnAllreduce),
        "embedding" => Some(Role::Embed),
        "activation" => Some(Role::Act),
        "qkv" => Some(Role::QkvProj),
        _ => None,
    })
}

/// The analytic work of the op called `name` in a decode step of `config` at `opts` ("that op of a decoder
/// layer"): `Ok(None)` when the name is unknown or the op does not exist at these options (an all-reduce at
/// tp 1, a router in a dense model, a cast below fp8); `Err` when the options do not fit the model.
pub fn work_for_op_name(config: &ModelConfig, opts: &LowerOptions, name: &str) -> Result<Option<Work>, LowerError> {
    let dims = Dims::new(config, opts)?;
    let Some(role) = role_for_op_name(name) else {
        return Ok(None);
    };
    let ops = dims
        .prologue_ops()
        .into_iter()
        .chain(dims.layer_ops())
        .chain(dims.epilogue_ops());
    Ok(ops.into_iter().find(|(r, _)| *r == role).map(|(_, w)| w))
}

/// [`work_for_op_name`] as the dialect's `kernel = {…}` block.
pub fn kernel_for_op_name(
    config: &ModelConfig,
    opts: &LowerOptions,
    name: &str,
) -> Result<Option<KernelInfo>, LowerError> {
    Ok(work_for_op_name(config, opts, name)?.map(|w| w.kernel_info()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use riir_dialect::{KernelClass, Precision};

    fn llama8b() -> ModelConfig {
        ModelConfig::from_json(
            r#"{"hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
                "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256}"#,
            "l.json",
            "l",
        )
        .unwrap()
    }

    #[test]
    fn op_names_resolve_with_and_without_layer_prefix() {
        assert_eq!(role_for_op_name("attention"), Some(Role::Attention));
        assert_eq!(role_for_op_name("layer18.attention"), Some(Role::Attention));
        assert_eq!(role_for_op_name("rmsnorm"), Some(Role::AttnNorm));
        assert_eq!(role_for_op_name("layer.attention"), None);
        assert_eq!(role_for_op_name("layerx.attention"), None);
        assert_eq!(role_for_op_name("softmax"), None);
        for name in KNOWN_OP_NAMES {
            assert!(role_for_op_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn kernel_for_op_name_prices_a_layer_op() {
        let opts = LowerOptions::new(64, 4096, 1, Precision::Bf16);
        let k = kernel_for_op_name(&llama8b(), &opts, "attention").unwrap().unwrap();
        assert_eq!(k.class.value, KernelClass::AttentionDecode);
        // 2 (K,V) · 8 heads · 128 · 4097 tokens (cached and new) · 64 seqs · 2 bytes + q in and out.
        let kv = 2.0 * 8.0 * 128.0 * 4097.0 * 64.0 * 2.0;
        let act = 64.0 * (32.0 + 32.0) * 128.0 * 2.0;
        assert_eq!(k.bytes_hbm.value, kv + act);
        assert_eq!(k.flops.value, 4.0 * 64.0 * 32.0 * 4097.0 * 128.0);
        assert!(kernel_for_op_name(&llama8b(), &opts, "allreduce").unwrap().is_none());
        assert!(kernel_for_op_name(&llama8b(), &opts, "router").unwrap().is_none());
        assert!(kernel_for_op_name(&llama8b(), &opts, "nonsense").unwrap().is_none());
        let tp3 = LowerOptions::new(64, 4096, 3, Precision::Bf16);
        assert!(kernel_for_op_name(&llama8b(), &tp3, "attention").is_err());
    }

    #[test]
    fn allreduce_link_bytes_follow_the_ring_formula() {
        let opts = LowerOptions::new(64, 4096, 8, Precision::Bf16);
        let k = kernel_for_op_name(&llama8b(), &opts, "layer3.allreduce")
            .unwrap()
            .unwrap();
        let msg = 64.0 * 4096.0 * 2.0;
        assert_eq!(k.link_bytes.unwrap().value, 2.0 * 7.0 / 8.0 * msg);
    }
}
