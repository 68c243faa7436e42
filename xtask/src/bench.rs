//! `cargo xtask bench`: the whole-module search benchmark beside its NumPy reimplementation, on the same inputs.
//!
//! 1. Exports the inputs (`pareto-search/examples/bench_inputs.rs` → `target/bench/search_inputs.json`).
//! 2. Runs the criterion benchmarks `search/llama-3-70b-*` (`pareto-search/benches/search.rs`): the whole module
//!    (1124 ops) and the same inputs the script gets (the step's distinct kernels).
//! 3. Installs numpy with pip when it is missing, then runs `bench/numpy_search.py` on the exported inputs;
//!    the script fails unless its frontiers have the same sizes as Rust's.
//! 4. Prints both mean times and their ratio.

use std::path::Path;
use std::process::Command;

use crate::test::{step, workspace_root};

const BENCH: &str = "search/llama-3-70b";

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let inputs = root.join("target/bench/search_inputs.json");
    std::fs::create_dir_all(inputs.parent().unwrap()).map_err(|e| format!("cannot create target/bench: {e}"))?;
    let inputs_str = inputs.to_str().ok_or("non-UTF-8 target path")?;
    step(
        &root,
        "cargo",
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "pareto-search",
            "--example",
            "bench_inputs",
            "--",
            inputs_str,
        ],
    )?;
    step(
        &root,
        "cargo",
        &["bench", "-p", "pareto-search", "--bench", "search", "--", BENCH],
    )?;
    let module_s =
        criterion_mean_s(&root.join("target/criterion/search/llama-3-70b-decode_4-skus/new/estimates.json"))?;
    let rust_s = criterion_mean_s(&root.join("target/criterion/search/llama-3-70b-kernels_4-skus/new/estimates.json"))?;

    if !python_has_numpy() {
        println!("xtask: numpy is missing; installing it with pip");
        let plain = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "numpy"])
            .status();
        if !plain.map(|s| s.success()).unwrap_or(false) {
            step(
                &root,
                "python3",
                &["-m", "pip", "install", "--quiet", "--break-system-packages", "numpy"],
            )?;
        }
    }
    println!("xtask: $ python3 bench/numpy_search.py {inputs_str}");
    let out = Command::new("python3")
        .args(["bench/numpy_search.py", inputs_str])
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "bench/numpy_search.py failed ({}): {stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let numpy_s = json_number(&stdout, "\"mean_s\":").ok_or_else(|| format!("no mean_s in: {stdout}"))?;
    let points_match = stdout.contains("\"points_match\": true");
    let kernels = json_number(&stdout, "\"kernels\":").ok_or_else(|| format!("no kernels in: {stdout}"))?;
    println!("numpy result: {}", stdout.trim());
    println!();
    println!("Llama-3-70B decode step on 4 SKUs (criterion means; numpy: mean of 20 runs):");
    println!(
        "  rust, whole module (ops -> kernels -> search)        {:>9.3} ms",
        module_s * 1e3
    );
    println!(
        "  rust, same inputs as numpy ({kernels:>3} distinct kernels)  {:>9.3} ms",
        rust_s * 1e3
    );
    println!(
        "  numpy, same inputs                                   {:>9.3} ms",
        numpy_s * 1e3
    );
    println!(
        "  ratio numpy / rust (same inputs)                     {:>9.1}x",
        numpy_s / rust_s
    );
    println!(
        "  ratio numpy / rust (whole module)                    {:>9.1}x",
        numpy_s / module_s
    );
    println!("  frontiers: same sizes; same points: {points_match}");
    Ok(())
}

fn python_has_numpy() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The number after `key` in a JSON text (enough for criterion's and the script's flat outputs).
fn json_number(text: &str, key: &str) -> Option<f64> {
    let at = text.find(key)? + key.len();
    let rest = text[at..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Criterion's mean estimate, seconds (`estimates.json` holds nanoseconds; criterion writes `/` in a
/// benchmark name as `_` in its directory name).
fn criterion_mean_s(path: &Path) -> Result<f64, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mean = text.find("\"mean\"").ok_or("no mean in criterion's estimates")?;
    let ns = json_number(&text[mean..], "\"point_estimate\":").ok_or("no point_estimate in criterion's estimates")?;
    Ok(ns * 1e-9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_after_keys() {
        assert_eq!(
            json_number("{\"mean_s\": 0.0123, \"x\": 1}", "\"mean_s\":"),
            Some(0.0123)
        );
        assert_eq!(
            json_number("{\"point_estimate\":1.5e6}", "\"point_estimate\":"),
            Some(1.5e6)
        );
        assert_eq!(json_number("{}", "\"mean_s\":"), None);
    }
}
