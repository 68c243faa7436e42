//! `riirc`: the command-line compiler. Thin by design: parse flags, call the libraries, map errors to exit codes.
//!
//! Exit codes: 0 success, 1 input error (bad file, failed verification), 2 usage error (bad flags).

mod cmd;
mod exit;
mod input;
mod render;

use clap::Parser;
use std::process::ExitCode;

/// riirc — compiles decode graphs into per-kernel energy/latency frontiers for power-contract serving.
#[derive(Parser, Debug)]
#[command(name = "riirc", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    match cmd::run(cli.command) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => e.report(),
    }
}
