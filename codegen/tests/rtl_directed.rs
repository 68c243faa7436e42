//! The directed, self-checking testbench `rtl/tb/tb_directed.v` (iverilog) passes on every shipped arbiter
//! and catches the source sketch's unsigned subtraction.

mod common;

use codegen::verilog::{HeadroomArith, Rack};
use std::path::Path;
use std::process::Command;

/// Compiles and runs the testbench against `dut`; returns (passed, failed, cycles line, full output).
fn run_directed(rack: &Rack, dut: &Path, dir: &Path) -> (u64, u64, String, String) {
    let d = rack.derive(common::default_clock()).unwrap();
    let t = d.thresholds.t;
    let sim = dir.join(format!("{}.vvp", rack.name));
    let params = [
        format!("-Ptb_directed.W={}", d.width_bits),
        format!("-Ptb_directed.PERSIST={}", d.persist_cycles),
        format!("-Ptb_directed.RELEASE={}", d.release_cycles),
        format!("-Ptb_directed.TIMEOUT={}", d.timeout_cycles),
        format!("-Ptb_directed.T_AB={}", t[0][1]),
        format!("-Ptb_directed.T_BA={}", t[1][0]),
        format!("-Ptb_directed.T_CA={}", t[2][0]),
        format!("-Ptb_directed.T_CB={}", t[2][1]),
    ];
    let out = common::run(
        Command::new("iverilog")
            .args(["-g2005", "-s", "tb_directed", "-o"])
            .arg(&sim)
            .args(&params)
            .arg(dut)
            .arg(common::root().join("rtl/tb/tb_directed.v")),
    );
    assert!(out.status.success(), "iverilog failed:\n{}", common::text(&out));
    let out = common::run(Command::new("vvp").arg("-n").arg(&sim));
    let text = common::text(&out);
    let last = text
        .lines()
        .rev()
        .find(|l| l.contains(" passed, ") && l.ends_with(" failed"))
        .unwrap_or_else(|| panic!("no summary line:\n{text}"))
        .to_string();
    let nums: Vec<u64> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(nums.len(), 2, "{last}");
    let cycles = text
        .lines()
        .find(|l| l.ends_with(" cycles simulated"))
        .unwrap_or("? cycles simulated")
        .to_string();
    (nums[0], nums[1], cycles, text)
}

#[test]
fn directed_testbench_passes_on_every_rack() {
    common::require("iverilog");
    common::require("vvp");
    let dir = tempfile::tempdir().unwrap();
    for (rack, path) in common::racks() {
        let (passed, failed, cycles, text) = run_directed(&rack, &path, dir.path());
        println!("directed {}: {passed} passed, {failed} failed ({cycles})", rack.name);
        assert!(passed >= 40 && failed == 0, "{}:\n{text}", rack.name);
    }
}

#[test]
fn directed_testbench_fails_on_the_source_unsigned_subtraction() {
    common::require("iverilog");
    common::require("vvp");
    let dir = tempfile::tempdir().unwrap();
    let (rack, _) = common::racks().into_iter().find(|(r, _)| r.name == "nvl72").unwrap();
    let mutant = dir.path().join("mutant.v");
    std::fs::write(
        &mutant,
        common::generate(&rack, common::default_clock(), HeadroomArith::SeedUnsignedWrap),
    )
    .unwrap();
    let (_, failed, _, text) = run_directed(&rack, &mutant, dir.path());
    assert!(failed >= 1, "the mutant passed:\n{text}");
    assert!(
        text.contains("FAIL: source regression: cap 20000 W, rack 20001 W => not A"),
        "{text}"
    );
}
