//! Writing a set of output files atomically: every file's bytes are produced first, each is written to a temp
//! file in the output directory, and only when all writes succeeded are they renamed into place. An error
//! leaves no partial file (temp files are removed when dropped).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `files` (name, bytes) into `dir`, creating it when missing. Returns the paths written.
pub fn write_atomically(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut temps = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let mut t = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(dir)
            .map_err(|e| format!("cannot create a temp file in {}: {e}", dir.display()))?;
        t.write_all(bytes)
            .and_then(|_| t.as_file().sync_all())
            .and_then(|_| readable_by_all(t.as_file()))
            .map_err(|e| format!("cannot write {}: {e}", dir.join(name).display()))?;
        temps.push((t, dir.join(name)));
    }
    let mut written = Vec::with_capacity(temps.len());
    for (t, path) in temps {
        t.persist(&path)
            .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
        written.push(path);
    }
    Ok(written)
}

/// Temp files are created owner-only; outputs are ordinary files (rw-r--r--, as `>` would create them).
#[cfg(unix)]
fn readable_by_all(f: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let files = vec![
            ("a.json".to_string(), b"{}".to_vec()),
            ("b.bin".to_string(), vec![1, 2]),
        ];
        write_atomically(&out, &files).unwrap();
        assert_eq!(std::fs::read(out.join("a.json")).unwrap(), b"{}");
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where a file should go makes the rename fail after the temp files were written.
        std::fs::create_dir(dir.path().join("b.bin")).unwrap();
        std::fs::write(dir.path().join("b.bin").join("x"), b"x").unwrap();
        let files = vec![("b.bin".to_string(), vec![1])];
        assert!(write_atomically(dir.path(), &files).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("b.bin")], "no temp file is left");
    }
}
