//! End-to-end tests of `riirc lower`: summaries and RIIR output of the shipped model configs, and the error
//! (naming the field, exit 1) for every kind of bad config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn riirc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .output()
        .expect("riirc runs")
}

fn model(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/models")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const MODELS: &[&str] = &["llama-3-8b", "llama-3-70b", "qwen2.5-72b", "mixtral-8x7b"];

#[test]
fn summary_prints_the_totals_as_json_for_every_shipped_model() {
    for name in MODELS {
        let path = model(name);
        let args = [
            "lower",
            "--model",
            &path,
            "--batch",
            "64",
            "--ctx",
            "4096",
            "--tp",
            "8",
            "--summary",
        ];
        let out = riirc(&args);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        for field in [
            "ops",
            "weight_bytes",
            "kv_bytes",
            "activation_bytes",
            "link_bytes",
            "flops",
        ] {
            assert!(json[field].as_u64().is_some_and(|v| v > 0), "{name}: {field} in {json}");
        }
        assert_eq!(json["model"], *name);
        // Same input, byte-identical output.
        assert_eq!(riirc(&args).stdout, out.stdout, "{name}");
    }
}

#[test]
fn summary_matches_the_library() {
    let path = model("mixtral-8x7b");
    let out = riirc(&[
        "lower",
        "--model",
        &path,
        "--batch",
        "16",
        "--ctx",
        "1024",
        "--tp",
        "2",
        "--precision",
        "fp8",
        "--summary",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = riir_frontend::lower::ModelConfig::load(Path::new(&path)).unwrap();
    let opts = riir_frontend::lower::LowerOptions::new(16, 1024, 2, riir_dialect::Precision::Fp8);
    assert_eq!(
        stdout(&out),
        riir_frontend::lower::summary(&config, &opts).unwrap().to_json()
    );
}

#[test]
fn output_file_is_riir_that_parses_and_prints_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("step.riir");
    std::fs::write(&out_path, "stale contents are replaced").unwrap();
    let out_str = out_path.display().to_string();
    let path = model("llama-3-8b");
    let out = riirc(&[
        "lower",
        "--model",
        &path,
        "--batch",
        "4",
        "--ctx",
        "512",
        "--tp",
        "2",
        "-o",
        &out_str,
        "--target-jpt",
        "0.3",
        "--link-budget-pjb",
        "2.1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "-o without --summary prints nothing");
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(text.contains("func @decode_step(%kv_l0: !kv.block"));
    assert!(text.contains("riir.op \"layer31.attention\""));
    assert!(text.contains("link_budget_pJb = 2.1"));
    let module = riir_frontend::parse(&text).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(riir_dialect::print_module(&module), text);
    // `riirc check` accepts it without errors or warnings.
    let check = riirc(&["check", &out_str]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(stderr(&check), "");
    // Only the RIIR file is left in the directory: the temporary file was renamed, not copied.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // Without -o the same text goes to standard output.
    let out = riirc(&[
        "lower",
        "--model",
        &path,
        "--batch",
        "4",
        "--ctx",
        "512",
        "--tp",
        "2",
        "--target-jpt",
        "0.3",
        "--link-budget-pjb",
        "2.1",
    ]);
    assert_eq!(stdout(&out), text);
}

/// Writes `config` into a temporary file and lowers it; returns (exit code, stderr, file path).
fn lower_bad(config: &str, tp: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, config).unwrap();
    let p = path.display().to_string();
    let out = riirc(&[
        "lower",
        "--model",
        &p,
        "--batch",
        "1",
        "--ctx",
        "128",
        "--tp",
        tp,
        "--summary",
    ]);
    assert!(out.stdout.is_empty());
    (out.status.code(), stderr(&out), p)
}

const GOOD: &str = r#"{"hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256}"#;

#[test]
fn bad_configs_name_the_field_and_exit_1() {
    let cases = [
        (
            GOOD.replace("\"hidden_size\": 4096, ", ""),
            "1",
            "field `hidden_size`: missing (required)",
        ),
        (
            GOOD.replace("\"num_hidden_layers\": 32", "\"num_hidden_layers\": 0"),
            "1",
            "field `num_hidden_layers`: must be positive, got 0",
        ),
        (
            GOOD.replace("\"intermediate_size\": 14336", "\"intermediate_size\": -14336"),
            "1",
            "field `intermediate_size`: must be positive, got -14336",
        ),
        (
            GOOD.to_string(),
            "3",
            "field `num_attention_heads`: 32 is not divisible by tp (3)",
        ),
        (
            GOOD.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 6"),
            "1",
            "field `num_key_value_heads`: 6 does not divide num_attention_heads (32)",
        ),
        (
            GOOD.replace("\"vocab_size\": 128256", "\"vocab_size\": \"big\""),
            "1",
            "field `vocab_size`: expected a positive integer, got the string \"big\"",
        ),
    ];
    for (config, tp, want) in cases {
        let (code, err, path) = lower_bad(&config, tp);
        assert_eq!(code, Some(1), "{want}: {err}");
        assert!(
            err.starts_with(&format!("error: model config {path}: {want}")),
            "want {want:?}, got {err:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unreadable_or_malformed_configs_exit_1() {
    let (code, err, path) = lower_bad("{\"hidden_size\": 4096,,}", "1");
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with(&format!("error: model config {path}:1:22: key must be a string")),
        "{err}"
    );
    let out = riirc(&[
        "lower",
        "--model",
        "/nonexistent/config.json",
        "--batch",
        "1",
        "--ctx",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: cannot read model config /nonexistent/config.json:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let path = model("llama-3-8b");
    for args in [
        vec!["--batch", "0", "--ctx", "1"],
        vec!["--batch", "1", "--ctx", "1", "--precision", "int3"],
        vec!["--batch", "1", "--ctx", "1", "--tp", "0"],
        vec!["--batch", "1", "--ctx", "1", "--target-jpt", "-1"],
        vec!["--batch", "1"],
    ] {
        let mut full = vec!["lower", "--model", path.as_str()];
        full.extend(args.iter().copied());
        let out = riirc(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}
