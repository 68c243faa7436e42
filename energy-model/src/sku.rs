//! SKU files: parsing, validation and feasibility rules for one GPU model.
//!
//! A SKU file (`examples/skus/*.toml`) holds datasheet figures, each with a comment naming its source, and
//! optionally calibrated model coefficients (`[model.physical]`, `[model.seed]`, written by `riirc calibrate`).
//! Validation rules (each violation is an error naming `file:line:col` and the key):
//! - every number is finite; clocks, bandwidths, capacity and the board limit are > 0; the rest >= 0
//! - `compute.sm_mhz_levels` has exactly 4 strictly decreasing levels in (0, max_sm_mhz]
//! - `hbm.bandwidth_levels_tbps` has exactly 3 strictly decreasing levels in (0, bandwidth_tbps]
//! - at least one precision has a non-zero peak; a zero peak makes that precision infeasible
//! - `power.idle_w` < `power.board_limit_w`
//! - `link.default` and the 3 distinct `link.search` states are known names with a `link.power_w` entry;
//!   a sleep state's awake state must have one too (traffic wakes it)
//! - model coefficients, when present, are finite and efficiencies are > 0
//!
//! Unknown keys are errors, so a typo never silently falls back to a default.

use crate::kinds::{expected_names, KernelClass, LinkState, Precision};
use crate::physical::PhysicalCoefficients;
use crate::seed::SeedCoefficients;
use crate::work::{Infeasible, KernelWork, OperatingPoint};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A parsed, validated SKU. Fields are public for reading; construct it with [`Sku::load`] or [`Sku::parse`].
#[derive(Clone, Debug, PartialEq)]
pub struct Sku {
    pub id: String,
    pub name: String,
    /// Maximum SM clock, MHz.
    pub max_sm_mhz: f64,
    /// The 4 SM clock levels the search may choose, MHz, highest first.
    pub sm_mhz_levels: [f64; 4],
    /// Dense (no sparsity) peak TFLOP/s at `max_sm_mhz`, indexed by [`Precision::index`]; 0 = no such units.
    pub peak_dense_tflops: [f64; 4],
    /// Full HBM bandwidth, TB/s.
    pub hbm_bandwidth_tbps: f64,
    /// The 3 HBM bandwidth levels the search may choose, TB/s, highest first.
    pub hbm_bw_levels_tbps: [f64; 3],
    /// HBM capacity, GB (10⁹ bytes).
    pub hbm_capacity_gb: f64,
    /// Board power limit, W.
    pub board_limit_w: f64,
    /// Board power with clocks up and no kernel running, W.
    pub idle_w: f64,
    /// Link power per GPU in each state, W, indexed by [`LinkState::index`]; `None` = the SKU lacks the state.
    pub link_power_w: [Option<f64>; 5],
    /// Link state assumed when a trace or input row names none.
    pub default_link: LinkState,
    /// The 3 link states the search may choose.
    pub search_link_states: [LinkState; 3],
    /// Link sleep entry and exit times, µs, and energy per transition, µJ.
    pub sleep_entry_us: f64,
    pub sleep_exit_us: f64,
    pub transition_uj: f64,
    /// Calibrated coefficients, when the file has them.
    pub physical: Option<PhysicalCoefficients>,
    pub seed: Option<SeedCoefficients>,
    /// Where the file came from (used in messages).
    pub path: PathBuf,
}

/// A SKU file error: position, key (when known) and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct SkuError {
    pub path: PathBuf,
    /// 1-based line and column, when the error has a position.
    pub line_col: Option<(usize, usize)>,
    /// Dotted key, e.g. `hbm.bandwidth_tbps`, when the error is about one key.
    pub key: Option<String>,
    pub message: String,
    /// The offending source line and the character range to underline in it, when there is a position.
    pub excerpt: Option<Box<Excerpt>>,
}

/// One source line with a highlighted character range, for caret diagnostics.
#[derive(Clone, Debug, PartialEq)]
pub struct Excerpt {
    pub line_text: String,
    /// 0-based character columns `[start, end)` within `line_text`.
    pub columns: Range<usize>,
}

impl SkuError {
    /// The source line with a caret underline, rustc style (`None` without a position):
    /// ```text
    ///    |
    /// 22 | bandwidth_tbps = -3.35
    ///    |                  ^^^^^
    /// ```
    pub fn excerpt(&self) -> Option<String> {
        let ((line, _), ex) = (self.line_col?, self.excerpt.as_ref()?);
        let gutter = line.to_string().len();
        let width = (ex.columns.end.max(ex.columns.start + 1)) - ex.columns.start;
        Some(format!(
            "{:gutter$} |\n{line} | {}\n{:gutter$} | {}{}",
            "",
            ex.line_text,
            "",
            " ".repeat(ex.columns.start),
            "^".repeat(width)
        ))
    }
}

/// The excerpt for a byte span: its first line, underlined up to the span's end or the line's end.
pub(crate) fn excerpt(text: &str, span: Range<usize>) -> Excerpt {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_text = text[line_start..line_end].trim_end_matches('\r').to_string();
    let col_start = text[line_start..start].chars().count();
    let end = span.end.clamp(start, line_end);
    let col_end = col_start + text[start..end].chars().count();
    Excerpt {
        line_text,
        columns: col_start..col_end,
    }
}

impl fmt::Display for SkuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key `{key}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

type F = Spanned<f64>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSku {
    sku: RawId,
    compute: RawCompute,
    hbm: RawHbm,
    power: RawPower,
    link: RawLink,
    model: Option<RawModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawId {
    id: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompute {
    max_sm_mhz: F,
    sm_mhz_levels: Spanned<Vec<f64>>,
    peak_dense_tflops: RawPerPrecision,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPerPrecision {
    pub(crate) fp16: F,
    pub(crate) bf16: F,
    pub(crate) fp8: F,
    pub(crate) fp4: F,
}

impl RawPerPrecision {
    fn get(&self, p: Precision) -> &F {
        match p {
            Precision::Fp16 => &self.fp16,
            Precision::Bf16 => &self.bf16,
            Precision::Fp8 => &self.fp8,
            Precision::Fp4 => &self.fp4,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHbm {
    bandwidth_tbps: F,
    bandwidth_levels_tbps: Spanned<Vec<f64>>,
    capacity_gb: F,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPower {
    board_limit_w: F,
    idle_w: F,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    default: Spanned<String>,
    search: Spanned<Vec<Spanned<String>>>,
    sleep_entry_us: F,
    sleep_exit_us: F,
    transition_uj: F,
    power_w: RawLinkPower,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinkPower {
    dsp: Option<F>,
    lpo_active: Option<F>,
    lpo_sleep: Option<F>,
    cpo_active: Option<F>,
    cpo_sleep: Option<F>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    physical: Option<RawPhysical>,
    seed: Option<RawSeed>,
    /// Provenance written by `riirc calibrate`; read back only to reject typos inside it.
    #[allow(dead_code)]
    calibration: Option<RawProvenance>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawProvenance {
    traces: Vec<String>,
    synthetic: bool,
    rows: u64,
    forms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhysical {
    t_launch_us: F,
    eta_bw: F,
    eta_compute: F,
    p_static_w: F,
    p_clock_w: F,
    e_byte_pj: F,
    e_flop_pj: RawPerPrecision,
    link_scale: F,
    class: Option<RawPerClass>,
}

/// `[model.physical.class.<name>]` tables, one per calibrated kernel class.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerClass {
    linear: Option<RawClassTerms>,
    gemm: Option<RawClassTerms>,
    attention_decode: Option<RawClassTerms>,
    attention_prefill: Option<RawClassTerms>,
    norm: Option<RawClassTerms>,
    elementwise: Option<RawClassTerms>,
    softmax: Option<RawClassTerms>,
    embedding: Option<RawClassTerms>,
    allreduce: Option<RawClassTerms>,
}

impl RawPerClass {
    /// The tables in `KernelClass::ALL` order.
    fn in_order(&self) -> [&Option<RawClassTerms>; 9] {
        [
            &self.linear,
            &self.gemm,
            &self.attention_decode,
            &self.attention_prefill,
            &self.norm,
            &self.elementwise,
            &self.softmax,
            &self.embedding,
            &self.allreduce,
        ]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClassTerms {
    t_launch_us: F,
    eta_bw: F,
    eta_compute: F,
    p_clock_w: F,
    e_byte_pj: F,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    a0_j: F,
    a1_j_per_byte: F,
    a2_j_per_flop: F,
    a3_j_per_link_us: F,
    a4_j_per_mhz3: F,
    b0_us: F,
    b1_us_per_byte: F,
    b2_us_mhz_per_flop: F,
    b3_us_per_link_us: F,
}

/// Collects validation errors against the file text.
struct Checker<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Checker<'_> {
    fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> SkuError {
        SkuError {
            path: self.path.to_path_buf(),
            line_col: Some(line_col(self.text, span.start)),
            excerpt: Some(Box::new(excerpt(self.text, span.clone()))),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    fn finite(&self, v: &F, key: &str) -> Result<f64, SkuError> {
        let x = *v.get_ref();
        if x.is_finite() {
            Ok(x)
        } else {
            Err(self.err(v.span(), key, format!("must be a finite number (got {x})")))
        }
    }

    fn positive(&self, v: &F, key: &str) -> Result<f64, SkuError> {
        let x = self.finite(v, key)?;
        if x > 0.0 {
            Ok(x)
        } else {
            Err(self.err(v.span(), key, format!("must be > 0 (got {x})")))
        }
    }

    fn non_negative(&self, v: &F, key: &str) -> Result<f64, SkuError> {
        let x = self.finite(v, key)?;
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(self.err(v.span(), key, format!("must be >= 0 (got {x})")))
        }
    }

    /// Exactly `N` finite levels, strictly decreasing, within (0, max].
    fn levels<const N: usize>(&self, v: &Spanned<Vec<f64>>, key: &str, max: f64) -> Result<[f64; N], SkuError> {
        let list = v.get_ref();
        let levels: [f64; N] = list.as_slice().try_into().map_err(|_| {
            self.err(
                v.span(),
                key,
                format!("must list exactly {N} levels, highest first (got {})", list.len()),
            )
        })?;
        for (i, &x) in levels.iter().enumerate() {
            if !x.is_finite() || x <= 0.0 || x > max {
                return Err(self.err(v.span(), key, format!("level {x} is outside (0, {max}]")));
            }
            if i > 0 && x >= levels[i - 1] {
                return Err(self.err(v.span(), key, "levels must be strictly decreasing, highest first"));
            }
        }
        Ok(levels)
    }

    fn link_state(&self, v: &Spanned<String>, key: &str, power: &[Option<f64>; 5]) -> Result<LinkState, SkuError> {
        let state = LinkState::from_name(v.get_ref()).ok_or_else(|| {
            self.err(
                v.span(),
                key,
                format!(
                    "unknown link state `{}`, expected one of {}",
                    v.get_ref(),
                    expected_names(&LinkState::ALL, LinkState::name)
                ),
            )
        })?;
        if power[state.index()].is_none() {
            return Err(self.err(
                v.span(),
                key,
                format!("link state `{state}` has no `link.power_w.{state}` entry"),
            ));
        }
        Ok(state)
    }

    fn per_precision(&self, raw: &RawPerPrecision, key: &str) -> Result<[f64; 4], SkuError> {
        let mut out = [0.0; 4];
        for p in Precision::ALL {
            out[p.index()] = self.non_negative(raw.get(p), &format!("{key}.{p}"))?;
        }
        Ok(out)
    }

    fn per_precision_finite(&self, raw: &RawPerPrecision, key: &str) -> Result<[f64; 4], SkuError> {
        let mut out = [0.0; 4];
        for p in Precision::ALL {
            out[p.index()] = self.finite(raw.get(p), &format!("{key}.{p}"))?;
        }
        Ok(out)
    }
}

impl Sku {
    /// Reads and validates a SKU file.
    pub fn load(path: &Path) -> Result<Sku, SkuError> {
        let text = std::fs::read_to_string(path).map_err(|e| SkuError {
            path: path.to_path_buf(),
            line_col: None,
            key: None,
            message: format!("cannot read: {e}"),
            excerpt: None,
        })?;
        Sku::parse(&text, path)
    }

    /// Parses and validates SKU text; `path` is used only in messages and kept in [`Sku::path`].
    pub fn parse(text: &str, path: &Path) -> Result<Sku, SkuError> {
        let raw: RawSku = toml::from_str(text).map_err(|e| SkuError {
            path: path.to_path_buf(),
            line_col: e.span().map(|s| line_col(text, s.start)),
            excerpt: e.span().map(|s| Box::new(excerpt(text, s))),
            key: None,
            message: e.message().trim_end().to_string(),
        })?;
        let c = Checker { text, path };

        if raw.sku.id.get_ref().trim().is_empty() {
            return Err(c.err(raw.sku.id.span(), "sku.id", "must not be empty"));
        }
        let max_sm_mhz = c.positive(&raw.compute.max_sm_mhz, "compute.max_sm_mhz")?;
        let sm_mhz_levels = c.levels::<4>(&raw.compute.sm_mhz_levels, "compute.sm_mhz_levels", max_sm_mhz)?;
        let peak_dense_tflops = c.per_precision(&raw.compute.peak_dense_tflops, "compute.peak_dense_tflops")?;
        if peak_dense_tflops.iter().all(|&p| p == 0.0) {
            let span = raw.compute.peak_dense_tflops.fp16.span();
            return Err(c.err(
                span,
                "compute.peak_dense_tflops",
                "at least one precision needs a peak > 0",
            ));
        }
        let hbm_bandwidth_tbps = c.positive(&raw.hbm.bandwidth_tbps, "hbm.bandwidth_tbps")?;
        let hbm_bw_levels_tbps = c.levels::<3>(
            &raw.hbm.bandwidth_levels_tbps,
            "hbm.bandwidth_levels_tbps",
            hbm_bandwidth_tbps,
        )?;
        let hbm_capacity_gb = c.positive(&raw.hbm.capacity_gb, "hbm.capacity_gb")?;
        let board_limit_w = c.positive(&raw.power.board_limit_w, "power.board_limit_w")?;
        let idle_w = c.non_negative(&raw.power.idle_w, "power.idle_w")?;
        if idle_w >= board_limit_w {
            return Err(c.err(
                raw.power.idle_w.span(),
                "power.idle_w",
                format!("must be below power.board_limit_w ({board_limit_w})"),
            ));
        }

        let lp = &raw.link.power_w;
        let raw_power = [&lp.dsp, &lp.lpo_active, &lp.lpo_sleep, &lp.cpo_active, &lp.cpo_sleep];
        let mut link_power_w = [None; 5];
        for state in LinkState::ALL {
            if let Some(v) = raw_power[state.index()] {
                link_power_w[state.index()] = Some(c.non_negative(v, &format!("link.power_w.{state}"))?);
            }
        }
        for state in LinkState::ALL {
            if let Some(v) = raw_power[state.index()] {
                if state.is_sleep() && link_power_w[state.awake().index()].is_none() {
                    return Err(c.err(
                        v.span(),
                        &format!("link.power_w.{state}"),
                        format!("sleep state needs its awake state `{}` too", state.awake()),
                    ));
                }
            }
        }
        let default_link = c.link_state(&raw.link.default, "link.default", &link_power_w)?;
        let search = raw.link.search.get_ref();
        if search.len() != 3 {
            return Err(c.err(
                raw.link.search.span(),
                "link.search",
                format!("must list exactly 3 link states (got {})", search.len()),
            ));
        }
        let mut search_link_states = [LinkState::Dsp; 3];
        for (i, s) in search.iter().enumerate() {
            let state = c.link_state(s, "link.search", &link_power_w)?;
            if search_link_states[..i].contains(&state) {
                return Err(c.err(s.span(), "link.search", format!("link state `{state}` is listed twice")));
            }
            search_link_states[i] = state;
        }
        let sleep_entry_us = c.non_negative(&raw.link.sleep_entry_us, "link.sleep_entry_us")?;
        let sleep_exit_us = c.non_negative(&raw.link.sleep_exit_us, "link.sleep_exit_us")?;
        let transition_uj = c.non_negative(&raw.link.transition_uj, "link.transition_uj")?;

        let (physical, seed) = match &raw.model {
            None => (None, None),
            Some(m) => (
                m.physical.as_ref().map(|p| physical_coefficients(&c, p)).transpose()?,
                m.seed.as_ref().map(|s| seed_coefficients(&c, s)).transpose()?,
            ),
        };

        Ok(Sku {
            id: raw.sku.id.into_inner(),
            name: raw.sku.name,
            max_sm_mhz,
            sm_mhz_levels,
            peak_dense_tflops,
            hbm_bandwidth_tbps,
            hbm_bw_levels_tbps,
            hbm_capacity_gb,
            board_limit_w,
            idle_w,
            link_power_w,
            default_link,
            search_link_states,
            sleep_entry_us,
            sleep_exit_us,
            transition_uj,
            physical,
            seed,
            path: path.to_path_buf(),
        })
    }

    /// Dense peak at max clock for a precision, TFLOP/s (0 = no such units).
    pub fn peak_tflops(&self, p: Precision) -> f64 {
        self.peak_dense_tflops[p.index()]
    }

    /// Link power in a state, W, or `None` when the SKU lacks the state.
    pub fn link_power(&self, state: LinkState) -> Option<f64> {
        self.link_power_w[state.index()]
    }

    /// Whether the SKU can run this precision at all; the reason when it cannot.
    pub fn precision_feasible(&self, p: Precision) -> Result<(), Infeasible> {
        if self.peak_tflops(p) > 0.0 {
            Ok(())
        } else {
            Err(Infeasible::NoPrecisionUnits(p))
        }
    }

    /// Structural feasibility of running `work` at `point` (precision units, clock and bandwidth ranges, link
    /// state, capacity, valid numbers). Power against the board limit is checked by
    /// [`crate::EnergyModel::predict`], since it needs a model.
    pub fn check(&self, work: &KernelWork, point: &OperatingPoint) -> Result<(), Infeasible> {
        self.check_work(work)?;
        self.check_point(point)?;
        self.check_footprint(work)
    }

    /// The first two of [`Sku::check`]'s rules, which read only the work: its numbers, then its precision.
    pub fn check_work(&self, work: &KernelWork) -> Result<(), Infeasible> {
        for (value, field) in [
            (work.bytes_hbm, "bytes_hbm"),
            (work.flops, "flops"),
            (work.link_active_us, "link_active_us"),
            (work.footprint_bytes, "footprint_bytes"),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(Infeasible::InvalidWork(field));
            }
        }
        self.precision_feasible(work.precision)
    }

    /// [`Sku::check`]'s rules on the operating point alone: the clock, the bandwidth, the link state.
    pub fn check_point(&self, point: &OperatingPoint) -> Result<(), Infeasible> {
        self.check_clock(point.sm_mhz)?;
        self.check_bandwidth(point.hbm_bw_tbps)?;
        self.check_link(point.link)
    }

    /// [`Sku::check_point`]'s first rule: the clock is in (0, max_sm_mhz].
    #[inline]
    pub fn check_clock(&self, sm_mhz: f64) -> Result<(), Infeasible> {
        if !(sm_mhz > 0.0 && sm_mhz <= self.max_sm_mhz) {
            return Err(Infeasible::ClockOutOfRange {
                sm_mhz,
                max_sm_mhz: self.max_sm_mhz,
            });
        }
        Ok(())
    }

    /// [`Sku::check_point`]'s second rule: the HBM bandwidth is in (0, bandwidth_tbps].
    #[inline]
    pub fn check_bandwidth(&self, hbm_bw_tbps: f64) -> Result<(), Infeasible> {
        if !(hbm_bw_tbps > 0.0 && hbm_bw_tbps <= self.hbm_bandwidth_tbps) {
            return Err(Infeasible::BandwidthOutOfRange {
                hbm_bw_tbps,
                max_tbps: self.hbm_bandwidth_tbps,
            });
        }
        Ok(())
    }

    /// [`Sku::check_point`]'s last rule: the SKU has power for the link state.
    #[inline]
    pub fn check_link(&self, link: LinkState) -> Result<(), Infeasible> {
        if self.link_power(link).is_none() {
            return Err(Infeasible::LinkStateUnavailable(link));
        }
        Ok(())
    }

    /// [`Sku::check`]'s last rule: the work's footprint fits in HBM.
    pub fn check_footprint(&self, work: &KernelWork) -> Result<(), Infeasible> {
        let capacity_bytes = self.hbm_capacity_gb * 1e9;
        if work.footprint_bytes > capacity_bytes {
            return Err(Infeasible::FootprintExceedsCapacity {
                footprint_bytes: work.footprint_bytes,
                capacity_bytes,
            });
        }
        Ok(())
    }
}

fn physical_coefficients(c: &Checker<'_>, p: &RawPhysical) -> Result<PhysicalCoefficients, SkuError> {
    let mut per_class = [None; crate::physical::CLASSES];
    if let Some(classes) = &p.class {
        for (class, raw) in KernelClass::ALL.into_iter().zip(classes.in_order()) {
            if let Some(t) = raw {
                let key = |field: &str| format!("model.physical.class.{class}.{field}");
                per_class[class.index()] = Some(crate::physical::ClassTerms {
                    t_launch_us: c.finite(&t.t_launch_us, &key("t_launch_us"))?,
                    eta_bw: c.positive(&t.eta_bw, &key("eta_bw"))?,
                    eta_compute: c.positive(&t.eta_compute, &key("eta_compute"))?,
                    p_clock_w: c.finite(&t.p_clock_w, &key("p_clock_w"))?,
                    e_byte_pj: c.finite(&t.e_byte_pj, &key("e_byte_pj"))?,
                });
            }
        }
    }
    Ok(PhysicalCoefficients {
        per_class,
        t_launch_us: c.finite(&p.t_launch_us, "model.physical.t_launch_us")?,
        eta_bw: c.positive(&p.eta_bw, "model.physical.eta_bw")?,
        eta_compute: c.positive(&p.eta_compute, "model.physical.eta_compute")?,
        p_static_w: c.finite(&p.p_static_w, "model.physical.p_static_w")?,
        p_clock_w: c.finite(&p.p_clock_w, "model.physical.p_clock_w")?,
        e_byte_pj: c.finite(&p.e_byte_pj, "model.physical.e_byte_pj")?,
        e_flop_pj: c.per_precision_finite(&p.e_flop_pj, "model.physical.e_flop_pj")?,
        link_scale: c.finite(&p.link_scale, "model.physical.link_scale")?,
    })
}

fn seed_coefficients(c: &Checker<'_>, s: &RawSeed) -> Result<SeedCoefficients, SkuError> {
    Ok(SeedCoefficients {
        a: [
            c.finite(&s.a0_j, "model.seed.a0_j")?,
            c.finite(&s.a1_j_per_byte, "model.seed.a1_j_per_byte")?,
            c.finite(&s.a2_j_per_flop, "model.seed.a2_j_per_flop")?,
            c.finite(&s.a3_j_per_link_us, "model.seed.a3_j_per_link_us")?,
            c.finite(&s.a4_j_per_mhz3, "model.seed.a4_j_per_mhz3")?,
        ],
        b: [
            c.finite(&s.b0_us, "model.seed.b0_us")?,
            c.finite(&s.b1_us_per_byte, "model.seed.b1_us_per_byte")?,
            c.finite(&s.b2_us_mhz_per_flop, "model.seed.b2_us_mhz_per_flop")?,
            c.finite(&s.b3_us_per_link_us, "model.seed.b3_us_per_link_us")?,
        ],
    })
}
