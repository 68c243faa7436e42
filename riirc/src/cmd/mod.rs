//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

use crate::exit::CliResult;
use clap::Subcommand;

pub mod import_mlir;
pub mod verify_mlir;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a `riir` MLIR file: IRDL structure and field semantics, reported with MLIR locations.
    VerifyMlir(verify_mlir::Args),
    /// Convert a `riir` MLIR file back to RIIR text.
    ImportMlir(import_mlir::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::VerifyMlir(args) => verify_mlir::run(args),
        Command::ImportMlir(args) => import_mlir::run(args),
    }
}
