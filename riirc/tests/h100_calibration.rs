//! The committed H100 calibration: refitting the measured traces must reproduce
//! `examples/skus/h100-calibrated.toml` byte for byte (re-bless with `RIIR_BLESS=1`), its cross-validated
//! errors are the ones the README reports, and so are its end-to-end errors against the measured
//! Llama-3-70B tp 8 decode step.

use energy_model::trace::{self, Need};
use energy_model::{EnergyModel, ModelForm, OperatingPoint, Sku};
use std::path::PathBuf;
use std::process::{Command, Output};

const SKU: &str = "examples/skus/h100.toml";
const CALIBRATED: &str = "examples/skus/h100-calibrated.toml";
const TRACE: &str = "examples/traces/h100/trace.csv";
const MEASUREMENT: &str = "examples/measurements/llama-3-70b-tp8-decode-step.json";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn riirc(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_riirc"))
        .args(args)
        .current_dir(repo(""))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "riirc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `|got − want| ≤ tol`, with a message naming the figure.
fn near(name: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{name}: got {got:.3}, the README reports {want:.2} (update both if the model changed on purpose)"
    );
}

#[test]
fn refitting_the_h100_traces_reproduces_the_committed_calibration() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("h100-calibrated.toml");
    let fresh_s = fresh.to_str().unwrap();
    let out = riirc(&[
        "calibrate",
        "--sku",
        SKU,
        "--trace",
        TRACE,
        "--compare",
        "--json",
        "-o",
        fresh_s,
    ]);
    let fresh_text = std::fs::read_to_string(&fresh).unwrap();
    if std::env::var_os("RIIR_BLESS").is_some() {
        std::fs::write(repo(CALIBRATED), &fresh_text).unwrap();
    }
    let committed = std::fs::read_to_string(repo(CALIBRATED)).unwrap();
    assert!(
        committed == fresh_text,
        "{CALIBRATED} differs from a refit of {TRACE}; re-bless with RIIR_BLESS=1 \
         (riirc calibrate --sku {SKU} --trace {TRACE} --compare -o {CALIBRATED})"
    );

    // The cross-validated figures of the README's table (riirc calibrate ... --compare).
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = |form: &str, cv: &str, key: &str| report["forms"][form][cv][key].as_f64().unwrap();
    let table = [
        // form, cv, energy all, latency all, energy ≥40 µs, latency ≥40 µs
        ("physical", "kfold", 7.17, 7.71, 4.04, 4.02),
        ("physical", "leave_class_out", 21.14, 23.60, 7.38, 9.68),
        ("seed", "kfold", 15.18, 18.06, 12.32, 14.15),
        ("seed", "leave_class_out", 21.57, 29.18, 13.64, 22.84),
    ];
    for (form, cv, e, l, e40, l40) in table {
        near(&format!("{form} {cv} energy"), f(form, cv, "mape_energy_pct"), e, 0.006);
        near(
            &format!("{form} {cv} latency"),
            f(form, cv, "mape_latency_pct"),
            l,
            0.006,
        );
        near(
            &format!("{form} {cv} energy ≥40 µs"),
            f(form, cv, "mape_energy_ge_40us_pct"),
            e40,
            0.006,
        );
        near(
            &format!("{form} {cv} latency ≥40 µs"),
            f(form, cv, "mape_latency_ge_40us_pct"),
            l40,
            0.006,
        );
    }
    assert_eq!(report["forms"]["physical"]["kfold"]["rows_ge_40us"], 138);
}

/// The ops of the measured step (profiling/riirc_profile/decode_ops.py, Llama-3-70B tp 8, batch 64, ctx 4096)
/// as trace configs and their counts per layer; bf16 weights, plus the fp8 casts when `fp8`.
fn measured_step_ops(fp8: bool) -> Vec<(&'static str, u32)> {
    let (mm, p) = if fp8 { ("scaled_mm", "fp8") } else { ("matmul", "bf16") };
    let linear =
        |n: u32, k: u32| -> &'static str { Box::leak(format!("linear.{mm}.{p}.m64.n{n}.k{k}").into_boxed_str()) };
    let mut ops = vec![
        ("norm.rmsnorm.bf16.r64.c8192", 2),
        (linear(1280, 8192), 1),
        ("elementwise.copy.bf16.r64.c128", 2),
        ("attention_decode.sdpa.bf16.b64.ctx4096.h8.kv1.d128", 1),
        (linear(8192, 1024), 1),
        ("elementwise.add.bf16.r64.c8192", 2),
        (linear(7168, 8192), 1),
        ("elementwise.silu_mul.bf16.r64.c3584", 1),
        (linear(8192, 3584), 1),
    ];
    if fp8 {
        ops.extend([
            ("elementwise.cast_fp8.fp8.r64.c8192", 2),
            ("elementwise.cast_fp8.fp8.r64.c1024", 1),
            ("elementwise.cast_fp8.fp8.r64.c3584", 1),
        ]);
    }
    ops
}

#[test]
fn the_llama_3_70b_decode_step_estimate_misses_the_measurement_by_the_reported_amounts() {
    let sku = Sku::load(&repo(CALIBRATED)).unwrap();
    let model = sku.model(ModelForm::Physical);
    let energy_model::Model::Physical(coefficients) = model else {
        unreachable!()
    };
    let measured: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo(MEASUREMENT)).unwrap()).unwrap();
    let layers = measured["shape"]["layers"].as_u64().unwrap() as f64;
    let trace = trace::read(&repo(TRACE), &sku, Need::Calibration).unwrap();
    let text = std::fs::read_to_string(repo(TRACE)).unwrap();
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    let config = csv.headers().unwrap().iter().position(|h| h == "config").unwrap();
    let configs: Vec<String> = csv.records().map(|r| r.unwrap()[config].to_string()).collect();
    let point = OperatingPoint {
        sm_mhz: sku.max_sm_mhz,
        hbm_bw_tbps: sku.hbm_bandwidth_tbps,
        link: sku.default_link,
    };

    // (precision, estimate: joules error %, latency error %; the model on the measured op list: same)
    let reported = [
        ("bf16", -6.13, -4.99, -6.13, -4.98),
        ("fp8", -7.17, -8.66, -7.17, -8.65),
    ];
    for (precision, est_e, est_l, ops_e, ops_l) in reported {
        let m = &measured["precisions"][precision];
        let (mj, mms) = (
            m["joules_mean"].as_f64().unwrap(),
            m["latency_ms_mean"].as_f64().unwrap(),
        );

        // 1. `riirc estimate` on the lowered step. Its `joules` include the parked links' energy (the SKU's
        //    default link state for the whole step: no layer op carries traffic with --layers-only); the
        //    measurement is the board alone (NVML), so compare `board_joules`.
        let out = riirc(&[
            "estimate",
            "--model",
            "examples/models/llama-3-70b.json",
            "--batch",
            "64",
            "--ctx",
            "4096",
            "--tp",
            "8",
            "--sku",
            CALIBRATED,
            "--precision",
            precision,
            "--layers-only",
        ]);
        let est: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let (ej, board_j, ems) = (
            est["total"]["joules"].as_f64().unwrap(),
            est["total"]["board_joules"].as_f64().unwrap(),
            est["total"]["latency_ms"].as_f64().unwrap(),
        );
        // The links' share is their parked power over the whole step.
        let link_w = sku.link_power(sku.default_link).unwrap() * coefficients.link_scale;
        let link_j = est["total"]["link_joules"].as_f64().unwrap();
        assert!(
            (link_j - link_w * ems * 1e-3).abs() <= 1e-9 * link_j,
            "{precision}: link joules"
        );
        assert!(
            (ej - board_j - link_j).abs() <= 1e-9 * ej,
            "{precision}: joules = board + links"
        );
        let pct = |got: f64, want: f64| 100.0 * (got - want) / want;
        eprintln!(
            "{precision}: estimate {board_j:.3} J (board; {ej:.3} J with links), {ems:.3} ms; measured {mj:.3} J, \
             {mms:.3} ms: {:+.2} % / {:+.2} %",
            pct(board_j, mj),
            pct(ems, mms)
        );
        near(
            &format!("{precision} estimate energy error %"),
            pct(board_j, mj),
            est_e,
            0.006,
        );
        near(
            &format!("{precision} estimate latency error %"),
            pct(ems, mms),
            est_l,
            0.006,
        );

        // 2. The calibrated model summed over the measurement's own op list (the trace's work for each op).
        let (mut j, mut s) = (0.0, 0.0);
        let mut per_layer = measured_step_ops(precision == "fp8");
        per_layer.iter_mut().for_each(|op| op.1 *= layers as u32);
        per_layer.push(("elementwise.copy.bf16.r64.c8192", 1));
        for (id, count) in per_layer {
            let i = configs
                .iter()
                .position(|c| c == id)
                .unwrap_or_else(|| panic!("{id} not in the trace"));
            let p = model.estimate(&sku, &trace.rows[i].work, &point);
            j += f64::from(count) * (p.joules - p.link_joules);
            s += f64::from(count) * p.latency_s;
        }
        eprintln!(
            "{precision}: model on the measured op list {j:.3} J, {:.3} ms: {:+.2} % / {:+.2} %",
            s * 1e3,
            pct(j, mj),
            pct(s * 1e3, mms)
        );
        near(&format!("{precision} op-list energy error %"), pct(j, mj), ops_e, 0.006);
        // The lowering emits the measured step's ops (KV appends, residual adds, fp8 casts) with the same
        // analytic work, so the two agree but for attention's one extra token (the lowering's ctx counts the
        // cached tokens, the measurement's includes the new one): what is left is the model's own error.
        assert!(
            (pct(board_j, mj) - pct(j, mj)).abs() < 0.05 && (pct(ems, mms) - pct(s * 1e3, mms)).abs() < 0.05,
            "{precision}: the lowered step and the measured op list price differently"
        );
        near(
            &format!("{precision} op-list latency error %"),
            pct(s * 1e3, mms),
            ops_l,
            0.006,
        );
    }
}

/// The lowered layers of the measured shard carry exactly the analytic work the measurement's harness
/// attributes to its step (`analytic_by_kernel`, from `profiling/riirc_profile/decode_ops.py`), class by class:
/// bytes, flops and launches. The lowering's ctx counts the cached tokens and the harness's includes the new
/// one, so ctx 4095 here is the harness's 4096; the harness's one extra copy (the step's input into the
/// residual stream, b×h bf16 read and written) is a measurement artefact with no counterpart in a real step.
#[test]
fn the_lowered_layers_carry_the_measured_steps_analytic_work() {
    use riir_frontend::lower::{DecodeGraph, LowerOptions, ModelConfig};
    use std::collections::BTreeMap;
    let measured: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo(MEASUREMENT)).unwrap()).unwrap();
    let shape = &measured["shape"];
    let dim = |k: &str| shape[k].as_u64().unwrap();
    let config = ModelConfig::load(&repo("examples/models/llama-3-70b.json")).unwrap();
    assert_eq!(config.num_hidden_layers, dim("layers"));
    let (batch, hidden) = (dim("batch") as u128, dim("hidden") as u128);
    for (name, precision) in [
        ("bf16", riir_dialect::Precision::Bf16),
        ("fp8", riir_dialect::Precision::Fp8),
    ] {
        let opts = LowerOptions::new(dim("batch"), dim("ctx") - 1, 8, precision);
        let g = DecodeGraph::build(&config, &opts).unwrap();
        // (bytes_hbm, flops, launches) by the energy model's class name.
        let mut lowered: BTreeMap<&str, (u128, u128, u64)> = BTreeMap::new();
        for n in g.nodes().filter(|n| n.layer.is_some() && !n.role.is_allreduce()) {
            use riir_dialect::KernelClass as K;
            let class = match n.work.class {
                K::Linear => "linear",
                K::AttentionDecode => "attention_decode",
                K::Norm => "norm",
                K::Elementwise | K::Copy => "elementwise",
                other => panic!("{}: unexpected class {other:?} in a dense layer", n.name),
            };
            let e = lowered.entry(class).or_default();
            e.0 += n.work.bytes_hbm();
            e.1 += n.work.flops;
            e.2 += 1;
        }
        let harness = measured["precisions"][name]["analytic_by_kernel"].as_object().unwrap();
        assert_eq!(
            harness.keys().collect::<Vec<_>>(),
            lowered.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (class, (bytes, flops, launches)) in lowered {
            let h = &harness[class];
            let x_copy = u128::from(class == "elementwise");
            let get = |k: &str| h[k].as_u64().unwrap() as u128;
            assert_eq!(
                bytes,
                get("bytes_hbm") - x_copy * 2 * batch * hidden * 2,
                "{name} {class} bytes"
            );
            assert_eq!(flops, get("flops"), "{name} {class} flops");
            assert_eq!(
                u128::from(launches),
                get("launches") - x_copy,
                "{name} {class} launches"
            );
        }
    }
}
