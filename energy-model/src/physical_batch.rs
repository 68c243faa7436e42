//! The physical form's [`EnergyModel::predict_each`]: one work at many operating points, with everything that
//! depends only on the work (class terms, latency coefficients, energy coefficients, byte and flop features)
//! computed once. Each point's arithmetic is `PhysicalCoefficients::estimate`'s, in the same order, so the
//! results equal `predict`'s bit for bit (a test below compares them on every SKU's whole grid).
//!
//! [`EnergyModel::predict_each`]: crate::EnergyModel::predict_each

use crate::model::within_board_limit;
use crate::physical::{latency_s, link_energy_j, PhysicalCoefficients, RooflineTerms, ENERGY_TERMS};
use crate::sku::Sku;
use crate::work::{Infeasible, KernelWork, OperatingPoint, Prediction};

impl PhysicalCoefficients {
    /// `predict` of `work` at each of `points`, into `out` (cleared first), in order.
    pub fn predict_each(
        &self,
        sku: &Sku,
        work: &KernelWork,
        points: &[OperatingPoint],
        out: &mut Vec<Result<Prediction, Infeasible>>,
    ) {
        out.clear();
        out.reserve(points.len());
        let class = self.class_terms(work.class);
        let lat = class.latency_vector();
        let mut coefficients = self.energy_vector();
        coefficients[1] = 1.0;
        coefficients[2] = 1.0;
        // `roofline_terms`' and `energy_features`' work-only parts, as they compute them.
        let peak_at_max = sku.peak_tflops(work.precision) * 1e12;
        let link_s = work.link_active_us * 1e-6;
        let byte_feature = work.bytes_hbm * 1e-12 * class.e_byte_pj;
        let flop_feature = work.flops * 1e-12;
        let flop_slot = 3 + work.precision.index();
        // `Sku::check`'s rules in its order; only the middle ones depend on the point.
        let work_checked = sku.check_work(work);
        let footprint_checked = sku.check_footprint(work);
        for point in points {
            let checked = work_checked
                .and_then(|()| sku.check_point(point))
                .and(footprint_checked);
            if let Err(e) = checked {
                out.push(Err(e));
                continue;
            }
            let mem_s = work.bytes_hbm / (point.hbm_bw_tbps * 1e12);
            let ratio = point.sm_mhz / sku.max_sm_mhz;
            let peak = peak_at_max * ratio;
            let comp_s = if work.flops == 0.0 { 0.0 } else { work.flops / peak };
            let wake_s = if point.link.is_sleep() && work.link_active_us > 0.0 {
                sku.sleep_exit_us * 1e-6
            } else {
                0.0
            };
            let terms = RooflineTerms {
                mem_s,
                comp_s,
                link_s,
                wake_s,
            };
            let t = latency_s(&terms, &lat);
            let mut x = [0.0; ENERGY_TERMS];
            x[0] = t;
            x[1] = ratio * ratio * ratio * t * class.p_clock_w;
            x[2] = byte_feature;
            x[flop_slot] = flop_feature;
            x[7] = link_energy_j(sku, work, point.link, t);
            let joules = coefficients.iter().zip(&x).map(|(a, b)| a * b).sum();
            out.push(within_board_limit(
                sku,
                Prediction {
                    joules,
                    latency_s: t,
                    link_joules: self.link_scale * x[7],
                },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kinds::{KernelClass, Precision};
    use crate::{EnergyModel, KernelWork, ModelForm, OperatingPoint, Sku};
    use std::path::PathBuf;

    fn shipped_skus() -> Vec<Sku> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/skus");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        assert!(paths.len() >= 4, "expected the shipped SKU files in {}", dir.display());
        paths.iter().map(|p| Sku::load(p).unwrap()).collect()
    }

    /// Works spanning the regimes (memory, compute, link, launch-bound), every class and precision, and the
    /// rejections (invalid work, footprint).
    fn works() -> Vec<KernelWork> {
        let mut out = Vec::new();
        for (i, class) in KernelClass::ALL.into_iter().enumerate() {
            for precision in [Precision::Fp16, Precision::Bf16, Precision::Fp8, Precision::Fp4] {
                for (bytes, flops, link_us) in [
                    (1.8e8, 1.2e10, 0.0),
                    (4.0e6, 9.0e12, 0.0),
                    (2.0e5, 1.0e6, 350.0),
                    (0.0, 0.0, 0.0),
                    (3.3e7, 0.0, 12.5),
                ] {
                    out.push(KernelWork {
                        class,
                        precision,
                        bytes_hbm: bytes * (1.0 + i as f64 / 7.0),
                        flops,
                        link_active_us: link_us,
                        footprint_bytes: 0.0,
                    });
                }
            }
        }
        let base = out[0];
        out.push(KernelWork {
            bytes_hbm: f64::NAN,
            ..base
        });
        out.push(KernelWork {
            footprint_bytes: 1e15,
            ..base
        });
        out
    }

    /// The SKU's grid plus points its checks reject (clock and bandwidth out of range).
    fn points(sku: &Sku) -> Vec<OperatingPoint> {
        let mut p = sku.operating_points();
        let link = sku.search_link_states[0];
        p.push(OperatingPoint {
            sm_mhz: sku.max_sm_mhz * 2.0,
            hbm_bw_tbps: sku.hbm_bw_levels_tbps[0],
            link,
        });
        p.push(OperatingPoint {
            sm_mhz: sku.max_sm_mhz,
            hbm_bw_tbps: sku.hbm_bandwidth_tbps * 2.0,
            link,
        });
        p
    }

    fn bits(r: &Result<crate::Prediction, crate::Infeasible>) -> String {
        match r {
            Ok(p) => format!(
                "ok {:x} {:x} {:x}",
                p.joules.to_bits(),
                p.latency_s.to_bits(),
                p.link_joules.to_bits()
            ),
            Err(e) => format!("err {e:?}"),
        }
    }

    #[test]
    fn predict_each_equals_predict_bit_for_bit_on_every_shipped_sku() {
        let mut out = Vec::new();
        let mut compared = 0;
        for sku in shipped_skus() {
            for form in [ModelForm::Physical, ModelForm::Seed] {
                let model = sku.model(form);
                let points = points(&sku);
                for work in works() {
                    model.predict_each(&sku, &work, &points, &mut out);
                    assert_eq!(out.len(), points.len());
                    for (p, got) in points.iter().zip(&out) {
                        let want = model.predict(&sku, &work, p);
                        assert_eq!(bits(got), bits(&want), "{} {form} {work:?} {p:?}", sku.id);
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 10_000);
    }
}
