//! End-to-end tests of `riirc calibrate` and `riirc predict`: reports, written files, errors and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn riirc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const H100: &str = "examples/skus/h100.toml";
const SYNTH: &str = "examples/traces/synthetic/h100-synthetic.csv";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn calibrate_reports_the_fit_and_writes_a_loadable_synthetic_marked_sku() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("h100-calibrated.toml");
    let out = riirc(&[
        "calibrate",
        "--sku",
        H100,
        "--trace",
        SYNTH,
        "--folds",
        "5",
        "-o",
        s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    for needle in [
        "R² energy",
        "R² latency",
        "MAPE energy %",
        "5-fold CV MAPE energy %",
        "attention_decode",
        "physical",
    ] {
        assert!(report.contains(needle), "missing `{needle}` in:\n{report}");
    }
    assert!(
        !report.contains("seed"),
        "only the chosen form without --compare:\n{report}"
    );
    assert!(text(&out.stderr).contains("synthetic"));
    let written = std::fs::read_to_string(&out_path).unwrap();
    assert!(
        written.contains("[model.physical]") && written.contains("synthetic = true"),
        "{written}"
    );
    assert!(written.contains("# SYNTHETIC"));

    // predict with the calibrated file differs from the uncalibrated defaults.
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "kernel,precision,bytes_hbm,flops,sm_mhz\nlinear,bf16,117440512,7516192768,1980\n",
    )
    .unwrap();
    let cal = riirc(&["predict", "--sku", s(&out_path), "--input", s(&input)]);
    let def = riirc(&["predict", "--sku", H100, "--input", s(&input)]);
    assert_eq!(cal.status.code(), Some(0), "{}", text(&cal.stderr));
    assert_ne!(text(&cal.stdout), text(&def.stdout));
}

#[test]
fn compare_prints_both_forms_and_json_is_machine_readable() {
    let out = riirc(&["calibrate", "--sku", H100, "--trace", SYNTH, "--compare"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let header = report.lines().nth(1).unwrap();
    assert!(header.contains("physical") && header.contains("seed"), "{report}");

    let out = riirc(&["calibrate", "--sku", H100, "--trace", SYNTH, "--compare", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 300);
    assert_eq!(v["synthetic"], true);
    let phys = v["forms"]["physical"]["cv_mape_energy_pct"].as_f64().unwrap();
    let seed = v["forms"]["seed"]["cv_mape_energy_pct"].as_f64().unwrap();
    assert!(
        phys < seed,
        "physical {phys} should beat seed {seed} on data with a roofline"
    );
    assert_eq!(v["forms"]["seed"]["per_class"].as_array().unwrap().len(), 9);
}

#[test]
fn a_bad_trace_row_names_row_and_column_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(repo(SYNTH)).unwrap();
    // Break the `flops` cell of data row 4.
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let header_at = lines.iter().position(|l| l.starts_with("row,")).unwrap();
    let mut cells: Vec<String> = lines[header_at + 4].split(',').map(str::to_string).collect();
    cells[4] = "NaN".into();
    lines[header_at + 4] = cells.join(",");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out_path = dir.path().join("out.toml");
    let out = riirc(&[
        "calibrate",
        "--sku",
        H100,
        "--trace",
        SYNTH,
        "--trace",
        s(&bad),
        "-o",
        s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.csv: row 4 (line 8), column `flops`: not a finite number: `NaN`"),
        "{err}"
    );
    assert!(!out_path.exists(), "no partial output on error");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp files left behind"
    );
}

#[test]
fn a_bad_sku_file_is_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let sku = dir.path().join("bad.toml");
    let text_in = std::fs::read_to_string(repo(H100))
        .unwrap()
        .replace("capacity_gb = 80", "capacity_gb = -80");
    std::fs::write(&sku, &text_in).unwrap();
    let line = text_in.lines().position(|l| l.starts_with("capacity_gb")).unwrap() + 1;
    let out = riirc(&["predict", "--sku", s(&sku), "--input", SYNTH]);
    assert_eq!(out.status.code(), Some(1));
    let want = format!("bad.toml:{line}:15: key `hbm.capacity_gb`: must be > 0 (got -80)");
    assert!(text(&out.stderr).contains(&want), "{}", text(&out.stderr));
}

#[test]
fn predict_keeps_every_column_and_row_in_order_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    std::fs::write(
        &input,
        "row,kernel,precision,bytes_hbm,flops,sm_mhz,link_state,link_active_us,m\n\
         b,allreduce,bf16,2e7,1e7,1680,cpo_sleep,300,\n\
         a,linear,fp8,58720256,7516192768,1980,,,64\n\
         c,norm,fp16,4194304,5242880,1530,lpo_sleep,0,1024\n",
    )
    .unwrap();
    let out_path = dir.path().join("out.csv");
    let out = riirc(&["predict", "--sku", H100, "--input", s(&input), "-o", s(&out_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let first = std::fs::read_to_string(&out_path).unwrap();
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(
        lines[0],
        "row,kernel,precision,bytes_hbm,flops,sm_mhz,link_state,link_active_us,m,est_joules,est_latency_us"
    );
    assert_eq!(lines.len(), 4);
    for (line, id) in lines[1..].iter().zip(["b", "a", "c"]) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 11, "{line}");
        assert_eq!(cells[0], id);
        let joules: f64 = cells[9].parse().unwrap();
        let latency: f64 = cells[10].parse().unwrap();
        assert!(joules > 0.0 && latency > 0.0, "{line}");
    }
    assert!(lines[2].starts_with("a,linear,fp8,58720256,7516192768,1980,,,64,"));
    // Same input, same bytes; stdout carries the same content as -o.
    let again = riirc(&["predict", "--sku", H100, "--input", s(&input)]);
    assert_eq!(text(&again.stdout), first);
}

#[test]
fn predict_refuses_points_the_sku_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    std::fs::write(
        &input,
        "kernel,precision,bytes_hbm,flops,sm_mhz\nlinear,bf16,1,1,1980\nlinear,fp4,1,1,1980\n",
    )
    .unwrap();
    let out = riirc(&["predict", "--sku", "examples/skus/mi300x.toml", "--input", s(&input)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr)
        .contains("row 2 (line 3), column `precision`: cannot run on sku `mi300x`: sku has no fp4 units"));
    assert!(out.stdout.is_empty(), "nothing half-written to stdout");
    // GB200 has fp4 units (and a lower max clock, which the check also enforces).
    std::fs::write(&input, "kernel,precision,bytes_hbm,flops,sm_mhz\nlinear,fp4,1,1,1965\n").unwrap();
    let out = riirc(&["predict", "--sku", "examples/skus/gb200.toml", "--input", s(&input)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        riirc(&["calibrate", "--sku", H100, "--trace", SYNTH, "--folds", "1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(riirc(&["calibrate", "--trace", SYNTH]).status.code(), Some(2));
    assert_eq!(riirc(&["predict", "--sku", H100]).status.code(), Some(2));
    assert_eq!(
        riirc(&["calibrate", "--sku", H100, "--trace", SYNTH, "--model", "cubic"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn calibrate_output_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    for p in [&a, &b] {
        let out = riirc(&["calibrate", "--sku", H100, "--trace", SYNTH, "--compare", "-o", s(p)]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
