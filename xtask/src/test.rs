//! `cargo xtask test`: the full suite. Installs missing Debian packages, then runs every check in order.
//!
//! Tools that some tests need (added by later steps) are installed here, so those tests fail rather than skip
//! when a tool is missing under plain `cargo test`.

use std::path::PathBuf;
use std::process::Command;

/// Debian packages the suite needs, with a binary that proves each is installed.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("gcc", "cc"), // runtime-stub/capi/tests/c_abi.rs compiles tests/c/*.c against libriir_runtime.a
];

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

fn have(binary: &str) -> bool {
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
