//! Verilog power-arbiter generator: rack file + clock → `rtl/power_arbiter_<rack>.v`.
//!
//! The arbiter is the fast transient loop of the power contract (source §7.4–7.5), rebuilt without the
//! source sketch's flaws: watts are W ≥ 20 bits wide (135 kW fits at 1 W resolution), the headroom
//! `cap − rack` is exact and signed (over the cap can never read as a large budget and select plan A), and
//! there is no `W × 10` "joules" budget — thresholds are plain watts of headroom.
//!
//! Threshold derivation (also in the generated header and the README): with `n` GPUs switching together and
//! per-GPU power `P_A > P_B > P_C` from the rack file, `T[L][M]` is the headroom needed to move from plan L to
//! plan M: `0` to stay, `n·(P_M − P_L) + hysteresis_w` to step up, `n·(P_M − P_L)` (negative) to step down.
//! The enter/stay gap of a step is `n·ΔP + hysteresis_w ≥ 2 W`, so ±1 W of noise cannot make it flap.
//! The behaviour is defined by `runtime_stub::fast_loop`, which the tests co-simulate cycle by cycle.

pub mod arbiter;
pub mod ast;
pub mod rack;

pub use arbiter::HeadroomArith;
pub use rack::{Rack, RackError};

use std::io::Write;
use std::path::Path;

/// Generator options beyond the rack file.
#[derive(Clone, Debug)]
pub struct Options {
    pub sku: String,
    pub clock_mhz: u32,
    pub arith: HeadroomArith,
}

/// The default clock of the shipped RTL.
pub const DEFAULT_CLOCK_MHZ: u32 = 100;

/// The file name the arbiter for `rack` is written to under `rtl/`.
pub fn output_file_name(rack: &Rack) -> String {
    format!("power_arbiter_{}.v", rack.name)
}

/// Generates the arbiter's Verilog text for a rack.
pub fn generate(rack: &Rack, opts: &Options) -> Result<String, RackError> {
    let sku = rack.check_sku(&opts.sku)?;
    let derived = rack.derive(opts.clock_mhz)?;
    let t = &rack.toml;
    let prov = arbiter::Provenance {
        rack_file: rack.file_name.clone(),
        rack_description: t.description.clone(),
        sku,
        clock_mhz: opts.clock_mhz,
        n_gpu: t.n_gpu,
        gpu_w: [t.gpu_w.a, t.gpu_w.b, t.gpu_w.c],
        hysteresis_w: t.hysteresis_w,
        cap_w: t.cap_w,
        peak_w: t.peak_w,
        over_cap_pct: t.fast_loop.over_cap_pct,
        persist_us: t.fast_loop.persist_us,
        release_us: t.fast_loop.release_us,
        timeout_us: t.fast_loop.timeout_us,
    };
    Ok(arbiter::build(&derived, &prov, opts.arith).to_verilog())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a reader never
/// sees a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
