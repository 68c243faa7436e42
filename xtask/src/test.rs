//! `cargo xtask test`: the full suite. Installs missing Debian packages, then runs every check in order.
//!
//! Tools that some tests need (added by later steps) are installed here, so those tests fail rather than skip
//! when a tool is missing under plain `cargo test`.

use std::path::PathBuf;
use std::process::Command;

/// Debian packages the suite needs, with a binary that proves each is installed.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("gcc", "cc"), // runtime-stub/capi/tests/c_abi.rs compiles tests/c/*.c against libriir_runtime.a
    // RTL checks (codegen/tests/rtl_*.rs): lint, simulation, formal proof, iCE40 synthesis.
    ("iverilog", "iverilog"),
    ("verilator", "verilator"),
    ("yosys", "yosys-smtbmc"),
    ("z3", "z3"),
    ("nextpnr-ice40", "nextpnr-ice40"),
    ("fpga-icestorm", "icepack"),
    // LLVM/MLIR 22 for riirc's `mlir` feature (melior / mlir-sys 220 link the static libraries).
    ("llvm-22-dev", "/usr/include/llvm-22/llvm/ADT/ADL.h"),
    ("libmlir-22-dev", "/usr/lib/llvm-22/lib/libMLIRIR.a"),
    ("libpolly-22-dev", "/usr/lib/llvm-22/lib/libPolly.a"),
    ("libclang1-22", "/usr/lib/llvm-22/lib/libclang-22.so.1"),
    (
        "libclang-common-22-dev",
        "/usr/lib/llvm-22/lib/clang/22/include/stddef.h",
    ),
    ("libzstd-dev", "/usr/include/zstd.h"),
    ("zlib1g-dev", "/usr/include/zlib.h"),
    ("mlir-22-tools", "mlir-opt-22"),
    ("python3", "python3"), // profiling/tests: the harness's pure-Python parts
];

/// The packages built a second time with real MLIR (feature `mlir`): their MLIR tests run only there.
const MLIR_PACKAGES: &[&str] = &["-p", "riir-dialect", "-p", "riirc", "--features", "riirc/mlir"];

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    install_missing_packages()?;
    step(&root, "cargo", &["fmt", "--all", "--", "--check"])?;
    step(
        &root,
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    )?;
    step(
        &root,
        "cargo",
        &["build", "-p", "runtime-stub", "--no-default-features"],
    )?;
    step(&root, "cargo", &["test", "--workspace", "--all-targets"])?;
    step(&root, "cargo", &["test", "--workspace", "--doc"])?;
    step(
        &root,
        "cargo",
        &["build", "-p", "energy-model", "--no-default-features"],
    )?;
    default_build_needs_no_llvm(&root)?;
    let mlir_clippy = [
        &["clippy"][..],
        MLIR_PACKAGES,
        &["--all-targets", "--", "-D", "warnings"],
    ]
    .concat();
    step(&root, "cargo", &mlir_clippy)?;
    step(
        &root,
        "cargo",
        &[&["test"][..], MLIR_PACKAGES, &["--all-targets"]].concat(),
    )?;
    // The GPU profiling harness's pure-Python parts (no torch or GPU needed) and the committed H100 data.
    step(&root, "python3", &["-m", "unittest", "discover", "profiling/tests"])?;
    println!("xtask test: all steps passed");
    Ok(())
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs one step, echoing it, and fails the suite when it fails.
pub fn step(root: &std::path::Path, program: &str, args: &[&str]) -> Result<(), String> {
    println!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        // The suite checks goldens; it must never rewrite them.
        .env_remove("RIIR_BLESS")
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("step failed ({status}): {program} {}", args.join(" ")))
    }
}

/// A package is present when its proof is: an absolute path that exists, or a program on PATH.
fn have(binary: &str) -> bool {
    if binary.starts_with('/') {
        return std::path::Path::new(binary).exists();
    }
    Command::new("sh")
        .args(["-c", &format!("command -v {binary} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn install_missing_packages() -> Result<(), String> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(_, bin)| !have(bin))
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing missing packages: {}", missing.join(" "));
    let root = workspace_root();
    step(&root, "apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    step(&root, "apt-get", &args)
}

/// A plain `cargo build` must not link LLVM: only the `mlir` feature may pull in melior / mlir-sys.
fn default_build_needs_no_llvm(root: &std::path::Path) -> Result<(), String> {
    println!("xtask: checking that the default build has no LLVM dependency");
    let out = Command::new("cargo")
        .args(["tree", "--workspace", "-e", "normal,build", "--prefix", "none"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    match tree
        .lines()
        .find(|l| l.starts_with("mlir-sys") || l.starts_with("melior"))
    {
        Some(line) => Err(format!(
            "the default build depends on `{line}`; keep it behind feature `mlir`"
        )),
        None => Ok(()),
    }
}
