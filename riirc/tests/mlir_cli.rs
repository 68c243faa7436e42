//! End-to-end tests of `riirc verify-mlir` and `riirc import-mlir`: exit codes, MLIR-format diagnostics, and the
//! RIIR → MLIR → RIIR round trip through files. Without feature `mlir` both are a usage error that says how to
//! get them.

use std::process::{Command, Output};

fn riirc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .output()
        .expect("riirc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(not(feature = "mlir"))]
#[test]
fn without_the_mlir_feature_the_commands_say_how_to_get_them() {
    for cmd in ["verify-mlir", "import-mlir"] {
        let out = riirc(&[cmd, "whatever.mlir"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("built without MLIR support"), "{stderr}");
        assert!(stderr.contains("--features mlir"), "{stderr}");
    }
}

#[cfg(feature = "mlir")]
mod with_mlir {
    use super::*;
    use riir_dialect::mlir::print_mlir;
    use riir_dialect::print_module;
    use std::path::{Path, PathBuf};

    fn seed_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/decode_layer18.riir")
    }

    /// The seed example's MLIR written into a fresh directory, with the RIIR text it came from.
    fn seed_mlir(dir: &Path, edit: impl Fn(String) -> String) -> (PathBuf, String) {
        let riir = std::fs::read_to_string(seed_path()).unwrap();
        let module = riir_frontend::check_source(&riir)
            .module
            .expect("the seed example verifies");
        let path = dir.join("seed.mlir");
        std::fs::write(&path, edit(print_mlir(&module))).unwrap();
        (path, print_module(&module))
    }

    #[test]
    fn verify_mlir_accepts_the_seed_example_and_shows_the_riir_warning() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = seed_mlir(dir.path(), |s| s);
        let p = path.to_str().unwrap();
        let out = riirc(&["verify-mlir", p]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("{p}: ok (1 function(s), 1 riir.op(s))\n"));
        // The seed evicts %kv12, another layer's block: legal, reported as the RIIR verifier's warning (W1).
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with(&format!("{p}:4:13: warning: ")), "{stderr}");
        assert!(stderr.contains("kv12"), "{stderr}");
    }

    #[test]
    fn import_mlir_gives_back_the_riir_text() {
        let dir = tempfile::tempdir().unwrap();
        let (path, riir) = seed_mlir(dir.path(), |s| s);
        let out_path = dir.path().join("back.riir");
        let out = riirc(&["import-mlir", path.to_str().unwrap(), "-o", out_path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(std::fs::read_to_string(&out_path).unwrap(), riir);
        // Without -o, the same text on standard output.
        let out = riirc(&["import-mlir", path.to_str().unwrap()]);
        assert_eq!(text(&out.stdout), riir);
    }

    /// What is wrong, how to break the seed's MLIR that way, and the message expected.
    type Case = (&'static str, fn(String) -> String, &'static str);

    #[test]
    fn malformed_mlir_is_reported_with_mlir_locations_and_exit_1() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [Case; 4] = [
            (
                "bad precision",
                |s| s.replacen("#riir.precision<\"fp8\">", "#riir.precision<\"int3\">", 1),
                "error: '\"int3\"' does not satisfy the constraint\n",
            ),
            (
                "missing attribute",
                |s| s.replace("name = \"attention\", ", ""),
                ":5:5: error: 'riir.op' op attribute \"name\" is expected but not provided\n",
            ),
            (
                "wrong attribute kind",
                |s| s.replace("kernel, ", "kernel = 1 : i64, "),
                ":5:5: error: '1 : i64' does not satisfy the constraint\n",
            ),
            (
                "f32 where f64 belongs",
                |s| s.replace("reuse_confidence = 0.73 : f64", "reuse_confidence = 0.75 : f32"),
                ":5:5: error: riir.op \"attention\": `memory.reuse_confidence` must be an f64 float, found `7.500000e-01 : f32` (f32)\n",
            ),
        ];
        for (what, edit, expected) in cases {
            let (path, _) = seed_mlir(dir.path(), edit);
            let p = path.to_str().unwrap();
            let out = riirc(&["verify-mlir", p]);
            assert_eq!(out.status.code(), Some(1), "{what}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.starts_with(p) && stderr.contains(expected),
                "{what}: expected `{expected}` in\n{stderr}"
            );
            let out = riirc(&["import-mlir", p, "-o", dir.path().join("x.riir").to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(1), "{what}");
            assert!(
                !dir.path().join("x.riir").exists(),
                "{what}: nothing is written on failure"
            );
        }
    }

    #[test]
    fn bad_precision_gets_the_accepted_names_as_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = seed_mlir(dir.path(), |s| {
            s.replacen("#riir.precision<\"fp8\">", "#riir.precision<\"int3\">", 1)
        });
        let out = riirc(&["verify-mlir", path.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(": note: a precision is one of fp16, bf16, fp8, fp4\n"),
            "{stderr}"
        );
    }

    #[test]
    fn json_diagnostics_for_machines() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = seed_mlir(dir.path(), |s| {
            s.replacen("#riir.precision<\"fp8\">", "#riir.precision<\"int3\">", 1)
        });
        let p = path.to_str().unwrap();
        let out = riirc(&["verify-mlir", "--message-format", "json", p]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 1, "{stdout}");
        let d = &lines[0];
        assert_eq!(d["severity"], "error");
        assert_eq!(d["message"], "'\"int3\"' does not satisfy the constraint");
        assert_eq!(d["file"], p);
        assert_eq!(d["line"], 5);
        assert_eq!(d["notes"][0]["message"], "a precision is one of fp16, bf16, fp8, fp4");
    }

    #[test]
    fn bad_invocations_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = seed_mlir(dir.path(), |s| s);
        let p = path.to_str().unwrap();
        let out = riirc(&["import-mlir", p, "-o", p]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("would overwrite the MLIR input"));
        let missing = dir.path().join("missing.mlir");
        let out = riirc(&["verify-mlir", missing.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("cannot read"), "{}", text(&out.stderr));
        std::fs::write(
            dir.path().join("latin1.mlir"),
            b"\"builtin.module\"() ({ \xe9 }) : () -> ()",
        )
        .unwrap();
        let out = riirc(&["verify-mlir", dir.path().join("latin1.mlir").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("is not UTF-8 text (invalid byte at offset 22)"),
            "{}",
            text(&out.stderr)
        );
    }
}
