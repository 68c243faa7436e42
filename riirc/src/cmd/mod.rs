//! The subcommand registry: one file per subcommand, each with `Args` and `run(args) -> CliResult`.

use crate::exit::CliResult;
use clap::Subcommand;

pub mod emit_verilog;

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate the Verilog power arbiter for a rack file.
    EmitVerilog(emit_verilog::Args),
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::EmitVerilog(args) => emit_verilog::run(args),
    }
}
