//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod check;
pub mod estimate;
pub mod fmt;
pub mod lower;

use crate::exit::CliResult;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and verify RIIR files; print errors and warnings (exit 1 on errors).
    Check(check::Args),
    /// Print a RIIR file in canonical form (or rewrite it with --in-place).
    Fmt(fmt::Args),
    /// Lower a model config (config.json) to one decode step of RIIR, or print its per-GPU totals.
    Lower(lower::Args),
    /// Estimate joules and latency of one decode step (a RIIR file or a model config) on a SKU.
    Estimate(estimate::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lower(args) => lower::run(args),
        Command::Estimate(args) => estimate::run(args),
    }
}
