//! `S.frontier.json`: every op's frontier and fallback, the priced points behind them (for plots), and step
//! totals per plan class. Deterministic: ops in module order, kernels in first-use order, fields in declaration
//! order, estimates rounded to 6 significant digits and printed by serde_json's shortest round-trip form.

use crate::compile::{round_sig, Compiled, DIGITS};
use pareto_search::{plan_id, Point};
use riir_dialect::Named;
use serde::{Deserialize, Serialize};

/// Format name and version written at the top of every file; bump the version on any change of meaning.
pub const FORMAT: &str = "riirc-frontier";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FrontierFile {
    pub format: String,
    pub version: u32,
    /// SKU id, as in the SKU file.
    pub sku: String,
    /// Energy-model form (`physical` or `seed`) and its hash, `0x` + 16 hex digits.
    pub model_form: String,
    pub model_hash: String,
    /// The decode-step SLO the op shares come from, ms.
    pub slo_ms: f64,
    pub ops: Vec<OpEntry>,
    pub kernels: Vec<KernelEntry>,
    /// Sums over every op of plan class A, B, C…; an op without that class counts its last (cheapest) plan.
    pub step_totals: Vec<StepTotal>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OpEntry {
    /// Unique in the module.
    pub id: String,
    pub name: String,
    /// `kernel_block` or `model_context`.
    pub kernel_source: String,
    /// Index into `kernels`.
    pub kernel: usize,
    pub points_enumerated: usize,
    pub points_feasible: usize,
    /// The op's share of the step SLO; pruning rule (1) dropped points slower than 1.2 × this.
    pub slo_ms: f64,
    pub frontier: Vec<PlanEntry>,
    pub fallback: PlanEntry,
}

/// A plan (or the fallback, whose `id` is its action, `recompute_kv`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PlanEntry {
    pub id: String,
    pub precision: String,
    pub sm_mhz: u32,
    pub hbm_bw_tbps: f64,
    pub link: String,
    pub memory: String,
    /// Joules per token attributable to the op.
    pub est_jpt: f64,
    /// The op's latency, ms.
    pub est_lat_ms: f64,
    /// Board power while the op runs, W.
    pub est_power_w: f64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct KernelEntry {
    pub class: String,
    pub shape: Vec<(String, i64)>,
    /// Every feasible point as `[point index, est_jpt, est_lat_ms]`.
    pub feasible: Vec<(u16, f64, f64)>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct StepTotal {
    pub plan: String,
    pub est_jpt: f64,
    pub est_lat_ms: f64,
}

fn r(x: f64) -> f64 {
    round_sig(x, DIGITS)
}

fn entry(id: String, point: &Point, cost: &pareto_search::Cost) -> PlanEntry {
    PlanEntry {
        id,
        precision: point.precision.name().to_string(),
        sm_mhz: point.sm_mhz,
        hbm_bw_tbps: point.hbm_bw_tbps,
        link: point.link.name().to_string(),
        memory: point.memory.name().to_string(),
        est_jpt: r(cost.est_jpt),
        est_lat_ms: r(cost.est_lat_ms),
        est_power_w: r(cost.est_power_w),
    }
}

/// Step totals per plan class (see [`FrontierFile::step_totals`]); computed from rounded figures.
pub fn step_totals(c: &Compiled) -> Vec<StepTotal> {
    let classes = c.ops.iter().map(|o| o.search.frontier.plans.len()).max().unwrap_or(0);
    (0..classes)
        .map(|rank| {
            let (mut jpt, mut lat) = (0.0, 0.0);
            for o in &c.ops {
                let plans = &o.search.frontier.plans;
                let p = &plans[rank.min(plans.len() - 1)];
                jpt += r(p.cost.est_jpt);
                lat += r(p.cost.est_lat_ms);
            }
            StepTotal {
                plan: plan_id(rank),
                est_jpt: r(jpt),
                est_lat_ms: r(lat),
            }
        })
        .collect()
}

/// The file's content.
pub fn frontier_file(c: &Compiled) -> FrontierFile {
    let ops = c
        .ops
        .iter()
        .map(|o| {
            let f = &o.search.frontier;
            let fb = f.fallback.as_ref().expect("compile rejects ops without a fallback");
            OpEntry {
                id: o.id.clone(),
                name: o.name.clone(),
                kernel_source: o.source.name().to_string(),
                kernel: o.kernel,
                points_enumerated: o.search.points.len(),
                points_feasible: f.points_feasible,
                slo_ms: r(f.slo_ms),
                frontier: f.plans.iter().map(|p| entry(p.id.clone(), &p.point, &p.cost)).collect(),
                fallback: entry(fb.action.name().to_string(), &fb.point, &fb.cost),
            }
        })
        .collect();
    let kernels = c
        .kernels
        .iter()
        .map(|k| KernelEntry {
            class: k.key.class.name().to_string(),
            shape: k.key.shape.clone(),
            feasible: k
                .points
                .iter()
                .filter_map(|e| {
                    e.cost()
                        .map(|cost| (e.point.index, r(cost.est_jpt), r(cost.est_lat_ms)))
                })
                .collect(),
        })
        .collect();
    FrontierFile {
        format: FORMAT.to_string(),
        version: VERSION,
        sku: c.sku_id.clone(),
        model_form: c.model_form.clone(),
        model_hash: format!("{:#018x}", c.model_hash),
        slo_ms: c.slo_ms,
        ops,
        kernels,
        step_totals: step_totals(c),
    }
}

/// The file's bytes: pretty JSON with a trailing newline.
pub fn to_json(c: &Compiled) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&frontier_file(c)).expect("plain data always serialises");
    out.push(b'\n');
    out
}

/// Reads a file written by [`to_json`], checking its format name and version.
pub fn read(text: &str) -> Result<FrontierFile, String> {
    let f: FrontierFile =
        serde_json::from_str(text).map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
    if f.format != FORMAT || f.version != VERSION {
        return Err(format!(
            "not a {FORMAT} version {VERSION} file (format `{}`, version {})",
            f.format, f.version
        ));
    }
    Ok(f)
}
