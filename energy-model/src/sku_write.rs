//! Writes calibrated coefficients into a SKU file's text (keeping its datasheet part and comments), and
//! writes files atomically.
//!
//! The `[model]` tables of the input are replaced as a whole and appended at the end, numbers printed in
//! Rust's shortest round-trip form, so reading the file back gives bit-identical coefficients (and the
//! same `model_hash`).

use crate::kinds::Precision;
use crate::model::Model;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Where a calibration came from; written to `[model.calibration]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    /// Trace paths as given on the command line.
    pub traces: Vec<String>,
    /// True when any trace is marked synthetic: such a file is a test artefact, not a calibrated SKU.
    pub synthetic: bool,
    pub rows: u64,
}

/// A TOML float that parses back to exactly `x`.
fn float(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:e}")
    } else {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    }
}

fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// The SKU text with its `[model]` tables replaced by `models` and `provenance`.
pub fn with_coefficients(text: &str, models: &[Model], provenance: &Provenance) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    doc.remove("model");
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let forms: Vec<String> = models
        .iter()
        .map(|m| quoted(crate::EnergyModel::form(m).name()))
        .collect();
    let traces: Vec<String> = provenance.traces.iter().map(|t| quoted(t)).collect();
    out.push_str("\n# Written by `riirc calibrate`; coefficients fitted to the traces below.\n");
    if provenance.synthetic {
        out.push_str("# SYNTHETIC: fitted to synthetic traces. A test artefact, never a calibrated SKU.\n");
    }
    let _ = writeln!(out, "[model.calibration]");
    let _ = writeln!(out, "traces = [{}]", traces.join(", "));
    let _ = writeln!(out, "synthetic = {}", provenance.synthetic);
    let _ = writeln!(out, "rows = {}", provenance.rows);
    let _ = writeln!(out, "forms = [{}]", forms.join(", "));
    for model in models {
        match model {
            Model::Physical(c) => {
                let _ = writeln!(out, "\n[model.physical]");
                let _ = writeln!(out, "t_launch_us = {}", float(c.t_launch_us));
                let _ = writeln!(out, "eta_bw = {}", float(c.eta_bw));
                let _ = writeln!(out, "eta_compute = {}", float(c.eta_compute));
                let _ = writeln!(out, "p_static_w = {}", float(c.p_static_w));
                let _ = writeln!(out, "p_clock_w = {}", float(c.p_clock_w));
                let _ = writeln!(out, "e_byte_pj = {}", float(c.e_byte_pj));
                let _ = writeln!(out, "link_scale = {}", float(c.link_scale));
                let _ = writeln!(out, "\n[model.physical.e_flop_pj]");
                for p in Precision::ALL {
                    let _ = writeln!(out, "{p} = {}", float(c.e_flop_pj[p.index()]));
                }
            }
            Model::Seed(c) => {
                let _ = writeln!(out, "\n[model.seed]");
                let names = [
                    "a0_j",
                    "a1_j_per_byte",
                    "a2_j_per_flop",
                    "a3_j_per_link_us",
                    "a4_j_per_mhz3",
                ];
                for (name, v) in names.iter().zip(c.a) {
                    let _ = writeln!(out, "{name} = {}", float(v));
                }
                let names = ["b0_us", "b1_us_per_byte", "b2_us_mhz_per_flop", "b3_us_per_link_us"];
                for (name, v) in names.iter().zip(c.b) {
                    let _ = writeln!(out, "{name} = {}", float(v));
                }
            }
        }
    }
    Ok(out)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: readers never see a
/// half-written file, and a failure leaves no partial output behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::float;

    #[test]
    fn floats_round_trip_through_toml() {
        for x in [
            0.0,
            1.0,
            -2.5,
            1.234e-12,
            3.35e12,
            987.654321,
            1e-3,
            999999.9,
            0.1 + 0.2,
        ] {
            let text = format!("x = {}", float(x));
            let v: toml::Value = toml::from_str(&text).unwrap();
            assert_eq!(v["x"].as_float(), Some(x), "{text}");
        }
    }
}
