//! `riirc predict`: estimates joules and latency for every row of an input CSV with a SKU's model.
//!
//! Output: every input column, in order, plus `est_joules` and `est_latency_us`; one row per input row, in
//! input order. Rows are checked structurally (precision units, clock and bandwidth ranges, link state); the
//! board power limit is not applied here, since measured rows near the limit are legitimate inputs.

use crate::cmd::calibrate::{sku_error, FormArg};
use crate::exit::{CliError, CliResult};
use energy_model::sku_write::write_atomic;
use energy_model::trace::{self, Need};
use energy_model::{EnergyModel, ModelForm, Sku};
use std::io::Write as _;
use std::path::PathBuf;

/// Predict per-kernel energy and latency for the rows of a CSV.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// SKU file; its calibrated `[model.*]` coefficients are used when present, else datasheet defaults.
    #[arg(long, value_name = "FILE")]
    pub sku: PathBuf,
    /// Input CSV: kernel, precision, bytes_hbm, flops, sm_mhz required; link_active_us, hbm_bw_tbps,
    /// link_state optional; any other column (e.g. a `row` id) is passed through.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Model form to predict with.
    #[arg(long = "model", value_enum, default_value_t = FormArg::Physical)]
    pub model: FormArg,
    /// Output CSV (written atomically); standard output when absent.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

const ADDED: [&str; 2] = ["est_joules", "est_latency_us"];

pub fn run(args: Args) -> CliResult {
    let sku = Sku::load(&args.sku).map_err(sku_error)?;
    let input = trace::read(&args.input, &sku, Need::Prediction).map_err(|e| CliError::Input(e.to_string()))?;
    if let Some(dup) = input.headers.iter().find(|h| ADDED.contains(&h.as_str())) {
        return Err(CliError::Input(format!(
            "{}: the input already has a column `{dup}`, which predict adds",
            args.input.display()
        )));
    }
    let model = sku.model(ModelForm::from(args.model));
    let mut out = csv::Writer::from_writer(Vec::new());
    let write_err = |e: csv::Error| CliError::Input(format!("cannot format the output: {e}"));
    let header: Vec<&str> = input.headers.iter().map(String::as_str).chain(ADDED).collect();
    out.write_record(&header).map_err(write_err)?;
    for (row, cells) in input.rows.iter().zip(&input.records) {
        let p = model.estimate(&sku, &row.work, &row.point);
        let mut record: Vec<String> = cells.clone();
        // Short rows (trailing optional cells left off) keep the columns aligned.
        record.resize(input.headers.len(), String::new());
        record.push(format!("{}", p.joules));
        record.push(format!("{}", p.latency_us()));
        out.write_record(&record).map_err(write_err)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| CliError::Input(format!("cannot format the output: {e}")))?;
    match &args.output {
        Some(path) => {
            write_atomic(path, &bytes).map_err(|e| CliError::Input(format!("{}: cannot write: {e}", path.display())))?
        }
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| CliError::Input(format!("cannot write to standard output: {e}")))?,
    }
    Ok(())
}
