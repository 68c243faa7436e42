//! `cargo xtask frontiers`: regenerates the committed frontier outputs, every example × every SKU:
//! `examples/frontiers/<sku>/<S>.{riir,frontier.json,frontier.bin,frontier.h}` for each `examples/*.riir`
//! and each `examples/skus/<sku>.toml`, with `riirc compile`'s defaults. `riirc/tests/compile_cli.rs` fails
//! when what it regenerates differs from what is committed.

use std::path::{Path, PathBuf};

use crate::test::{step, workspace_root};

/// Files with extension `ext` directly in `dir`, sorted (so runs are reproducible).
pub fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    Ok(out)
}

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    step(&root, "cargo", &["build", "--quiet", "-p", "riirc"])?;
    let riirc = root.join("target/debug/riirc");
    let riirc = riirc.to_str().ok_or("non-UTF-8 target path")?;
    let examples = files_with_ext(&root.join("examples"), "riir")?;
    let skus = files_with_ext(&root.join("examples/skus"), "toml")?;
    for sku in &skus {
        let name = sku.file_stem().and_then(|s| s.to_str()).ok_or("bad SKU file name")?;
        let out = root.join("examples/frontiers").join(name);
        for example in &examples {
            let input = example.strip_prefix(&root).unwrap_or(example);
            let out_rel = out.strip_prefix(&root).unwrap_or(&out);
            step(
                &root,
                riirc,
                &["compile", path_str(input)?, "--sku", name, "-o", path_str(out_rel)?],
            )?;
        }
    }
    println!(
        "xtask frontiers: {} examples × {} SKUs written under examples/frontiers/",
        examples.len(),
        skus.len()
    );
    Ok(())
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str().ok_or_else(|| format!("non-UTF-8 path {}", p.display()))
}
