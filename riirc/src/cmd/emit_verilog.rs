//! `riirc emit-verilog`: generates the Verilog power arbiter for one rack file.

use crate::exit::{CliError, CliResult};
use codegen::verilog::{self, HeadroomArith, Options, Rack, RackError};
use std::path::PathBuf;

/// Generate the fast-loop power arbiter (module `power_arbiter`) for a rack.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// GPU SKU of the rack: h100, h200, gb200, mi300x, or a path to an SKU file whose stem is one of them.
    /// It must match the rack file's `sku` and is recorded in the generated header.
    #[arg(long)]
    pub sku: String,
    /// Rack file (e.g. examples/racks/nvl72.toml): GPU count, cap, per-GPU power in plans A/B/C.
    #[arg(long)]
    pub rack: PathBuf,
    /// Arbiter clock in MHz; the 200 µs persistence, 2 ms release and timeout become cycle counts at it.
    #[arg(long, default_value_t = verilog::DEFAULT_CLOCK_MHZ, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub clock_mhz: u32,
    /// Output Verilog file (written atomically), e.g. rtl/power_arbiter_nvl72.v.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

pub fn run(args: Args) -> CliResult {
    // Check the SKU name before reading anything: an unknown name is a usage error.
    verilog::rack::sku_name(&args.sku).map_err(|e| CliError::Usage(e.to_string()))?;
    let rack = Rack::load(&args.rack).map_err(|e| CliError::Input(e.to_string()))?;
    let opts = Options {
        sku: args.sku,
        clock_mhz: args.clock_mhz,
        arith: HeadroomArith::Signed,
    };
    let text = verilog::generate(&rack, &opts).map_err(|e| match e {
        RackError::SkuMismatch { .. } => CliError::Usage(e.to_string()),
        e => CliError::Input(e.to_string()),
    })?;
    verilog::write_atomic(&args.output, text.as_bytes())
        .map_err(|e| CliError::Input(format!("{}: cannot write: {e}", args.output.display())))?;
    Ok(())
}
