//! Verifier for RIIR modules: the semantic invariants a [`Module`] must hold before anything is emitted from it.
//!
//! RIIR text is checked in two stages; `riirc check` reports both stages' findings together, in source order.
//!
//! Front end (`riir-frontend`, before a `Module` exists; tests in `tests/filetests/errors/`):
//! - F1 the file is at most 64 MiB of UTF-8, strings are terminated, brackets nest at most 256 deep (pre-scan)
//! - F2 the text follows the grammar (`riir-frontend/src/riir.pest`)
//! - F3 every key is known for its dictionary (op, kernel, memory, power, plan, fallback), with "did you mean"
//! - F4 no key appears twice in one dictionary (shape dimensions included)
//! - F5 required keys are present: plan `id, precision, sm_mhz, hbm_bw, link, est_jpt, est_lat_ms`; fallback
//!   `action, est_jpt, est_lat_ms`; kernel `class, shape, bytes_hbm, flops`
//! - F6 values have the right kind: numbers; integers for `sm_mhz` and shape dimensions; lists of `%values`
//!   for prefetch/evict; dictionaries for blocks; names for vocabulary fields and plan ids
//! - F7 precision, link state, residency, fallback action, memory variant and kernel class are known names,
//!   with "did you mean" when one is close
//! - F8 numbers fit: integers in i64, floats finite in f64
//!
//! This verifier (on any `Module`, parsed or built by lowering; tests in `tests/filetests/verify/`):
//! - V1 function names are unique in the module
//! - V2 parameter names are unique within their function
//! - V3 plan ids are unique within an op
//! - V4 `reuse_confidence` ∈ [0, 1]
//! - V5 strictly positive: plan `est_jpt`, `est_lat_ms`, `sm_mhz`, `hbm_bw`; fallback `est_jpt`, `est_lat_ms`;
//!   power `target_jpt`, `max_temp_delta_100ms`, `link_budget_pJb`
//! - V6 kernel `bytes_hbm`, `flops`, `link_bytes` ≥ 0; shape dimensions > 0 and uniquely named
//! - V7 every float is finite (IR built by the compiler could carry NaN or ∞; text cannot)
//! - V8 names print as they parse: function and type names are identifiers, plan ids and shape dimensions
//!   single words,
//!   value references are value names, comments are single lines (so printed IR re-parses)
//! - V9 handles agree: each op is in the body of its own function, each parameter belongs to its function,
//!   and a resolved prefetch/evict reference names that function's parameter
//! - W1 (warning) prefetch/evict naming a value that is not an argument of the op's function: the source's own
//!   example evicts `%kv12`, a block of another layer, so this is legal but worth a look
//!
//! All violations are collected; [`verify`] returns a [`Verified<Module>`] only when there are no errors.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::entity::{FuncId, OpId};
use crate::module::{Module, Op, ValueRef};
use crate::print::{format_float, is_ident, is_value_name, is_word};
use crate::span::{Span, Spanned};
use crate::verified::Verified;

/// Checks every invariant; `Ok` carries the verified module (a clone), `Err` every diagnostic (errors and
/// warnings) in source order. Warnings alone do not fail verification: get them from [`diagnose`].
pub fn verify(module: &Module) -> Result<Verified<Module>, Vec<Diagnostic>> {
    verify_owned(module.clone())
}

/// As [`verify`], without cloning.
pub fn verify_owned(module: Module) -> Result<Verified<Module>, Vec<Diagnostic>> {
    let diagnostics = diagnose(&module);
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(Verified::new_unchecked(module))
    }
}

/// Every error and warning about `module`, in source order (IR without spans last, in the order found).
pub fn diagnose(module: &Module) -> Vec<Diagnostic> {
    let mut v = Verifier {
        module,
        diags: Vec::new(),
    };
    v.module_level();
    for (id, op) in module.ops.iter() {
        v.op(id, op);
    }
    v.diags.sort_by_key(|d| d.primary_span().start);
    v.diags
}

struct Verifier<'m> {
    module: &'m Module,
    diags: Vec<Diagnostic>,
}

impl Verifier<'_> {
    /// Pushes `d`, saying where it is when the IR has no source position to point at.
    fn report(&mut self, mut d: Diagnostic, context: impl FnOnce() -> String) {
        if d.primary_span().is_synthetic() {
            d = d.with_note(format!("in {}", context()));
        }
        self.diags.push(d);
    }

    fn func_context(&self, f: FuncId) -> String {
        format!("@{} ({f})", self.module.funcs[f].name.value)
    }

    fn op_context(&self, id: OpId) -> String {
        let op = &self.module.ops[id];
        match self.module.funcs.get(op.func) {
            Some(_) => format!("op {:?} ({id}) of {}", op.name.value, self.func_context(op.func)),
            None => format!("op {:?} ({id})", op.name.value),
        }
    }

    fn module_level(&mut self) {
        let m = self.module;
        for c in &m.header_comments {
            self.comment(c, || "the file header".to_string());
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (fid, f) in m.funcs.iter() {
            let ctx = self.func_context(fid);
            self.ident(&f.name, "function name", || ctx.clone());
            for c in &f.comments {
                self.comment(c, || ctx.clone());
            }
            // V1
            if let Some(&first) = seen.get(f.name.value.as_str()) {
                let d = Diagnostic::error(
                    format!("duplicate function `@{}`", f.name.value),
                    f.name.span,
                    "defined again here",
                );
                self.report(with_first(d, first), || ctx.clone());
            } else {
                seen.insert(&f.name.value, f.name.span);
            }
            // V2, V8, V9 for parameters
            let mut params: HashMap<&str, Span> = HashMap::new();
            for &p in &f.params {
                let Some(v) = m.values.get(p) else {
                    self.report(
                        Diagnostic::error(format!("parameter {p} does not exist"), f.span, "in this function"),
                        || ctx.clone(),
                    );
                    continue;
                };
                if v.func != fid {
                    self.report(
                        Diagnostic::error(
                            format!("parameter `%{}` belongs to {}", v.name.value, v.func),
                            v.name.span,
                            "listed in the wrong function",
                        ),
                        || ctx.clone(),
                    );
                }
                if !is_value_name(&v.name.value) {
                    self.report(
                        Diagnostic::error(
                            format!("`%{}` is not a valid value name", v.name.value),
                            v.name.span,
                            "use letters, digits, `_` and `.`",
                        ),
                        || ctx.clone(),
                    );
                }
                self.ident(&v.ty, "type name", || ctx.clone());
                if let Some(&first) = params.get(v.name.value.as_str()) {
                    let d = Diagnostic::error(
                        format!("duplicate parameter `%{}`", v.name.value),
                        v.name.span,
                        "defined again here",
                    );
                    self.report(with_first(d, first), || ctx.clone());
                } else {
                    params.insert(&v.name.value, v.name.span);
                }
            }
            for &op in &f.body {
                let ok = m.ops.get(op).is_some_and(|o| o.func == fid);
                if !ok {
                    self.report(
                        Diagnostic::error(format!("{op} is not an op of this function"), f.span, "in this body"),
                        || ctx.clone(),
                    );
                }
            }
        }
    }

    fn op(&mut self, id: OpId, op: &Op) {
        let ctx = self.op_context(id);
        let c = || ctx.clone();
        for comment in &op.comments {
            self.comment(comment, c);
        }
        if !self.module.funcs.get(op.func).is_some_and(|f| f.body.contains(&id)) {
            self.report(
                Diagnostic::error(format!("{id} is missing from its function's body"), op.span, "this op"),
                c,
            );
            return;
        }
        if let Some(k) = &op.kernel {
            // V6, V7
            self.non_negative(&k.bytes_hbm, "bytes_hbm", c);
            self.non_negative(&k.flops, "flops", c);
            if let Some(l) = &k.link_bytes {
                self.non_negative(l, "link_bytes", c);
            }
            let mut dims: HashMap<&str, Span> = HashMap::new();
            for (name, n) in &k.shape {
                self.word(name, "shape dimension", c);
                if let Some(&first) = dims.get(name.value.as_str()) {
                    let d = Diagnostic::error(
                        format!("duplicate shape dimension `{}`", name.value),
                        name.span,
                        "defined again here",
                    );
                    self.report(with_first(d, first), c);
                } else {
                    dims.insert(&name.value, name.span);
                }
                if n.value <= 0 {
                    self.report(
                        Diagnostic::error(
                            format!("shape dimension `{}` must be positive, found {}", name.value, n.value),
                            n.span,
                            "must be > 0",
                        ),
                        c,
                    );
                }
            }
        }
        if let Some(mem) = &op.memory {
            for (key, list) in [("prefetch", &mem.prefetch), ("evict", &mem.evict)] {
                for r in list.iter().flatten() {
                    self.value_ref(op, r, key, c);
                }
            }
            // V4
            if let Some(rc) = &mem.reuse_confidence {
                if !(0.0..=1.0).contains(&rc.value) {
                    self.report(
                        Diagnostic::error(
                            format!("`reuse_confidence` must be in [0, 1], found {}", format_float(rc.value)),
                            rc.span,
                            "out of range",
                        ),
                        c,
                    );
                }
            }
        }
        if let Some(p) = &op.power {
            // V5
            if let Some(x) = &p.target_jpt {
                self.positive(x, "target_jpt", c);
            }
            if let Some(x) = &p.max_temp_delta_100ms {
                self.positive(x, "max_temp_delta_100ms", c);
            }
            if let Some(x) = &p.link_budget_pj_per_bit {
                self.positive(x, "link_budget_pJb", c);
            }
            let mut ids: HashMap<&str, Span> = HashMap::new();
            for plan in p.alternatives.iter().flatten() {
                self.word(&plan.id, "plan id", c);
                // V3
                if let Some(&first) = ids.get(plan.id.value.as_str()) {
                    let d = Diagnostic::error(
                        format!("duplicate plan id `{}`", plan.id.value),
                        plan.id.span,
                        "defined again here",
                    );
                    self.report(with_first(d, first), c);
                } else {
                    ids.insert(&plan.id.value, plan.id.span);
                }
                if plan.sm_mhz.value <= 0 {
                    self.report(
                        Diagnostic::error(
                            format!("`sm_mhz` must be positive, found {}", plan.sm_mhz.value),
                            plan.sm_mhz.span,
                            "must be > 0",
                        ),
                        c,
                    );
                }
                self.positive(&plan.hbm_bw_tbps, "hbm_bw", c);
                self.positive(&plan.est_jpt, "est_jpt", c);
                self.positive(&plan.est_lat_ms, "est_lat_ms", c);
            }
            if let Some(f) = &p.fallback {
                self.positive(&f.est_jpt, "est_jpt", c);
                self.positive(&f.est_lat_ms, "est_lat_ms", c);
            }
        }
    }

    /// V9 and W1 for one `%name` in a prefetch or evict list.
    fn value_ref(&mut self, op: &Op, r: &ValueRef, key: &str, c: impl Fn() -> String) {
        let func = &self.module.funcs[op.func];
        if !is_value_name(&r.name) {
            self.report(
                Diagnostic::error(
                    format!("`%{}` is not a valid value name", r.name),
                    r.span,
                    "in this list",
                ),
                &c,
            );
        }
        match r.value {
            Some(v) => {
                let ok = self
                    .module
                    .values
                    .get(v)
                    .is_some_and(|val| val.func == op.func && val.name.value == r.name);
                if !ok {
                    self.report(
                        Diagnostic::error(
                            format!(
                                "`%{}` is resolved to {v}, which is not that argument of @{}",
                                r.name, func.name.value
                            ),
                            r.span,
                            "inconsistent reference",
                        ),
                        &c,
                    );
                }
            }
            None => {
                let d = Diagnostic::warning(
                    format!("`%{}` is not an argument of `@{}`", r.name, func.name.value),
                    r.span,
                    format!("{key} of a value not in scope"),
                )
                .with_note("note: allowed (a layer may name another layer's block), but check the name");
                self.report(d, &c);
            }
        }
    }

    fn positive(&mut self, x: &Spanned<f64>, key: &str, c: impl Fn() -> String) {
        if !x.value.is_finite() {
            self.not_finite(x, key, c);
        } else if x.value <= 0.0 {
            self.report(
                Diagnostic::error(
                    format!("`{key}` must be positive, found {}", format_float(x.value)),
                    x.span,
                    "must be > 0",
                ),
                c,
            );
        }
    }

    fn non_negative(&mut self, x: &Spanned<f64>, key: &str, c: impl Fn() -> String) {
        if !x.value.is_finite() {
            self.not_finite(x, key, c);
        } else if x.value < 0.0 {
            self.report(
                Diagnostic::error(
                    format!("`{key}` must not be negative, found {}", format_float(x.value)),
                    x.span,
                    "must be ≥ 0",
                ),
                c,
            );
        }
    }

    fn not_finite(&mut self, x: &Spanned<f64>, key: &str, c: impl Fn() -> String) {
        self.report(
            Diagnostic::error(
                format!("`{key}` must be finite, found {}", format_float(x.value)),
                x.span,
                "not a finite number",
            ),
            c,
        );
    }

    fn ident(&mut self, name: &Spanned<String>, what: &str, c: impl Fn() -> String) {
        if !is_ident(&name.value) {
            self.report(
                Diagnostic::error(
                    format!("{what} `{}` is not an identifier", name.value),
                    name.span,
                    "use letters, digits and `_`, joined by `.`",
                ),
                c,
            );
        }
    }

    fn word(&mut self, name: &Spanned<String>, what: &str, c: impl Fn() -> String) {
        if !is_word(&name.value) {
            self.report(
                Diagnostic::error(
                    format!("{what} `{}` is not a single word", name.value),
                    name.span,
                    "use letters, digits and `_`",
                ),
                c,
            );
        }
    }

    fn comment(&mut self, text: &str, c: impl Fn() -> String) {
        if text.contains('\n') {
            self.report(
                Diagnostic::error(
                    format!("comment {text:?} spans several lines"),
                    Span::SYNTHETIC,
                    "one comment per line",
                ),
                c,
            );
        }
    }
}

fn with_first(d: Diagnostic, first: Span) -> Diagnostic {
    if first.is_synthetic() {
        d
    } else {
        d.with_secondary(first, "first defined here")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::{MemoryIntent, PowerIntent};

    fn module_with_op(op: impl FnOnce(&mut Op)) -> Module {
        let mut m = Module::new();
        let f = m.add_func(Spanned::synthetic("f".into()), Span::SYNTHETIC);
        let mut o = Op::new(f, "a");
        op(&mut o);
        m.add_op(o);
        m
    }

    #[test]
    fn a_clean_module_verifies() {
        let m = module_with_op(|_| {});
        assert!(verify(&m).is_ok());
    }

    #[test]
    fn synthetic_ir_gets_context_instead_of_a_position() {
        let m = module_with_op(|o| {
            o.power = Some(PowerIntent {
                target_jpt: Some(Spanned::synthetic(f64::NAN)),
                ..PowerIntent::default()
            })
        });
        let errs = verify(&m).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("finite"), "{}", errs[0].message);
        assert_eq!(errs[0].notes, vec!["in op \"a\" (op0) of @f (func0)"]);
    }

    #[test]
    fn names_that_would_not_reparse_are_errors() {
        let mut m = module_with_op(|o| {
            o.memory = Some(MemoryIntent {
                evict: Some(vec![ValueRef {
                    name: "not a name".into(),
                    value: None,
                    span: Span::SYNTHETIC,
                }]),
                ..MemoryIntent::default()
            })
        });
        m.add_func(Spanned::synthetic("bad-name".into()), Span::SYNTHETIC);
        let diags = diagnose(&m);
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        // The out-of-scope evict is also a warning, and warnings alone would not fail verification.
        assert_eq!(diags.iter().filter(|d| !d.is_error()).count(), 1);
    }

    #[test]
    fn an_op_missing_from_its_body_is_caught() {
        let mut m = module_with_op(|_| {});
        let f = m.funcs.keys().next().unwrap();
        m.funcs[f].body.clear();
        assert!(verify(&m).is_err());
    }
}
