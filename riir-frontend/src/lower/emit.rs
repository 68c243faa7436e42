//! Decode graph → RIIR [`Module`]: one function `@decode_step` whose arguments are the layers' KV blocks and
//! whose body is one `riir.op` per graph node, in execution order.
//!
//! One function for the whole step (rather than one per layer) because memory intent crosses layers: layer N's
//! attention prefetches layer N+1's blocks and evicts layer N−1's, which must name values in scope.

use super::cost::Role;
use super::graph::{DecodeGraph, Node};
use super::memory::{self, OpMemory};
use riir_dialect::{FuncId, MemoryIntent, Module, Op, PowerIntent, Span, Spanned, ValueRef};

/// The name of the function lowering emits (without `@`).
pub const DECODE_FUNC: &str = "decode_step";

/// The KV-block argument of a layer (without `%`).
pub fn kv_block_name(layer: u64) -> String {
    format!("kv_l{layer}")
}

/// Builds the module. The graph must come from [`DecodeGraph::build`].
pub fn to_module(g: &DecodeGraph) -> Module {
    let mut m = Module::new();
    let o = &g.options;
    m.header_comments = vec![
        format!(
            " riirc lower: {}, batch {}, ctx {}, tp {}, {}",
            g.config.name, o.batch, o.ctx, o.tp, o.precision
        ),
        " One decode step on one GPU's shard: kernel bytes_hbm, flops and link_bytes are per GPU.".into(),
    ];
    let f = m.add_func(Spanned::synthetic(DECODE_FUNC.to_string()), Span::SYNTHETIC);
    for layer in 0..g.config.num_hidden_layers {
        m.add_param(
            f,
            Spanned::synthetic(kv_block_name(layer)),
            Spanned::synthetic("kv.block".to_string()),
        );
    }
    let nodes: Vec<&Node> = g.nodes().collect();
    let plans = memory::plan(&nodes);
    for (node, mem) in nodes.iter().zip(plans) {
        let mut op = Op::new(f, node.name.clone());
        op.kernel = Some(node.work.kernel_info());
        op.memory = mem.map(|mem| memory_intent(&m, f, &mem));
        op.power = power_intent(g, node.role);
        m.add_op(op);
    }
    m
}

fn memory_intent(m: &Module, f: FuncId, mem: &OpMemory) -> MemoryIntent {
    let refs = |layers: &[u64]| -> Option<Vec<ValueRef>> {
        (!layers.is_empty()).then(|| {
            layers
                .iter()
                .map(|&l| {
                    let name = kv_block_name(l);
                    ValueRef {
                        value: m.find_param(f, &name),
                        name,
                        span: Span::SYNTHETIC,
                    }
                })
                .collect()
        })
    };
    MemoryIntent {
        prefetch: refs(&mem.prefetch),
        residency_hint: mem.residency.map(Spanned::synthetic),
        evict: refs(&mem.evict),
        reuse_confidence: mem.reuse_confidence.map(Spanned::synthetic),
        span: Span::SYNTHETIC,
    }
}

/// The step's power targets, when any were given; the link budget only on all-reduces.
fn power_intent(g: &DecodeGraph, role: Role) -> Option<PowerIntent> {
    let p = &g.options.power;
    let link = p.link_budget_pj_per_bit.filter(|_| role.is_allreduce());
    if p.target_jpt.is_none() && p.max_temp_delta_100ms.is_none() && link.is_none() {
        return None;
    }
    Some(PowerIntent {
        target_jpt: p.target_jpt.map(Spanned::synthetic),
        max_temp_delta_100ms: p.max_temp_delta_100ms.map(Spanned::synthetic),
        link_budget_pj_per_bit: link.map(Spanned::synthetic),
        alternatives: None,
        fallback: None,
        span: Span::SYNTHETIC,
    })
}
