//! The online Bayesian update applied to a model: it moves an uncalibrated model toward the truth that
//! generated the measurements, and its predictive spread shrinks as kernels are observed.

mod common;

use common::sku;
use energy_model::online::OnlineEnergy;
use energy_model::synth::{generate, reference_truth};
use energy_model::{EnergyModel, Model, ModelForm};

#[test]
fn online_updates_pull_the_default_model_toward_the_measured_truth() {
    let s = sku("h100");
    let truth = reference_truth(&s);
    let Model::Physical(want) = truth else { unreachable!() };
    // Start from the datasheet defaults but with the true latency model, so only energy is learnt.
    let Model::Physical(defaults) = s.model(ModelForm::Physical) else {
        unreachable!()
    };
    let start = energy_model::PhysicalCoefficients {
        t_launch_us: want.t_launch_us,
        eta_bw: want.eta_bw,
        eta_compute: want.eta_compute,
        ..defaults
    };
    let mut online = OnlineEnergy::new(&Model::Physical(start), 0.5, 0.02).unwrap();
    let rows = generate(&s, &truth, 400, 99, 0.02);
    let probe = rows[0];
    let before = online.belief(&s, &probe.work, &probe.point);
    for r in &rows {
        online
            .observe(&s, &r.work, &r.point, r.joules, Some(r.latency_us * 1e-6))
            .unwrap();
    }
    let after = online.belief(&s, &probe.work, &probe.point);
    assert!(after.sd_j < before.sd_j, "{before:?} -> {after:?}");
    let Model::Physical(got) = online.model() else {
        unreachable!()
    };
    for (name, g, w, d) in [
        ("e_byte_pj", got.e_byte_pj, want.e_byte_pj, defaults.e_byte_pj),
        (
            "e_flop_pj[bf16]",
            got.e_flop_pj[1],
            want.e_flop_pj[1],
            defaults.e_flop_pj[1],
        ),
        ("p_static_w", got.p_static_w, want.p_static_w, defaults.p_static_w),
    ] {
        assert!(
            (g - w).abs() < 0.5 * (d - w).abs(),
            "{name}: {g} is not much closer to {w} than the default {d}"
        );
    }
    let truth_j = truth.estimate(&s, &probe.work, &probe.point).joules;
    assert!(
        ((after.mean_j - truth_j) / truth_j).abs() < 0.05,
        "{after:?} vs {truth_j}"
    );
}
