//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod check;
pub mod fmt;

use crate::exit::CliResult;
use clap::Subcommand;

pub mod import_mlir;
pub mod verify_mlir;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and verify RIIR files; print errors and warnings (exit 1 on errors).
    Check(check::Args),
    /// Print a RIIR file in canonical form (or rewrite it with --in-place).
    Fmt(fmt::Args),
    /// Check a `riir` MLIR file: IRDL structure and field semantics, reported with MLIR locations.
    VerifyMlir(verify_mlir::Args),
    /// Convert a `riir` MLIR file back to RIIR text.
    ImportMlir(import_mlir::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::VerifyMlir(args) => verify_mlir::run(args),
        Command::ImportMlir(args) => import_mlir::run(args),
    }
}
