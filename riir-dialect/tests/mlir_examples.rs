//! MLIR emission on every example under `examples/` (recursively, so annotated outputs added there are covered)
//! and on every file test under `tests/filetests/` that verifies (empty files, comments, optional blocks, …):
//! the generic-form printer is deterministic and emits every function and op (default build); with feature
//! `mlir`, `mlir-opt-22 --irdl-file=riir.irdl.mlir` accepts the output and RIIR → MLIR → RIIR is the identity.

use std::path::{Path, PathBuf};

use riir_dialect::mlir::print_mlir;
use riir_dialect::{Module, Verified};

fn riir_files(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "riir") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir), &mut out);
    out
}

/// Every example (each must verify; examples of errors, if any, are skipped by name: `*error*`, `*bad*`) and
/// every file test that verifies.
fn verified_examples() -> Vec<(PathBuf, Verified<Module>)> {
    let examples = riir_files("examples");
    assert!(!examples.is_empty(), "no examples/*.riir found");
    let mut out = Vec::new();
    for p in examples {
        let name = p.file_name().unwrap().to_string_lossy();
        if name.contains("error") || name.contains("bad") {
            continue;
        }
        let checked = riir_frontend::check_bytes(&std::fs::read(&p).unwrap());
        let module = checked
            .module
            .unwrap_or_else(|| panic!("{} does not verify: {:?}", p.display(), checked.diagnostics));
        out.push((p, module));
    }
    for p in riir_files("tests/filetests") {
        if let Some(module) = riir_frontend::check_bytes(&std::fs::read(&p).unwrap()).module {
            out.push((p, module));
        }
    }
    out
}

#[test]
fn every_example_prints_deterministically_with_every_function_and_op() {
    for (path, module) in verified_examples() {
        let mlir = print_mlir(&module);
        assert_eq!(mlir, print_mlir(&module), "{}", path.display());
        assert!(mlir.starts_with("\"builtin.module\"() ({\n"), "{}", path.display());
        assert_eq!(
            mlir.matches("\"func.func\"()").count(),
            module.funcs.len(),
            "{}",
            path.display()
        );
        assert_eq!(
            mlir.matches("\"riir.op\"(").count(),
            module.ops.len(),
            "{}",
            path.display()
        );
    }
}

#[cfg(feature = "mlir")]
mod with_mlir {
    use super::*;
    use riir_dialect::mlir::verify::verify_mlir;
    use riir_dialect::print_module;
    use std::io::Write;
    use std::process::{Command, Stdio};

    #[test]
    fn mlir_opt_accepts_every_example() {
        let irdl = concat!(env!("CARGO_MANIFEST_DIR"), "/mlir/riir.irdl.mlir");
        for (path, module) in verified_examples() {
            let mut child = Command::new("mlir-opt-22")
                .arg(format!("--irdl-file={irdl}"))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("mlir-opt-22 is required (apt-get install mlir-22-tools, or run `cargo xtask test`)");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(print_mlir(&module).as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "mlir-opt-22 rejects {}:\n{}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    #[test]
    fn riir_to_mlir_to_riir_is_the_identity_on_every_example() {
        for (path, module) in verified_examples() {
            let mlir = print_mlir(&module);
            let back = verify_mlir(&mlir, "example.mlir").unwrap_or_else(|d| panic!("{}: {d:#?}", path.display()));
            assert_eq!(print_module(&back), print_module(&module), "{}", path.display());
            // And the MLIR itself: nothing is lost that the RIIR printer would not show.
            assert_eq!(print_mlir(&back), mlir, "{}", path.display());
        }
    }
}
