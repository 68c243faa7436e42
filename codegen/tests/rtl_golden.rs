//! The committed `rtl/power_arbiter_*.v` are exactly what the generator produces today (regenerate with
//! `cargo xtask rtl`), and there is one per rack file.

mod common;

use codegen::verilog::HeadroomArith;

#[test]
fn committed_rtl_matches_regeneration() {
    let mut names = Vec::new();
    for (rack, path) in common::racks() {
        let want = common::generate(&rack, common::default_clock(), HeadroomArith::Signed);
        let got =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask rtl`", path.display()));
        assert!(
            got == want,
            "{} differs from regeneration; run `cargo xtask rtl`",
            path.display()
        );
        // Same input, same bytes.
        assert_eq!(
            want,
            common::generate(&rack, common::default_clock(), HeadroomArith::Signed)
        );
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(common::root().join("rtl"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("power_arbiter_") && n.ends_with(".v"))
        .collect();
    on_disk.sort();
    names.sort();
    assert_eq!(
        on_disk, names,
        "an rtl/power_arbiter_*.v has no rack file; run `cargo xtask rtl`"
    );
}
