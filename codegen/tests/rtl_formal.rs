//! Formal proof by k-induction (yosys + yosys-smtbmc + z3) of `rtl/formal/power_arbiter_props.v` on every
//! shipped arbiter: (a) over the cap on the previous valid sample ⇒ plan ≠ A; (b) plan ≠ 3. The same flow must
//! FAIL on a mutant with the source sketch's unsigned W-bit subtraction.

mod common;

use codegen::verilog::HeadroomArith;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Depth of both the base case (BMC from reset) and the induction step.
const DEPTH: u32 = 4;

fn smt2(dir: &Path, verilog: &Path, width: u32) -> std::path::PathBuf {
    let smt = dir.join("design.smt2");
    let props = common::root().join("rtl/formal/power_arbiter_props.v");
    let script = format!(
        "read_verilog -formal {} {}\nchparam -set W {width} power_arbiter_props\nprep -top power_arbiter_props\n\
         dffunmap\nwrite_smt2 -wires {}\n",
        verilog.display(),
        props.display(),
        smt.display()
    );
    let ys = dir.join("formal.ys");
    std::fs::write(&ys, script).unwrap();
    let out = common::run(Command::new("yosys").arg("-q").arg(&ys));
    assert!(out.status.success(), "yosys failed:\n{}", common::text(&out));
    smt
}

/// Runs yosys-smtbmc; `induction` selects the induction step instead of the base case.
fn smtbmc(smt: &Path, induction: bool) -> (bool, String) {
    let mut cmd = Command::new("yosys-smtbmc");
    cmd.args(["-s", "z3", "--presat"]);
    if induction {
        cmd.arg("-i");
    }
    cmd.args(["-t", &DEPTH.to_string()]).arg(smt);
    let out = common::run(&mut cmd);
    let text = common::text(&out);
    (out.status.success() && text.contains("Status: PASSED"), text)
}

#[test]
fn properties_hold_by_k_induction_on_every_rack() {
    for tool in ["yosys", "yosys-smtbmc", "z3"] {
        common::require(tool);
    }
    for (rack, path) in common::racks() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let smt = smt2(dir.path(), &path, rack.toml.fast_loop.width_bits);
        let (base_ok, base) = smtbmc(&smt, false);
        assert!(base_ok, "{}: base case failed:\n{base}", rack.name);
        let (ind_ok, ind) = smtbmc(&smt, true);
        assert!(
            ind_ok && ind.contains("Temporal induction successful"),
            "{}: induction failed:\n{ind}",
            rack.name
        );
        println!(
            "formal {}: (a) and (b) proved by k-induction, depth {DEPTH}, {:.1} s (yosys + base case + induction)",
            rack.name,
            start.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn proof_fails_on_the_source_unsigned_subtraction_mutant() {
    for tool in ["yosys", "yosys-smtbmc", "z3"] {
        common::require(tool);
    }
    let (rack, _) = common::racks().into_iter().find(|(r, _)| r.name == "nvl72").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mutant = dir.path().join("mutant.v");
    std::fs::write(
        &mutant,
        common::generate(&rack, common::default_clock(), HeadroomArith::SeedUnsignedWrap),
    )
    .unwrap();
    let smt = smt2(dir.path(), &mutant, rack.toml.fast_loop.width_bits);
    let (ok, text) = smtbmc(&smt, false);
    assert!(!ok, "the mutant passed the base case:\n{text}");
    assert!(text.contains("Assert failed"), "expected a counterexample:\n{text}");
    // The failing assertion is property (a): the wrapped budget selects plan A over the cap.
    assert!(text.contains("power_arbiter_props.v:31"), "unexpected failure:\n{text}");
    println!("formal mutant: counterexample found as expected");
}
