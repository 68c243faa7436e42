//! Differential co-simulation: random and bursty stimulus generated here (fixed seeds) runs through the Rust
//! reference model (`runtime_stub::fast_loop`) and the generated Verilog (iverilog, `rtl/tb/tb_cosim.v`);
//! plan and plan_strobe must agree on every cycle.
//!
//! Two runs of 1,000,000 cycles each: the committed NVL72 arbiter at 100 MHz (real 200 µs / 2 ms windows),
//! and the DGX H100 rack generated at 1 MHz, where the same windows are 200 / 2000 cycles so latches,
//! releases and timeouts happen hundreds of times.

mod common;

use codegen::verilog::{HeadroomArith, Rack};
use runtime_stub::fast_loop::{Derived, FastLoop, Input};
use std::fmt::Write as _;
use std::process::Command;

/// SplitMix64: a tiny deterministic generator, so the vectors are the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

/// Rack power of the k-th sample of a segment.
type RackGen = Box<dyn FnMut(&mut Rng, u64) -> i64>;

/// Stimulus in segments: steady load, ±1 W hovering at thresholds, over-cap bursts around the persistence
/// time, sensor gaps around the timeout, full-range random values, recoveries and the odd reset.
fn stimulus(d: &Derived, nominal_cap: u32, cycles: usize, seed: u64) -> Vec<Input> {
    let mut rng = Rng(seed);
    let max = (1i64 << d.width_bits) - 1;
    let clamp = |v: i64| v.clamp(0, max) as u32;
    let mut out = Vec::with_capacity(cycles);
    out.push(Input {
        rst: true,
        ..Input::default()
    });
    let periods = [1u64, 1, 2, 7, 100, 1000];
    while out.len() < cycles {
        let period = periods[rng.below(periods.len() as u64) as usize].max(1);
        let cap = clamp(nominal_cap as i64 + rng.range(-(nominal_cap as i64) / 8, nominal_cap as i64 / 8));
        let kind = rng.below(100);
        // (length, rack-power generator for sample k)
        let (len, mut rack_at): (u64, RackGen) = match kind {
            0..=24 => {
                let frac = rng.range(-50, 200); // headroom in 0.1 % of the cap
                let base = cap as i64 - cap as i64 * frac / 1000;
                (
                    rng.range(500, 40_000) as u64,
                    Box::new(move |r: &mut Rng, _| base + r.range(-30, 30)),
                )
            }
            25..=44 => {
                let t = d.thresholds.t[rng.below(3) as usize][rng.below(2) as usize];
                let h0 = t + rng.range(-2, 2);
                let base = cap as i64 - h0;
                (
                    rng.range(100, 5_000) as u64,
                    Box::new(move |_: &mut Rng, k| base + (k % 2) as i64),
                )
            }
            45..=64 => {
                let over = rng.range(28, 60); // 2.8 % .. 6 % over
                let base = cap as i64 + cap as i64 * over / 1000;
                let len = d.persist_cycles as i64 * rng.range(50, 150) / 100;
                (len.max(1) as u64, Box::new(move |r: &mut Rng, _| base + r.range(-5, 5)))
            }
            65..=74 => {
                let len = d.timeout_cycles as i64 * rng.range(50, 150) / 100;
                for _ in 0..len {
                    out.push(Input::default());
                }
                continue;
            }
            75..=84 => (
                rng.range(50, 3_000) as u64,
                Box::new(move |r: &mut Rng, _| r.range(0, max)),
            ),
            85..=97 => {
                let len = d.release_cycles as i64 * rng.range(80, 120) / 100;
                let base = cap as i64 / 2;
                (
                    len.max(1) as u64,
                    Box::new(move |r: &mut Rng, _| base + r.range(-100, 100)),
                )
            }
            _ => {
                for _ in 0..rng.range(1, 3) {
                    out.push(Input {
                        rst: true,
                        sample_valid: rng.below(2) == 1,
                        cap_w: cap,
                        rack_w: 0,
                    });
                }
                continue;
            }
        };
        let random_caps = (75..=84).contains(&kind);
        let mut k = 0;
        for i in 0..len {
            if i % period == 0 {
                let c = if random_caps { clamp(rng.range(0, max)) } else { cap };
                out.push(Input {
                    rst: false,
                    sample_valid: true,
                    cap_w: c,
                    rack_w: clamp(rack_at(&mut rng, k)),
                });
                k += 1;
            } else {
                // Non-valid cycles carry garbage on the data inputs: the arbiter must ignore it.
                out.push(Input {
                    rst: false,
                    sample_valid: false,
                    cap_w: rng.below(1 << 20) as u32,
                    rack_w: rng.below(1 << 20) as u32,
                });
            }
        }
    }
    out.truncate(cycles);
    out
}

struct Coverage {
    changes: usize,
    plans: [usize; 3],
}

/// Runs the model over the stimulus and writes the vector file; returns what the stimulus exercised.
fn vectors(d: &Derived, inputs: &[Input]) -> (String, Coverage) {
    let mut model = FastLoop::from_derived(*d);
    let w = d.width_bits;
    let mask = (1u64 << w) - 1;
    let digits = (2 * w as usize + 5).div_ceil(4);
    let mut text = String::with_capacity(inputs.len() * (digits + 1));
    let mut cov = Coverage {
        changes: 0,
        plans: [0; 3],
    };
    for i in inputs {
        let o = model.step(*i);
        if o.plan_strobe && !i.rst {
            cov.changes += 1;
        }
        cov.plans[o.plan as usize] += 1;
        let word: u128 = ((i.rst as u128) << (2 * w + 4))
            | ((i.sample_valid as u128) << (2 * w + 3))
            | (((i.cap_w as u64 & mask) as u128) << (w + 3))
            | (((i.rack_w as u64 & mask) as u128) << 3)
            | ((o.plan.code() as u128) << 1)
            | o.plan_strobe as u128;
        let _ = writeln!(text, "{word:0digits$x}");
    }
    (text, cov)
}

/// Runs the co-simulation and returns the testbench's summary line and what the stimulus exercised.
fn cosim(rack: &Rack, verilog: &str, clock_mhz: u32, cycles: usize, seed: u64) -> (String, Coverage) {
    let d = rack.derive(clock_mhz).unwrap();
    let inputs = stimulus(&d, rack.toml.cap_w, cycles, seed);
    let (vec_text, cov) = vectors(&d, &inputs);
    let dir = tempfile::tempdir().unwrap();
    let dut = dir.path().join("dut.v");
    let vec_path = dir.path().join("vectors.hex");
    let sim = dir.path().join("cosim.vvp");
    std::fs::write(&dut, verilog).unwrap();
    std::fs::write(&vec_path, vec_text).unwrap();
    let out = common::run(
        Command::new("iverilog")
            .args(["-g2005", "-s", "tb_cosim", "-o"])
            .arg(&sim)
            .arg(format!("-Ptb_cosim.W={}", d.width_bits))
            .arg(format!("-Ptb_cosim.N={cycles}"))
            .arg(&dut)
            .arg(common::root().join("rtl/tb/tb_cosim.v")),
    );
    assert!(out.status.success(), "iverilog failed:\n{}", common::text(&out));
    let out = common::run(
        Command::new("vvp")
            .arg("-n")
            .arg(&sim)
            .arg(format!("+vectors={}", vec_path.display())),
    );
    let text = common::text(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("cosim: "))
        .unwrap_or_else(|| panic!("{text}"));
    println!(
        "cosim {} @ {clock_mhz} MHz: {line}; model: {} plan changes, cycles in A/B/C = {:?}",
        rack.name, cov.changes, cov.plans
    );
    (line.to_string(), cov)
}

/// The stimulus must exercise every plan and many transitions, or the comparison proves little.
fn assert_strong(cov: &Coverage) {
    assert!(
        cov.changes >= 100 && cov.plans.iter().all(|&n| n >= 1000),
        "weak stimulus: {} changes, {:?}",
        cov.changes,
        cov.plans
    );
}

fn rack(name: &str) -> Rack {
    common::racks()
        .into_iter()
        .map(|(r, _)| r)
        .find(|r| r.name == name)
        .unwrap()
}

#[test]
fn nvl72_at_100_mhz_matches_the_reference_model_for_1m_cycles() {
    common::require("iverilog");
    let r = rack("nvl72");
    let committed = std::fs::read_to_string(common::root().join("rtl/power_arbiter_nvl72.v")).unwrap();
    let (line, cov) = cosim(&r, &committed, 100, 1_000_000, 0x5EED_0001);
    assert_eq!(line, "cosim: 1000000 cycles, 0 mismatches");
    assert_strong(&cov);
}

#[test]
fn dgx_h100_at_1_mhz_matches_the_reference_model_for_1m_cycles() {
    common::require("iverilog");
    let r = rack("dgx-h100");
    let v = common::generate(&r, 1, HeadroomArith::Signed);
    let (line, cov) = cosim(&r, &v, 1, 1_000_000, 0x5EED_0002);
    assert_eq!(line, "cosim: 1000000 cycles, 0 mismatches");
    assert_strong(&cov);
}

#[test]
fn cosim_catches_the_source_unsigned_subtraction() {
    common::require("iverilog");
    let r = rack("dgx-h100");
    let mutant = common::generate(&r, 1, HeadroomArith::SeedUnsignedWrap);
    let (line, _) = cosim(&r, &mutant, 1, 100_000, 0x5EED_0003);
    assert!(!line.ends_with(" 0 mismatches"), "the mutant went unnoticed: {line}");
}

#[test]
fn the_stimulus_is_deterministic() {
    let r = rack("nvl72");
    let d = r.derive(100).unwrap();
    assert_eq!(stimulus(&d, 120_000, 50_000, 7), stimulus(&d, 120_000, 50_000, 7));
}
