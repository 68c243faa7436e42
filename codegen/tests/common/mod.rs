//! Shared helpers for the RTL checks: the workspace paths, the shipped racks, and external tools that must
//! exist (a missing tool fails the test; `cargo xtask test` installs them).

#![allow(dead_code)] // each test binary uses a different subset

use codegen::verilog::{self, HeadroomArith, Options, Rack, DEFAULT_CLOCK_MHZ};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Every shipped rack with the path of its committed arbiter, sorted by name.
pub fn racks() -> Vec<(Rack, PathBuf)> {
    let dir = root().join("examples/racks");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "expected the shipped racks in {}", dir.display());
    paths
        .iter()
        .map(|p| {
            let rack = Rack::load(p).unwrap();
            let v = root().join("rtl").join(verilog::output_file_name(&rack));
            (rack, v)
        })
        .collect()
}

/// The arbiter text for a rack at a clock (shipped arithmetic unless `arith` says otherwise).
pub fn generate(rack: &Rack, clock_mhz: u32, arith: HeadroomArith) -> String {
    let opts = Options {
        sku: rack.toml.sku.clone(),
        clock_mhz,
        arith,
    };
    verilog::generate(rack, &opts).unwrap()
}

pub fn default_clock() -> u32 {
    DEFAULT_CLOCK_MHZ
}

/// Fails the test with an install hint when `tool` is not on PATH.
pub fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not installed; `cargo xtask test` installs the RTL tools with apt-get"
    );
}

/// Runs a command, returning its output; panics with the command line if it cannot start.
pub fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output().unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
