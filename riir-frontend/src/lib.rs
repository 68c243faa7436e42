//! RIIR front ends: the pest grammar for RIIR text, and model-config → decode-graph lowering.
//!
//! Text pipeline: [`prescan`] (size, UTF-8, unterminated strings, nesting depth — so pest never recurses too
//! deep) → [`syntax`] (pest grammar `riir.pest` → generic syntax tree) → [`build`] (keys and names → typed
//! [`Module`]). The verifier (`riir_dialect::verify`) then checks semantic invariants; [`check_source`] runs
//! both stages and returns their diagnostics together in source order.
//!
//! ```
//! let src = "func @f(%kv: !kv.block) {\n  riir.op \"attention\" {memory = {prefetch = [%kv], reuse_confidence = 0.73}}\n}\n";
//! let checked = riir_frontend::check_source(src);
//! assert!(checked.diagnostics.is_empty());
//! let module = checked.module.expect("valid"); // a `Verified<Module>`: what code generation takes
//! let text = riir_dialect::print_module(&module);
//! assert_eq!(riir_dialect::print_module(&riir_frontend::parse(&text).unwrap()), text);
//! ```

pub mod build;
pub mod comments;
mod fast;
pub mod lower;
pub mod prescan;
pub mod suggest;
pub mod syntax;

use riir_dialect::{Diagnostic, Module, Verified};

/// What the front end made of a file: the module (absent only when the text could not be parsed at all) and
/// every diagnostic of the front end, in source order. When `diagnostics` holds errors, `module` leaves out or
/// stands in placeholders for the parts that were wrong: it is good for finding more errors, never for use.
#[derive(Debug)]
pub struct Parsed {
    pub module: Option<Module>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses RIIR source given as bytes (checks size and UTF-8 first).
pub fn parse_bytes(bytes: &[u8]) -> Parsed {
    match prescan::decode(bytes) {
        Ok(src) => parse_source(src),
        Err(d) => Parsed {
            module: None,
            diagnostics: vec![d],
        },
    }
}

/// Parses RIIR text into a module, best-effort: see [`Parsed`].
pub fn parse_source(src: &str) -> Parsed {
    let failed = |d| Parsed {
        module: None,
        diagnostics: vec![d],
    };
    if src.len() > prescan::MAX_SOURCE_BYTES {
        return failed(prescan::decode(src.as_bytes()).expect_err("too large"));
    }
    if let Err(d) = prescan::scan(src) {
        return failed(d);
    }
    let file = match syntax::parse(src) {
        Ok(f) => f,
        Err(d) => return failed(d),
    };
    let (module, mut diagnostics) = build::build(src, &file);
    sort_diagnostics(&mut diagnostics);
    Parsed {
        module: Some(module),
        diagnostics,
    }
}

/// Parses RIIR text; the module only when the front end found no error (the verifier has not run yet).
pub fn parse(src: &str) -> Result<Module, Vec<Diagnostic>> {
    let parsed = parse_source(src);
    match parsed.module {
        Some(m) if !parsed.has_errors() => Ok(m),
        _ => Err(parsed.diagnostics),
    }
}

/// A file checked by both stages: the verified module when there was no error, and every diagnostic (errors
/// and warnings of the front end and the verifier) in source order.
#[derive(Debug)]
pub struct Checked {
    pub module: Option<Verified<Module>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and verifies RIIR source given as bytes. This is what `riirc check` runs.
pub fn check_bytes(bytes: &[u8]) -> Checked {
    match prescan::decode(bytes) {
        Ok(src) => check_source(src),
        Err(d) => Checked {
            module: None,
            diagnostics: vec![d],
        },
    }
}

/// Parses and verifies RIIR text. The verifier also runs on what the front end could build when the front end
/// found errors, so one run reports both stages' findings.
pub fn check_source(src: &str) -> Checked {
    let parsed = parse_source(src);
    let front_end_failed = parsed.has_errors();
    let mut diagnostics = parsed.diagnostics;
    let Some(module) = parsed.module else {
        return Checked {
            module: None,
            diagnostics,
        };
    };
    diagnostics.extend(riir_dialect::diagnose(&module));
    sort_diagnostics(&mut diagnostics);
    let module = if front_end_failed || diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        // No errors were found by `diagnose`, so this cannot fail; go through `verify` for the token.
        riir_dialect::verify_owned(module).ok()
    };
    Checked { module, diagnostics }
}

/// Orders diagnostics by where they point (stable, so one position keeps the order they were found in).
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.primary_span().start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use riir_dialect::{print_module, FallbackAction, LinkState, Precision, Residency};

    const SEED: &str = include_str!("../../examples/decode_layer18.riir");

    #[test]
    fn the_source_example_parses_verbatim() {
        let m = parse(SEED).expect("the seed example is valid");
        assert_eq!(m.funcs.len(), 1);
        let op = &m.ops[m.funcs.values().next().unwrap().body[0]];
        assert_eq!(op.name.value, "attention");
        let mem = op.memory.as_ref().unwrap();
        assert_eq!(mem.residency_hint.as_ref().unwrap().value, Residency::HbmTier0);
        assert_eq!(mem.prefetch.as_ref().unwrap().len(), 2);
        assert!(mem.prefetch.as_ref().unwrap().iter().all(|r| r.value.is_some()));
        assert_eq!(mem.evict.as_ref().unwrap()[0].value, None, "%kv12 is not an argument");
        let power = op.power.as_ref().unwrap();
        let plans = power.alternatives.as_ref().unwrap();
        assert_eq!(plans.len(), 3);
        assert_eq!(plans[1].precision.value, Precision::Fp8);
        assert_eq!(plans[2].link.value, LinkState::CpoSleep);
        assert_eq!(plans[0].sm_mhz.value, 1980);
        assert_eq!(
            power.fallback.as_ref().unwrap().action.value,
            FallbackAction::RecomputeKv
        );
        // Spans are byte offsets into the source.
        assert_eq!(&SEED[plans[1].precision.span.range()], "fp8");
    }

    #[test]
    fn printing_the_seed_example_is_a_fixed_point() {
        let once = print_module(&parse(SEED).unwrap());
        let twice = print_module(&parse(&once).unwrap());
        assert_eq!(once, twice);
    }

    #[test]
    fn check_reports_both_stages_in_source_order() {
        let src = "func @f() {\n  riir.op \"a\" {\n    memory = {reuse_confidence = 1.5},\n    power = {\n      \
                   target_jpt = 0.3, alternatives = [{id = A, precision = fp9, sm_mhz = 1, hbm_bw = 1.0, link = dsp, \
                   est_jpt = 0.1, est_lat_ms = 1.0}]\n    }\n  }\n}\n";
        let checked = check_source(src);
        let messages: Vec<_> = checked.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`reuse_confidence` must be in [0, 1], found 1.5",
                "unknown precision `fp9`"
            ]
        );
        assert!(checked.module.is_none());
    }

    #[test]
    fn the_seed_example_checks_with_one_warning() {
        let checked = check_source(SEED);
        assert!(checked.module.is_some());
        let [w] = checked.diagnostics.as_slice() else {
            panic!("{:?}", checked.diagnostics)
        };
        assert!(!w.is_error());
        assert_eq!(&SEED[w.primary_span().range()], "%kv12");
    }

    #[test]
    fn comments_above_functions_and_ops_survive_printing() {
        let src = "// file\n\n// the layer\nfunc @f() {\n  // first op\n  riir.op \"a\" {}\n}\n";
        let m = parse(src).unwrap();
        assert_eq!(m.header_comments, vec![" file"]);
        assert_eq!(print_module(&m), src);
    }
}
