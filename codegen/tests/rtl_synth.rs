//! Synthesis for an iCE40 HX8K (ct256): `yosys synth_ice40` + `nextpnr-ice40 --seed 1` (with a timeout) on
//! every shipped arbiter inside `rtl/synth/synth_top.v`, which registers all inputs and outputs so fmax covers
//! the input-to-plan logic. Reports cells, logic cells (LCs) and fmax; fails under 100 MHz.

mod common;

use std::process::Command;

/// nextpnr is given this long per design (it takes seconds; the limit only stops a hung run).
const PNR_TIMEOUT_S: &str = "300";
const MIN_FMAX_MHZ: f64 = 100.0;

/// The first number after `key` on the last line containing it.
fn last_number(text: &str, key: &str) -> Option<f64> {
    let line = text.lines().rev().find(|l| l.contains(key))?;
    let after = &line[line.find(key)? + key.len()..];
    after
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

#[test]
fn every_rack_meets_100_mhz_on_ice40_hx8k() {
    for tool in ["yosys", "nextpnr-ice40", "timeout"] {
        common::require(tool);
    }
    let wrapper = common::root().join("rtl/synth/synth_top.v");
    for (rack, path) in common::racks() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("synth.json");
        let script = format!(
            "read_verilog {} {}\nchparam -set W {} synth_top\nsynth_ice40 -abc9 -dff -top synth_top -json {}\n",
            path.display(),
            wrapper.display(),
            rack.toml.fast_loop.width_bits,
            json.display()
        );
        let ys = dir.path().join("synth.ys");
        std::fs::write(&ys, script).unwrap();
        let out = common::run(Command::new("yosys").arg(&ys));
        let ytext = common::text(&out);
        assert!(out.status.success(), "yosys failed:\n{ytext}");
        let cells = last_number(&ytext, "Number of cells:").expect("yosys cell count");

        let out = common::run(
            Command::new("timeout")
                .arg(PNR_TIMEOUT_S)
                .args([
                    "nextpnr-ice40",
                    "--hx8k",
                    "--package",
                    "ct256",
                    "--seed",
                    "1",
                    "--freq",
                    "100",
                ])
                .arg("--timing-allow-fail")
                .arg("--json")
                .arg(&json),
        );
        let ptext = common::text(&out);
        assert!(out.status.success(), "nextpnr failed or timed out:\n{ptext}");
        // The device-utilisation line ("ICESTORM_LC:   445/ 7680"), not the placer's progress lines.
        let lcs = ptext
            .lines()
            .find(|l| l.contains("ICESTORM_LC:") && l.contains("/ 7680"))
            .and_then(|l| last_number(l, "ICESTORM_LC:"))
            .expect("LC count");
        // The last report is after routing.
        let fmax = ptext
            .lines()
            .rev()
            .find(|l| l.contains("Max frequency for clock"))
            .and_then(|l| l[l.find("':")? + 2..].split_whitespace().next()?.parse::<f64>().ok())
            .expect("fmax line");
        println!(
            "synth {}: {} yosys cells, {} ICESTORM_LC of 7680, fmax {fmax:.2} MHz (HX8K ct256, nextpnr seed 1)",
            rack.name, cells as u64, lcs as u64
        );
        assert!(
            fmax >= MIN_FMAX_MHZ,
            "{}: fmax {fmax} MHz is under {MIN_FMAX_MHZ} MHz",
            rack.name
        );
    }
}
