//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

use crate::exit::CliResult;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum Command {}

pub fn run(command: Command) -> CliResult {
    match command {}
}
