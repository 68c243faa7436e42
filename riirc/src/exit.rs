//! Exit codes and the error type every subcommand returns.

use std::process::ExitCode;

pub const OK: u8 = 0;
/// Bad input: unreadable or invalid files, failed verification.
pub const INPUT: u8 = 1;
/// Bad invocation: flags that make no sense together, missing arguments.
pub const USAGE: u8 = 2;

/// An error that ends the program. Diagnostics that were already rendered carry an empty message.
#[derive(Debug)]
pub enum CliError {
    /// Bad input; the message (if any) is printed as `error: …`.
    Input(String),
    /// Bad invocation; the message is printed as `error: …`.
    Usage(String),
    /// Diagnostics were already printed; just exit 1.
    Reported,
}

impl CliError {
    pub fn report(&self) -> ExitCode {
        match self {
            CliError::Input(m) => {
                eprintln!("error: {m}");
                ExitCode::from(INPUT)
            }
            CliError::Usage(m) => {
                eprintln!("error: {m}");
                ExitCode::from(USAGE)
            }
            CliError::Reported => ExitCode::from(INPUT),
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
