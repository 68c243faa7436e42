//! Rack configuration files (`examples/racks/*.toml`) and the SKU name check for `emit-verilog --sku`.
//!
//! A rack file gives the facts the arbiter's thresholds are derived from: how many GPUs switch plan together,
//! the PDU cap, and each GPU's power in plan classes A, B and C. Fast-loop timing has the source document's
//! defaults (3 %, 200 µs, 2 ms) and may be overridden in a `[fast_loop]` table.

use runtime_stub::fast_loop::{ConfigError, Derived, FastLoopConfig, RackPower, Thresholds};
use serde::Deserialize;
use std::path::Path;

/// SKUs the energy model knows (`examples/skus/<name>.toml`).
pub const KNOWN_SKUS: &[&str] = &["h100", "h200", "gb200", "mi300x"];

/// Per-GPU power in each plan class, watts.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct GpuPower {
    pub a: u32,
    pub b: u32,
    pub c: u32,
}

/// Fast-loop settings; every field defaults to the source document's value.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FastLoopToml {
    pub width_bits: u32,
    pub over_cap_pct: u32,
    pub persist_us: u32,
    pub release_us: u32,
    pub timeout_us: u32,
}

impl Default for FastLoopToml {
    fn default() -> Self {
        FastLoopToml {
            width_bits: 20,
            over_cap_pct: 3,
            persist_us: 200,
            release_us: 2000,
            // Five missed 10 kHz samples.
            timeout_us: 500,
        }
    }
}

/// One rack file.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RackToml {
    /// Free text for people; copied into the generated header.
    pub description: String,
    /// The SKU of the rack's GPUs (one of [`KNOWN_SKUS`]).
    pub sku: String,
    /// GPUs in the multicast domain the arbiter drives.
    pub n_gpu: u32,
    /// Sustained PDU cap, watts.
    pub cap_w: u32,
    /// Peak rack power (e.g. during all-reduce), watts.
    pub peak_w: u32,
    /// Extra headroom required before stepping up a plan, watts.
    pub hysteresis_w: u32,
    pub gpu_w: GpuPower,
    #[serde(default)]
    pub fast_loop: FastLoopToml,
}

/// A rack file that parsed and validated, with its name (the file stem).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rack {
    pub name: String,
    pub file_name: String,
    pub toml: RackToml,
}

/// Why a rack file or SKU name was rejected. Messages name the file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RackError {
    #[error("{path}: cannot read: {msg}")]
    Read { path: String, msg: String },
    #[error("{path}: {msg}")]
    Parse { path: String, msg: String },
    #[error("{path}: {msg}")]
    Invalid { path: String, msg: String },
    #[error("unknown SKU `{0}`: expected one of h100, h200, gb200, mi300x, or a path to an SKU .toml file")]
    UnknownSku(String),
    #[error("{path}: rack is a `{rack_sku}` rack but --sku names `{sku}`")]
    SkuMismatch {
        path: String,
        rack_sku: String,
        sku: String,
    },
}

impl Rack {
    /// Reads and validates a rack file.
    pub fn load(path: &Path) -> Result<Rack, RackError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RackError::Read {
            path: shown.clone(),
            msg: e.to_string(),
        })?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("rack").to_string();
        let file_name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("rack.toml")
            .to_string();
        Rack::parse(&shown, &name, &file_name, &text)
    }

    /// Parses rack text; `shown` is the path used in messages.
    pub fn parse(shown: &str, name: &str, file_name: &str, text: &str) -> Result<Rack, RackError> {
        let toml: RackToml = toml::from_str(text).map_err(|e| RackError::Parse {
            path: shown.to_string(),
            msg: e.to_string().trim_end().to_string(),
        })?;
        let invalid = |msg: String| RackError::Invalid {
            path: shown.to_string(),
            msg,
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(invalid(format!(
                "rack name `{name}` (the file stem) may only use letters, digits, `-` and `_`"
            )));
        }
        if !KNOWN_SKUS.contains(&toml.sku.as_str()) {
            return Err(invalid(format!(
                "sku = \"{}\": expected one of h100, h200, gb200, mi300x",
                toml.sku
            )));
        }
        if toml.cap_w == 0 || toml.cap_w > toml.peak_w {
            return Err(invalid(format!(
                "cap_w = {} must be positive and at most peak_w = {}",
                toml.cap_w, toml.peak_w
            )));
        }
        let rack = Rack {
            name: name.to_string(),
            file_name: file_name.to_string(),
            toml,
        };
        let width = rack.toml.fast_loop.width_bits;
        if width < 64 && u64::from(rack.toml.peak_w) >= (1u64 << width) {
            return Err(invalid(format!(
                "peak_w = {} W does not fit width_bits = {width}",
                rack.toml.peak_w
            )));
        }
        rack.fast_loop_config(100)
            .and_then(|c| c.derive())
            .map_err(|e| invalid(e.to_string()))?;
        Ok(rack)
    }

    pub fn rack_power(&self) -> RackPower {
        let g = &self.toml.gpu_w;
        RackPower {
            n_gpu: self.toml.n_gpu,
            gpu_w: [g.a, g.b, g.c],
            hysteresis_w: self.toml.hysteresis_w,
        }
    }

    /// The model/generator configuration at a clock frequency.
    pub fn fast_loop_config(&self, clock_mhz: u32) -> Result<FastLoopConfig, ConfigError> {
        let f = &self.toml.fast_loop;
        Ok(FastLoopConfig {
            width_bits: f.width_bits,
            clock_mhz,
            over_cap_pct: f.over_cap_pct,
            persist_us: f.persist_us,
            release_us: f.release_us,
            timeout_us: f.timeout_us,
            thresholds: Thresholds::from_rack(&self.rack_power())?,
        })
    }

    /// The validated configuration at a clock frequency, with the error naming this rack.
    pub fn derive(&self, clock_mhz: u32) -> Result<Derived, RackError> {
        self.fast_loop_config(clock_mhz)
            .and_then(|c| c.derive())
            .map_err(|e| RackError::Invalid {
                path: self.file_name.clone(),
                msg: format!("at {clock_mhz} MHz: {e}"),
            })
    }

    /// Checks `--sku` against this rack: the name must be known (or a path whose stem is) and match.
    pub fn check_sku(&self, sku_arg: &str) -> Result<String, RackError> {
        let sku = sku_name(sku_arg)?;
        if sku != self.toml.sku {
            return Err(RackError::SkuMismatch {
                path: self.file_name.clone(),
                rack_sku: self.toml.sku.clone(),
                sku,
            });
        }
        Ok(sku)
    }
}

/// The SKU name of an `--sku` argument: a known name, or a path (`examples/skus/h100.toml`) whose stem is one.
pub fn sku_name(arg: &str) -> Result<String, RackError> {
    let stem = if arg.ends_with(".toml") || arg.contains('/') {
        Path::new(arg).file_stem().and_then(|s| s.to_str()).unwrap_or(arg)
    } else {
        arg
    };
    let lower = stem.to_ascii_lowercase();
    if KNOWN_SKUS.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(RackError::UnknownSku(arg.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVL72: &str = r#"
description = "test"
sku = "gb200"
n_gpu = 72
cap_w = 120000
peak_w = 135000
hysteresis_w = 500
[gpu_w]
a = 1200
b = 1000
c = 800
"#;

    #[test]
    fn parses_with_source_defaults() {
        let r = Rack::parse("nvl72.toml", "nvl72", "nvl72.toml", NVL72).unwrap();
        assert_eq!(r.toml.fast_loop, FastLoopToml::default());
        let d = r.derive(100).unwrap();
        assert_eq!(d.persist_cycles, 20_000);
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let bad = NVL72.replace("n_gpu = 72", "n_gpu = \"many\"");
        let e = Rack::parse("r.toml", "r", "r.toml", &bad).unwrap_err().to_string();
        assert!(e.starts_with("r.toml: "), "{e}");
        assert!(e.contains("line 4, column 9"), "{e}");
    }

    #[test]
    fn rejects_unknown_fields_and_bad_values() {
        let e = Rack::parse("r.toml", "r", "r.toml", &format!("{NVL72}\nbogus = 1"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bogus"), "{e}");
        let e = Rack::parse("r.toml", "r", "r.toml", &NVL72.replace("b = 1000", "b = 1300"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("strictly decrease"), "{e}");
        let e = Rack::parse(
            "r.toml",
            "r",
            "r.toml",
            &NVL72.replace("peak_w = 135000", "peak_w = 2000000"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("does not fit width_bits"), "{e}");
    }

    #[test]
    fn sku_names_and_paths() {
        assert_eq!(sku_name("gb200").unwrap(), "gb200");
        assert_eq!(sku_name("examples/skus/h100.toml").unwrap(), "h100");
        assert!(matches!(sku_name("tpu"), Err(RackError::UnknownSku(_))));
        let r = Rack::parse("nvl72.toml", "nvl72", "nvl72.toml", NVL72).unwrap();
        assert!(matches!(r.check_sku("h100"), Err(RackError::SkuMismatch { .. })));
    }
}
