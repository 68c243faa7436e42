//! The physical form's [`EnergyModel::predict_grid`]: one work at a grid of operating points, with everything
//! that depends only on the work (class terms, latency coefficients, energy coefficients, byte and flop
//! features) computed once, and what depends on one axis level alone (clock ratio and compute time per clock,
//! memory time per bandwidth, wake time and link power per link state) once per level. Each point's arithmetic is `PhysicalCoefficients::estimate`'s, in the same order, so the
//! results equal `predict`'s bit for bit (a test below compares them on every SKU's whole grid).
//!
//! The work runs in passes over the grid (checks; latencies; energies; board powers and the limit), each of
//! independent iterations, so many points' long dependency chains overlap instead of running one at a time.
//!
//! [`EnergyModel::predict_grid`]: crate::EnergyModel::predict_grid

use crate::model::PredictionBatch;
use crate::physical::{latency_s, PhysicalCoefficients, RooflineTerms, ENERGY_TERMS};
use crate::sku::Sku;
use crate::work::{Infeasible, KernelWork, OperatingGrid, GRID_POINTS};

impl PhysicalCoefficients {
    /// `predict` of `work` at each point of `grid`, into `out` (reset first), in grid order, with each board
    /// power.
    pub fn predict_grid(&self, sku: &Sku, work: &KernelWork, grid: &OperatingGrid, out: &mut PredictionBatch) {
        out.reset(GRID_POINTS);
        // `Sku::check`'s rules in its order; only the middle ones depend on the point.
        let work_checked = sku.check_work(work);
        let footprint_checked = sku.check_footprint(work);
        if let Err(e) = work_checked {
            // The work itself cannot run (e.g. fp4 on a SKU without fp4 units): every point fails the same first
            // rule, and there is nothing to estimate.
            out.status.fill(Err(e));
            out.board_power_w.fill(0.0);
            return;
        }
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
        // The dot product's work-only terms (bytes, flops, and the zero flop slots of other precisions), each
        // `coefficient × feature` exactly as the per-point product forms it; summed below in the same order.
        let mut fixed = [0.0; ENERGY_TERMS];
        fixed[2] = byte_feature;
        fixed[flop_slot] = flop_feature;
        let fixed: [f64; ENERGY_TERMS] = core::array::from_fn(|k| coefficients[k] * fixed[k]);
        // What one level of one axis determines, as `roofline_terms` and `link_energy_j` compute it.
        let clocks = grid.sm_mhz.map(|sm_mhz| {
            let ratio = sm_mhz / sku.max_sm_mhz;
            let peak = peak_at_max * ratio;
            let comp_s = if work.flops == 0.0 { 0.0 } else { work.flops / peak };
            (ratio * ratio * ratio, comp_s)
        });
        let mem_s = grid.hbm_bw_tbps.map(|bw| work.bytes_hbm / (bw * 1e12));
        let links = grid.links.map(|link| {
            let wakes = link.is_sleep() && work.link_active_us > 0.0;
            let wake_s = if wakes { sku.sleep_exit_us * 1e-6 } else { 0.0 };
            let parked_w = sku.link_power(link).unwrap_or(0.0);
            let awake_w = sku.link_power(link.awake()).unwrap_or(parked_w);
            let awake_s = (work.link_active_us + sku.sleep_entry_us + sku.sleep_exit_us) * 1e-6;
            // One exit before the traffic and one entry after it.
            let transitions = wakes.then_some((awake_w - parked_w) * awake_s + 2.0 * sku.transition_uj * 1e-6);
            (wake_s, parked_w, transitions)
        });
        // `check_point`'s rules in its order (clock, bandwidth, link state), each decided by one axis level.
        let clock_ok = grid.sm_mhz.map(|sm_mhz| sku.check_clock(sm_mhz));
        let bw_ok = grid.hbm_bw_tbps.map(|bw| sku.check_bandwidth(bw));
        let link_ok = grid.links.map(|link| sku.check_link(link));
        let all_ok =
            clock_ok.iter().all(Result::is_ok) && bw_ok.iter().all(Result::is_ok) && link_ok.iter().all(Result::is_ok);
        if all_ok && footprint_checked.is_ok() {
            out.status.fill(Ok(()));
        } else {
            for j in 0..GRID_POINTS {
                let (s, b, l) = (j / 9, j / 3 % 3, j % 3);
                out.status[j] = clock_ok[s].and(bw_ok[b]).and(link_ok[l]).and(footprint_checked);
            }
        }
        // Then the estimates, in passes of straight-line arithmetic over all points (rejected ones included;
        // their numbers are never read), so the compiler can vectorise them and the processor overlaps the
        // points' long dependency chains (a sum of eight terms, then a division). Each point's operations and
        // their order are `estimate`'s. The loops run over the axes (clock, bandwidth, link state), so every
        // index is a constant once unrolled.
        let mut t = [0.0; GRID_POINTS];
        let mut clock_cube = [0.0; GRID_POINTS];
        let mut parked_w = [0.0; GRID_POINTS];
        let mut transitions = [0.0; GRID_POINTS];
        let mut wakes = [false; GRID_POINTS];
        for (s, &(cube, comp_s)) in clocks.iter().enumerate() {
            for (b, &mem_s) in mem_s.iter().enumerate() {
                for (l, &(wake_s, parked, extra)) in links.iter().enumerate() {
                    let j = s * 9 + b * 3 + l;
                    let terms = RooflineTerms {
                        mem_s,
                        comp_s,
                        link_s,
                        wake_s,
                    };
                    t[j] = latency_s(&terms, &lat);
                    clock_cube[j] = cube;
                    parked_w[j] = parked;
                    transitions[j] = extra.unwrap_or(0.0);
                    wakes[j] = extra.is_some();
                }
            }
        }
        let joules = &mut out.joules[..GRID_POINTS];
        let link_joules = &mut out.link_joules[..GRID_POINTS];
        for j in 0..GRID_POINTS {
            let clock = clock_cube[j] * t[j] * class.p_clock_w;
            let parked = parked_w[j] * t[j];
            let link = if wakes[j] { parked + transitions[j] } else { parked };
            // `estimate`'s `Σ coefficient × feature`, term by term in feature order.
            let products = [
                coefficients[0] * t[j],
                coefficients[1] * clock,
                fixed[2],
                fixed[3],
                fixed[4],
                fixed[5],
                fixed[6],
                coefficients[7] * link,
            ];
            joules[j] = products.iter().sum();
            link_joules[j] = self.link_scale * link;
        }
        // `within_board_limit`, keeping the power it computes (`Prediction::board_power_w`).
        let board_w = &mut out.board_power_w[..GRID_POINTS];
        for j in 0..GRID_POINTS {
            board_w[j] = if t[j] > 0.0 {
                (joules[j] - link_joules[j]) / t[j]
            } else {
                0.0
            };
        }
        out.latency_s[..GRID_POINTS].copy_from_slice(&t);
        for (status, &w) in out.status.iter_mut().zip(board_w.iter()) {
            if w > sku.board_limit_w && status.is_ok() {
                *status = Err(Infeasible::OverPowerLimit {
                    predicted_w: w,
                    limit_w: sku.board_limit_w,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kinds::{KernelClass, Precision};
    use crate::{EnergyModel, KernelWork, LinkState, ModelForm, OperatingGrid, Sku};
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

    /// The SKU's grid, and one whose levels its checks reject (a clock and a bandwidth out of range, and every
    /// link state the SKU has no power for).
    fn grids(sku: &Sku) -> Vec<OperatingGrid> {
        let grid = OperatingGrid {
            sm_mhz: sku.sm_mhz_levels,
            hbm_bw_tbps: sku.hbm_bw_levels_tbps,
            links: sku.search_link_states,
        };
        let mut odd = grid;
        odd.sm_mhz[1] = sku.max_sm_mhz * 2.0;
        odd.hbm_bw_tbps[2] = sku.hbm_bandwidth_tbps * 2.0;
        let missing: Vec<LinkState> = LinkState::ALL
            .into_iter()
            .filter(|l| sku.link_power(*l).is_none())
            .collect();
        for (slot, l) in odd.links.iter_mut().zip(missing) {
            *slot = l;
        }
        vec![grid, odd]
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
    fn predict_grid_equals_predict_bit_for_bit_on_every_shipped_sku() {
        let mut out = crate::PredictionBatch::default();
        let mut compared = 0;
        for sku in shipped_skus() {
            for form in [ModelForm::Physical, ModelForm::Seed] {
                let model = sku.model(form);
                for (grid, work) in grids(&sku)
                    .iter()
                    .flat_map(|g| works().into_iter().map(move |w| (g, w)))
                {
                    model.predict_grid(&sku, &work, grid, &mut out);
                    let points = grid.points();
                    assert_eq!(out.len(), points.len());
                    for (i, p) in points.iter().enumerate() {
                        let want = model.predict(&sku, &work, p);
                        assert_eq!(bits(&out.get(i)), bits(&want), "{} {form} {work:?} {p:?}", sku.id);
                        // The board power is the one the limit was checked against.
                        let estimate = model.estimate(&sku, &work, p);
                        if sku.check(&work, p).is_ok() {
                            assert_eq!(out.board_power_w[i].to_bits(), estimate.board_power_w().to_bits());
                        }
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 10_000);
    }
}
