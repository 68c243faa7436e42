//! `riirc calibrate`: fits a SKU's energy/latency model to measured traces and reports the fit.
//!
//! Reads the SKU file and every trace (schema: energy-model's `trace` module and the README), fits the chosen
//! form (or both with `--compare`), prints R², MAPE, k-fold cross-validated MAPE and a per-kernel-class
//! breakdown, and with `-o` writes the SKU file with `[model.*]` coefficient tables, atomically.
//! Any bad input is an error before anything is written.

use crate::exit::{CliError, CliResult};
use energy_model::calibrate::{calibrate, Calibration};
use energy_model::sku_write::{with_coefficients, write_atomic, Provenance};
use energy_model::trace::{self, Need, TraceRow};
use energy_model::{ModelForm, Sku};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Model form names on the command line.
#[derive(clap::ValueEnum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum FormArg {
    /// Roofline latency and power × time + per-byte/per-flop energy (the default).
    Physical,
    /// The source document's linear form: a0 + a1·bytes + a2·flops + a3·link_us + a4·sm_mhz³.
    Seed,
}

impl From<FormArg> for ModelForm {
    fn from(f: FormArg) -> ModelForm {
        match f {
            FormArg::Physical => ModelForm::Physical,
            FormArg::Seed => ModelForm::Seed,
        }
    }
}

/// Fit a SKU's energy and latency model to measured kernel traces.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// SKU file (e.g. examples/skus/h100.toml); its current coefficients are the fit's prior.
    #[arg(long, value_name = "FILE")]
    pub sku: PathBuf,
    /// Trace CSV (kernel, precision, bytes_hbm, flops, sm_mhz, joules, latency_us, …); repeat for several.
    #[arg(long = "trace", value_name = "FILE", required = true)]
    pub traces: Vec<PathBuf>,
    /// Model form to fit.
    #[arg(long = "model", value_enum, default_value_t = FormArg::Physical)]
    pub model: FormArg,
    /// Fit both forms and print them side by side (`-o` then writes both coefficient tables).
    #[arg(long)]
    pub compare: bool,
    /// Number of cross-validation folds (at least 2; row i goes to fold i mod k).
    #[arg(long, default_value_t = 5, value_name = "K")]
    pub folds: usize,
    /// Write the SKU file with the fitted `[model.*]` tables here (atomically; nothing on error).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the report as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> CliResult {
    if args.folds < 2 {
        return Err(CliError::Usage(format!(
            "--folds must be at least 2 (got {})",
            args.folds
        )));
    }
    let sku = Sku::load(&args.sku).map_err(sku_error)?;
    let mut rows: Vec<TraceRow> = Vec::new();
    let mut synthetic = false;
    for path in &args.traces {
        let t = trace::read(path, &sku, Need::Calibration).map_err(|e| CliError::Input(e.to_string()))?;
        synthetic |= t.synthetic;
        rows.extend(t.rows);
    }
    let forms: Vec<ModelForm> = if args.compare {
        ModelForm::ALL.to_vec()
    } else {
        vec![ModelForm::from(args.model)]
    };
    let mut fits = Vec::new();
    for &form in &forms {
        let cal = calibrate(&sku, &rows, form, args.folds)
            .map_err(|e| CliError::Input(format!("calibrating the {form} form: {e}")))?;
        fits.push((form, cal));
    }
    let trace_names: Vec<String> = args.traces.iter().map(|p| p.display().to_string()).collect();

    if let Some(out) = &args.output {
        let text = std::fs::read_to_string(&args.sku)
            .map_err(|e| CliError::Input(format!("{}: cannot read: {e}", args.sku.display())))?;
        let prov = Provenance {
            traces: trace_names.clone(),
            synthetic,
            rows: rows.len() as u64,
        };
        let models: Vec<_> = fits.iter().map(|(_, c)| c.model).collect();
        let new_text = with_coefficients(&text, &models, &prov)
            .map_err(|e| CliError::Input(format!("{}: {e}", args.sku.display())))?;
        // Re-read what we are about to write: a file `riirc` cannot load back must never be written.
        Sku::parse(&new_text, out).map_err(|e| CliError::Input(format!("internal: calibrated file invalid: {e}")))?;
        write_atomic(out, new_text.as_bytes())
            .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", out.display())))?;
    }

    if args.json {
        println!("{}", json_report(&sku, &trace_names, synthetic, &fits));
    } else {
        print!("{}", text_report(&sku, &trace_names, synthetic, &fits));
    }
    if synthetic {
        eprintln!("warning: the traces are synthetic; the fit is a test artefact, not a calibrated SKU");
    }
    if let Some(out) = &args.output {
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// A SKU file error as `error: file:line:col: …` followed by the caret excerpt, when there is one.
pub fn sku_error(e: energy_model::SkuError) -> CliError {
    match e.excerpt() {
        Some(excerpt) => CliError::Input(format!("{e}\n{excerpt}")),
        None => CliError::Input(e.to_string()),
    }
}

fn text_report(sku: &Sku, traces: &[String], synthetic: bool, fits: &[(ModelForm, Calibration)]) -> String {
    let mut s = String::new();
    let rows = fits[0].1.stats.rows;
    let folds = fits[0].1.stats.folds;
    let _ = writeln!(
        s,
        "calibration of {} ({}) on {rows} rows from {}{}",
        sku.id,
        sku.name,
        traces.join(", "),
        if synthetic { " [SYNTHETIC]" } else { "" }
    );
    let _ = write!(s, "{:<28}", "");
    for (form, _) in fits {
        let _ = write!(s, "{:>12}", form.name());
    }
    s.push('\n');
    let metric = |s: &mut String, name: &str, get: &dyn Fn(&Calibration) -> f64, digits: usize| {
        let _ = write!(s, "{name:<28}");
        for (_, c) in fits {
            let _ = write!(s, "{:>12.digits$}", get(c));
        }
        s.push('\n');
    };
    metric(&mut s, "R² energy", &|c| c.stats.r2_energy, 4);
    metric(&mut s, "R² latency", &|c| c.stats.r2_latency, 4);
    metric(&mut s, "MAPE energy %", &|c| c.stats.mape_energy, 2);
    metric(&mut s, "MAPE latency %", &|c| c.stats.mape_latency, 2);
    metric(
        &mut s,
        &format!("{folds}-fold CV MAPE energy %"),
        &|c| c.stats.cv_mape_energy,
        2,
    );
    metric(
        &mut s,
        &format!("{folds}-fold CV MAPE latency %"),
        &|c| c.stats.cv_mape_latency,
        2,
    );
    let _ = writeln!(s, "per kernel class (in-sample MAPE %, energy / latency):");
    for (i, class) in fits[0].1.stats.per_class.iter().enumerate() {
        let mut line = format!("  {:<20}{:>6} rows", class.class.name(), class.rows);
        for (_, c) in fits {
            let k = &c.stats.per_class[i];
            let _ = write!(line, "   {:>7.2} / {:<7.2}", k.mape_energy, k.mape_latency);
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
    for (form, c) in fits {
        let _ = writeln!(s, "{form} coefficients: {}", coefficients_line(&c.model));
    }
    s
}

fn coefficients_line(model: &energy_model::Model) -> String {
    use energy_model::Model;
    match model {
        Model::Physical(c) => format!(
            "t_launch_us={:.3} eta_bw={:.4} eta_compute={:.4} p_static_w={:.2} p_clock_w={:.2} e_byte_pj={:.3} \
             e_flop_pj=[fp16 {:.4}, bf16 {:.4}, fp8 {:.4}, fp4 {:.4}] link_scale={:.3}",
            c.t_launch_us,
            c.eta_bw,
            c.eta_compute,
            c.p_static_w,
            c.p_clock_w,
            c.e_byte_pj,
            c.e_flop_pj[0],
            c.e_flop_pj[1],
            c.e_flop_pj[2],
            c.e_flop_pj[3],
            c.link_scale
        ),
        Model::Seed(c) => format!(
            "a=[{:.4e}, {:.4e}, {:.4e}, {:.4e}, {:.4e}] b=[{:.4e}, {:.4e}, {:.4e}, {:.4e}]",
            c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.b[0], c.b[1], c.b[2], c.b[3]
        ),
    }
}

fn json_report(sku: &Sku, traces: &[String], synthetic: bool, fits: &[(ModelForm, Calibration)]) -> String {
    use energy_model::EnergyModel;
    let forms: serde_json::Map<String, serde_json::Value> = fits
        .iter()
        .map(|(form, c)| {
            let st = &c.stats;
            let per_class: Vec<serde_json::Value> = st
                .per_class
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "class": k.class.name(), "rows": k.rows,
                        "mape_energy_pct": k.mape_energy, "mape_latency_pct": k.mape_latency,
                    })
                })
                .collect();
            let value = serde_json::json!({
                "r2_energy": st.r2_energy,
                "r2_latency": st.r2_latency,
                "mape_energy_pct": st.mape_energy,
                "mape_latency_pct": st.mape_latency,
                "cv_mape_energy_pct": st.cv_mape_energy,
                "cv_mape_latency_pct": st.cv_mape_latency,
                "folds": st.folds,
                "per_class": per_class,
                "coefficients": c.model.coefficients(),
                "model_hash": format!("{:016x}", c.model.model_hash()),
            });
            (form.name().to_string(), value)
        })
        .collect();
    let report = serde_json::json!({
        "sku": sku.id,
        "traces": traces,
        "synthetic": synthetic,
        "rows": fits[0].1.stats.rows,
        "forms": forms,
    });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}
