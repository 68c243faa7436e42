//! The RIIR data model: a module of functions whose bodies are `riir.op`s carrying memory and power intent.
//!
//! Everything lives in arenas on [`Module`] and is referred to by typed handles. Numeric fields keep what was
//! written (negative numbers included) with its span, so the verifier can point at a bad value; vocabulary
//! fields are already resolved to enums (the front end reports unknown names).

use crate::entity::{Arena, FuncId, OpId, ValueId};
use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Precision, Residency};
use crate::span::{Span, Spanned};

/// A whole RIIR file.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Module {
    pub funcs: Arena<FuncId, Function>,
    pub ops: Arena<OpId, Op>,
    pub values: Arena<ValueId, Value>,
    /// `//` comment lines at the top of the file (text after `//`, untrimmed), kept by `riirc fmt`.
    pub header_comments: Vec<String>,
}

/// `func @name(%a: !kv.block, …) { riir.op … }`
#[derive(Clone, PartialEq, Debug)]
pub struct Function {
    /// Without the leading `@`.
    pub name: Spanned<String>,
    pub params: Vec<ValueId>,
    pub body: Vec<OpId>,
    /// `//` comment lines directly above the function.
    pub comments: Vec<String>,
    pub span: Span,
}

/// A function argument, e.g. `%kv42: !kv.block`.
#[derive(Clone, PartialEq, Debug)]
pub struct Value {
    /// Without the leading `%`.
    pub name: Spanned<String>,
    /// Without the leading `!`, e.g. `kv.block`.
    pub ty: Spanned<String>,
    pub func: FuncId,
}

/// `riir.op "attention" { kernel = {…}, memory = {…}, power = {…} }`
#[derive(Clone, PartialEq, Debug)]
pub struct Op {
    /// The quoted op name, e.g. `attention`.
    pub name: Spanned<String>,
    pub func: FuncId,
    /// The work the op does; filled by decode-graph lowering, optional in hand-written RIIR.
    pub kernel: Option<KernelInfo>,
    pub memory: Option<MemoryIntent>,
    pub power: Option<PowerIntent>,
    /// `//` comment lines directly above the op.
    pub comments: Vec<String>,
    pub span: Span,
}

/// `kernel = {class = linear, shape = {m = 64, n = 8192, k = 1024}, bytes_hbm = 1.6e7, flops = 1.07e9, link_bytes = 0}`
#[derive(Clone, PartialEq, Debug)]
pub struct KernelInfo {
    pub class: Spanned<KernelClass>,
    /// Named dimensions in the order written (`m`, `n`, `k`, `batch`, `ctx`, `heads`, …).
    pub shape: Vec<(Spanned<String>, Spanned<i64>)>,
    /// Bytes moved through HBM by one GPU's shard for one decode step.
    pub bytes_hbm: Spanned<f64>,
    /// Floating-point operations of one GPU's shard for one decode step.
    pub flops: Spanned<f64>,
    /// Bytes sent over scale-out links (all-reduce); absent means none.
    pub link_bytes: Option<Spanned<f64>>,
    pub span: Span,
}

/// `memory = {prefetch = […], residency_hint = HBM.tier0, evict = […], reuse_confidence = 0.73}`
#[derive(Clone, PartialEq, Debug, Default)]
pub struct MemoryIntent {
    pub prefetch: Option<Vec<ValueRef>>,
    pub residency_hint: Option<Spanned<Residency>>,
    pub evict: Option<Vec<ValueRef>>,
    pub reuse_confidence: Option<Spanned<f64>>,
    pub span: Span,
}

/// A `%name` written in a prefetch or evict list. It may name a value of another function (the source's
/// example evicts `%kv12`, a block of another layer), so it is resolved when possible, not required to be.
#[derive(Clone, PartialEq, Debug)]
pub struct ValueRef {
    /// Without the leading `%`.
    pub name: String,
    /// The function argument of that name in the op's function, when there is one.
    pub value: Option<ValueId>,
    pub span: Span,
}

/// `power = {target_jpt = 0.30, max_temp_delta_100ms = 3.0, link_budget_pJb = 2.1, alternatives = […], fallback = {…}}`
#[derive(Clone, PartialEq, Debug, Default)]
pub struct PowerIntent {
    /// Joules per token the op should aim for.
    pub target_jpt: Option<Spanned<f64>>,
    /// Largest HBM temperature rise, °C, the op may cause over 100 ms.
    pub max_temp_delta_100ms: Option<Spanned<f64>>,
    /// Link energy budget, picojoules per bit (`link_budget_pJb` in the text).
    pub link_budget_pj_per_bit: Option<Spanned<f64>>,
    /// Functionally equivalent plans, filled by the compiler when absent.
    pub alternatives: Option<Vec<Plan>>,
    pub fallback: Option<Fallback>,
    pub span: Span,
}

/// One functionally equivalent way to run an op:
/// `{id = B, precision = fp8, sm_mhz = 1680, hbm_bw = 2.1, link = lpo_sleep, est_jpt = 0.28, est_lat_ms = 19.6}`
#[derive(Clone, PartialEq, Debug)]
pub struct Plan {
    /// `A`, `B`, `C`, … — unique within the op.
    pub id: Spanned<String>,
    pub precision: Spanned<Precision>,
    /// SM clock, MHz.
    pub sm_mhz: Spanned<i64>,
    /// HBM bandwidth setting, TB/s (`hbm_bw` in the text).
    pub hbm_bw_tbps: Spanned<f64>,
    pub link: Spanned<LinkState>,
    /// How the plan moves data; absent in hand-written plans such as the source's example.
    pub memory: Option<Spanned<MemoryVariant>>,
    /// Estimated joules per token attributable to this op.
    pub est_jpt: Spanned<f64>,
    /// Estimated latency of this op, milliseconds.
    pub est_lat_ms: Spanned<f64>,
    pub span: Span,
}

/// `fallback = {action = recompute_kv, est_jpt = 0.19, est_lat_ms = 24.5}`
#[derive(Clone, PartialEq, Debug)]
pub struct Fallback {
    pub action: Spanned<FallbackAction>,
    pub est_jpt: Spanned<f64>,
    pub est_lat_ms: Spanned<f64>,
    pub span: Span,
}

impl Module {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an empty function; fill it with [`Module::add_param`] and [`Module::add_op`].
    pub fn add_func(&mut self, name: Spanned<String>, span: Span) -> FuncId {
        self.funcs.push(Function {
            name,
            params: Vec::new(),
            body: Vec::new(),
            comments: Vec::new(),
            span,
        })
    }

    pub fn add_param(&mut self, func: FuncId, name: Spanned<String>, ty: Spanned<String>) -> ValueId {
        let id = self.values.push(Value { name, ty, func });
        self.funcs[func].params.push(id);
        id
    }

    /// Appends `op` to the body of `op.func`.
    pub fn add_op(&mut self, op: Op) -> OpId {
        let func = op.func;
        let id = self.ops.push(op);
        self.funcs[func].body.push(id);
        id
    }

    /// The argument of `func` called `name` (without `%`), if any.
    pub fn find_param(&self, func: FuncId, name: &str) -> Option<ValueId> {
        self.funcs[func]
            .params
            .iter()
            .copied()
            .find(|&v| self.values[v].name.value == name)
    }

    /// Ops in text order: functions in order, each body in order.
    pub fn ops_in_order(&self) -> impl Iterator<Item = OpId> + '_ {
        self.funcs.values().flat_map(|f| f.body.iter().copied())
    }
}

impl Op {
    /// A bare op with no intent blocks, for builders.
    pub fn new(func: FuncId, name: impl Into<String>) -> Self {
        Op {
            name: Spanned::synthetic(name.into()),
            func,
            kernel: None,
            memory: None,
            power: None,
            comments: Vec::new(),
            span: Span::SYNTHETIC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_link_params_and_ops_to_their_function() {
        let mut m = Module::new();
        let f = m.add_func(Spanned::synthetic("decode_layer18".into()), Span::SYNTHETIC);
        let kv = m.add_param(
            f,
            Spanned::synthetic("kv42".into()),
            Spanned::synthetic("kv.block".into()),
        );
        let op = m.add_op(Op::new(f, "attention"));
        assert_eq!(m.funcs[f].params, vec![kv]);
        assert_eq!(m.funcs[f].body, vec![op]);
        assert_eq!(m.find_param(f, "kv42"), Some(kv));
        assert_eq!(m.find_param(f, "kv12"), None);
        assert_eq!(m.ops_in_order().collect::<Vec<_>>(), vec![op]);
    }
}
