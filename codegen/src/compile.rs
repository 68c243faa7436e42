//! The compile pipeline on a verified module: search every op's frontier on one SKU, then annotate the module
//! with the plans and fallbacks. Everything the emitters write comes from the [`Compiled`] this returns.
//!
//! Numbers leave the search rounded to 6 significant digits ([`round_sig`]), once, so the annotated RIIR, the
//! JSON, the CSV and the binary table all carry the same values.

use crate::annotate::annotate;
use energy_model::{EnergyModel, Sku};
use pareto_search::{
    axes_for, search_module_by_kernel, FrontierCache, KernelKey, KernelSpec, OpSearch, Points, Pricer, Reason,
    SearchError, VariantParams,
};
use riir_dialect::{KernelInfo, Module, OpId, Verified};
use std::collections::HashMap;

/// Where an op's work came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KernelSource {
    /// The op's own `kernel = {…}` block.
    Block,
    /// The op was priced as that op of a decoder layer of the model context.
    Context,
}

impl KernelSource {
    pub fn name(self) -> &'static str {
        match self {
            KernelSource::Block => "kernel_block",
            KernelSource::Context => "model_context",
        }
    }
}

/// What to price each op with, in module order (every op of the module exactly once).
#[derive(Clone, Debug)]
pub struct OpKernel {
    pub op: OpId,
    pub kernel: KernelInfo,
    pub source: KernelSource,
}

/// Settings of one compile.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Decode-step latency SLO, ms.
    pub slo_ms: f64,
    /// Tokens per decode step (the batch) and GPUs per step (tensor parallel), for joules per token.
    pub tokens_per_step: f64,
    pub gpus: f64,
    pub params: VariantParams,
}

/// One op's results.
#[derive(Clone, Debug)]
pub struct CompiledOp {
    pub op: OpId,
    /// Unique in the module: the op name when unique, else `func.name`, else with `#2`, `#3`….
    pub id: String,
    pub name: String,
    pub source: KernelSource,
    /// Index into [`Compiled::kernels`].
    pub kernel: usize,
    pub search: OpSearch<Reason>,
    /// Link bits per generated token attributable to the op.
    pub link_bits_per_token: f64,
    pub max_temp_delta_100ms: Option<f64>,
    pub link_budget_pj_per_bit: Option<f64>,
}

/// A distinct kernel and its 720 priced points (ops with the same key share it).
#[derive(Clone, Debug)]
pub struct CompiledKernel {
    pub key: KernelKey,
    pub points: Points<Reason>,
}

/// A compiled module.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub sku_id: String,
    pub model_form: String,
    pub model_hash: u64,
    pub slo_ms: f64,
    pub ops: Vec<CompiledOp>,
    pub kernels: Vec<CompiledKernel>,
    /// The input with every op's alternatives and fallback filled.
    pub annotated: Verified<Module>,
}

/// Why a module cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("{0}")]
    Sku(#[from] pareto_search::price::SkuAxesError),
    #[error("op `{op}`: {source}")]
    Search { op: String, source: Box<SearchError> },
    #[error("the decode step the SLO is shared over: {0}")]
    Step(Box<SearchError>),
    #[error("op `{0}`: no feasible point of the recompute variant, so it has no recompute_kv fallback")]
    NoFallback(String),
    #[error("internal error: the annotated module does not verify: {0}")]
    Annotated(String),
}

/// Rounds to `digits` significant digits (through decimal text, so the result is the shortest float that
/// prints as those digits).
pub fn round_sig(x: f64, digits: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{:.*e}", digits.saturating_sub(1), x).parse().unwrap_or(x)
}

/// Significant digits of every estimate the compiler writes.
pub const DIGITS: usize = 6;

/// Unique op ids: the op name when it is unique in the module, `func.name` when that is, else numbered.
pub fn op_ids(module: &Module) -> Vec<(OpId, String)> {
    let ops: Vec<OpId> = module.ops_in_order().collect();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for &op in &ops {
        *by_name.entry(module.ops[op].name.value.as_str()).or_default() += 1;
    }
    let mut used: HashMap<String, usize> = HashMap::new();
    ops.iter()
        .map(|&op| {
            let o = &module.ops[op];
            let base = if by_name[o.name.value.as_str()] == 1 {
                o.name.value.clone()
            } else {
                format!("{}.{}", module.funcs[o.func].name.value, o.name.value)
            };
            let n = used.entry(base.clone()).or_default();
            *n += 1;
            (op, if *n == 1 { base } else { format!("{base}#{n}") })
        })
        .collect()
}

/// Searches every op of `module` and annotates it. `step`, when given, is the decode step that SLO shares are
/// computed over (the model context's lowered step); otherwise the module's own ops are the step.
pub fn compile<M: EnergyModel>(
    module: &Verified<Module>,
    sku: &Sku,
    model: &M,
    kernels: &[OpKernel],
    step: Option<&Module>,
    opts: &CompileOptions,
    cache: &FrontierCache<Reason>,
) -> Result<Compiled, CompileError> {
    let axes = axes_for(sku)?;
    let pricer = Pricer {
        sku,
        model,
        params: opts.params,
        tokens_per_step: opts.tokens_per_step,
        gpus: opts.gpus,
    };
    let reuse = |m: &Module, op: OpId| {
        m.ops[op]
            .memory
            .as_ref()
            .and_then(|mem| mem.reuse_confidence.as_ref())
            .map(|r| r.value)
    };
    let specs: Vec<KernelSpec> = kernels
        .iter()
        .map(|k| pricer.spec(&k.kernel, reuse(module, k.op)))
        .collect();
    // The step, with identical kernels merged (a lowered step repeats each layer's kernels once per layer).
    let step_specs: Vec<(KernelSpec, f64)> = match step {
        None => merge_counts(specs.iter().cloned()),
        Some(m) => merge_counts(
            m.ops_in_order()
                .filter_map(|op| m.ops[op].kernel.as_ref().map(|k| pricer.spec(k, reuse(m, op)))),
        ),
    };
    let ids: HashMap<OpId, String> = op_ids(module).into_iter().collect();
    let results = search_module_by_kernel(cache, opts.slo_ms, &specs, &step_specs, |k| {
        pricer.price_kernel(k, &axes)
    })
    .map_err(|e| match &e {
        SearchError::NoFeasiblePoint { kernel, .. } => {
            let op = kernels
                .iter()
                .zip(&specs)
                .find(|(_, s)| &s.key == kernel)
                .map(|(k, _)| ids[&k.op].clone());
            match op {
                Some(op) => CompileError::Search {
                    op,
                    source: Box::new(e),
                },
                None => CompileError::Step(Box::new(e)),
            }
        }
        _ => CompileError::Step(Box::new(e)),
    })?;

    let mut kernel_index: HashMap<KernelKey, usize> = HashMap::new();
    let mut distinct = Vec::new();
    let mut ops = Vec::with_capacity(kernels.len());
    for ((k, spec), search) in kernels.iter().zip(&specs).zip(results) {
        let id = ids[&k.op].clone();
        if search.frontier.fallback.is_none() {
            return Err(CompileError::NoFallback(id));
        }
        let kernel = *kernel_index.entry(spec.key.clone()).or_insert_with(|| {
            distinct.push(CompiledKernel {
                key: spec.key.clone(),
                points: search.points.clone(),
            });
            distinct.len() - 1
        });
        let o = &module.ops[k.op];
        let power = o.power.as_ref();
        ops.push(CompiledOp {
            op: k.op,
            id,
            name: o.name.value.clone(),
            source: k.source,
            kernel,
            link_bits_per_token: spec.work.link_bytes * 8.0 * opts.gpus / opts.tokens_per_step,
            max_temp_delta_100ms: power.and_then(|p| p.max_temp_delta_100ms.as_ref()).map(|v| v.value),
            link_budget_pj_per_bit: power.and_then(|p| p.link_budget_pj_per_bit.as_ref()).map(|v| v.value),
            search,
        });
    }
    let annotated = annotate(module, &ops).map_err(CompileError::Annotated)?;
    Ok(Compiled {
        sku_id: sku.id.clone(),
        model_form: model.form().name().to_string(),
        model_hash: model.model_hash(),
        slo_ms: opts.slo_ms,
        ops,
        kernels: distinct,
        annotated,
    })
}

/// Merges identical kernels, counting how many times each runs; order of first appearance is kept.
fn merge_counts(specs: impl Iterator<Item = KernelSpec>) -> Vec<(KernelSpec, f64)> {
    let mut out: Vec<(KernelSpec, f64)> = Vec::new();
    let mut at: HashMap<KernelKey, usize> = HashMap::new();
    for s in specs {
        match at.get(&s.key) {
            Some(&i) => out[i].1 += 1.0,
            None => {
                at.insert(s.key.clone(), out.len());
                out.push((s, 1.0));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_six_significant_digits() {
        assert_eq!(round_sig(0.001234567891, 6), 0.00123457);
        assert_eq!(round_sig(18.23456789, 6), 18.2346);
        assert_eq!(round_sig(0.0, 6), 0.0);
    }
}
