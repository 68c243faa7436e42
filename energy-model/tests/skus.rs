//! The shipped SKU files load, their feasibility answers, and SKU file errors name file, line, column and key.

mod common;

use common::{sku, sku_path};
use energy_model::{Infeasible, KernelClass, KernelWork, LinkState, OperatingPoint, Precision, Sku};
use std::path::Path;

#[test]
fn every_shipped_sku_loads_with_four_clocks_three_bandwidths_three_links() {
    for name in ["h100", "h200", "gb200", "mi300x"] {
        let s = sku(name);
        assert_eq!(s.sm_mhz_levels[0], s.max_sm_mhz, "{name}");
        assert_eq!(s.hbm_bw_levels_tbps[0], s.hbm_bandwidth_tbps, "{name}");
        assert_eq!(s.operating_points().len(), 36, "{name}");
        assert!(
            s.physical.is_none() && s.seed.is_none(),
            "{name}: shipped SKUs are uncalibrated"
        );
    }
}

#[test]
fn fp4_is_infeasible_with_a_reason_where_the_sku_has_no_fp4_units() {
    for name in ["h100", "h200", "mi300x"] {
        let err = sku(name).precision_feasible(Precision::Fp4).unwrap_err();
        assert_eq!(err, Infeasible::NoPrecisionUnits(Precision::Fp4));
        assert_eq!(err.to_string(), "sku has no fp4 units");
    }
    assert!(sku("gb200").precision_feasible(Precision::Fp4).is_ok());
    for p in [Precision::Fp16, Precision::Bf16, Precision::Fp8] {
        assert!(sku("h100").precision_feasible(p).is_ok());
    }
}

#[test]
fn check_rejects_out_of_range_points_and_missing_link_states() {
    let s = sku("mi300x");
    let work = KernelWork::new(KernelClass::Linear, Precision::Bf16, 1e8, 1e9);
    let ok = OperatingPoint {
        sm_mhz: 2100.0,
        hbm_bw_tbps: 5.3,
        link: LinkState::Dsp,
    };
    assert_eq!(s.check(&work, &ok), Ok(()));
    let fast = OperatingPoint { sm_mhz: 2500.0, ..ok };
    assert!(matches!(s.check(&work, &fast), Err(Infeasible::ClockOutOfRange { .. })));
    let wide = OperatingPoint { hbm_bw_tbps: 9.0, ..ok };
    assert!(matches!(
        s.check(&work, &wide),
        Err(Infeasible::BandwidthOutOfRange { .. })
    ));
    let cpo = OperatingPoint {
        link: LinkState::CpoActive,
        ..ok
    };
    assert_eq!(
        s.check(&work, &cpo),
        Err(Infeasible::LinkStateUnavailable(LinkState::CpoActive))
    );
    let big = KernelWork {
        footprint_bytes: 200e9,
        ..work
    };
    assert!(matches!(
        s.check(&big, &ok),
        Err(Infeasible::FootprintExceedsCapacity { .. })
    ));
    let nan = KernelWork {
        bytes_hbm: f64::NAN,
        ..work
    };
    assert_eq!(s.check(&nan, &ok), Err(Infeasible::InvalidWork("bytes_hbm")));
}

/// The H100 file with one line replaced; returns the parse error's text.
fn error_after(find: &str, replace: &str) -> String {
    let text = std::fs::read_to_string(sku_path("h100")).unwrap();
    assert!(text.contains(find), "fixture drifted: {find}");
    let bad = text.replacen(find, replace, 1);
    Sku::parse(&bad, Path::new("bad.toml")).unwrap_err().to_string()
}

fn line_of(key_line_prefix: &str) -> usize {
    let text = std::fs::read_to_string(sku_path("h100")).unwrap();
    text.lines().position(|l| l.starts_with(key_line_prefix)).unwrap() + 1
}

#[test]
fn a_negative_bandwidth_names_file_line_column_and_key() {
    let line = line_of("bandwidth_tbps =");
    let msg = error_after("bandwidth_tbps = 3.35", "bandwidth_tbps = -3.35");
    assert_eq!(
        msg,
        format!("bad.toml:{line}:18: key `hbm.bandwidth_tbps`: must be > 0 (got -3.35)")
    );
}

#[test]
fn errors_carry_a_caret_excerpt_of_the_offending_value() {
    let text = std::fs::read_to_string(sku_path("h100")).unwrap().replacen(
        "bandwidth_tbps = 3.35",
        "bandwidth_tbps = -3.35",
        1,
    );
    let line = line_of("bandwidth_tbps =");
    let err = Sku::parse(&text, Path::new("bad.toml")).unwrap_err();
    let excerpt = err.excerpt().unwrap();
    let lines: Vec<&str> = excerpt.lines().collect();
    assert_eq!(lines[1], format!("{line} | {}", text.lines().nth(line - 1).unwrap()));
    assert_eq!(lines[2], "   |                  ^^^^^");
}

#[test]
fn wrong_level_counts_and_orders_are_errors() {
    let line = line_of("sm_mhz_levels");
    let msg = error_after("[1980, 1680, 1530, 1380]", "[1980, 1680, 1530]");
    assert!(
        msg.starts_with(&format!(
            "bad.toml:{line}:17: key `compute.sm_mhz_levels`: must list exactly 4"
        )),
        "{msg}"
    );
    let msg = error_after("[1980, 1680, 1530, 1380]", "[1980, 1530, 1680, 1380]");
    assert!(msg.contains("strictly decreasing"), "{msg}");
    let msg = error_after("[3.35, 2.1, 1.8]", "[3.35, 2.1, 4.0]");
    assert!(
        msg.contains("key `hbm.bandwidth_levels_tbps`: level 4 is outside (0, 3.35]"),
        "{msg}"
    );
}

#[test]
fn unknown_keys_and_link_states_are_errors_with_positions() {
    let line = line_of("idle_w");
    let msg = error_after("idle_w = 122", "idle_watts = 122");
    assert!(
        msg.starts_with(&format!("bad.toml:{line}:1: unknown field `idle_watts`")),
        "{msg}"
    );
    let msg = error_after("default = \"dsp\"", "default = \"dps\"");
    assert!(
        msg.contains("key `link.default`: unknown link state `dps`, expected one of dsp, lpo_active"),
        "{msg}"
    );
    let msg = error_after("cpo_sleep = 8.0", "");
    assert!(
        msg.contains("key `link.search`: link state `cpo_sleep` has no `link.power_w.cpo_sleep` entry"),
        "{msg}"
    );
    let msg = error_after("fp8 = 1978.9", "fp8 = \"fast\"");
    assert!(msg.starts_with("bad.toml:"), "{msg}");
    assert!(msg.contains("invalid type"), "{msg}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = Sku::load(Path::new("no/such/sku.toml")).unwrap_err().to_string();
    assert!(err.starts_with("no/such/sku.toml: cannot read"), "{err}");
}

#[test]
fn idle_above_limit_is_an_error() {
    let msg = error_after("idle_w = 122", "idle_w = 800");
    assert!(
        msg.contains("key `power.idle_w`: must be below power.board_limit_w (700)"),
        "{msg}"
    );
}
