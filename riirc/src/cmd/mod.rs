//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod check;
pub mod fmt;

use crate::exit::CliResult;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and verify RIIR files; print errors and warnings (exit 1 on errors).
    Check(check::Args),
    /// Print a RIIR file in canonical form (or rewrite it with --in-place).
    Fmt(fmt::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
    }
}
