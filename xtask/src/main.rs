//! `cargo xtask`: project automation. `test` is the full suite CI runs (it installs missing tools with apt-get).

mod bench;
mod frontiers;
mod rtl;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test        the full suite: installs missing tools, fmt check, clippy -D warnings, every test
  rtl         regenerate rtl/ from examples/racks/*.toml and run the RTL checks (--check: fail if rtl/ changed)
  frontiers   regenerate examples/frontiers/<sku>/ for every examples/*.riir x examples/skus/*.toml
  bench       whole-module search benchmark (criterion) beside its NumPy reimplementation, with the ratio";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("rtl") => rtl::run(&args[1..]),
        Some("frontiers") => frontiers::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
