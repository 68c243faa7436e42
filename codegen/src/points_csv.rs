//! `--dump-points`: every evaluated point of every op, 720 rows per op, with the reason when infeasible.
//! Columns: op, precision, sm_mhz, hbm_bw_tbps, link, memory, feasible, reason, est_jpt, est_lat_ms.

use crate::compile::{round_sig, Compiled, DIGITS};
use riir_dialect::Named;

/// The CSV bytes (header + one row per op and point, ops in module order, points in index order).
pub fn to_csv(c: &Compiled) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fmt = |x: f64| format!("{:?}", round_sig(x, DIGITS));
    // Writing to a Vec cannot fail.
    let _ = w.write_record([
        "op",
        "precision",
        "sm_mhz",
        "hbm_bw_tbps",
        "link",
        "memory",
        "feasible",
        "reason",
        "est_jpt",
        "est_lat_ms",
    ]);
    for o in &c.ops {
        for e in o.search.points.iter() {
            let p = &e.point;
            let (feasible, reason, jpt, lat) = match &e.outcome {
                Ok(cost) => ("true", String::new(), fmt(cost.est_jpt), fmt(cost.est_lat_ms)),
                Err(r) => ("false", r.to_string(), String::new(), String::new()),
            };
            let _ = w.write_record([
                o.id.as_str(),
                p.precision.name(),
                &p.sm_mhz.to_string(),
                &format!("{:?}", p.hbm_bw_tbps),
                p.link.name(),
                p.memory.name(),
                feasible,
                &reason,
                &jpt,
                &lat,
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}
