//! `verilator --lint-only -Wall` reports nothing on every generated arbiter (committed and at other clocks).

mod common;

use codegen::verilog::HeadroomArith;
use std::process::Command;

fn lint(path: &std::path::Path) {
    let out = common::run(Command::new("verilator").args(["--lint-only", "-Wall"]).arg(path));
    let text = common::text(&out);
    assert!(
        out.status.success() && text.trim().is_empty(),
        "{}:\n{text}",
        path.display()
    );
}

#[test]
fn every_generated_file_is_lint_clean() {
    common::require("verilator");
    let dir = tempfile::tempdir().unwrap();
    for (rack, path) in common::racks() {
        lint(&path);
        // Other clocks change every counter width; they must stay clean too.
        for mhz in [1, 48, 250] {
            let p = dir.path().join(format!("{}_{mhz}.v", rack.name));
            std::fs::write(&p, common::generate(&rack, mhz, HeadroomArith::Signed)).unwrap();
            lint(&p);
        }
    }
}
