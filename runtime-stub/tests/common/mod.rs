//! Shared test fixtures: the source document's attention frontier (plans A/B/C + recompute_kv fallback) as a
//! table spec, and seeded random frontiers of realistic size.
#![allow(dead_code)]

use runtime_stub::table::{Fallback, FallbackAction, LinkState, MemoryVariant, OpSpec, Plan, Precision, TableSpec};

pub const SKU: &str = "h200-sxm";

pub fn plan(id: u8, precision: Precision, sm_mhz: u32, bw: f32, link: LinkState, jpt: f32, lat: f32) -> Plan {
    Plan {
        id,
        precision,
        link,
        memory: MemoryVariant::Prefetch,
        sm_mhz,
        hbm_bw_tbps: bw,
        est_jpt: jpt,
        est_lat_ms: lat,
        // Board power scales with energy per token at fixed throughput; the source gives none, so derive it.
        est_power_w: jpt * 1700.0,
        link_pj_per_bit: match link {
            LinkState::Dsp => 5.0,
            LinkState::LpoActive | LinkState::CpoActive => 3.0,
            LinkState::LpoSleep | LinkState::CpoSleep => 0.6,
        },
    }
}

/// The `decode_layer18` attention op of the source document, section 4.
pub fn source_attention(op_id: u32) -> OpSpec {
    OpSpec {
        op_id,
        name: format!("decode_layer{op_id}.attention"),
        slo_ms: 20.0,
        max_temp_delta_100ms: 3.0,
        link_budget_pj_per_bit: 2.1,
        link_bits_per_token: 8.0 * 4096.0,
        plans: vec![
            plan(b'A', Precision::Fp16, 1980, 3.35, LinkState::CpoActive, 0.42, 18.2),
            plan(b'B', Precision::Fp8, 1680, 2.1, LinkState::LpoSleep, 0.28, 19.6),
            plan(b'C', Precision::Fp8, 1530, 1.8, LinkState::CpoSleep, 0.24, 21.1),
        ],
        fallback: Fallback {
            action: FallbackAction::RecomputeKv,
            est_jpt: 0.19,
            est_lat_ms: 24.5,
            est_power_w: 0.19 * 1700.0,
            link_pj_per_bit: 0.6,
        },
    }
}

pub fn source_spec() -> TableSpec {
    TableSpec {
        sku: SKU.into(),
        model_hash: 0x1234_5678_9abc_def0,
        ops: vec![source_attention(18)],
    }
}

/// A small deterministic PRNG (splitmix64), so fixtures need no extra crate and are the same on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A random frontier in the shape the Pareto search emits: `n` plans trading energy for latency (mutually
/// non-dominated, with some noise so not all of them are on the convex hull) and a cheaper, slower fallback.
pub fn random_op(rng: &mut Rng, op_id: u32, n: usize) -> OpSpec {
    let precisions = [Precision::Fp16, Precision::Bf16, Precision::Fp8, Precision::Fp4];
    let links = [
        LinkState::CpoActive,
        LinkState::LpoActive,
        LinkState::LpoSleep,
        LinkState::CpoSleep,
        LinkState::Dsp,
    ];
    let base_jpt = rng.range(0.15, 0.3);
    let base_lat = rng.range(12.0, 20.0);
    let mut plans = Vec::with_capacity(n);
    let mut jpt = base_jpt;
    let mut lat = base_lat * 1.5;
    for i in 0..n {
        jpt *= 1.0 + rng.range(0.03, 0.25);
        lat *= 1.0 - rng.range(0.01, 0.08);
        let link = links[rng.below(links.len() as u64) as usize];
        let mut p = plan(
            b'A' + i as u8,
            precisions[rng.below(4) as usize],
            1200 + 60 * rng.below(13) as u32,
            rng.range(1.5, 3.35) as f32,
            link,
            jpt as f32,
            lat as f32,
        );
        p.est_power_w = (jpt * rng.range(1400.0, 2000.0)) as f32;
        plans.push(p);
    }
    // Table order is fastest first (A = full power), as in the source.
    plans.reverse();
    for (i, p) in plans.iter_mut().enumerate() {
        p.id = b'A' + i as u8;
    }
    OpSpec {
        op_id,
        name: format!("op{op_id}"),
        slo_ms: (base_lat * 1.2) as f32,
        max_temp_delta_100ms: rng.range(2.0, 6.0) as f32,
        link_budget_pj_per_bit: f32::INFINITY,
        link_bits_per_token: rng.range(1e3, 1e5) as f32,
        plans,
        fallback: Fallback {
            action: FallbackAction::RecomputeKv,
            est_jpt: (base_jpt * 0.9) as f32,
            est_lat_ms: (base_lat * 1.7) as f32,
            est_power_w: (base_jpt * 0.9 * 1700.0) as f32,
            link_pj_per_bit: 0.6,
        },
    }
}

/// A random table of `ops` frontiers with 1..=14 plans each.
pub fn random_spec(seed: u64, ops: usize) -> TableSpec {
    let mut rng = Rng(seed);
    let ops = (0..ops)
        .map(|i| {
            let n = 1 + rng.below(14) as usize;
            random_op(&mut rng, i as u32, n)
        })
        .collect();
    TableSpec {
        sku: SKU.into(),
        model_hash: seed,
        ops,
    }
}

use runtime_stub::negotiator::{
    frontiers_of, Choice, Config, Frontier, Negotiator, PendingOp, ScratchBuf, Telemetry, TickReport,
};
use runtime_stub::table::{encode, FrontierTable};

/// Encodes, decodes and prepares the frontiers of `spec`, as a server would at start-up.
pub fn frontiers(spec: &TableSpec) -> Vec<Frontier> {
    let bytes = encode(spec).expect("valid spec");
    let table = FrontierTable::decode(&bytes, &spec.sku).expect("valid table");
    frontiers_of(&table)
}

/// Runs one tick with fresh scratch and returns the report and the choices.
pub fn tick(frontiers: &[Frontier], config: Config, t: &Telemetry, ops: &[PendingOp]) -> (TickReport, Vec<Choice>) {
    let neg = Negotiator::new(frontiers, config).expect("valid config");
    let mut out = vec![Choice::default(); ops.len()];
    let mut buf = ScratchBuf::new(ops.len());
    let report = neg.tick(t, ops, &mut out, &mut buf.scratch()).expect("tick");
    (report, out)
}

/// Random pending ops over `frontiers` frontiers: 1..=256 tokens, deadlines 5..50 ms.
pub fn random_ops(rng: &mut Rng, n: usize, frontiers: usize) -> Vec<PendingOp> {
    (0..n)
        .map(|_| PendingOp {
            frontier: rng.below(frontiers as u64) as u32,
            tokens: 1 + rng.below(256) as u32,
            deadline_ms: rng.range(5.0, 50.0) as f32,
        })
        .collect()
}

/// Energy (J) of every op at its cheapest point and at its most expensive point.
pub fn energy_range(frontiers: &[Frontier], ops: &[PendingOp]) -> (f64, f64) {
    let mut lo = 0.0;
    let mut hi = 0.0;
    for op in ops {
        let f = &frontiers[op.frontier as usize];
        let jpts = (0..=f.plan_count()).map(|p| f64::from(f.jpt(p)));
        lo += f64::from(op.tokens) * jpts.clone().fold(f64::INFINITY, f64::min);
        hi += f64::from(op.tokens) * jpts.fold(0.0, f64::max);
    }
    (lo, hi)
}

/// A telemetry whose window budget under the default config (margin 0.92, 10 ms) is `budget_j`.
pub fn telemetry_for_budget(budget_j: f64) -> Telemetry {
    Telemetry::steady(budget_j / (0.010 * 0.92))
}
