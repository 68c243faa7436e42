//! Trace and prediction-input CSV files: the schema, and reading rows into model inputs with precise errors.
//!
//! Columns (header names, any order; `#` lines are comments, and a comment containing `synthetic` before the
//! header marks the whole file as synthetic data):
//!
//! | column           | unit          | required                | meaning                                         |
//! |------------------|---------------|-------------------------|-------------------------------------------------|
//! | `kernel`         | name          | yes                     | kernel class: linear, gemm, attention_decode, … |
//! | `precision`      | name          | yes                     | fp16, bf16, fp8, fp4                            |
//! | `bytes_hbm`      | bytes         | yes                     | HBM bytes moved                                 |
//! | `flops`          | flop          | yes                     | floating-point operations (FMA = 2)             |
//! | `sm_mhz`         | MHz           | yes                     | SM clock the kernel ran at                      |
//! | `joules`         | J             | calibration only        | measured energy of the kernel                   |
//! | `latency_us`     | µs            | calibration only        | measured latency of the kernel                  |
//! | `link_active_us` | µs            | no (0)                  | time the links carried traffic                  |
//! | `hbm_bw_tbps`    | TB/s          | no (SKU's full bandwidth) | HBM bandwidth setting                          |
//! | `link_state`     | name          | no (SKU's `link.default`) | dsp, lpo_active, lpo_sleep, cpo_active, cpo_sleep |
//!
//! Any other column (shape columns `m`, `n`, `k`, `batch`, `ctx`, `heads`, a `row` id, …) is accepted and
//! passed through by `riirc predict`; neither model form reads shape columns today (bytes and flops already
//! summarise the shape).
//! A bad row — a missing column or value, a non-number, NaN, a negative, an unknown name, or a point the SKU
//! cannot run — is an error naming the file, the row (1-based, data rows only), its line and the column.

use crate::kinds::{expected_names, KernelClass, LinkState, Precision};
use crate::sku::Sku;
use crate::work::{Infeasible, KernelWork, OperatingPoint};
use std::fmt;
use std::path::{Path, PathBuf};

/// Whether measured `joules` and `latency_us` columns are required.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Need {
    Calibration,
    Prediction,
}

/// One row as model input, plus its measurements when present.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// 1-based data row number.
    pub row: usize,
    pub work: KernelWork,
    pub point: OperatingPoint,
    pub joules: Option<f64>,
    pub latency_us: Option<f64>,
}

/// A whole file: its header, raw records (for pass-through) and parsed rows, in file order.
#[derive(Clone, Debug)]
pub struct Trace {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub records: Vec<Vec<String>>,
    pub rows: Vec<TraceRow>,
    /// True when a comment before the header says `synthetic`.
    pub synthetic: bool,
}

/// A trace error: file, and row/line/column when it is about one cell.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct TraceError {
    pub path: PathBuf,
    pub row: Option<usize>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.row, self.line) {
            (Some(row), Some(line)) => write!(f, ": row {row} (line {line})")?,
            (None, Some(line)) => write!(f, ":{line}")?,
            _ => {}
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

struct Columns {
    kernel: usize,
    precision: usize,
    bytes_hbm: usize,
    flops: usize,
    sm_mhz: usize,
    joules: Option<usize>,
    latency_us: Option<usize>,
    link_active_us: Option<usize>,
    hbm_bw_tbps: Option<usize>,
    link_state: Option<usize>,
}

/// Reads a trace or prediction-input file against a SKU (for defaults and feasibility).
pub fn read(path: &Path, sku: &Sku, need: Need) -> Result<Trace, TraceError> {
    let file_err = |line: Option<u64>, message: String| TraceError {
        path: path.to_path_buf(),
        row: None,
        line,
        column: None,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(None, format!("cannot read: {e}")))?;
    parse(&text, path, sku, need)
}

/// Parses CSV text; `path` is used in messages.
pub fn parse(text: &str, path: &Path, sku: &Sku, need: Need) -> Result<Trace, TraceError> {
    let file_err = |line: Option<u64>, message: String| TraceError {
        path: path.to_path_buf(),
        row: None,
        line,
        column: None,
        message,
    };
    let synthetic = text
        .lines()
        .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        .any(|l| l.to_ascii_lowercase().contains("synthetic"));
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| file_err(None, format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(file_err(None, "empty file: expected a header row".into()));
    }
    let find = |name: &str| headers.iter().position(|h| h == name);
    let require = |name: &str| {
        find(name).ok_or_else(|| TraceError {
            path: path.to_path_buf(),
            row: None,
            line: None,
            column: Some(name.to_string()),
            message: "missing column in the header".into(),
        })
    };
    let measured = |name: &str| {
        if need == Need::Calibration {
            require(name).map(Some)
        } else {
            Ok(find(name))
        }
    };
    let cols = Columns {
        kernel: require("kernel")?,
        precision: require("precision")?,
        bytes_hbm: require("bytes_hbm")?,
        flops: require("flops")?,
        sm_mhz: require("sm_mhz")?,
        joules: measured("joules")?,
        latency_us: measured("latency_us")?,
        link_active_us: find("link_active_us"),
        hbm_bw_tbps: find("hbm_bw_tbps"),
        link_state: find("link_state"),
    };

    let mut records = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = record.map_err(|e| TraceError {
            path: path.to_path_buf(),
            row: Some(row),
            line: e.position().map(|p| p.line()),
            column: None,
            message: format!("not valid CSV: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() > headers.len() {
            return Err(TraceError {
                path: path.to_path_buf(),
                row: Some(row),
                line: Some(line),
                column: None,
                message: format!("has {} fields but the header has {}", record.len(), headers.len()),
            });
        }
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        let cell_err = |col: usize, message: String| TraceError {
            path: path.to_path_buf(),
            row: Some(row),
            line: Some(line),
            column: Some(headers[col].clone()),
            message,
        };
        let cell = |col: usize| -> Result<&str, TraceError> {
            match cells.get(col).map(String::as_str) {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err(cell_err(col, "missing value".into())),
            }
        };
        let number = |col: usize, strictly_positive: bool| -> Result<f64, TraceError> {
            let raw = cell(col)?;
            let v: f64 = raw
                .parse()
                .map_err(|_| cell_err(col, format!("not a number: `{raw}`")))?;
            if !v.is_finite() {
                return Err(cell_err(col, format!("not a finite number: `{raw}`")));
            }
            if v < 0.0 || (strictly_positive && v == 0.0) {
                let want = if strictly_positive { "> 0" } else { ">= 0" };
                return Err(cell_err(col, format!("must be {want} (got {raw})")));
            }
            Ok(v)
        };
        let optional = |col: Option<usize>, default: f64, strictly_positive: bool| -> Result<f64, TraceError> {
            match col {
                Some(c) if cells.get(c).is_some_and(|v| !v.is_empty()) => number(c, strictly_positive),
                _ => Ok(default),
            }
        };

        let kernel_raw = cell(cols.kernel)?;
        let class = KernelClass::from_name(kernel_raw).ok_or_else(|| {
            cell_err(
                cols.kernel,
                format!(
                    "unknown kernel class `{kernel_raw}`, expected one of {}",
                    expected_names(&KernelClass::ALL, KernelClass::name)
                ),
            )
        })?;
        let precision_raw = cell(cols.precision)?;
        let precision = Precision::from_name(precision_raw).ok_or_else(|| {
            cell_err(
                cols.precision,
                format!(
                    "unknown precision `{precision_raw}`, expected one of {}",
                    expected_names(&Precision::ALL, Precision::name)
                ),
            )
        })?;
        let link = match cols.link_state {
            Some(c) if cells.get(c).is_some_and(|v| !v.is_empty()) => {
                let raw = cell(c)?;
                LinkState::from_name(raw).ok_or_else(|| {
                    cell_err(
                        c,
                        format!(
                            "unknown link state `{raw}`, expected one of {}",
                            expected_names(&LinkState::ALL, LinkState::name)
                        ),
                    )
                })?
            }
            _ => sku.default_link,
        };
        let work = KernelWork {
            class,
            precision,
            bytes_hbm: number(cols.bytes_hbm, false)?,
            flops: number(cols.flops, false)?,
            link_active_us: optional(cols.link_active_us, 0.0, false)?,
            footprint_bytes: 0.0,
        };
        let point = OperatingPoint {
            sm_mhz: number(cols.sm_mhz, true)?,
            hbm_bw_tbps: optional(cols.hbm_bw_tbps, sku.hbm_bandwidth_tbps, true)?,
            link,
        };
        let joules = cols.joules.map(|c| number(c, true)).transpose()?;
        let latency_us = cols.latency_us.map(|c| number(c, true)).transpose()?;
        if let Err(why) = sku.check(&work, &point) {
            let col = match why {
                Infeasible::NoPrecisionUnits(_) => cols.precision,
                Infeasible::ClockOutOfRange { .. } => cols.sm_mhz,
                Infeasible::BandwidthOutOfRange { .. } => cols.hbm_bw_tbps.unwrap_or(cols.sm_mhz),
                Infeasible::LinkStateUnavailable(_) => cols.link_state.unwrap_or(cols.kernel),
                _ => cols.kernel,
            };
            return Err(cell_err(col, format!("cannot run on sku `{}`: {why}", sku.id)));
        }
        rows.push(TraceRow {
            row,
            work,
            point,
            joules,
            latency_us,
        });
        records.push(cells);
    }
    if rows.is_empty() {
        return Err(file_err(None, "no data rows".into()));
    }
    Ok(Trace {
        path: path.to_path_buf(),
        headers,
        records,
        rows,
        synthetic,
    })
}
