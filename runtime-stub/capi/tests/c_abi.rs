//! End-to-end C ABI test: writes a frontier table with the encoder, compiles `tests/c/negotiate.c` with `cc`
//! against `libriir_runtime.a` and `runtime-stub/include/riir_runtime.h`, runs it on the table file and checks its
//! verdicts; then does the same for a header emitted by `emit_c_header` (`tests/c/static_table.c`).
//! Fails — never skips — when `cc` is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use runtime_stub::table::{
    emit_c_header, encode, Fallback, FallbackAction, FrontierTable, LinkState, MemoryVariant, OpSpec, Plan, Precision,
    TableSpec,
};

const SKU: &str = "h200-sxm";

fn plan(id: u8, precision: Precision, sm_mhz: u32, bw: f32, link: LinkState, jpt: f32, lat: f32) -> Plan {
    Plan {
        id,
        precision,
        link,
        memory: MemoryVariant::Prefetch,
        sm_mhz,
        hbm_bw_tbps: bw,
        est_jpt: jpt,
        est_lat_ms: lat,
        est_power_w: jpt * 1700.0,
        link_pj_per_bit: if matches!(link, LinkState::CpoActive) { 3.0 } else { 0.6 },
    }
}

/// The source's attention op (no link budget, so the checks are about energy) and a one-plan op.
fn spec() -> TableSpec {
    let fallback = Fallback {
        action: FallbackAction::RecomputeKv,
        est_jpt: 0.19,
        est_lat_ms: 24.5,
        est_power_w: 0.19 * 1700.0,
        link_pj_per_bit: 0.6,
    };
    let attention = OpSpec {
        op_id: 18,
        name: "decode_layer18.attention".into(),
        slo_ms: 20.0,
        max_temp_delta_100ms: 3.0,
        link_budget_pj_per_bit: f32::INFINITY,
        link_bits_per_token: 32768.0,
        plans: vec![
            plan(b'A', Precision::Fp16, 1980, 3.35, LinkState::CpoActive, 0.42, 18.2),
            plan(b'B', Precision::Fp8, 1680, 2.1, LinkState::LpoSleep, 0.28, 19.6),
            plan(b'C', Precision::Fp8, 1530, 1.8, LinkState::CpoSleep, 0.24, 21.1),
        ],
        fallback,
    };
    let mlp = OpSpec {
        op_id: 19,
        name: "decode_layer18.mlp".into(),
        plans: vec![plan(b'A', Precision::Fp8, 1980, 3.35, LinkState::LpoSleep, 0.3, 12.0)],
        ..attention.clone()
    };
    TableSpec {
        sku: SKU.into(),
        model_hash: 0xfeed,
        ops: vec![attention, mlp],
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `libriir_runtime.a` as cargo built it for this test run: `cargo test` compiles the library with both crate
/// types into `deps/` (hashed name) and only sometimes copies it up to the profile directory, so take the newest
/// of those candidates.
fn static_lib() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let profile_dir = deps.parent().unwrap();
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(deps)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("libriir_runtime-") && name.ends_with(".a")
        })
        .collect();
    candidates.push(profile_dir.join("libriir_runtime.a"));
    candidates
        .into_iter()
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("libriir_runtime.a not found under {}", profile_dir.display()))
}

/// Compiles `source` with the runtime header, `extra_include` and the static library; fails if `cc` is missing.
fn compile(source: &Path, extra_include: &Path, exe: &Path) {
    let root = repo_root();
    let output = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1"])
        .arg("-I")
        .arg(root.join("runtime-stub/include"))
        .arg("-I")
        .arg(extra_include)
        .arg(source)
        .arg(static_lib())
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil"])
        .arg("-o")
        .arg(exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `cc` (install a C compiler, e.g. apt-get install gcc): {e}"));
    assert!(
        output.status.success(),
        "cc failed on {}:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run(exe: &Path, args: &[&Path]) -> String {
    let output = Command::new(exe).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{stdout}");
    assert!(
        output.status.success(),
        "{} failed:\n{stdout}{}",
        exe.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
    stdout
}

#[test]
fn c_program_loads_a_table_file_and_negotiates() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("frontiers.riirft");
    std::fs::write(&table, encode(&spec()).unwrap()).unwrap();
    let exe = dir.path().join("negotiate");
    compile(&repo_root().join("tests/c/negotiate.c"), dir.path(), &exe);
    let stdout = run(&exe, &[&table, Path::new(SKU)]);
    assert!(stdout.contains("ok: 1789 ops A -> B"), "{stdout}");
    assert!(stdout.contains("ok: thermal guard forces plan C"), "{stdout}");
    assert!(stdout.ends_with("0 failures\n"), "{stdout}");
}

#[test]
fn emitted_c_header_carries_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = encode(&spec()).unwrap();
    let table = FrontierTable::decode(&bytes, SKU).unwrap();
    let header = emit_c_header(&table, "table").unwrap();
    std::fs::write(dir.path().join("frontier_table.h"), &header).unwrap();
    let exe = dir.path().join("static_table");
    compile(&repo_root().join("tests/c/static_table.c"), dir.path(), &exe);
    let stdout = run(&exe, &[]);
    assert!(stdout.ends_with("0 failures\n"), "{stdout}");
    assert!(emit_c_header(&table, "1bad").is_err());
}
