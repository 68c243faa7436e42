//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod check;
pub mod fmt;

use crate::exit::CliResult;
use clap::Subcommand;

pub mod calibrate;
pub mod predict;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and verify RIIR files; print errors and warnings (exit 1 on errors).
    Check(check::Args),
    /// Print a RIIR file in canonical form (or rewrite it with --in-place).
    Fmt(fmt::Args),
    /// Fit a SKU's energy/latency model to measured traces; report R², MAPE, k-fold CV and per-class errors.
    Calibrate(calibrate::Args),
    /// Predict joules and latency for every row of a CSV with a SKU's model.
    Predict(predict::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Predict(args) => predict::run(args),
    }
}
