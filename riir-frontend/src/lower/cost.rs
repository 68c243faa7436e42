//! The analytic work of each decode-step op on one GPU's shard: kernel class, shape, HBM bytes (weights, KV,
//! activations), flops and link bytes. The formulas are listed in the `lower` module header; each function
//! here implements one row of that table.

use super::config::ModelConfig;
use super::error::LowerError;
use riir_dialect::{KernelClass, KernelInfo, Precision, Span, Spanned};

/// Bytes per activation element (bf16/fp16 activations at every weight precision; only an fp8 linear's input,
/// written by its cast, is 1 byte).
pub const ACT_BYTES: u128 = 2;
/// Bytes per KV-cache element (the cache stays bf16/fp16 at every weight precision).
pub const KV_BYTES: u128 = 2;
/// Flops per element of an RMSNorm: square, accumulate, scale, weight.
pub const NORM_FLOPS_PER_ELEM: u128 = 4;
/// Flops per output element of SiLU(gate)·up: negate, exp, add, divide, multiply.
pub const ACT_FLOPS_PER_ELEM: u128 = 5;

/// Largest accepted batch (sequences decoded together).
pub const MAX_BATCH: u64 = 1 << 20;
/// Largest accepted context length (tokens in each sequence's KV cache).
pub const MAX_CTX: u64 = 1 << 24;
/// Largest accepted tensor-parallel degree.
pub const MAX_TP: u64 = 1 << 12;

/// What to lower: one decode step of `batch` sequences with `ctx` tokens of context each, sharded over `tp`
/// GPUs, weights at `precision`. Power targets are copied onto every op (see [`PowerTargets`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LowerOptions {
    pub batch: u64,
    pub ctx: u64,
    pub tp: u64,
    pub precision: Precision,
    pub power: PowerTargets,
}

impl LowerOptions {
    /// Options with no power targets.
    pub fn new(batch: u64, ctx: u64, tp: u64, precision: Precision) -> Self {
        LowerOptions {
            batch,
            ctx,
            tp,
            precision,
            power: PowerTargets::default(),
        }
    }
}

/// The step's power SLO, written into every op's `power = {…}` block when any is set. `target_jpt` is the
/// whole step's joules-per-token target (as in the source, where one op's plans are priced per token of the
/// step); the link budget goes only on all-reduce ops, the only ops that use the links.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PowerTargets {
    pub target_jpt: Option<f64>,
    pub max_temp_delta_100ms: Option<f64>,
    pub link_budget_pj_per_bit: Option<f64>,
}

/// What an op of the decode step is. Its [`Role::name`] is the part of the op name after `layerN.`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Embed,
    EmbedAllreduce,
    AttnNorm,
    /// fp8 only: the cast of the attention norm's output to e4m3, the input of `qkv_proj`.
    QkvQuant,
    QkvProj,
    /// The new token's K written into the layer's cache.
    KAppend,
    /// The new token's V written into the layer's cache.
    VAppend,
    Attention,
    /// fp8 only: the cast of the attention output to e4m3, the input of `o_proj`.
    OQuant,
    OProj,
    AttnAllreduce,
    /// The residual stream += the attention block's output.
    AttnResidual,
    MlpNorm,
    Router,
    /// fp8 only: the cast of the MLP norm's output to e4m3, the input of `gate_up`.
    GateUpQuant,
    GateUp,
    Act,
    /// fp8 only: the cast of the activation's output to e4m3, the input of `down`.
    DownQuant,
    Down,
    MlpAllreduce,
    /// The residual stream += the MLP block's output.
    MlpResidual,
    FinalNorm,
    /// fp8 only: the cast of the final norm's output to e4m3, the input of `lm_head`.
    LmHeadQuant,
    LmHead,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::Embed,
        Role::EmbedAllreduce,
        Role::AttnNorm,
        Role::QkvQuant,
        Role::QkvProj,
        Role::KAppend,
        Role::VAppend,
        Role::Attention,
        Role::OQuant,
        Role::OProj,
        Role::AttnAllreduce,
        Role::AttnResidual,
        Role::MlpNorm,
        Role::Router,
        Role::GateUpQuant,
        Role::GateUp,
        Role::Act,
        Role::DownQuant,
        Role::Down,
        Role::MlpAllreduce,
        Role::MlpResidual,
        Role::FinalNorm,
        Role::LmHeadQuant,
        Role::LmHead,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Embed => "embed",
            Role::EmbedAllreduce => "embed_allreduce",
            Role::AttnNorm => "attn_norm",
            Role::QkvQuant => "qkv_quant",
            Role::QkvProj => "qkv_proj",
            Role::KAppend => "k_append",
            Role::VAppend => "v_append",
            Role::Attention => "attention",
            Role::OQuant => "o_quant",
            Role::OProj => "o_proj",
            Role::AttnAllreduce => "attn_allreduce",
            Role::AttnResidual => "attn_residual",
            Role::MlpNorm => "mlp_norm",
            Role::Router => "router",
            Role::GateUpQuant => "gate_up_quant",
            Role::GateUp => "gate_up",
            Role::Act => "act",
            Role::DownQuant => "down_quant",
            Role::Down => "down",
            Role::MlpAllreduce => "mlp_allreduce",
            Role::MlpResidual => "mlp_residual",
            Role::FinalNorm => "final_norm",
            Role::LmHeadQuant => "lm_head_quant",
            Role::LmHead => "lm_head",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// Ops repeated in every decoder layer (named `layerN.<role>`); the others run once per step.
    pub fn in_layer(self) -> bool {
        !matches!(
            self,
            Role::Embed | Role::EmbedAllreduce | Role::FinalNorm | Role::LmHeadQuant | Role::LmHead
        )
    }

    /// The fp8 activation casts, emitted only when the weights are fp8.
    pub fn is_quant(self) -> bool {
        matches!(
            self,
            Role::QkvQuant | Role::OQuant | Role::GateUpQuant | Role::DownQuant | Role::LmHeadQuant
        )
    }

    pub fn is_allreduce(self) -> bool {
        matches!(self, Role::EmbedAllreduce | Role::AttnAllreduce | Role::MlpAllreduce)
    }
}

/// One op's analytic work for one GPU's shard and one decode step. Byte counts are split by what is moved so
/// that the summary can total them separately; `bytes_hbm` is their sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Work {
    pub class: KernelClass,
    /// Named dimensions of the shard, in print order.
    pub shape: Vec<(&'static str, u64)>,
    pub weight_bytes: u128,
    pub kv_bytes: u128,
    pub activation_bytes: u128,
    pub flops: u128,
    pub link_bytes: u128,
}

impl Work {
    pub fn bytes_hbm(&self) -> u128 {
        self.weight_bytes + self.kv_bytes + self.activation_bytes
    }

    /// The dialect's `kernel = {…}` block. `link_bytes` is written only for ops that use the links.
    pub fn kernel_info(&self) -> KernelInfo {
        KernelInfo {
            class: Spanned::synthetic(self.class),
            shape: self
                .shape
                .iter()
                // Every dimension is below 2^50 (see `dims`), so it fits an i64.
                .map(|&(n, v)| (Spanned::synthetic(n.to_string()), Spanned::synthetic(v as i64)))
                .collect(),
            bytes_hbm: Spanned::synthetic(self.bytes_hbm() as f64),
            flops: Spanned::synthetic(self.flops as f64),
            link_bytes: (self.class == KernelClass::Allreduce).then(|| Spanned::synthetic(self.link_bytes as f64)),
            span: Span::SYNTHETIC,
        }
    }
}

/// Per-GPU dimensions of one decode step: the model's figures divided by the tensor-parallel degree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dims {
    pub batch: u128,
    pub ctx: u128,
    pub tp: u128,
    pub hidden: u128,
    pub layers: u128,
    pub head_dim: u128,
    /// Query heads on one GPU.
    pub heads: u128,
    /// Key/value heads on one GPU (1 when tp exceeds the model's KV heads and they are replicated).
    pub kv_heads: u128,
    /// Intermediate (MLP) width on one GPU, per expert.
    pub inter: u128,
    /// Vocabulary rows on one GPU (rounded up: the last shard is padded, as vocab-parallel layers do).
    pub vocab: u128,
    pub moe: Option<MoeDims>,
    /// Bits per weight at the lowering precision.
    pub weight_bits: u128,
}

/// Mixture-of-experts dimensions of one decode step.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MoeDims {
    pub experts: u128,
    pub top_k: u128,
    /// Distinct experts whose weights the step reads: the expected count under uniform routing, rounded up.
    pub experts_read: u128,
}

impl Dims {
    /// Checks the options against the model and derives the per-GPU dimensions.
    pub fn new(config: &ModelConfig, opts: &LowerOptions) -> Result<Dims, LowerError> {
        let range = |name: &str, v: u64, max: u64| {
            if v == 0 || v > max {
                Err(LowerError::option(
                    name,
                    format!("must be between 1 and {max}, got {v}"),
                ))
            } else {
                Ok(v as u128)
            }
        };
        let batch = range("batch", opts.batch, MAX_BATCH)?;
        let ctx = range("ctx", opts.ctx, MAX_CTX)?;
        let tp = range("tp", opts.tp, MAX_TP)?;
        let file = config.source.as_str();
        let heads = config.num_attention_heads as u128;
        if heads % tp != 0 {
            return Err(LowerError::field(
                file,
                "num_attention_heads",
                format!("{heads} is not divisible by tp ({tp})"),
            ));
        }
        let kv = config.num_key_value_heads as u128;
        let kv_heads = if kv % tp == 0 {
            kv / tp
        } else if tp % kv == 0 {
            1
        } else {
            return Err(LowerError::field(
                file,
                "num_key_value_heads",
                format!("{kv} is neither divisible by tp ({tp}) nor a divisor of it"),
            ));
        };
        let inter = config.intermediate_size as u128;
        if inter % tp != 0 {
            return Err(LowerError::field(
                file,
                "intermediate_size",
                format!("{inter} is not divisible by tp ({tp})"),
            ));
        }
        let weight_bits = match opts.precision {
            Precision::Fp16 | Precision::Bf16 => 16,
            Precision::Fp8 => 8,
            Precision::Fp4 => 4,
        };
        let moe = config.moe.map(|m| {
            let (e, k) = (m.num_local_experts as u128, m.num_experts_per_tok as u128);
            MoeDims {
                experts: e,
                top_k: k,
                experts_read: expected_experts_read(e, k, batch),
            }
        });
        Ok(Dims {
            batch,
            ctx,
            tp,
            hidden: config.hidden_size as u128,
            layers: config.num_hidden_layers as u128,
            head_dim: config.head_dim as u128,
            heads: heads / tp,
            kv_heads,
            inter: inter / tp,
            vocab: (config.vocab_size as u128).div_ceil(tp),
            moe,
            weight_bits,
        })
    }

    /// Bytes of `params` weights at the lowering precision (rounded up to whole bytes for fp4).
    pub fn weights(&self, params: u128) -> u128 {
        (params * self.weight_bits).div_ceil(8)
    }

    /// Whether the linears run on fp8 activations: with fp8 weights each linear's input is cast to e4m3 by
    /// its own kernel first (per-tensor scales, as fp8 checkpoints run), and the linear reads 1-byte inputs.
    pub fn quantises_activations(&self) -> bool {
        self.weight_bits == 8
    }

    /// The ops of one decoder layer, in order, with their work. All-reduces appear only when tp > 1, the
    /// `*_quant` casts only at fp8.
    pub fn layer_ops(&self) -> Vec<(Role, Work)> {
        let q = self.quantises_activations();
        let b = self.batch;
        let mut ops = vec![(Role::AttnNorm, self.norm())];
        if q {
            ops.push((Role::QkvQuant, self.quant(b, self.hidden)));
        }
        ops.push((Role::QkvProj, self.qkv_proj()));
        ops.push((Role::KAppend, self.kv_append()));
        ops.push((Role::VAppend, self.kv_append()));
        ops.push((Role::Attention, self.attention()));
        if q {
            ops.push((Role::OQuant, self.quant(b, self.heads * self.head_dim)));
        }
        ops.push((Role::OProj, self.o_proj()));
        if self.tp > 1 {
            ops.push((Role::AttnAllreduce, self.allreduce()));
        }
        ops.push((Role::AttnResidual, self.residual_add()));
        ops.push((Role::MlpNorm, self.norm()));
        match self.moe {
            None => {
                if q {
                    ops.push((Role::GateUpQuant, self.quant(b, self.hidden)));
                }
                ops.push((Role::GateUp, self.linear(b, 2 * self.inter, self.hidden)));
                ops.push((Role::Act, self.act(b)));
                if q {
                    ops.push((Role::DownQuant, self.quant(b, self.inter)));
                }
                ops.push((Role::Down, self.linear(b, self.hidden, self.inter)));
            }
            Some(moe) => {
                ops.push((Role::Router, self.router(moe)));
                // The tokens are cast once, then each is gathered for its top-k experts.
                if q {
                    ops.push((Role::GateUpQuant, self.quant(b, self.hidden)));
                }
                ops.push((Role::GateUp, self.expert_gate_up(moe)));
                ops.push((Role::Act, self.act(b * moe.top_k)));
                if q {
                    ops.push((Role::DownQuant, self.quant(b * moe.top_k, self.inter)));
                }
                ops.push((Role::Down, self.expert_down(moe)));
            }
        }
        if self.tp > 1 {
            ops.push((Role::MlpAllreduce, self.allreduce()));
        }
        ops.push((Role::MlpResidual, self.residual_add()));
        ops
    }

    /// The ops before the first layer: the embedding lookup (and its all-reduce when tp > 1).
    pub fn prologue_ops(&self) -> Vec<(Role, Work)> {
        let mut ops = vec![(Role::Embed, self.embed())];
        if self.tp > 1 {
            ops.push((Role::EmbedAllreduce, self.allreduce()));
        }
        ops
    }

    /// The ops after the last layer: the final norm (its input cast at fp8) and the lm_head.
    pub fn epilogue_ops(&self) -> Vec<(Role, Work)> {
        let mut ops = vec![(Role::FinalNorm, self.norm())];
        if self.quantises_activations() {
            ops.push((Role::LmHeadQuant, self.quant(self.batch, self.hidden)));
        }
        ops.push((Role::LmHead, self.linear(self.batch, self.vocab, self.hidden)));
        ops
    }

    fn embed(&self) -> Work {
        // Vocab-parallel: each GPU gathers the rows it owns (batch/tp of them on average) and writes zeros for
        // the rest, so the output is the full batch×hidden block on every GPU.
        Work {
            class: KernelClass::Embedding,
            shape: dims(&[("batch", self.batch), ("hidden", self.hidden), ("vocab", self.vocab)]),
            weight_bytes: self.weights(self.batch.div_ceil(self.tp) * self.hidden),
            kv_bytes: 0,
            activation_bytes: self.batch * self.hidden * ACT_BYTES,
            flops: 0,
            link_bytes: 0,
        }
    }

    fn norm(&self) -> Work {
        let elems = self.batch * self.hidden;
        Work {
            class: KernelClass::Norm,
            shape: dims(&[("batch", self.batch), ("hidden", self.hidden)]),
            // Norm weights are replicated on every GPU, and stay 16-bit at every precision (quantised
            // checkpoints quantise the linears only).
            weight_bytes: self.hidden * ACT_BYTES,
            kv_bytes: 0,
            // Reads the residual stream, writes the normalised output (the residual add is its own kernel).
            activation_bytes: 2 * elems * ACT_BYTES,
            flops: NORM_FLOPS_PER_ELEM * elems,
            link_bytes: 0,
        }
    }

    /// Bytes per input element of a linear: 1 when its input was cast to fp8, else [`ACT_BYTES`]. Outputs
    /// stay 16-bit either way.
    fn linear_input_bytes(&self) -> u128 {
        if self.quantises_activations() {
            1
        } else {
            ACT_BYTES
        }
    }

    /// The residual stream += a block's output (`x += y`): reads both, writes the sum.
    fn residual_add(&self) -> Work {
        let elems = self.batch * self.hidden;
        Work {
            class: KernelClass::Elementwise,
            shape: dims(&[("batch", self.batch), ("hidden", self.hidden)]),
            weight_bytes: 0,
            kv_bytes: 0,
            activation_bytes: 3 * elems * ACT_BYTES,
            flops: elems,
            link_bytes: 0,
        }
    }

    /// The cast of an m×n activation block to e4m3 in front of an fp8 linear: reads 16-bit, writes 1 byte.
    fn quant(&self, m: u128, n: u128) -> Work {
        Work {
            class: KernelClass::Elementwise,
            shape: dims(&[("m", m), ("n", n)]),
            weight_bytes: 0,
            kv_bytes: 0,
            activation_bytes: m * n * (ACT_BYTES + 1),
            flops: m * n,
            link_bytes: 0,
        }
    }

    /// The new token's K (or V) copied from the qkv output into the layer's cache: one head_dim row per KV
    /// head per sequence read as an activation and written as KV.
    fn kv_append(&self) -> Work {
        let elems = self.batch * self.kv_heads * self.head_dim;
        Work {
            class: KernelClass::Copy,
            shape: dims(&[
                ("batch", self.batch),
                ("kv_heads", self.kv_heads),
                ("head_dim", self.head_dim),
            ]),
            weight_bytes: 0,
            kv_bytes: elems * KV_BYTES,
            activation_bytes: elems * ACT_BYTES,
            flops: 0,
            link_bytes: 0,
        }
    }

    /// A dense `[m, k] × [k, n]` projection whose weight shard is k×n.
    fn linear(&self, m: u128, n: u128, k: u128) -> Work {
        Work {
            class: KernelClass::Linear,
            shape: dims(&[("m", m), ("n", n), ("k", k)]),
            weight_bytes: self.weights(n * k),
            kv_bytes: 0,
            activation_bytes: m * k * self.linear_input_bytes() + m * n * ACT_BYTES,
            flops: 2 * m * n * k,
            link_bytes: 0,
        }
    }

    fn qkv_proj(&self) -> Work {
        let n = (self.heads + 2 * self.kv_heads) * self.head_dim;
        self.linear(self.batch, n, self.hidden)
    }

    fn o_proj(&self) -> Work {
        self.linear(self.batch, self.hidden, self.heads * self.head_dim)
    }

    fn attention(&self) -> Work {
        let (b, hd) = (self.batch, self.head_dim);
        Work {
            class: KernelClass::AttentionDecode,
            shape: dims(&[
                ("batch", b),
                ("heads", self.heads),
                ("kv_heads", self.kv_heads),
                ("head_dim", hd),
                ("ctx", self.ctx),
            ]),
            weight_bytes: 0,
            // K and V of ctx + 1 tokens read: the cached ones and the new one, which k_append and v_append
            // wrote into the cache first.
            kv_bytes: 2 * self.kv_heads * hd * (self.ctx + 1) * b * KV_BYTES,
            // Reads q of the new token; writes the attention output.
            activation_bytes: 2 * b * self.heads * hd * ACT_BYTES,
            // QKᵀ and PV over the ctx + 1 tokens: 2 flops per multiply-add, each over head_dim per query head.
            flops: 4 * b * self.heads * (self.ctx + 1) * hd,
            link_bytes: 0,
        }
    }

    fn allreduce(&self) -> Work {
        let elems = self.batch * self.hidden;
        let chunk = elems.div_ceil(self.tp);
        Work {
            class: KernelClass::Allreduce,
            shape: dims(&[("batch", self.batch), ("hidden", self.hidden), ("tp", self.tp)]),
            weight_bytes: 0,
            kv_bytes: 0,
            // Reads the local partial sums, writes the reduced result.
            activation_bytes: 2 * elems * ACT_BYTES,
            // Ring: reduce-scatter adds (tp−1) received chunks.
            flops: (self.tp - 1) * chunk,
            // Ring: tp−1 chunk sends in reduce-scatter and tp−1 in all-gather.
            link_bytes: 2 * (self.tp - 1) * chunk * ACT_BYTES,
        }
    }

    /// SiLU(gate)·up over `m` rows.
    fn act(&self, m: u128) -> Work {
        Work {
            class: KernelClass::Elementwise,
            shape: dims(&[("m", m), ("n", self.inter)]),
            weight_bytes: 0,
            kv_bytes: 0,
            activation_bytes: (m * 2 * self.inter + m * self.inter) * ACT_BYTES,
            flops: ACT_FLOPS_PER_ELEM * m * self.inter,
            link_bytes: 0,
        }
    }

    fn router(&self, moe: MoeDims) -> Work {
        // The router is replicated on every GPU (it is tiny), so it is not divided by tp. It reads the 16-bit
        // normed tokens at every precision (no cast in front of it).
        let (m, n, k) = (self.batch, moe.experts, self.hidden);
        let mut w = self.linear(m, n, k);
        w.class = KernelClass::Router;
        w.activation_bytes = (m * k + m * n) * ACT_BYTES;
        w
    }

    fn expert_gate_up(&self, moe: MoeDims) -> Work {
        let (m, n, k) = (self.batch * moe.top_k, 2 * self.inter, self.hidden);
        Work {
            class: KernelClass::Linear,
            shape: dims(&[("experts", moe.experts_read), ("m", m), ("n", n), ("k", k)]),
            weight_bytes: self.weights(moe.experts_read * n * k),
            kv_bytes: 0,
            activation_bytes: m * k * self.linear_input_bytes() + m * n * ACT_BYTES,
            flops: 2 * m * n * k,
            link_bytes: 0,
        }
    }

    fn expert_down(&self, moe: MoeDims) -> Work {
        let (m, n, k) = (self.batch * moe.top_k, self.hidden, self.inter);
        Work {
            class: KernelClass::Linear,
            shape: dims(&[("experts", moe.experts_read), ("m", m), ("n", n), ("k", k)]),
            weight_bytes: self.weights(moe.experts_read * n * k),
            kv_bytes: 0,
            // The top-k weighted sum is fused into the epilogue: one batch×hidden output.
            activation_bytes: m * k * self.linear_input_bytes() + self.batch * n * ACT_BYTES,
            flops: 2 * m * n * k,
            link_bytes: 0,
        }
    }
}

fn dims(d: &[(&'static str, u128)]) -> Vec<(&'static str, u64)> {
    // Every dimension is a config figure (≤ 2^24), a per-GPU share of one, (heads + 2·kv_heads)·head_dim
    // (< 3·2^48), or batch·top_k (≤ 2^36): all below 2^50, so the casts to u64 here and i64 later are exact.
    d.iter().map(|&(n, v)| (n, v as u64)).collect()
}

/// Expected number of distinct experts hit when `batch` tokens each pick `k` of `e` experts uniformly:
/// e·(1 − (1 − k/e)^batch), rounded up (a partly-hit expert still has its whole weights read).
pub fn expected_experts_read(e: u128, k: u128, batch: u128) -> u128 {
    let miss = 1.0 - k as f64 / e as f64;
    // batch ≤ MAX_BATCH = 2^20 fits an i32 exponent.
    let expected = e as f64 * (1.0 - miss.powi(batch.min(i32::MAX as u128) as i32));
    // The epsilon keeps exact cases (batch 1 → k) from rounding up through floating-point noise.
    let read = (expected - 1e-9).ceil().max(0.0) as u128;
    read.clamp(k.min(e), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experts_read_is_k_for_one_token_and_saturates() {
        assert_eq!(expected_experts_read(8, 2, 1), 2);
        assert_eq!(expected_experts_read(8, 2, 2), 4); // 8·(1 − 0.75²) = 3.5
        assert_eq!(expected_experts_read(8, 2, 64), 8);
        assert_eq!(expected_experts_read(8, 8, 1), 8);
        assert_eq!(expected_experts_read(64, 1, 1), 1);
    }

    #[test]
    fn role_names_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::from_name(r.name()), Some(r));
        }
        assert_eq!(Role::from_name("qkv"), None);
    }
}
