//! The MLIR generic-form printer for verified RIIR modules. Needs no LLVM: it is what `riirc compile
//! --emit mlir` writes, and `mlir-opt-22 --irdl-file=riir-dialect/mlir/riir.irdl.mlir` accepts it.
//!
//! Mapping (names in [`super::schema`]): each RIIR `func` becomes a `func.func` whose arguments are
//! `!riir.kv_block` carrying their RIIR names as `riir.name` argument attributes; each `riir.op` becomes a
//! `"riir.op"` whose operands are its prefetch blocks then its evict blocks, and whose `kernel`, `memory` and
//! `power` attributes are dictionaries (or `unit` when absent). A prefetch/evict name that is not an argument of
//! the function (another layer's block) gets one `riir.block_ref` op at the top of the function body.
//! Output is deterministic: the same module always prints the same bytes.

use std::collections::HashSet;
use std::fmt::{self, Write};

use super::schema::{self, fallback_key, kernel_key, memory_key, op_attr, plan_key, power_key, vocabulary_attr};
use crate::entity::ValueId;
use crate::module::{Fallback, Function, KernelInfo, MemoryIntent, Module, Op, Plan, PowerIntent, ValueRef};
use crate::verified::Verified;

/// Prints a verified module in MLIR generic form (`"builtin.module"() ({ … }) : () -> ()`), ending in a newline.
pub fn print_mlir(module: &Verified<Module>) -> String {
    write_module(module)
}

/// Prints any module; callers outside this crate go through [`print_mlir`] so only verified IR is emitted.
pub(crate) fn write_module(module: &Module) -> String {
    let mut out = String::new();
    out.push_str("\"builtin.module\"() ({\n");
    if module.funcs.is_empty() {
        // The module's region needs its one block even when empty; an empty block needs its label.
        out.push_str("^bb0:\n");
    }
    for func in module.funcs.values() {
        write_function(&mut out, module, func);
    }
    out.push_str("})");
    if !module.header_comments.is_empty() {
        let attrs = Attr::Dict(vec![(schema::HEADER_COMMENTS, comments_attr(&module.header_comments))]);
        write!(out, " {attrs}").expect("writing to a String cannot fail");
    }
    out.push_str(" : () -> ()\n");
    out
}

/// SSA names of one function: RIIR names where MLIR accepts them, made unique within the function.
struct SsaNames {
    used: HashSet<String>,
}

impl SsaNames {
    fn fresh(&mut self, wanted: &str) -> String {
        let base = if is_suffix_id(wanted) {
            wanted.to_string()
        } else {
            "v".to_string()
        };
        let mut name = base.clone();
        let mut n = 0usize;
        while !self.used.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        format!("%{name}")
    }
}

/// MLIR's `suffix-id`: digits, or a letter/`$._-` followed by letters, digits and `$._-`.
fn is_suffix_id(s: &str) -> bool {
    let punct = |c: char| matches!(c, '$' | '.' | '_' | '-');
    let mut chars = s.chars();
    match chars.next() {
        None => false,
        Some(c) if c.is_ascii_digit() => s.chars().all(|c| c.is_ascii_digit()),
        Some(c) if c.is_ascii_alphabetic() || punct(c) => chars.all(|c| c.is_ascii_alphanumeric() || punct(c)),
        Some(_) => false,
    }
}

fn write_function(out: &mut String, module: &Module, func: &Function) {
    let mut names = SsaNames { used: HashSet::new() };
    let params: Vec<(ValueId, String)> = func
        .params
        .iter()
        .map(|&v| (v, names.fresh(&module.values[v].name.value)))
        .collect();

    let mut props = vec![
        (
            "function_type",
            Attr::Raw(format!(
                "({}) -> ()",
                vec![schema::KV_BLOCK_TYPE; params.len()].join(", ")
            )),
        ),
        ("sym_name", Attr::Str(func.name.value.clone())),
    ];
    if !params.is_empty() {
        let arg_attrs = func
            .params
            .iter()
            .map(|&v| {
                let value = &module.values[v];
                let mut entries = vec![(schema::ARG_NAME, Attr::Str(value.name.value.clone()))];
                if value.ty.value != schema::RIIR_KV_BLOCK {
                    entries.push((schema::ARG_TYPE, Attr::Str(value.ty.value.clone())));
                }
                Attr::Dict(entries)
            })
            .collect();
        props.push(("arg_attrs", Attr::Array(arg_attrs)));
    }
    let _ = writeln!(out, "  \"func.func\"() <{}> ({{", Attr::Dict(props).dict_body());
    if !params.is_empty() {
        let args: Vec<String> = params
            .iter()
            .map(|(_, ssa)| format!("{ssa}: {}", schema::KV_BLOCK_TYPE))
            .collect();
        let _ = writeln!(out, "  ^bb0({}):", args.join(", "));
    }

    // One block_ref per distinct outside name, in first-use order, before any op that uses it.
    let mut outside: Vec<(String, String)> = Vec::new();
    for &op in &func.body {
        for r in list_refs(&module.ops[op]) {
            if r.value.is_none() && !outside.iter().any(|(name, _)| *name == r.name) {
                outside.push((r.name.clone(), names.fresh(&r.name)));
            }
        }
    }
    for (name, ssa) in &outside {
        let attrs = Attr::Dict(vec![(op_attr::NAME, Attr::Str(name.clone()))]);
        let _ = writeln!(
            out,
            "    {ssa} = \"{}\"() {attrs} : () -> {}",
            schema::BLOCK_REF,
            schema::KV_BLOCK_TYPE
        );
    }

    let ssa_of = |r: &ValueRef| -> String {
        match r.value {
            Some(v) => params
                .iter()
                .find(|(p, _)| *p == v)
                .map(|(_, ssa)| ssa.clone())
                .expect("a resolved reference names an argument of the op's own function"),
            None => outside
                .iter()
                .find(|(name, _)| *name == r.name)
                .map(|(_, ssa)| ssa.clone())
                .expect("every outside name got a block_ref above"),
        }
    };
    for &op in &func.body {
        write_op(out, &module.ops[op], &ssa_of);
    }
    out.push_str("    \"func.return\"() : () -> ()\n  })");
    if !func.comments.is_empty() {
        let attrs = Attr::Dict(vec![(schema::COMMENTS, comments_attr(&func.comments))]);
        let _ = write!(out, " {attrs}");
    }
    out.push_str(" : () -> ()\n");
}

/// The prefetch then evict references of an op: the order of its operands.
fn list_refs(op: &Op) -> impl Iterator<Item = &ValueRef> {
    let memory = op.memory.as_ref();
    let prefetch = memory.and_then(|m| m.prefetch.as_deref()).unwrap_or(&[]);
    let evict = memory.and_then(|m| m.evict.as_deref()).unwrap_or(&[]);
    prefetch.iter().chain(evict)
}

fn write_op(out: &mut String, op: &Op, ssa_of: &dyn Fn(&ValueRef) -> String) {
    let memory = op.memory.as_ref();
    let prefetch = memory.and_then(|m| m.prefetch.as_deref()).unwrap_or(&[]);
    let evict = memory.and_then(|m| m.evict.as_deref()).unwrap_or(&[]);
    let operands: Vec<String> = list_refs(op).map(ssa_of).collect();
    let mut attrs = vec![
        (op_attr::NAME, Attr::Str(op.name.value.clone())),
        (op_attr::KERNEL, op.kernel.as_ref().map_or(Attr::Unit, kernel_attr)),
        (op_attr::MEMORY, memory.map_or(Attr::Unit, memory_attr)),
        (op_attr::POWER, op.power.as_ref().map_or(Attr::Unit, power_attr)),
        (
            op_attr::SEGMENTS,
            Attr::Raw(format!("array<i32: {}, {}>", prefetch.len(), evict.len())),
        ),
    ];
    if !op.comments.is_empty() {
        attrs.push((schema::COMMENTS, comments_attr(&op.comments)));
    }
    let _ = writeln!(
        out,
        "    \"{}\"({}) {} : ({}) -> ()",
        schema::OP,
        operands.join(", "),
        Attr::Dict(attrs),
        vec![schema::KV_BLOCK_TYPE; operands.len()].join(", ")
    );
}

fn kernel_attr(k: &KernelInfo) -> Attr {
    let shape = k
        .shape
        .iter()
        .map(|(dim, size)| Attr::Array(vec![Attr::Str(dim.value.clone()), Attr::I64(size.value)]))
        .collect();
    let mut e = vec![
        (kernel_key::CLASS, Attr::Raw(vocabulary_attr(k.class.value))),
        (kernel_key::SHAPE, Attr::Array(shape)),
        (kernel_key::BYTES_HBM, Attr::F64(k.bytes_hbm.value)),
        (kernel_key::FLOPS, Attr::F64(k.flops.value)),
    ];
    if let Some(b) = &k.link_bytes {
        e.push((kernel_key::LINK_BYTES, Attr::F64(b.value)));
    }
    Attr::Dict(e)
}

fn memory_attr(m: &MemoryIntent) -> Attr {
    let mut e = Vec::new();
    if m.prefetch.is_some() {
        e.push((memory_key::PREFETCH, Attr::Unit));
    }
    if let Some(r) = &m.residency_hint {
        e.push((memory_key::RESIDENCY_HINT, Attr::Raw(vocabulary_attr(r.value))));
    }
    if m.evict.is_some() {
        e.push((memory_key::EVICT, Attr::Unit));
    }
    if let Some(c) = &m.reuse_confidence {
        e.push((memory_key::REUSE_CONFIDENCE, Attr::F64(c.value)));
    }
    Attr::Dict(e)
}

fn power_attr(p: &PowerIntent) -> Attr {
    let mut e = Vec::new();
    if let Some(v) = &p.target_jpt {
        e.push((power_key::TARGET_JPT, Attr::F64(v.value)));
    }
    if let Some(v) = &p.max_temp_delta_100ms {
        e.push((power_key::MAX_TEMP_DELTA_100MS, Attr::F64(v.value)));
    }
    if let Some(v) = &p.link_budget_pj_per_bit {
        e.push((power_key::LINK_BUDGET_PJB, Attr::F64(v.value)));
    }
    if let Some(plans) = &p.alternatives {
        e.push((
            power_key::ALTERNATIVES,
            Attr::Array(plans.iter().map(plan_attr).collect()),
        ));
    }
    if let Some(f) = &p.fallback {
        e.push((power_key::FALLBACK, fallback_attr(f)));
    }
    Attr::Dict(e)
}

fn plan_attr(p: &Plan) -> Attr {
    let mut e = vec![
        (plan_key::ID, Attr::Str(p.id.value.clone())),
        (plan_key::PRECISION, Attr::Raw(vocabulary_attr(p.precision.value))),
        (plan_key::SM_MHZ, Attr::I64(p.sm_mhz.value)),
        (plan_key::HBM_BW, Attr::F64(p.hbm_bw_tbps.value)),
        (plan_key::LINK, Attr::Raw(vocabulary_attr(p.link.value))),
        (plan_key::EST_JPT, Attr::F64(p.est_jpt.value)),
        (plan_key::EST_LAT_MS, Attr::F64(p.est_lat_ms.value)),
    ];
    if let Some(m) = &p.memory {
        e.push((plan_key::MEMORY, Attr::Raw(vocabulary_attr(m.value))));
    }
    Attr::Dict(e)
}

fn fallback_attr(f: &Fallback) -> Attr {
    Attr::Dict(vec![
        (fallback_key::ACTION, Attr::Raw(vocabulary_attr(f.action.value))),
        (fallback_key::EST_JPT, Attr::F64(f.est_jpt.value)),
        (fallback_key::EST_LAT_MS, Attr::F64(f.est_lat_ms.value)),
    ])
}

fn comments_attr(lines: &[String]) -> Attr {
    Attr::Array(lines.iter().map(|l| Attr::Str(l.clone())).collect())
}

/// The builtin attributes the printer emits. Dictionaries print sorted by key, as MLIR stores them.
enum Attr {
    Str(String),
    F64(f64),
    I64(i64),
    Unit,
    Dict(Vec<(&'static str, Attr)>),
    Array(Vec<Attr>),
    /// Already MLIR syntax (types, dense arrays).
    Raw(String),
}

impl Attr {
    /// `a = 1, b = 2` without braces, for property dictionaries `<{…}>`.
    fn dict_body(&self) -> String {
        let Attr::Dict(entries) = self else {
            unreachable!("dict_body is only called on dictionaries")
        };
        let mut sorted: Vec<&(&str, Attr)> = entries.iter().collect();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let parts: Vec<String> = sorted
            .iter()
            .map(|(k, v)| match v {
                // MLIR's own shorthand for a unit entry: the bare key.
                Attr::Unit => k.to_string(),
                v => format!("{k} = {v}"),
            })
            .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attr::Str(s) => write_string(f, s),
            Attr::F64(x) => write!(f, "{} : f64", float_literal(*x)),
            Attr::I64(x) => write!(f, "{x} : i64"),
            Attr::Unit => f.write_str("unit"),
            Attr::Dict(_) => f.write_str(&self.dict_body()),
            Attr::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Attr::Raw(s) => f.write_str(s),
        }
    }
}

/// An MLIR string literal. Bytes outside printable ASCII, `"` and `\` are written as `\XX` hex escapes, which
/// MLIR's lexer turns back into the same bytes.
fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for &b in s.as_bytes() {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            f.write_char(b as char)?;
        } else {
            write!(f, "\\{b:02X}")?;
        }
    }
    f.write_str("\"")
}

/// The shortest decimal that reads back as exactly `x`. MLIR's float literal needs a `.` before any exponent
/// (`1.0e20`, not Rust's `1e20`); non-finite values use MLIR's hex bit-pattern form.
pub(crate) fn float_literal(x: f64) -> String {
    if !x.is_finite() {
        return format!("0x{:016X}", x.to_bits());
    }
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0e{exp}"),
        _ => s,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::module::{KernelInfo, Op};
    use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Precision, Residency};
    use crate::span::{Span, Spanned};

    fn s<T>(v: T) -> Spanned<T> {
        Spanned::synthetic(v)
    }

    /// The source document's `decode_layer18`, with a kernel block and a memory variant added.
    pub(crate) fn decode_layer18() -> Module {
        let mut m = Module::new();
        m.header_comments.push(" the source document's example".into());
        let f = m.add_func(s("decode_layer18".into()), Span::SYNTHETIC);
        let kv42 = m.add_param(f, s("kv42".into()), s("kv.block".into()));
        let kv43 = m.add_param(f, s("kv43".into()), s("kv.block".into()));
        let r = |name: &str, value| ValueRef {
            name: name.into(),
            value,
            span: Span::SYNTHETIC,
        };
        let mut op = Op::new(f, "attention");
        op.comments.push(" layer 18".into());
        op.kernel = Some(KernelInfo {
            class: s(KernelClass::AttentionDecode),
            shape: vec![(s("batch".into()), s(64)), (s("ctx".into()), s(4096))],
            bytes_hbm: s(1.6e7),
            flops: s(1.07e9),
            link_bytes: None,
            span: Span::SYNTHETIC,
        });
        op.memory = Some(MemoryIntent {
            prefetch: Some(vec![r("kv42", Some(kv42)), r("kv43", Some(kv43))]),
            residency_hint: Some(s(Residency::HbmTier0)),
            evict: Some(vec![r("kv12", None)]),
            reuse_confidence: Some(s(0.73)),
            span: Span::SYNTHETIC,
        });
        let plan = |id: &str, p, mhz, bw, link, jpt, lat| Plan {
            id: s(String::from(id)),
            precision: s(p),
            sm_mhz: s(mhz),
            hbm_bw_tbps: s(bw),
            link: s(link),
            memory: None,
            est_jpt: s(jpt),
            est_lat_ms: s(lat),
            span: Span::SYNTHETIC,
        };
        let mut c = plan("C", Precision::Fp8, 1530, 1.8, LinkState::CpoSleep, 0.24, 21.1);
        c.memory = Some(s(MemoryVariant::ReuseLowBytes));
        op.power = Some(PowerIntent {
            target_jpt: Some(s(0.30)),
            max_temp_delta_100ms: Some(s(3.0)),
            link_budget_pj_per_bit: Some(s(2.1)),
            alternatives: Some(vec![
                plan("A", Precision::Fp16, 1980, 3.35, LinkState::CpoActive, 0.42, 18.2),
                plan("B", Precision::Fp8, 1680, 2.1, LinkState::LpoSleep, 0.28, 19.6),
                c,
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
        m.add_op(Op::new(f, "norm"));
        m
    }

    #[test]
    fn prints_the_source_example_in_generic_form() {
        let text = write_module(&decode_layer18());
        let expected = r#""builtin.module"() ({
  "func.func"() <{arg_attrs = [{riir.name = "kv42"}, {riir.name = "kv43"}], function_type = (!riir.kv_block, !riir.kv_block) -> (), sym_name = "decode_layer18"}> ({
  ^bb0(%kv42: !riir.kv_block, %kv43: !riir.kv_block):
    %kv12 = "riir.block_ref"() {name = "kv12"} : () -> !riir.kv_block
    "riir.op"(%kv42, %kv43, %kv12) {kernel = {bytes_hbm = 16000000.0 : f64, class = #riir.kernel_class<"attention_decode">, flops = 1070000000.0 : f64, shape = [["batch", 64 : i64], ["ctx", 4096 : i64]]}, memory = {evict, prefetch, residency_hint = #riir.residency<"HBM.tier0">, reuse_confidence = 0.73 : f64}, name = "attention", operandSegmentSizes = array<i32: 2, 1>, power = {alternatives = [{est_jpt = 0.42 : f64, est_lat_ms = 18.2 : f64, hbm_bw = 3.35 : f64, id = "A", link = #riir.link_state<"cpo_active">, precision = #riir.precision<"fp16">, sm_mhz = 1980 : i64}, {est_jpt = 0.28 : f64, est_lat_ms = 19.6 : f64, hbm_bw = 2.1 : f64, id = "B", link = #riir.link_state<"lpo_sleep">, precision = #riir.precision<"fp8">, sm_mhz = 1680 : i64}, {est_jpt = 0.24 : f64, est_lat_ms = 21.1 : f64, hbm_bw = 1.8 : f64, id = "C", link = #riir.link_state<"cpo_sleep">, memory = #riir.memory_variant<"reuse_low_bytes">, precision = #riir.precision<"fp8">, sm_mhz = 1530 : i64}], fallback = {action = #riir.fallback_action<"recompute_kv">, est_jpt = 0.19 : f64, est_lat_ms = 24.5 : f64}, link_budget_pJb = 2.1 : f64, max_temp_delta_100ms = 3.0 : f64, target_jpt = 0.3 : f64}, riir.comments = [" layer 18"]} : (!riir.kv_block, !riir.kv_block, !riir.kv_block) -> ()
    "riir.op"() {kernel, memory, name = "norm", operandSegmentSizes = array<i32: 0, 0>, power} : () -> ()
    "func.return"() : () -> ()
  }) : () -> ()
}) {riir.header_comments = [" the source document's example"]} : () -> ()
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn an_empty_module_still_has_its_block() {
        assert_eq!(
            write_module(&Module::new()),
            "\"builtin.module\"() ({\n^bb0:\n}) : () -> ()\n"
        );
    }

    #[test]
    fn float_literals_always_have_a_point_and_round_trip() {
        assert_eq!(float_literal(0.28), "0.28");
        assert_eq!(float_literal(3.0), "3.0");
        assert_eq!(float_literal(1e20), "1.0e20");
        assert_eq!(float_literal(1e-7), "1.0e-7");
        assert_eq!(float_literal(1.5e-7), "1.5e-7");
        assert_eq!(float_literal(-0.0), "-0.0");
        assert_eq!(float_literal(f64::INFINITY), "0x7FF0000000000000");
        for x in [0.1, 1.0 / 3.0, 2.5e300, 4.9e-324, -123.456] {
            let lit = float_literal(x);
            assert_eq!(lit.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{lit}");
        }
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_non_ascii() {
        let a = Attr::Str("a\"b\\c\nd é".into());
        assert_eq!(a.to_string(), r#""a\22b\5Cc\0Ad \C3\A9""#);
    }

    #[test]
    fn ssa_names_stay_unique_and_valid() {
        let mut n = SsaNames { used: HashSet::new() };
        assert_eq!(n.fresh("kv42"), "%kv42");
        assert_eq!(n.fresh("kv42"), "%kv42_0");
        assert_eq!(n.fresh("not valid"), "%v");
        assert_eq!(n.fresh("12"), "%12");
        assert!(!is_suffix_id("1a"));
    }
}
