//! `riirc check FILE…`: parse and verify RIIR files, print every diagnostic (warnings too), exit 1 on errors.

use std::path::PathBuf;

use crate::exit::{CliError, CliResult};
use crate::{input, render};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// RIIR files to check; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// `human`: rustc-style diagnostics on stderr. `json`: one JSON object per diagnostic on stdout (severity,
    /// message, file, labels with 1-based line/column ranges, notes).
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: MessageFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Json,
}

pub fn run(args: Args) -> CliResult {
    let mut failed = false;
    let color = render::stderr_wants_color();
    for path in &args.files {
        // An unreadable file is reported and the others are still checked.
        let (name, bytes) = match input::read(path) {
            Ok(x) => x,
            Err(e) => {
                let _ = e.report();
                failed = true;
                continue;
            }
        };
        let checked = riir_frontend::check_bytes(&bytes);
        failed |= checked.has_errors();
        let source = render::Source::new(name, &bytes);
        match args.message_format {
            MessageFormat::Human => eprint!("{}", render::render(&source, &checked.diagnostics, color)),
            MessageFormat::Json => print!("{}", render::render_json(&source, &checked.diagnostics)),
        }
    }
    if failed {
        Err(CliError::Reported)
    } else {
        Ok(())
    }
}
