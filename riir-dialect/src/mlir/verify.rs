//! Verifying `riir` MLIR in three steps that all report through MLIR's diagnostic engine, so the user sees one
//! format (`file:line:col: error: …`) whichever check failed:
//!
//! 1. MLIR parses the file and runs the IRDL verifier (structure: op names, operand/result counts, required
//!    attributes and their kinds);
//! 2. the importer checks the intent dictionaries (fields: known keys, f64/i64 kinds, vocabulary names);
//! 3. the RIIR verifier (`crate::verify`) checks the imported module's invariants (ranges, unique ids, …); its
//!    diagnostics are re-emitted at the MLIR location of the op or function they point at.

use super::context::{position, MlirDiagnostic, RiirContext};
use super::import::{import, LineIndex};
use super::schema::vocabulary_mnemonic;
use crate::diagnostic::Diagnostic;
use crate::module::Module;
use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Named, Precision, Residency};
use crate::verified::Verified;
use crate::verify::diagnose;

/// The outcome of checking an MLIR file: the verified module when there was no error, and every diagnostic
/// (errors, and the RIIR verifier's warnings) in the order they were found.
#[derive(Debug)]
pub struct MlirChecked {
    pub module: Option<Verified<Module>>,
    pub diagnostics: Vec<MlirDiagnostic>,
}

/// Parses, verifies and imports `source` (named `file_name` in diagnostics) in a fresh context.
pub fn check_mlir(source: &str, file_name: &str) -> MlirChecked {
    let failed = |diagnostics| MlirChecked {
        module: None,
        diagnostics,
    };
    let ctx = match RiirContext::new() {
        Ok(ctx) => ctx,
        Err(message) => {
            return failed(vec![MlirDiagnostic {
                severity: "error",
                position: None,
                message,
                notes: Vec::new(),
            }])
        }
    };
    let Some(op) = ctx.parse(source, file_name) else {
        let mut diagnostics = ctx.take_diagnostics();
        for d in &mut diagnostics {
            explain_vocabulary(d, source, file_name);
        }
        return failed(diagnostics);
    };
    let Some(module) = import(&ctx, &op, source, file_name) else {
        return failed(ctx.take_diagnostics());
    };
    // Step 3: spans of the imported module are byte offsets into `source`; turn them back into locations.
    let lines = LineIndex::new(source);
    let mut warnings = Vec::new();
    let riir = diagnose(&module);
    for d in &riir {
        let span = d.primary_span();
        let location = if span.is_synthetic() {
            melior::ir::Location::unknown(ctx.context())
        } else {
            let (line, col) = lines.line_col(span.start as usize);
            melior::ir::Location::new(ctx.context(), file_name, line, col)
        };
        let message = riir_message(d);
        if d.is_error() {
            ctx.emit_error(location, &message);
        } else {
            // MLIR's C API can emit only errors; warnings take the same format without the engine.
            warnings.push(MlirDiagnostic {
                severity: "warning",
                position: position(location),
                message,
                notes: Vec::new(),
            });
        }
    }
    let mut diagnostics = ctx.take_diagnostics();
    diagnostics.extend(warnings);
    let module = if diagnostics.iter().any(MlirDiagnostic::is_error) {
        None
    } else {
        crate::verify::verify_owned(module).ok()
    };
    MlirChecked { module, diagnostics }
}

/// IRDL says only "'"int3"' does not satisfy the constraint" for an unknown vocabulary name; when the error
/// points at a `#riir.<vocabulary><…>` attribute, add a note listing the names that vocabulary accepts.
fn explain_vocabulary(d: &mut MlirDiagnostic, source: &str, file_name: &str) {
    if !d.message.ends_with("does not satisfy the constraint") {
        return;
    }
    let Some((line, col)) = d
        .position
        .as_ref()
        .filter(|p| p.file == file_name)
        .map(|p| (p.line, p.column))
    else {
        return;
    };
    let Some(text) = source
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.get(col.saturating_sub(1)..))
    else {
        return;
    };
    // MLIR points at the mnemonic, just after `#riir.`.
    let text = text.strip_prefix("#riir.").unwrap_or(text);
    let expected = |what: &str, list: String| format!("a {what} is one of {list}");
    let note = if text.starts_with(&format!("{}<", vocabulary_mnemonic::<Precision>())) {
        expected(Precision::WHAT, Precision::expected_list())
    } else if text.starts_with(&format!("{}<", vocabulary_mnemonic::<LinkState>())) {
        expected(LinkState::WHAT, LinkState::expected_list())
    } else if text.starts_with(&format!("{}<", vocabulary_mnemonic::<Residency>())) {
        expected(Residency::WHAT, Residency::expected_list())
    } else if text.starts_with(&format!("{}<", vocabulary_mnemonic::<FallbackAction>())) {
        expected(FallbackAction::WHAT, FallbackAction::expected_list())
    } else if text.starts_with(&format!("{}<", vocabulary_mnemonic::<MemoryVariant>())) {
        expected(MemoryVariant::WHAT, MemoryVariant::expected_list())
    } else if text.starts_with(&format!("{}<", vocabulary_mnemonic::<KernelClass>())) {
        expected(KernelClass::WHAT, KernelClass::expected_list())
    } else {
        return;
    };
    d.notes.insert(
        0,
        MlirDiagnostic {
            severity: "note",
            position: d.position.clone(),
            message: note,
            notes: Vec::new(),
        },
    );
}

/// A RIIR diagnostic as one MLIR message line: the message, then its notes.
fn riir_message(d: &Diagnostic) -> String {
    let mut message = d.message.clone();
    for note in &d.notes {
        message.push_str("; ");
        message.push_str(note);
    }
    message
}

/// As [`check_mlir`], for callers that need the module or the diagnostics.
pub fn verify_mlir(source: &str, file_name: &str) -> Result<Verified<Module>, Vec<MlirDiagnostic>> {
    let checked = check_mlir(source, file_name);
    checked.module.ok_or(checked.diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlir::print::{tests::decode_layer18, write_module};
    use crate::print::print_module;

    fn import_mlir(source: &str, file_name: &str) -> Result<Module, Vec<MlirDiagnostic>> {
        verify_mlir(source, file_name).map(Verified::into_inner)
    }

    fn errors_of(source: &str) -> String {
        let diags = import_mlir(source, "t.mlir").expect_err("the module must be rejected");
        diags.iter().map(|d| format!("{d}\n")).collect()
    }

    #[test]
    fn printed_module_imports_back_to_the_same_module() {
        let original = decode_layer18();
        let mlir = write_module(&original);
        let back = import_mlir(&mlir, "t.mlir").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(print_module(&back), print_module(&original));
        assert_eq!(write_module(&back), mlir);
        // Spans point into the MLIR text: the op's line.
        let op = back.ops_in_order().next().unwrap();
        assert!(mlir[back.ops[op].span.range()].starts_with("\"riir.op\"(%kv42"));
    }

    #[test]
    fn a_value_type_other_than_kv_block_survives_the_round_trip() {
        let mut original = decode_layer18();
        let v = original.funcs.values().next().unwrap().params[1];
        original.values[v].ty.value = "kv.page".into();
        let mlir = write_module(&original);
        assert!(
            mlir.contains("{riir.name = \"kv43\", riir.type = \"kv.page\"}"),
            "{mlir}"
        );
        let back = import_mlir(&mlir, "t.mlir").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(print_module(&back), print_module(&original));
    }

    #[test]
    fn bad_precision_name_is_reported_at_the_op() {
        // IRDL rejects the name while parsing, at the attribute itself; riirc adds the list of names.
        let mlir = write_module(&decode_layer18()).replacen("#riir.precision<\"fp8\">", "#riir.precision<\"int3\">", 1);
        let errors = errors_of(&mlir);
        let col = mlir.lines().nth(4).unwrap().find("precision<\"int3\">").unwrap() + 1;
        assert_eq!(
            errors,
            format!(
                "t.mlir:5:{col}: error: '\"int3\"' does not satisfy the constraint\n\
                 t.mlir:5:{col}: note: a precision is one of fp16, bf16, fp8, fp4\n"
            )
        );
        // A plain string where a vocabulary attribute belongs is the semantic verifier's to report.
        let mlir = write_module(&decode_layer18()).replacen("#riir.precision<\"fp8\">", "\"fp8\"", 1);
        assert!(
            errors_of(&mlir).starts_with(
                "t.mlir:5:5: error: riir.op \"attention\": `power.alternatives[1].precision` must be a precision attribute \
                 such as `#riir.precision<\"fp16\">`, found `\"fp8\"`\n"
            ),
            "{}",
            errors_of(&mlir)
        );
    }

    #[test]
    fn float_width_and_integer_kind_are_checked() {
        let mlir = write_module(&decode_layer18())
            .replace("reuse_confidence = 0.73 : f64", "reuse_confidence = 0.75 : f32")
            .replace("sm_mhz = 1980 : i64", "sm_mhz = 1980 : i32");
        let errors = errors_of(&mlir);
        assert!(
            errors.contains("`memory.reuse_confidence` must be an f64 float, found `7.500000e-01 : f32` (f32)"),
            "{errors}"
        );
        assert!(
            errors.contains("`power.alternatives[0].sm_mhz` must be an i64 integer, found `1980 : i32`"),
            "{errors}"
        );
    }

    #[test]
    fn missing_and_unknown_keys_are_reported() {
        let mlir = write_module(&decode_layer18())
            .replace("est_jpt = 0.19 : f64, ", "")
            .replace("target_jpt = 0.3 : f64", "target_jpt = 0.3 : f64, targte = 1 : i64");
        let errors = errors_of(&mlir);
        assert!(errors.contains("missing `power.fallback.est_jpt`"), "{errors}");
        assert!(errors.contains("unknown key `power.targte`"), "{errors}");
        let no_shape =
            write_module(&decode_layer18()).replace(", shape = [[\"batch\", 64 : i64], [\"ctx\", 4096 : i64]]", "");
        let errors = errors_of(&no_shape);
        assert_eq!(errors.matches("kernel.shape").count(), 1, "{errors}");
        assert!(errors.contains("missing `kernel.shape`"), "{errors}");
    }

    #[test]
    fn irdl_rejects_missing_attribute_wrong_kind_and_operand_count() {
        let good = write_module(&decode_layer18());
        let missing = good.replace("name = \"norm\", ", "");
        let e = errors_of(&missing);
        assert!(
            e.contains("t.mlir:6:5: error: 'riir.op' op attribute \"name\" is expected but not provided"),
            "{e}"
        );
        let kind = good.replace("name = \"norm\"", "name = 3 : i64");
        assert!(
            errors_of(&kind)
                .contains("t.mlir:6:5: error: expected base attribute 'builtin.string' but got 'builtin.integer'"),
            "{}",
            errors_of(&kind)
        );
        let count = good.replace(
            "\"riir.block_ref\"() {name = \"kv12\"} : () -> !riir.kv_block",
            "\"riir.block_ref\"(%kv42) {name = \"kv12\"} : (!riir.kv_block) -> !riir.kv_block",
        );
        assert!(
            errors_of(&count).contains("t.mlir:4:13: error: op expects exactly 0 operands, but got 1"),
            "{}",
            errors_of(&count)
        );
    }

    #[test]
    fn riir_verifier_findings_come_back_at_mlir_locations() {
        let good = write_module(&decode_layer18());
        let checked = check_mlir(&good, "t.mlir");
        assert!(checked.module.is_some());
        let warnings: Vec<String> = checked.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("t.mlir:4:13: warning: "), "{warnings:?}");
        assert!(warnings[0].contains("kv12"), "{warnings:?}");

        let bad = good
            .replace("reuse_confidence = 0.73 : f64", "reuse_confidence = 1.5 : f64")
            .replace("id = \"B\"", "id = \"A\"");
        let errors = errors_of(&bad);
        assert!(
            errors.contains("t.mlir:5:5: error: `reuse_confidence` must be in [0, 1], found 1.5\n"),
            "{errors}"
        );
        assert!(errors.contains("t.mlir:5:5: error: duplicate plan id `A`"), "{errors}");
    }

    #[test]
    fn syntax_errors_carry_mlir_locations() {
        let errors = errors_of("\"builtin.module\"() ({\n  \"func.func\"(\n");
        assert!(
            errors.starts_with("t.mlir:2:15: error: expected ')' to end operand list"),
            "{errors}"
        );
    }

    /// Runs `mlir-opt-22 --irdl-file=riir.irdl.mlir` on `input`; fails (never skips) when the tool is missing.
    fn mlir_opt(input: &str, extra: &[&str]) -> std::process::Output {
        use std::io::Write;
        let irdl = concat!(env!("CARGO_MANIFEST_DIR"), "/mlir/riir.irdl.mlir");
        let mut child = std::process::Command::new("mlir-opt-22")
            .arg(format!("--irdl-file={irdl}"))
            .args(extra)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("mlir-opt-22 is required (apt-get install mlir-22-tools, or run `cargo xtask test`)");
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    #[test]
    fn mlir_opt_accepts_the_printed_module_and_its_output_imports_back() {
        let original = decode_layer18();
        let mlir = write_module(&original);
        for extra in [&[][..], &["--mlir-print-op-generic"][..]] {
            let out = mlir_opt(&mlir, extra);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let reprinted = String::from_utf8(out.stdout).unwrap();
            let back = import_mlir(&reprinted, "opt.mlir").unwrap_or_else(|d| panic!("{d:?}\n{reprinted}"));
            assert_eq!(print_module(&back), print_module(&original));
        }
    }

    #[test]
    fn mlir_opt_rejects_missing_attribute_wrong_kind_operand_count_and_bad_precision() {
        let good = write_module(&decode_layer18());
        let cases = [
            (
                good.replace("name = \"norm\", ", ""),
                "<stdin>:6:5: error: 'riir.op' op attribute \"name\" is expected but not provided",
            ),
            (
                good.replace("name = \"norm\"", "name = 3 : i64"),
                "<stdin>:6:5: error: expected base attribute 'builtin.string' but got 'builtin.integer'",
            ),
            (
                good.replace(
                    "\"riir.block_ref\"() {name = \"kv12\"} : () -> !riir.kv_block",
                    "\"riir.block_ref\"(%kv42) {name = \"kv12\"} : (!riir.kv_block) -> !riir.kv_block",
                ),
                "<stdin>:4:13: error: op expects exactly 0 operands, but got 1",
            ),
            (
                good.replacen("#riir.precision<\"fp8\">", "#riir.precision<\"int3\">", 1),
                "error: '\"int3\"' does not satisfy the constraint",
            ),
        ];
        for (bad, message) in cases {
            let out = mlir_opt(&bad, &[]);
            assert!(!out.status.success(), "mlir-opt-22 accepted:\n{bad}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(message), "expected `{message}` in:\n{stderr}");
            // melior (riirc verify-mlir) rejects the same input with the same MLIR message.
            let ours = errors_of(&bad);
            assert!(ours.contains(&message.replace("<stdin>", "t.mlir")), "{ours}");
        }
    }
}
