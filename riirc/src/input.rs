//! Reading input files for subcommands: a path, or `-` for standard input. Contents are bytes; the front end
//! decides whether they are valid UTF-8, so that error gets a position like every other.

use std::io::Read;
use std::path::Path;

use crate::exit::{CliError, CliResult};

/// The display name and bytes of `path` (`<stdin>` for `-`). Reads at most one byte more than the front end
/// accepts, so a huge file is refused (with a position) instead of filling memory.
pub fn read(path: &Path) -> CliResult<(String, Vec<u8>)> {
    let limit = riir_frontend::prescan::MAX_SOURCE_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Input(format!("cannot read standard input: {e}")))?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    let name = path.display().to_string();
    let err = |e: std::io::Error| CliError::Input(format!("cannot read `{name}`: {e}"));
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(err)?;
    Ok((name, bytes))
}
