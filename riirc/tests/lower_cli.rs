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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sku(name: &str) -> String {
    root()
        .join("examples/skus")
        .join(format!("{name}.toml"))
        .display()
        .to_string()
}

fn estimate(args: &[&str]) -> serde_json::Value {
    let mut full = vec!["estimate"];
    full.extend_from_slice(args);
    let out = riirc(&full);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

#[test]
fn estimate_of_a_model_equals_estimate_of_its_lowered_file_and_sums_its_ops() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("step.riir").display().to_string();
    let path = model("llama-3-70b");
    let flags = ["--batch", "64", "--ctx", "4096", "--tp", "8"];
    let mut lower = vec!["lower", "--model", &path, "-o", &file];
    lower.extend_from_slice(&flags);
    assert_eq!(riirc(&lower).status.code(), Some(0));

    let h100 = sku("h100");
    let mut from_model = vec!["--model", path.as_str(), "--sku", &h100];
    from_model.extend_from_slice(&flags);
    let a = estimate(&from_model);
    let b = estimate(&[&file, "--sku", &h100]);
    assert_eq!(a, b, "batch and tp are read back from the file's shapes");

    let ops = a["ops"].as_array().unwrap();
    // embed, embed_allreduce, 80 × 14, final_norm, lm_head.
    assert_eq!(ops.len(), 1124);
    assert_eq!(ops[6]["id"], "op6");
    assert_eq!(ops[6]["name"], "layer0.attention");
    let sum = |key: &str| ops.iter().map(|o| o[key].as_f64().unwrap()).sum::<f64>();
    let total = &a["total"];
    assert!(close(total["joules"].as_f64().unwrap(), sum("joules")));
    assert!(close(total["board_joules"].as_f64().unwrap(), sum("board_joules")));
    assert!(close(total["link_joules"].as_f64().unwrap(), sum("link_joules")));
    assert!(close(
        total["joules"].as_f64().unwrap(),
        total["board_joules"].as_f64().unwrap() + total["link_joules"].as_f64().unwrap()
    ));
    assert!(close(total["latency_ms"].as_f64().unwrap(), sum("latency_ms")));
    assert!(close(
        total["joules_per_token"].as_f64().unwrap(),
        sum("joules") * 8.0 / 64.0
    ));
    assert!(ops
        .iter()
        .all(|o| o["joules"].as_f64().unwrap() > 0.0 && o["latency_ms"].as_f64().unwrap() > 0.0));
}

#[test]
fn estimate_prices_each_op_with_the_energy_model() {
    use energy_model::{EnergyModel, KernelWork, OperatingPoint, Sku};
    let path = model("llama-3-8b");
    let h100 = sku("h100");
    let a = estimate(&[
        "--model", &path, "--batch", "8", "--ctx", "2048", "--tp", "2", "--sku", &h100, "--sm-mhz", "1530",
    ]);
    let sku = Sku::load(Path::new(&h100)).unwrap();
    let config = riir_frontend::lower::ModelConfig::load(Path::new(&path)).unwrap();
    let opts = riir_frontend::lower::LowerOptions::new(8, 2048, 2, riir_dialect::Precision::Bf16);
    let point = OperatingPoint {
        sm_mhz: 1530.0,
        hbm_bw_tbps: sku.hbm_bandwidth_tbps,
        link: sku.default_link,
    };
    let model = sku.model(energy_model::ModelForm::Physical);
    for (name, class) in [
        ("attention", energy_model::KernelClass::AttentionDecode),
        ("mlp_allreduce", energy_model::KernelClass::Allreduce),
    ] {
        let k = riir_frontend::lower::kernel_for_op_name(&config, &opts, name)
            .unwrap()
            .unwrap();
        let link_us = k.link_bytes.as_ref().map_or(0.0, |b| b.value / (800e9 / 1e6));
        let work = KernelWork {
            class,
            precision: energy_model::Precision::Bf16,
            bytes_hbm: k.bytes_hbm.value,
            flops: k.flops.value,
            link_active_us: link_us,
            footprint_bytes: 0.0,
        };
        let p = model.predict(&sku, &work, &point).unwrap();
        let op = a["ops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == format!("layer5.{name}"))
            .unwrap();
        assert!(close(op["joules"].as_f64().unwrap(), p.joules), "{name}");
        assert!(p.link_joules > 0.0, "{name}: the default link state draws power");
        assert!(close(op["link_joules"].as_f64().unwrap(), p.link_joules), "{name}");
        assert!(
            close(op["board_joules"].as_f64().unwrap(), p.joules - p.link_joules),
            "{name}"
        );
        assert!(close(op["latency_ms"].as_f64().unwrap(), p.latency_s * 1e3), "{name}");
    }
    assert_eq!(a["config"]["sm_mhz"], 1530.0);
}

#[test]
fn at_fp8_only_the_linears_are_priced_at_fp8_and_the_rest_at_bf16() {
    use energy_model::{EnergyModel, KernelWork, OperatingPoint, Precision, Sku};
    let path = model("llama-3-70b");
    let h100 = sku("h100");
    let a = estimate(&[
        "--model",
        &path,
        "--batch",
        "64",
        "--ctx",
        "4096",
        "--tp",
        "8",
        "--sku",
        &h100,
        "--precision",
        "fp8",
    ]);
    let sku = Sku::load(Path::new(&h100)).unwrap();
    let config = riir_frontend::lower::ModelConfig::load(Path::new(&path)).unwrap();
    let opts = riir_frontend::lower::LowerOptions::new(64, 4096, 8, riir_dialect::Precision::Fp8);
    let point = OperatingPoint {
        sm_mhz: sku.max_sm_mhz,
        hbm_bw_tbps: sku.hbm_bandwidth_tbps,
        link: sku.default_link,
    };
    let model = sku.model(energy_model::ModelForm::Physical);
    for (name, class, precision) in [
        ("gate_up", energy_model::KernelClass::Linear, Precision::Fp8),
        ("attention", energy_model::KernelClass::AttentionDecode, Precision::Bf16),
        ("gate_up_quant", energy_model::KernelClass::Elementwise, Precision::Bf16),
        ("k_append", energy_model::KernelClass::Elementwise, Precision::Bf16),
    ] {
        let k = riir_frontend::lower::kernel_for_op_name(&config, &opts, name)
            .unwrap()
            .unwrap();
        let work = KernelWork {
            class,
            precision,
            bytes_hbm: k.bytes_hbm.value,
            flops: k.flops.value,
            link_active_us: 0.0,
            footprint_bytes: 0.0,
        };
        let p = model.predict(&sku, &work, &point).unwrap();
        let op = a["ops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == format!("layer3.{name}"))
            .unwrap();
        assert!(close(op["joules"].as_f64().unwrap(), p.joules), "{name}");
        assert!(close(op["latency_ms"].as_f64().unwrap(), p.latency_s * 1e3), "{name}");
    }
}

#[test]
fn layers_only_leaves_out_embedding_head_and_allreduces() {
    let path = model("mixtral-8x7b");
    let h100 = sku("h100");
    let flags = [
        "--model",
        path.as_str(),
        "--batch",
        "16",
        "--ctx",
        "1024",
        "--tp",
        "2",
        "--sku",
        h100.as_str(),
    ];
    let full = estimate(&flags);
    let mut layers_flags = flags.to_vec();
    layers_flags.push("--layers-only");
    let layers = estimate(&layers_flags);
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    let kept = names(&layers);
    // 32 layers × (attn_norm, qkv_proj, k_append, v_append, attention, o_proj, attn_residual, mlp_norm, router,
    // gate_up, act, down, mlp_residual).
    assert_eq!(kept.len(), 32 * 13);
    assert!(
        kept.iter().all(|n| n.starts_with("layer") && !n.ends_with("allreduce")),
        "{kept:?}"
    );
    // The kept ops are priced exactly as in the full step.
    let full_ops: Vec<_> = full["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| kept.contains(&o["name"].as_str().unwrap().to_string()))
        .cloned()
        .collect();
    assert_eq!(&full_ops, layers["ops"].as_array().unwrap());
    assert!(layers["total"]["joules"].as_f64().unwrap() < full["total"]["joules"].as_f64().unwrap());
    assert_eq!(layers["config"]["layers_only"], true);
}

#[test]
fn estimate_accepts_a_bare_sku_name_from_the_repository_root() {
    let out = Command::new(env!("CARGO_BIN_EXE_riirc"))
        .current_dir(root())
        .args([
            "estimate",
            "--model",
            "examples/models/llama-3-8b.json",
            "--batch",
            "1",
            "--ctx",
            "16",
            "--sku",
            "h200",
            "--energy-model",
            "seed",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["config"]["energy_model"], "seed");
    assert!(v["config"]["sku"].as_str().unwrap().starts_with("h200"));
}

#[test]
fn estimate_errors() {
    let path = model("llama-3-8b");
    let h100 = sku("h100");
    let seed_example = root().join("examples/decode_layer18.riir").display().to_string();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec![
                "--model",
                &path,
                "--batch",
                "1",
                "--ctx",
                "8",
                "--sku",
                &h100,
                "--precision",
                "fp4",
            ],
            1,
            "sku has no fp4 units",
        ),
        (
            vec![
                "--model", &path, "--batch", "1", "--ctx", "8", "--sku", &h100, "--sm-mhz", "2500",
            ],
            1,
            "--sm-mhz 2500 is outside (0, 1980] MHz",
        ),
        (
            vec![
                "--model", &path, "--batch", "1", "--ctx", "8", "--tp", "5", "--sku", &h100,
            ],
            1,
            "field `num_attention_heads`: 32 is not divisible by tp (5)",
        ),
        (
            vec![&seed_example, "--sku", &h100, "--batch", "1"],
            1,
            "op `attention` has no `kernel = {…}` block",
        ),
        (vec![&seed_example, "--sku", &h100], 2, "cannot tell the batch"),
        (vec![&seed_example, "--sku", &h100, "--ctx", "8"], 2, "--model"),
        (
            vec!["--model", &path, "--batch", "1", "--sku", &h100],
            2,
            "--model needs --batch and --ctx",
        ),
        (
            vec![
                "--model",
                &path,
                "--batch",
                "1",
                "--ctx",
                "8",
                "--sku",
                "/nonexistent.toml",
            ],
            1,
            "nonexistent.toml",
        ),
        (vec!["--sku", &h100], 2, "INPUT.riir"),
    ];
    for (args, code, want) in cases {
        let mut full = vec!["estimate"];
        full.extend(args.iter().copied());
        let out = riirc(&full);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(want),
            "{args:?}: want {want:?} in {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
