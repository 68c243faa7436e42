//! Writes each op's frontier into the module: `power.alternatives` (plans A, B, C…) and `power.fallback`,
//! replacing any hand-written ones, then re-verifies, so what is printed is itself verified IR.

use crate::compile::{round_sig, CompiledOp, DIGITS};
use riir_dialect::{Fallback, Module, Plan, PowerIntent, Spanned, Verified};

/// The module with every compiled op annotated, verified again.
pub fn annotate(module: &Verified<Module>, ops: &[CompiledOp]) -> Result<Verified<Module>, String> {
    let mut m: Module = (**module).clone();
    for c in ops {
        let f = &c.search.frontier;
        let plans = f
            .plans
            .iter()
            .map(|p| Plan {
                id: Spanned::synthetic(p.id.clone()),
                precision: Spanned::synthetic(p.point.precision),
                sm_mhz: Spanned::synthetic(i64::from(p.point.sm_mhz)),
                hbm_bw_tbps: Spanned::synthetic(p.point.hbm_bw_tbps),
                link: Spanned::synthetic(p.point.link),
                memory: Some(Spanned::synthetic(p.point.memory)),
                est_jpt: Spanned::synthetic(round_sig(p.cost.est_jpt, DIGITS)),
                est_lat_ms: Spanned::synthetic(round_sig(p.cost.est_lat_ms, DIGITS)),
                span: riir_dialect::Span::SYNTHETIC,
            })
            .collect();
        let fallback = f.fallback.as_ref().map(|fb| Fallback {
            action: Spanned::synthetic(fb.action),
            est_jpt: Spanned::synthetic(round_sig(fb.cost.est_jpt, DIGITS)),
            est_lat_ms: Spanned::synthetic(round_sig(fb.cost.est_lat_ms, DIGITS)),
            span: riir_dialect::Span::SYNTHETIC,
        });
        let power = m.ops[c.op].power.get_or_insert_with(PowerIntent::default);
        power.alternatives = Some(plans);
        power.fallback = fallback;
    }
    riir_dialect::verify_owned(m).map_err(|diags| {
        diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })
}
