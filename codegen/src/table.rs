//! `S.frontier.bin` and `S.frontier.h`: the runtime's frontier-table format, written with `runtime-stub`'s own
//! encoder and C-header emitter (the format has one definition, in `runtime-stub/src/table/`).
//!
//! Op `i` of the table is the module's `i`-th op (module order); its name is the op's JSON `id`, cut to the
//! format's 32 bytes at a character boundary when longer (the JSON keeps the full id).

use crate::compile::{round_sig, Compiled, DIGITS};
use pareto_search::{Cost, Point};
use riir_dialect::{FallbackAction, LinkState, MemoryVariant, Precision};
use runtime_stub::table::{self as rt, FrontierTable, OpSpec, TableSpec};

fn precision(p: Precision) -> rt::Precision {
    match p {
        Precision::Fp16 => rt::Precision::Fp16,
        Precision::Bf16 => rt::Precision::Bf16,
        Precision::Fp8 => rt::Precision::Fp8,
        Precision::Fp4 => rt::Precision::Fp4,
    }
}

fn link(l: LinkState) -> rt::LinkState {
    match l {
        LinkState::Dsp => rt::LinkState::Dsp,
        LinkState::LpoActive => rt::LinkState::LpoActive,
        LinkState::LpoSleep => rt::LinkState::LpoSleep,
        LinkState::CpoActive => rt::LinkState::CpoActive,
        LinkState::CpoSleep => rt::LinkState::CpoSleep,
    }
}

fn memory(m: MemoryVariant) -> rt::MemoryVariant {
    match m {
        MemoryVariant::Baseline => rt::MemoryVariant::Baseline,
        MemoryVariant::Prefetch => rt::MemoryVariant::Prefetch,
        MemoryVariant::ReuseLowBytes => rt::MemoryVariant::ReuseLowBytes,
        MemoryVariant::SramPinned => rt::MemoryVariant::SramPinned,
        MemoryVariant::Recompute => rt::MemoryVariant::Recompute,
    }
}

fn f(x: f64) -> f32 {
    round_sig(x, DIGITS) as f32
}

/// `text` cut to at most `max` bytes at a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn plan(id: u8, point: &Point, cost: &Cost) -> rt::Plan {
    rt::Plan {
        id,
        precision: precision(point.precision),
        link: link(point.link),
        memory: memory(point.memory),
        sm_mhz: point.sm_mhz,
        hbm_bw_tbps: point.hbm_bw_tbps as f32,
        est_jpt: f(cost.est_jpt),
        est_lat_ms: f(cost.est_lat_ms),
        est_power_w: f(cost.est_power_w),
        link_pj_per_bit: f(cost.link_pj_per_bit),
    }
}

/// The table as the runtime's encoder takes it.
pub fn table_spec(c: &Compiled) -> Result<TableSpec, String> {
    let mut ops = Vec::with_capacity(c.ops.len());
    for (i, o) in c.ops.iter().enumerate() {
        let fr = &o.search.frontier;
        let fb = fr
            .fallback
            .as_ref()
            .ok_or_else(|| format!("op `{}` has no fallback", o.id))?;
        let plans = fr
            .plans
            .iter()
            .map(|p| {
                let id = match p.id.as_bytes() {
                    [b] if b.is_ascii_uppercase() => *b,
                    _ => return Err(format!("op `{}`: plan id `{}` is not one letter", o.id, p.id)),
                };
                Ok(plan(id, &p.point, &p.cost))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let action = match fb.action {
            FallbackAction::RecomputeKv => rt::FallbackAction::RecomputeKv,
            other => {
                return Err(format!(
                    "op `{}`: the table format has no fallback action `{other}`",
                    o.id
                ))
            }
        };
        ops.push(OpSpec {
            op_id: u32::try_from(i).map_err(|_| "more ops than the table format counts".to_string())?,
            name: truncate(&o.id, rt::format::NAME_LEN).to_string(),
            slo_ms: f(fr.slo_ms),
            max_temp_delta_100ms: o.max_temp_delta_100ms.map_or(f32::INFINITY, |v| v as f32),
            link_budget_pj_per_bit: o.link_budget_pj_per_bit.map_or(f32::INFINITY, |v| v as f32),
            link_bits_per_token: f(o.link_bits_per_token),
            plans,
            fallback: rt::Fallback {
                action,
                est_jpt: f(fb.cost.est_jpt),
                est_lat_ms: f(fb.cost.est_lat_ms),
                est_power_w: f(fb.cost.est_power_w),
                link_pj_per_bit: f(fb.cost.link_pj_per_bit),
            },
        });
    }
    Ok(TableSpec {
        sku: c.sku_id.clone(),
        model_hash: c.model_hash,
        ops,
    })
}

/// `S.frontier.bin`.
pub fn to_bin(c: &Compiled) -> Result<Vec<u8>, String> {
    rt::encode(&table_spec(c)?).map_err(|e| format!("cannot encode the frontier table: {e}"))
}

/// A C identifier from a file stem and SKU id: other characters become `_`, a leading digit gets a `_`.
pub fn c_symbol(stem: &str, sku: &str) -> String {
    let mut s: String = format!("{stem}_{sku}")
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '_' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if !s.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_') {
        s.insert(0, '_');
    }
    s
}

/// `S.frontier.h` for the encoded table `bin`.
pub fn to_c_header(bin: &[u8], symbol: &str) -> Result<Vec<u8>, String> {
    let table = FrontierTable::decode_any_sku(bin).map_err(|e| format!("the encoded table does not decode: {e:?}"))?;
    rt::emit_c_header(&table, symbol)
        .map(String::into_bytes)
        .map_err(|e| format!("cannot emit the C header: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_at_character_boundaries() {
        assert_eq!(truncate("décode", 2), "d");
        assert_eq!(truncate("abc", 32), "abc");
    }

    #[test]
    fn symbols_are_c_identifiers() {
        assert_eq!(c_symbol("decode_layer18", "h100-sxm"), "decode_layer18_h100_sxm");
        assert_eq!(c_symbol("3d", "x"), "_3d_x");
    }

    #[test]
    fn search_and_table_agree_on_the_plan_cap() {
        assert_eq!(pareto_search::MAX_PLANS, rt::MAX_PLANS);
    }
}
