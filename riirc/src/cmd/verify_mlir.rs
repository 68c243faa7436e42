//! `riirc verify-mlir FILE.mlir`: checks a `riir` MLIR file with MLIR itself (IRDL: op names, operand and
//! result counts, required attributes and their kinds) and with riirc's semantic checks (the fields inside the
//! intent dictionaries), printing every diagnostic in MLIR's format, `file:line:col: error: …`.

use std::path::PathBuf;

use crate::exit::{CliError, CliResult};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The MLIR file to check (generic or custom form, as written by `riirc compile --emit mlir` or
    /// `mlir-opt-22`); `-` reads standard input.
    pub file: PathBuf,

    /// `human`: MLIR-style `file:line:col: error: …` lines on stderr. `json`: one JSON object per diagnostic on
    /// stdout (severity, message, file, 1-based line and column — null when MLIR has no position — and notes).
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: super::check::MessageFormat,
}

#[cfg(feature = "mlir")]
pub fn run(args: Args) -> CliResult {
    let (name, source) = read_source(&args.file)?;
    let checked = riir_dialect::mlir::verify::check_mlir(&source, &name);
    let json = args.message_format == super::check::MessageFormat::Json;
    for d in &checked.diagnostics {
        if json {
            println!("{}", diagnostic_json(d));
        } else {
            eprintln!("{d}");
        }
    }
    match checked.module {
        Some(module) if !json => {
            println!(
                "{name}: ok ({} function(s), {} riir.op(s))",
                module.funcs.len(),
                module.ops.len()
            );
            Ok(())
        }
        Some(_) => Ok(()),
        None => Err(CliError::Reported),
    }
}

#[cfg(not(feature = "mlir"))]
pub fn run(_args: Args) -> CliResult {
    Err(without_mlir())
}

/// `{"severity": …, "message": …, "file": …, "line": …, "column": …, "notes": […]}`
#[cfg(feature = "mlir")]
fn diagnostic_json(d: &riir_dialect::mlir::context::MlirDiagnostic) -> serde_json::Value {
    let p = d.position.as_ref();
    serde_json::json!({
        "severity": d.severity,
        "message": d.message,
        "file": p.map(|p| p.file.as_str()),
        "line": p.map(|p| p.line),
        "column": p.map(|p| p.column),
        "notes": d.notes.iter().map(diagnostic_json).collect::<Vec<_>>(),
    })
}

/// Reads an MLIR file (or `-` for standard input) as text: its display name and contents.
#[cfg(feature = "mlir")]
pub fn read_source(path: &std::path::Path) -> CliResult<(String, String)> {
    let (name, bytes) = crate::input::read(path)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => Err(CliError::Input(format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))),
    }
}

/// The error of the MLIR subcommands in a build without LLVM: a usage error that says how to get them.
#[cfg(not(feature = "mlir"))]
pub fn without_mlir() -> CliError {
    CliError::Usage(
        "this riirc was built without MLIR support; rebuild with `cargo build -p riirc --features mlir` \
         (needs LLVM/MLIR 22: see the README's MLIR section)"
            .into(),
    )
}
