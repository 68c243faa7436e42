//! The directed, self-checking testbench `rtl/tb/tb_directed.v` (iverilog) passes on every shipped arbiter.

mod common;

use std::process::Command;

#[test]
fn directed_testbench_passes_on_every_rack() {
    common::require("iverilog");
    common::require("vvp");
    let dir = tempfile::tempdir().unwrap();
    for (rack, path) in common::racks() {
        let d = rack.derive(common::default_clock()).unwrap();
        let t = d.thresholds.t;
        let sim = dir.path().join(format!("{}.vvp", rack.name));
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
                .arg(&path)
                .arg(common::root().join("rtl/tb/tb_directed.v")),
        );
        assert!(out.status.success(), "iverilog failed:\n{}", common::text(&out));
        let out = common::run(Command::new("vvp").arg("-n").arg(&sim));
        let text = common::text(&out);
        let last = text
            .lines()
            .rev()
            .find(|l| l.contains(" passed, "))
            .unwrap_or_else(|| panic!("{text}"));
        println!("directed {}: {last}", rack.name);
        let nums: Vec<u64> = last
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|s| s.parse().ok())
            .collect();
        assert_eq!(nums.len(), 2, "{last}");
        assert!(nums[0] >= 40 && nums[1] == 0, "{}:\n{text}", rack.name);
    }
}
