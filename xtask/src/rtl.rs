//! `cargo xtask rtl [--check]`: regenerates `rtl/power_arbiter_<rack>.v` for every `examples/racks/*.toml`,
//! then runs the RTL checks (lint, directed testbench, co-simulation, formal proof, synthesis: the
//! `codegen` integration tests named `rtl_*`). `--check` also fails when the regenerated files differ from the
//! committed ones (`git diff --exit-code rtl/`) or are untracked.

use crate::test::{step, workspace_root};
use codegen::verilog::{self, HeadroomArith, Options, Rack, DEFAULT_CLOCK_MHZ};
use std::path::Path;
use std::process::Command;

/// The RTL check test binaries in `codegen/tests/`.
pub const RTL_TESTS: &[&str] = &[
    "rtl_golden",
    "rtl_lint",
    "rtl_directed",
    "rtl_cosim",
    "rtl_formal",
    "rtl_synth",
];

pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [a] if a == "--check" => true,
        _ => return Err("usage: cargo xtask rtl [--check]".into()),
    };
    let root = workspace_root();
    regenerate(&root)?;
    if check {
        step(&root, "git", &["diff", "--exit-code", "--", "rtl/"])?;
        let out = Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=all", "--", "rtl/"])
            .current_dir(&root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let status = String::from_utf8_lossy(&out.stdout);
        if !status.trim().is_empty() {
            return Err(format!("rtl/ has uncommitted or untracked files:\n{status}"));
        }
    }
    let mut test_args = vec!["test", "-p", "codegen"];
    for t in RTL_TESTS {
        test_args.extend(["--test", t]);
    }
    test_args.extend(["--", "--nocapture"]);
    step(&root, "cargo", &test_args)?;
    println!("xtask rtl: all RTL checks passed");
    Ok(())
}

/// Writes one arbiter per rack file and removes arbiters whose rack file is gone.
pub fn regenerate(root: &Path) -> Result<(), String> {
    let racks_dir = root.join("examples/racks");
    let rtl_dir = root.join("rtl");
    std::fs::create_dir_all(&rtl_dir).map_err(|e| format!("{}: {e}", rtl_dir.display()))?;
    let mut racks: Vec<_> = std::fs::read_dir(&racks_dir)
        .map_err(|e| format!("{}: {e}", racks_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    racks.sort();
    let mut wanted = Vec::new();
    for path in &racks {
        let rack = Rack::load(path).map_err(|e| e.to_string())?;
        let opts = Options {
            sku: rack.toml.sku.clone(),
            clock_mhz: DEFAULT_CLOCK_MHZ,
            arith: HeadroomArith::Signed,
        };
        let text = verilog::generate(&rack, &opts).map_err(|e| e.to_string())?;
        let name = verilog::output_file_name(&rack);
        let out = rtl_dir.join(&name);
        verilog::write_atomic(&out, text.as_bytes()).map_err(|e| format!("{}: {e}", out.display()))?;
        println!("xtask rtl: wrote rtl/{name}");
        wanted.push(name);
    }
    for entry in std::fs::read_dir(&rtl_dir).map_err(|e| format!("{}: {e}", rtl_dir.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("power_arbiter_") && name.ends_with(".v") && !wanted.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| format!("{name}: {e}"))?;
            println!("xtask rtl: removed stale rtl/{name}");
        }
    }
    Ok(())
}
