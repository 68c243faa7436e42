//! `riirc import-mlir FILE.mlir -o OUT.riir`: converts a `riir` MLIR file back to RIIR text after the same
//! checks as `verify-mlir`. RIIR → MLIR → RIIR is the identity.

use std::path::PathBuf;

#[cfg(feature = "mlir")]
use crate::exit::CliError;
use crate::exit::CliResult;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The MLIR file to convert; `-` reads standard input.
    pub file: PathBuf,
    /// Where to write the RIIR text (written to a temporary file, then renamed). Standard output when absent.
    #[arg(short, long, value_name = "OUT.riir")]
    pub output: Option<PathBuf>,
}

#[cfg(feature = "mlir")]
pub fn run(args: Args) -> CliResult {
    if args.output.as_ref() == Some(&args.file) {
        return Err(CliError::Usage(format!(
            "-o {} would overwrite the MLIR input; choose another output file",
            args.file.display()
        )));
    }
    let (name, source) = super::verify_mlir::read_source(&args.file)?;
    let checked = riir_dialect::mlir::verify::check_mlir(&source, &name);
    for d in &checked.diagnostics {
        eprintln!("{d}");
    }
    let module = checked.module.ok_or(CliError::Reported)?;
    let text = riir_dialect::print_module(&module);
    match &args.output {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => write_atomically(path, text.as_bytes()),
    }
}

#[cfg(not(feature = "mlir"))]
pub fn run(_args: Args) -> CliResult {
    Err(super::verify_mlir::without_mlir())
}

/// Writes next to `path`, then renames over it, so a reader never sees half a file.
#[cfg(feature = "mlir")]
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> CliResult {
    use std::io::Write;
    let fail = |e: std::io::Error| CliError::Input(format!("cannot write {}: {e}", path.display()));
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
