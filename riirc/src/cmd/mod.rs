//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

pub mod lower;

use crate::exit::CliResult;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lower a model config (config.json) to one decode step of RIIR, or print its per-GPU totals.
    Lower(lower::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Lower(args) => lower::run(args),
    }
}
