//! End-to-end tests of `riirc check` and `riirc fmt` through the real binary: exit codes (0 valid, 1 input
//! error, 2 usage error), standard input, several files, JSON diagnostics, and atomic `fmt --in-place`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const SEED: &str = include_str!("../../examples/decode_layer18.riir");

fn riirc(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("riirc runs");
    // riirc may exit (usage error) before reading its input; a broken pipe here is not the test's concern.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(riirc(&["check"], b"").status.code(), Some(2));
    assert_eq!(
        riirc(&["check", "--message-format", "xml", "-"], b"").status.code(),
        Some(2)
    );
    let out = riirc(&["fmt", "--in-place", "-"], SEED.as_bytes());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(riirc(&["fmt", "a", "b"], b"").status.code(), Some(2));
}

#[test]
fn check_reads_stdin_and_warns_without_failing() {
    let out = riirc(&["check", "-"], SEED.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("warning: `%kv12` is not an argument of `@decode_layer18`"),
        "{err}"
    );
    assert!(err.contains("--> <stdin>:6:16"), "{err}");
}

#[test]
fn check_goes_on_after_an_unreadable_file_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.riir");
    std::fs::write(&good, SEED).unwrap();
    let missing = dir.path().join("missing.riir");
    let out = riirc(&["check", missing.to_str().unwrap(), good.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("cannot read"), "{err}");
    assert!(
        err.contains("good.riir:6:16"),
        "the second file was still checked: {err}"
    );
}

#[test]
fn json_diagnostics_carry_positions() {
    let bad = SEED.replace("precision = fp8,  sm_mhz = 1680", "precision = fp9,  sm_mhz = 1680");
    let out = riirc(&["check", "--message-format", "json", "-"], bad.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "the warning and the error");
    let err = lines.iter().find(|d| d["severity"] == "error").unwrap();
    assert_eq!(err["message"], "unknown precision `fp9`");
    assert_eq!(err["labels"][0]["line"], 15);
    assert_eq!(err["labels"][0]["column"], 30);
    assert_eq!(err["notes"][0], "help: did you mean `fp8`?");
}

#[test]
fn fmt_prints_a_fixed_point_and_check_mode_tells_canonical_from_not() {
    let once = riirc(&["fmt", "-"], SEED.as_bytes());
    assert_eq!(once.status.code(), Some(0));
    let twice = riirc(&["fmt", "-"], &once.stdout);
    assert_eq!(once.stdout, twice.stdout);
    assert_eq!(riirc(&["fmt", "--check", "-"], SEED.as_bytes()).status.code(), Some(1));
    assert_eq!(riirc(&["fmt", "--check", "-"], &once.stdout).status.code(), Some(0));
}

#[test]
fn fmt_in_place_rewrites_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("layer.riir");
    std::fs::write(&file, SEED).unwrap();
    let out = riirc(&["fmt", "--in-place", file.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let canonical = riirc(&["fmt", "-"], SEED.as_bytes()).stdout;
    assert_eq!(std::fs::read(&file).unwrap(), canonical);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("layer.riir")],
        "no temporary file left"
    );
}

#[test]
fn fmt_refuses_invalid_input_and_keeps_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.riir");
    std::fs::write(&file, "func @f() {\n  riir.op \"a\" {memroy = {}}\n}\n").unwrap();
    let before = std::fs::read(&file).unwrap();
    let out = riirc(&["fmt", "--in-place", file.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown key `memroy`"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}
