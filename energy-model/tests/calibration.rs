//! Calibration recovers known coefficients (proptest, both forms), the shipped synthetic trace is exactly what
//! the generator makes, and calibrated coefficients survive the round trip through a SKU file bit for bit.

mod common;

use common::sku;
use energy_model::calibrate::{calibrate, fit};
use energy_model::sku_write::{with_coefficients, Provenance};
use energy_model::synth::{self, reference_truth};
use energy_model::trace::{self, Need, TraceRow};
use energy_model::{EnergyModel, Model, ModelForm, PhysicalCoefficients, SeedCoefficients, Sku};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn rows_from(sku: &Sku, truth: &Model, n: usize, seed: u64, noise: f64) -> Vec<TraceRow> {
    synth::generate(sku, truth, n, seed, noise)
        .into_iter()
        .enumerate()
        .map(|(i, r)| TraceRow {
            row: i + 1,
            work: r.work,
            point: r.point,
            joules: Some(r.joules),
            latency_us: Some(r.latency_us),
        })
        .collect()
}

fn close(name: &str, got: f64, want: f64, tol: f64) -> Result<(), TestCaseError> {
    let rel = ((got - want) / want).abs();
    prop_assert!(rel <= tol, "{name}: got {got}, want {want} ({:.2} % off)", rel * 100.0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn physical_calibration_recovers_known_coefficients(
        gb200 in any::<bool>(),
        seed in any::<u64>(),
        launch in 2.0f64..10.0,
        eta_bw in 0.6f64..0.95,
        eta_c in 0.45f64..0.9,
        m in prop::array::uniform6(0.6f64..1.6),
    ) {
        let s = sku(if gb200 { "gb200" } else { "h100" });
        let d = PhysicalCoefficients::defaults(&s);
        let truth = PhysicalCoefficients {
            t_launch_us: launch,
            eta_bw,
            eta_compute: eta_c,
            p_static_w: d.p_static_w * m[0],
            p_clock_w: d.p_clock_w * m[1],
            e_byte_pj: d.e_byte_pj * m[2],
            e_flop_pj: [d.e_flop_pj[0] * m[3], d.e_flop_pj[1] * m[4], d.e_flop_pj[2] * m[5], d.e_flop_pj[3] * m[3]],
            link_scale: m[4],
        };
        let rows = rows_from(&s, &Model::Physical(truth), 300, seed, 0.005);
        let Model::Physical(got) = fit(&s, &rows, ModelForm::Physical).unwrap() else { unreachable!() };
        close("t_launch_us", got.t_launch_us, truth.t_launch_us, 0.05)?;
        close("eta_bw", got.eta_bw, truth.eta_bw, 0.02)?;
        close("eta_compute", got.eta_compute, truth.eta_compute, 0.02)?;
        close("p_static_w", got.p_static_w, truth.p_static_w, 0.08)?;
        close("p_clock_w", got.p_clock_w, truth.p_clock_w, 0.08)?;
        close("e_byte_pj", got.e_byte_pj, truth.e_byte_pj, 0.05)?;
        for p in 0..3 {
            close("e_flop_pj", got.e_flop_pj[p], truth.e_flop_pj[p], 0.05)?;
        }
        if gb200 {
            close("e_flop_pj[fp4]", got.e_flop_pj[3], truth.e_flop_pj[3], 0.05)?;
        } else {
            // No fp4 rows on Hopper: the coefficient stays exactly at its prior.
            prop_assert_eq!(got.e_flop_pj[3], d.e_flop_pj[3]);
        }
        close("link_scale", got.link_scale, truth.link_scale, 0.08)?;
    }

    #[test]
    fn seed_calibration_recovers_known_coefficients(
        seed in any::<u64>(),
        ma in prop::array::uniform5(0.5f64..2.0),
        mb in prop::array::uniform4(0.5f64..2.0),
    ) {
        let s = sku("h100");
        let d = SeedCoefficients::defaults(&s);
        let truth = SeedCoefficients {
            a: core::array::from_fn(|i| d.a[i] * ma[i]),
            b: core::array::from_fn(|i| d.b[i] * mb[i]),
        };
        // Less noise than the physical test: a0 and a4·sm_mhz³ are both near-constant per kernel (the clock
        // takes only 4 values), so the seed form separates them poorly; that is the form's weakness, not the fit's.
        let rows = rows_from(&s, &Model::Seed(truth), 300, seed, 0.001);
        let Model::Seed(got) = fit(&s, &rows, ModelForm::Seed).unwrap() else { unreachable!() };
        // a0 (a constant per kernel, ~0.1 % of a large kernel's energy) is the least determined term.
        close("a0", got.a[0], truth.a[0], 0.10)?;
        for i in 1..5 {
            close(&format!("a{i}"), got.a[i], truth.a[i], 0.05)?;
        }
        for i in 0..4 {
            close(&format!("b{i}"), got.b[i], truth.b[i], 0.05)?;
        }
    }
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

const SYNTHETIC_TRACE: &str = "examples/traces/synthetic/h100-synthetic.csv";

/// The committed synthetic trace, regenerated. `RIIR_BLESS=1` rewrites the file instead of comparing.
#[test]
fn the_shipped_synthetic_trace_is_what_the_generator_makes() {
    let s = sku("h100");
    let rows = synth::generate(&s, &reference_truth(&s), 300, 2026, 0.02);
    let note = "Generator: energy_model::synth::generate(examples/skus/h100.toml, reference_truth, rows = 300, seed = 2026, noise = 0.02)\n\
                Regenerate: RIIR_BLESS=1 cargo test -p energy-model --test calibration";
    let text = synth::to_csv(&rows, note);
    let path = repo(SYNTHETIC_TRACE);
    if std::env::var_os("RIIR_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == text,
        "{SYNTHETIC_TRACE} differs from the generator; re-bless with RIIR_BLESS=1"
    );
}

#[test]
fn calibrating_the_synthetic_trace_recovers_its_reference_truth() {
    let s = sku("h100");
    let t = trace::read(&repo(SYNTHETIC_TRACE), &s, Need::Calibration).unwrap();
    assert!(t.synthetic, "the synthetic trace must be detected as synthetic");
    let cal = calibrate(&s, &t.rows, ModelForm::Physical, 5).unwrap();
    let Model::Physical(got) = cal.model else {
        unreachable!()
    };
    let Model::Physical(want) = reference_truth(&s) else {
        unreachable!()
    };
    for (name, g, w) in [
        ("t_launch_us", got.t_launch_us, want.t_launch_us),
        ("eta_bw", got.eta_bw, want.eta_bw),
        ("eta_compute", got.eta_compute, want.eta_compute),
        ("e_byte_pj", got.e_byte_pj, want.e_byte_pj),
        ("e_flop_pj[bf16]", got.e_flop_pj[1], want.e_flop_pj[1]),
    ] {
        assert!(((g - w) / w).abs() < 0.05, "{name}: got {g} want {w}");
    }
    let st = &cal.stats;
    assert_eq!(st.rows, 300);
    assert!(st.r2_energy > 0.99 && st.r2_latency > 0.99, "{st:?}");
    // 2 % noise on each measurement: the fit cannot do much better than ~1.6 % MAPE, nor should it do worse.
    assert!(st.mape_energy < 4.0 && st.mape_latency < 4.0, "{st:?}");
    assert!(st.cv_mape_energy < 4.0 && st.cv_mape_latency < 4.0, "{st:?}");
    assert!(
        st.cv_mape_energy >= st.mape_energy * 0.9,
        "held-out error should not beat in-sample: {st:?}"
    );
    assert_eq!(st.per_class.iter().map(|c| c.rows).sum::<usize>(), 300);

    // The source's form cannot express the roofline or the precision: it must fit clearly worse.
    let seed = calibrate(&s, &t.rows, ModelForm::Seed, 5).unwrap();
    assert!(
        seed.stats.mape_energy > 2.0 * st.mape_energy,
        "seed {:?} physical {st:?}",
        seed.stats
    );
}

#[test]
fn calibrated_coefficients_round_trip_through_the_sku_file_bit_for_bit() {
    let s = sku("h100");
    let rows = rows_from(&s, &reference_truth(&s), 120, 5, 0.02);
    let physical = fit(&s, &rows, ModelForm::Physical).unwrap();
    let seed = fit(&s, &rows, ModelForm::Seed).unwrap();
    let text = std::fs::read_to_string(&s.path).unwrap();
    let prov = Provenance {
        traces: vec!["t.csv".into()],
        synthetic: true,
        rows: 120,
    };
    let out = with_coefficients(&text, &[physical, seed], &prov).unwrap();
    assert!(out.contains("# SYNTHETIC"));
    assert!(out.contains("# NVIDIA H100 datasheet"), "datasheet comments are kept");
    let back = Sku::parse(&out, Path::new("out.toml")).unwrap();
    assert_eq!(back.model(ModelForm::Physical), physical);
    assert_eq!(back.model(ModelForm::Physical).model_hash(), physical.model_hash());
    assert_eq!(back.model(ModelForm::Seed), seed);
    // Writing again replaces the tables instead of appending a second copy.
    let again = with_coefficients(&out, &[physical], &prov).unwrap();
    assert_eq!(again.matches("[model.physical]").count(), 1);
    assert_eq!(again.matches("[model.seed]").count(), 0);
    assert!(Sku::parse(&again, Path::new("again.toml"))
        .unwrap()
        .is_calibrated(ModelForm::Physical));
}

#[test]
fn cross_validation_needs_enough_rows_and_folds() {
    let s = sku("h100");
    let rows = rows_from(&s, &reference_truth(&s), 3, 1, 0.0);
    assert!(calibrate(&s, &rows, ModelForm::Physical, 5)
        .unwrap_err()
        .to_string()
        .contains("at least 5 rows"));
    assert!(calibrate(&s, &rows, ModelForm::Physical, 1)
        .unwrap_err()
        .to_string()
        .contains("at least 2 folds"));
}
