//! `riirc fmt FILE`: print a RIIR file in canonical form (`--in-place` rewrites it atomically, `--check` only
//! says whether it is already canonical). Only the front end must accept the file: formatting does not
//! require the verifier's ranges to hold.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exit::{CliError, CliResult};
use crate::{input, render};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The RIIR file to format; `-` reads standard input (not with `--in-place`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Rewrite FILE with its canonical form (written to a temporary file beside it, then renamed over it).
    #[arg(long, short = 'i', conflicts_with = "check")]
    pub in_place: bool,

    /// Print nothing; exit 1 when FILE is not in canonical form.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args) -> CliResult {
    if args.in_place && args.file.as_os_str() == "-" {
        return Err(CliError::Usage("`--in-place` needs a file, not standard input".into()));
    }
    let (name, bytes) = input::read(&args.file)?;
    let parsed = riir_frontend::parse_bytes(&bytes);
    let source = render::Source::new(name.clone(), &bytes);
    let module = match parsed.module {
        Some(m) if !parsed.has_errors() => m,
        _ => {
            let errors: Vec<_> = parsed.diagnostics.into_iter().filter(|d| d.is_error()).collect();
            eprint!("{}", render::render(&source, &errors, render::stderr_wants_color()));
            return Err(CliError::Reported);
        }
    };
    let kept = module.header_comments.len()
        + module.funcs.values().map(|f| f.comments.len()).sum::<usize>()
        + module.ops.values().map(|o| o.comments.len()).sum::<usize>();
    let written = riir_frontend::comments::count(&source.text);
    if written > kept {
        eprintln!(
            "warning: {name}: {} comment(s) not above a function or an op are dropped by the canonical form",
            written - kept
        );
    }
    let text = riir_dialect::print_module(&module);
    if args.check {
        return if text.as_bytes() == bytes.as_slice() {
            Ok(())
        } else {
            Err(CliError::Input(format!(
                "`{name}` is not in canonical form (run `riirc fmt --in-place`)"
            )))
        };
    }
    if args.in_place {
        if text.as_bytes() != bytes.as_slice() {
            write_atomically(&args.file, text.as_bytes())?;
        }
        return Ok(());
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| CliError::Input(format!("cannot write standard output: {e}")))
}

/// Writes `bytes` to a temporary file in `path`'s directory, then renames it over `path`, so a crash or a full
/// disk never leaves a half-written file. Keeps the original file's permissions.
fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult {
    let err = |what: &str, e: std::io::Error| CliError::Input(format!("cannot {what} `{}`: {e}", path.display()));
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| err("create a temporary file beside", e))?;
    tmp.write_all(bytes).map_err(|e| err("write", e))?;
    tmp.as_file().sync_all().map_err(|e| err("write", e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| err("replace", e.error))?;
    Ok(())
}
