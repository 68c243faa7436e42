//! Trace CSV reading: defaults, pass-through columns, and errors that name the row, line and column.

mod common;

use common::sku;
use energy_model::trace::{parse, Need};
use energy_model::{LinkState, Precision};
use std::path::Path;

const HEADER: &str = "row,kernel,precision,bytes_hbm,flops,sm_mhz,joules,latency_us,m";

fn err(body: &str, need: Need) -> String {
    let text = format!("# a comment\n{HEADER}\n{body}");
    parse(&text, Path::new("t.csv"), &sku("h100"), need)
        .unwrap_err()
        .to_string()
}

#[test]
fn optional_columns_default_from_the_sku_and_extra_columns_are_kept() {
    let text = format!("{HEADER}\n7,linear,fp8,1e8,2e9,1980,0.01,50,64\n");
    let t = parse(&text, Path::new("t.csv"), &sku("h100"), Need::Calibration).unwrap();
    assert!(!t.synthetic);
    let r = t.rows[0];
    assert_eq!(
        (r.row, r.work.precision, r.work.link_active_us),
        (1, Precision::Fp8, 0.0)
    );
    assert_eq!((r.point.hbm_bw_tbps, r.point.link), (3.35, LinkState::Dsp));
    assert_eq!((r.joules, r.latency_us), (Some(0.01), Some(50.0)));
    assert_eq!(t.records[0][8], "64");
    assert_eq!(t.headers[0], "row");
}

#[test]
fn bad_cells_name_row_line_and_column() {
    let good = "1,linear,bf16,1e8,2e9,1980,0.01,50,64\n";
    let e = err(
        &format!("{good}2,linear,bf16,1e8,NaN,1980,0.01,50,64\n"),
        Need::Calibration,
    );
    assert_eq!(e, "t.csv: row 2 (line 4), column `flops`: not a finite number: `NaN`");
    let e = err(
        &format!("{good}{good}3,linear,bf16,-5,2e9,1980,0.01,50,64\n"),
        Need::Calibration,
    );
    assert_eq!(e, "t.csv: row 3 (line 5), column `bytes_hbm`: must be >= 0 (got -5)");
    let e = err("1,linear,int3,1e8,2e9,1980,0.01,50,64\n", Need::Calibration);
    assert_eq!(
        e,
        "t.csv: row 1 (line 3), column `precision`: unknown precision `int3`, expected one of fp16, bf16, fp8, fp4"
    );
    let e = err("1,linear,bf16,1e8,2e9\n", Need::Calibration);
    assert_eq!(e, "t.csv: row 1 (line 3), column `sm_mhz`: missing value");
    let e = err("1,linear,bf16,1e8,2e9,1980,0,50,64\n", Need::Calibration);
    assert_eq!(e, "t.csv: row 1 (line 3), column `joules`: must be > 0 (got 0)");
    let e = err("1,linear,fp4,1e8,2e9,1980,0.01,50,64\n", Need::Calibration);
    assert_eq!(
        e,
        "t.csv: row 1 (line 3), column `precision`: cannot run on sku `h100-sxm`: sku has no fp4 units"
    );
    let e = err("1,lineer,bf16,1e8,2e9,1980,0.01,50,64\n", Need::Calibration);
    assert!(
        e.starts_with("t.csv: row 1 (line 3), column `kernel`: unknown kernel class `lineer`"),
        "{e}"
    );
    let e = err("1,linear,bf16,1e8,2e9,1980,0.01,50,64,extra\n", Need::Calibration);
    assert_eq!(e, "t.csv: row 1 (line 3): has 10 fields but the header has 9");
    let e = err("1,linear,bf16,1e8,abc,1980,0.01,50,64\n", Need::Calibration);
    assert_eq!(e, "t.csv: row 1 (line 3), column `flops`: not a number: `abc`");
}

#[test]
fn missing_columns_and_empty_files_are_errors() {
    let text = "kernel,precision,bytes_hbm,flops,sm_mhz,joules\nlinear,bf16,1,1,1980,1\n";
    let e = parse(text, Path::new("t.csv"), &sku("h100"), Need::Calibration)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "t.csv, column `latency_us`: missing column in the header");
    // Prediction inputs need no measurements.
    assert!(parse(text, Path::new("t.csv"), &sku("h100"), Need::Prediction).is_ok());
    let e = parse("", Path::new("t.csv"), &sku("h100"), Need::Prediction)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("t.csv: "), "{e}");
    let e = parse(
        &format!("{HEADER}\n"),
        Path::new("t.csv"),
        &sku("h100"),
        Need::Prediction,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "t.csv: no data rows");
}

#[test]
fn a_synthetic_marker_comment_is_detected() {
    let text = format!("# SYNTHETIC test data\n{HEADER}\n1,linear,bf16,1e8,2e9,1980,0.01,50,64\n");
    assert!(
        parse(&text, Path::new("t.csv"), &sku("h100"), Need::Calibration)
            .unwrap()
            .synthetic
    );
}
