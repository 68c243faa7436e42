//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod calibrate;
pub mod check;
pub mod compile;
pub mod emit_verilog;
pub mod estimate;
pub mod fmt;
pub mod import_mlir;
pub mod lower;
pub mod plot_frontier;
pub mod predict;
pub mod verify_mlir;

use crate::exit::CliResult;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Search every op's 720-point plan space on a SKU; write annotated RIIR, frontier JSON, table and C header.
    Compile(compile::Args),
    /// Parse and verify RIIR files; print errors and warnings (exit 1 on errors).
    Check(check::Args),
    /// Print a RIIR file in canonical form (or rewrite it with --in-place).
    Fmt(fmt::Args),
    /// Lower a model config (config.json) to one decode step of RIIR, or print its per-GPU totals.
    Lower(lower::Args),
    /// Estimate joules and latency of one decode step (a RIIR file or a model config) on a SKU.
    Estimate(estimate::Args),
    /// Fit a SKU's energy/latency model to measured traces; report R², MAPE, k-fold CV and per-class errors.
    Calibrate(calibrate::Args),
    /// Predict joules and latency for every row of a CSV with a SKU's model.
    Predict(predict::Args),
    /// Draw one op's priced points and frontier from a frontier JSON as an SVG.
    PlotFrontier(plot_frontier::Args),
    /// Generate the Verilog power arbiter for a rack file.
    EmitVerilog(emit_verilog::Args),
    /// Check a `riir` MLIR file: IRDL structure and field semantics, reported with MLIR locations.
    VerifyMlir(verify_mlir::Args),
    /// Convert a `riir` MLIR file back to RIIR text.
    ImportMlir(import_mlir::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Compile(args) => compile::run(args),
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lower(args) => lower::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Predict(args) => predict::run(args),
        Command::PlotFrontier(args) => plot_frontier::run(args),
        Command::EmitVerilog(args) => emit_verilog::run(args),
        Command::VerifyMlir(args) => verify_mlir::run(args),
        Command::ImportMlir(args) => import_mlir::run(args),
    }
}
