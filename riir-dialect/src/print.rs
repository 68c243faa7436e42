//! The RIIR printer: one canonical text form for a [`Module`].
//!
//! Canonical form: 2-space indent; blocks in the order `kernel`, `memory`, `power`; keys in a fixed order
//! inside each block; one plan per line inside `alternatives`; floats printed with `{:?}` (shortest form
//! that round-trips, always with `.0` or an exponent so they re-parse as floats); `//` comments kept where
//! the data model keeps them (file header, above a function, above an op). Spans are ignored, so IR built by
//! the compiler prints the same way as parsed IR. `riirc fmt` is this function; print → parse → print is the
//! identity (tested on every example by the front end).

use std::fmt::Write;

use crate::entity::OpId;
use crate::module::{Fallback, Function, KernelInfo, MemoryIntent, Module, Plan, PowerIntent, ValueRef};
use crate::names::Named;

/// Prints the whole module in canonical form (ends with a newline unless the module is empty).
pub fn print_module(module: &Module) -> String {
    let mut out = String::new();
    for c in &module.header_comments {
        push_comment(&mut out, 0, c);
    }
    for (i, func) in module.funcs.values().enumerate() {
        if i > 0 || !module.header_comments.is_empty() {
            out.push('\n');
        }
        print_function(&mut out, module, func);
    }
    out
}

/// Prints one op (with its leading comments) at the given indentation, without a trailing newline.
pub fn print_op(module: &Module, op: OpId, indent: usize) -> String {
    let mut out = String::new();
    write_op(&mut out, module, op, indent);
    out
}

/// A plan on one line: `{id = B, precision = fp8, sm_mhz = 1680, hbm_bw = 2.1, link = lpo_sleep, …}`.
pub fn print_plan(plan: &Plan) -> String {
    let mut s = format!(
        "{{id = {}, precision = {}, sm_mhz = {}, hbm_bw = {}, link = {}",
        plan.id.value,
        plan.precision.value.name(),
        plan.sm_mhz.value,
        format_float(plan.hbm_bw_tbps.value),
        plan.link.value.name(),
    );
    if let Some(m) = &plan.memory {
        let _ = write!(s, ", memory = {}", m.value.name());
    }
    let _ = write!(
        s,
        ", est_jpt = {}, est_lat_ms = {}}}",
        format_float(plan.est_jpt.value),
        format_float(plan.est_lat_ms.value)
    );
    s
}

/// `{action = recompute_kv, est_jpt = 0.19, est_lat_ms = 24.5}`
pub fn print_fallback(fallback: &Fallback) -> String {
    format!(
        "{{action = {}, est_jpt = {}, est_lat_ms = {}}}",
        fallback.action.value.name(),
        format_float(fallback.est_jpt.value),
        format_float(fallback.est_lat_ms.value)
    )
}

/// A float as the text form writes it: `{:?}` gives the shortest string that parses back to the same bits and
/// always contains `.` or `e`, so the parser reads it as a float again (`0.30` prints as `0.3`).
pub fn format_float(x: f64) -> String {
    format!("{x:?}")
}

/// A string literal with `"` and `\` escaped, and newline/tab written as `\n`/`\t`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `s` is an identifier of the text form: words of letters, digits and `_` (not starting with a digit),
/// joined by `.` (`HBM.tier0`, `kv.block`). Names that are not would print text that does not parse back.
pub fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Whether `s` is one word of an identifier (no `.`): what plan ids and shape dimension names must be.
pub fn is_word(s: &str) -> bool {
    is_ident(s) && !s.contains('.')
}

/// Whether `s` can follow `%` in the text form: letters, digits, `_` and `.` (`kv42`, `0`, `x.1`).
pub fn is_value_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn push_comment(out: &mut String, indent: usize, text: &str) {
    push_indent(out, indent);
    out.push_str("//");
    // Trailing blanks are not kept: the parser trims them, and the canonical form has none.
    out.push_str(text.trim_end());
    out.push('\n');
}

fn print_function(out: &mut String, module: &Module, func: &Function) {
    for c in &func.comments {
        push_comment(out, 0, c);
    }
    let _ = write!(out, "func @{}(", func.name.value);
    for (i, &p) in func.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let v = &module.values[p];
        let _ = write!(out, "%{}: !{}", v.name.value, v.ty.value);
    }
    out.push_str(") {\n");
    for &op in &func.body {
        write_op(out, module, op, 1);
        out.push('\n');
    }
    out.push_str("}\n");
}

fn write_op(out: &mut String, module: &Module, id: OpId, indent: usize) {
    let op = &module.ops[id];
    for c in &op.comments {
        push_comment(out, indent, c);
    }
    push_indent(out, indent);
    let _ = write!(out, "riir.op {} {{", quote(&op.name.value));
    let mut blocks: Vec<String> = Vec::new();
    if let Some(k) = &op.kernel {
        blocks.push(kernel_block(k, indent + 1));
    }
    if let Some(m) = &op.memory {
        blocks.push(memory_block(m, indent + 1));
    }
    if let Some(p) = &op.power {
        blocks.push(power_block(p, indent + 1));
    }
    if blocks.is_empty() {
        out.push('}');
        return;
    }
    out.push('\n');
    out.push_str(&blocks.join(",\n"));
    out.push('\n');
    push_indent(out, indent);
    out.push('}');
}

/// Writes `key = {` + one entry per line + `}` at `indent`, or `key = {}` when there are no entries.
fn multi_line_block(key: &str, entries: &[String], indent: usize) -> String {
    let mut s = String::new();
    push_indent(&mut s, indent);
    let _ = write!(s, "{key} = {{");
    if entries.is_empty() {
        s.push('}');
        return s;
    }
    s.push('\n');
    for (i, e) in entries.iter().enumerate() {
        push_indent(&mut s, indent + 1);
        s.push_str(e);
        if i + 1 < entries.len() {
            s.push(',');
        }
        s.push('\n');
    }
    push_indent(&mut s, indent);
    s.push('}');
    s
}

fn kernel_block(k: &KernelInfo, indent: usize) -> String {
    let mut s = String::new();
    push_indent(&mut s, indent);
    let shape = k
        .shape
        .iter()
        .map(|(name, v)| format!("{} = {}", name.value, v.value))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        s,
        "kernel = {{class = {}, shape = {{{}}}, bytes_hbm = {}, flops = {}",
        k.class.value.name(),
        shape,
        format_float(k.bytes_hbm.value),
        format_float(k.flops.value)
    );
    if let Some(l) = &k.link_bytes {
        let _ = write!(s, ", link_bytes = {}", format_float(l.value));
    }
    s.push('}');
    s
}

fn value_list(refs: &[ValueRef]) -> String {
    let names: Vec<String> = refs.iter().map(|r| format!("%{}", r.name)).collect();
    format!("[{}]", names.join(", "))
}

fn memory_block(m: &MemoryIntent, indent: usize) -> String {
    let mut entries = Vec::new();
    if let Some(p) = &m.prefetch {
        entries.push(format!("prefetch = {}", value_list(p)));
    }
    if let Some(r) = &m.residency_hint {
        entries.push(format!("residency_hint = {}", r.value.name()));
    }
    if let Some(e) = &m.evict {
        entries.push(format!("evict = {}", value_list(e)));
    }
    if let Some(c) = &m.reuse_confidence {
        entries.push(format!("reuse_confidence = {}", format_float(c.value)));
    }
    multi_line_block("memory", &entries, indent)
}

fn power_block(p: &PowerIntent, indent: usize) -> String {
    let mut entries = Vec::new();
    if let Some(v) = &p.target_jpt {
        entries.push(format!("target_jpt = {}", format_float(v.value)));
    }
    if let Some(v) = &p.max_temp_delta_100ms {
        entries.push(format!("max_temp_delta_100ms = {}", format_float(v.value)));
    }
    if let Some(v) = &p.link_budget_pj_per_bit {
        entries.push(format!("link_budget_pJb = {}", format_float(v.value)));
    }
    if let Some(plans) = &p.alternatives {
        if plans.is_empty() {
            entries.push("alternatives = []".to_string());
        } else {
            // Entries are indented by the block at indent + 1; plans sit one level deeper.
            let mut s = String::from("alternatives = [\n");
            for (i, plan) in plans.iter().enumerate() {
                push_indent(&mut s, indent + 2);
                s.push_str(&print_plan(plan));
                if i + 1 < plans.len() {
                    s.push(',');
                }
                s.push('\n');
            }
            push_indent(&mut s, indent + 1);
            s.push(']');
            entries.push(s);
        }
    }
    if let Some(f) = &p.fallback {
        entries.push(format!("fallback = {}", print_fallback(f)));
    }
    multi_line_block("power", &entries, indent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::Op;
    use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Precision, Residency};
    use crate::span::{Span, Spanned};

    fn s<T>(v: T) -> Spanned<T> {
        Spanned::synthetic(v)
    }

    fn plan(id: &str, precision: Precision, mhz: i64, bw: f64, link: LinkState, jpt: f64, lat: f64) -> Plan {
        Plan {
            id: s(id.to_string()),
            precision: s(precision),
            sm_mhz: s(mhz),
            hbm_bw_tbps: s(bw),
            link: s(link),
            memory: None,
            est_jpt: s(jpt),
            est_lat_ms: s(lat),
            span: Span::SYNTHETIC,
        }
    }

    /// The source document's example, built by hand.
    fn seed_module() -> Module {
        let mut m = Module::new();
        let f = m.add_func(s("decode_layer18".into()), Span::SYNTHETIC);
        let kv42 = m.add_param(f, s("kv42".into()), s("kv.block".into()));
        let kv43 = m.add_param(f, s("kv43".into()), s("kv.block".into()));
        let r = |name: &str, value| ValueRef {
            name: name.into(),
            value,
            span: Span::SYNTHETIC,
        };
        let mut op = Op::new(f, "attention");
        op.memory = Some(MemoryIntent {
            prefetch: Some(vec![r("kv42", Some(kv42)), r("kv43", Some(kv43))]),
            residency_hint: Some(s(Residency::HbmTier0)),
            evict: Some(vec![r("kv12", None)]),
            reuse_confidence: Some(s(0.73)),
            span: Span::SYNTHETIC,
        });
        op.power = Some(PowerIntent {
            target_jpt: Some(s(0.30)),
            max_temp_delta_100ms: Some(s(3.0)),
            link_budget_pj_per_bit: Some(s(2.1)),
            alternatives: Some(vec![
                plan("A", Precision::Fp16, 1980, 3.35, LinkState::CpoActive, 0.42, 18.2),
                plan("B", Precision::Fp8, 1680, 2.1, LinkState::LpoSleep, 0.28, 19.6),
                plan("C", Precision::Fp8, 1530, 1.8, LinkState::CpoSleep, 0.24, 21.1),
            ]),
            fallback: Some(Fallback {
                action: s(FallbackAction::RecomputeKv),
                est_jpt: s(0.19),
                est_lat_ms: s(24.5),
                span: Span::SYNTHETIC,
            }),
            span: Span::SYNTHETIC,
        });
        m.add_op(op);
        m
    }

    #[test]
    fn seed_example_prints_recognisably() {
        let expected = r#"func @decode_layer18(%kv42: !kv.block, %kv43: !kv.block) {
  riir.op "attention" {
    memory = {
      prefetch = [%kv42, %kv43],
      residency_hint = HBM.tier0,
      evict = [%kv12],
      reuse_confidence = 0.73
    },
    power = {
      target_jpt = 0.3,
      max_temp_delta_100ms = 3.0,
      link_budget_pJb = 2.1,
      alternatives = [
        {id = A, precision = fp16, sm_mhz = 1980, hbm_bw = 3.35, link = cpo_active, est_jpt = 0.42, est_lat_ms = 18.2},
        {id = B, precision = fp8, sm_mhz = 1680, hbm_bw = 2.1, link = lpo_sleep, est_jpt = 0.28, est_lat_ms = 19.6},
        {id = C, precision = fp8, sm_mhz = 1530, hbm_bw = 1.8, link = cpo_sleep, est_jpt = 0.24, est_lat_ms = 21.1}
      ],
      fallback = {action = recompute_kv, est_jpt = 0.19, est_lat_ms = 24.5}
    }
  }
}
"#;
        assert_eq!(print_module(&seed_module()), expected);
    }

    #[test]
    fn comments_kernel_and_empty_blocks_print_canonically() {
        let mut m = Module::new();
        m.header_comments.push(" generated".into());
        let f = m.add_func(s("f".into()), Span::SYNTHETIC);
        m.funcs[f].comments.push(" layer 0".into());
        let mut op = Op::new(f, "q\"proj");
        op.comments.push(" the projection".into());
        op.kernel = Some(KernelInfo {
            class: s(KernelClass::Linear),
            shape: vec![(s("m".into()), s(64)), (s("n".into()), s(8192))],
            bytes_hbm: s(1.6e7),
            flops: s(1.07e9),
            link_bytes: Some(s(0.0)),
            span: Span::SYNTHETIC,
        });
        op.memory = Some(MemoryIntent::default());
        let mut p = plan("A", Precision::Bf16, 1200, 2.0, LinkState::Dsp, 1e-5, 3.0);
        p.memory = Some(s(MemoryVariant::SramPinned));
        op.power = Some(PowerIntent {
            alternatives: Some(vec![p]),
            ..PowerIntent::default()
        });
        m.add_op(op);
        m.add_op(Op::new(f, "empty"));
        m.add_func(s("g".into()), Span::SYNTHETIC);
        let expected = r#"// generated

// layer 0
func @f() {
  // the projection
  riir.op "q\"proj" {
    kernel = {class = linear, shape = {m = 64, n = 8192}, bytes_hbm = 16000000.0, flops = 1070000000.0, link_bytes = 0.0},
    memory = {},
    power = {
      alternatives = [
        {id = A, precision = bf16, sm_mhz = 1200, hbm_bw = 2.0, link = dsp, memory = sram_pinned, est_jpt = 1e-5, est_lat_ms = 3.0}
      ]
    }
  }
  riir.op "empty" {}
}

func @g() {
}
"#;
        assert_eq!(print_module(&m), expected);
    }

    #[test]
    fn identifiers_match_the_grammar() {
        assert!(is_ident("HBM.tier0") && is_ident("_x1") && is_ident("A"));
        assert!(!is_ident("") && !is_ident("1a") && !is_ident("a..b") && !is_ident("a-b") && !is_ident("a."));
        assert!(is_value_name("0") && is_value_name("kv.42") && !is_value_name("") && !is_value_name("a b"));
    }

    #[test]
    fn floats_keep_a_float_marker() {
        assert_eq!(format_float(0.30), "0.3");
        assert_eq!(format_float(3.0), "3.0");
        assert_eq!(format_float(-2.5e-9), "-2.5e-9");
        assert_eq!(format_float(1e300), "1e300");
    }
}
