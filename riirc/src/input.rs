//! Reading input files for subcommands: a path, or `-` for standard input. Contents are bytes; the front end
//! decides whether they are valid UTF-8, so that error gets a position like every other.

use std::io::Read;
use std::path::Path;

use crate::exit::{CliError, CliResult};

/// The display name and bytes of `path` (`<stdin>` for `-`).
pub fn read(path: &Path) -> CliResult<(String, Vec<u8>)> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::Input(format!("cannot read standard input: {e}")))?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok((name, bytes)),
        Err(e) => Err(CliError::Input(format!("cannot read `{name}`: {e}"))),
    }
}
