//! Verifying `riir` MLIR: MLIR parses it and runs the IRDL verifier (structure), then the importer checks the
//! intent dictionaries (fields) — both report through the same MLIR diagnostic engine, so the user sees one
//! format (`file:line:col: error: …`) whichever check failed.

use super::context::{MlirDiagnostic, RiirContext};
use super::import::import;
use crate::module::Module;

/// Parses, verifies and imports `source` (named `file_name` in diagnostics) into a fresh context.
/// On failure returns every diagnostic MLIR and the importer reported, in order.
pub fn import_mlir(source: &str, file_name: &str) -> Result<Module, Vec<MlirDiagnostic>> {
    let ctx = RiirContext::new().map_err(|message| {
        vec![MlirDiagnostic {
            severity: "error",
            location: "unknown".into(),
            message,
            notes: Vec::new(),
        }]
    })?;
    let Some(op) = ctx.parse(source, file_name) else {
        return Err(ctx.take_diagnostics());
    };
    let module = import(&ctx, &op, source, file_name);
    let diagnostics = ctx.take_diagnostics();
    match module {
        Some(m) if !diagnostics.iter().any(MlirDiagnostic::is_error) => Ok(m),
        _ => Err(diagnostics),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlir::print::{tests::decode_layer18, write_module};
    use crate::print::print_module;

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
    fn bad_precision_name_is_reported_at_the_op() {
        let mlir = write_module(&decode_layer18()).replace("precision = \"fp8\"", "precision = \"int3\"");
        let errors = errors_of(&mlir);
        assert!(
            errors.starts_with("t.mlir:5:5: error: riir.op \"attention\": `power.alternatives[1].precision`: unknown precision `int3`; expected one of fp16, bf16, fp8, fp4\n"),
            "{errors}"
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
    fn mlir_opt_rejects_what_irdl_rejects() {
        let bad = write_module(&decode_layer18()).replace("name = \"norm\", ", "");
        let out = mlir_opt(&bad, &[]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("<stdin>:6:5: error: 'riir.op' op attribute \"name\" is expected but not provided"), "{stderr}");
    }
}
