//! Per-step totals of a decode graph for one GPU (`riirc lower --summary`).

use super::graph::DecodeGraph;
use serde::Serialize;

/// Totals of one decode step on one GPU's shard. Byte fields split `bytes_hbm` by what is moved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub model: String,
    pub batch: u64,
    pub ctx: u64,
    pub tp: u64,
    pub precision: String,
    /// Number of `riir.op`s in the step.
    pub ops: u64,
    pub weight_bytes: u128,
    pub kv_bytes: u128,
    pub activation_bytes: u128,
    /// `weight_bytes + kv_bytes + activation_bytes`.
    pub bytes_hbm: u128,
    /// Bytes this GPU sends over its links (ring all-reduce).
    pub link_bytes: u128,
    pub flops: u128,
}

impl Summary {
    pub fn of(g: &DecodeGraph) -> Summary {
        let o = &g.options;
        let mut s = Summary {
            model: g.config.name.clone(),
            batch: o.batch,
            ctx: o.ctx,
            tp: o.tp,
            precision: o.precision.to_string(),
            ops: 0,
            weight_bytes: 0,
            kv_bytes: 0,
            activation_bytes: 0,
            bytes_hbm: 0,
            link_bytes: 0,
            flops: 0,
        };
        for n in g.nodes() {
            let w = &n.work;
            s.ops += 1;
            s.weight_bytes += w.weight_bytes;
            s.kv_bytes += w.kv_bytes;
            s.activation_bytes += w.activation_bytes;
            s.bytes_hbm += w.bytes_hbm();
            s.link_bytes += w.link_bytes;
            s.flops += w.flops;
        }
        s
    }

    /// Pretty JSON with a trailing newline; field order is fixed, so output is byte-identical run to run.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a struct of strings and integers serializes");
        text.push('\n');
        text
    }
}
