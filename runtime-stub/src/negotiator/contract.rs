//! The contract policy: spend the window's energy where it buys the most SLO-weighted latency.
//!
//! # Objective
//! Minimise Σᵢ lat(pᵢ) / deadlineᵢ subject to Σᵢ tokensᵢ · jpt(pᵢ) ≤ budget, one point pᵢ per op from its frontier
//! (plans + fallback). Dividing each op's latency by its own deadline makes ops comparable (the fraction of its
//! SLO each op uses) and gives tight ops more weight: a millisecond matters more to an op with 5 ms left than to
//! one with 50 ms left. This is a multiple-choice knapsack.
//!
//! # Algorithm: the LP-greedy threshold, in O(n·h) with no sort
//! Every op starts at its cheapest hull vertex. Moving op i from vertex k−1 to k costs tokensᵢ·Δjptₖ joules and
//! saves weightᵢ·Δlatₖ, an efficiency λᵢₖ = (weightᵢ / tokensᵢ) · slopeₖ. On a convex hull the slopes decrease, so
//! taking all upgrades with λ above a threshold is always a per-op prefix; taking them in decreasing λ until the
//! budget runs out is the classic greedy whose fractional completion is the LP-relaxation optimum, so the integer
//! result is within about one upgrade of the LP bound (tests measure the gap against an LP-duality bound).
//!
//! Instead of sorting the n·h upgrades (too slow for 8,000 ops in 100 µs), the threshold is found with one
//! histogram over log λ: [`BUCKETS`] = 2¹⁴ buckets of 1/64 octave each. log λ = log rate + log slope, so each hull
//! vertex carries its slope's log2 in fixed point (1/512 octave, computed once per frontier, see `logscale`), each
//! op gets one rate log per tick (rate = 1 / (deadline · tokens): a multiply and a table load, no division), and an
//! upgrade's bucket is `(rate_log + slope_log) >> 3`: an integer add and shift, no float work per upgrade. The
//! tick's preparation pass adds each upgrade's energy to its bucket ([`add_upgrades`]); a walk from the most
//! efficient bucket down finds where the budget runs out; one more pass ([`finish`]) takes every upgrade above that
//! bucket (found per op with SIMD compares of its 16 slope-log lanes against one threshold, no hull walk), and
//! those inside it in op order while they fit, and accounts the result. Only the buckets between the tick's
//! bounds (the extreme rate logs of its ops plus the extreme slope logs of all the negotiator's hulls,
//! [`SlopeBounds`]) are walked and then zeroed again, so scratch stays clean for the next tick. With the
//! benchmark's frontiers that is about 1,300 of the 16,384 buckets (exact per-op tracking gave 1,150, but cost
//! more per op than the walk saved); a table whose hulls span far more octaves of slope than its ops' upgrades do
//! widens the walk accordingly (a load and a compare per bucket, and its zeroing).
//!
//! The order is therefore (bucket desc, op asc, vertex asc): total, fixed before the budget is known and
//! consistent with each op's chain (slope logs never rise along a hull, and the rate log is per op), so the chosen
//! set for a larger budget is a superset of the set for a smaller one — more budget never worsens the objective —
//! and ties are broken the same way on every run.
//!
//! # What bucketing gives up against a full sort
//! The slope log is rounded down (error < 1 unit of 1/512 octave), the rate log read from 10 mantissa bits (< 1.73
//! units), so `rate_log + slope_log` is within (−1, +1.73) units of 512 · log2 λ. Hence an upgrade ranked in a
//! higher bucket than another is never less efficient by more than 2.73/512 octave (0.37 %), and upgrades sharing a
//! bucket differ in efficiency by under (8 + 2.73)/512 octave (1.46 %); the old f32-bit buckets were 1/64 octave
//! (1.1 %) wide with no cross-bucket error. The LP-gap test bounds the effect on the objective.

use super::frontier::{Frontier, Hull, MAX_SLOPE, NO_SLOPE};
use super::inputs::{Choice, PendingOp};
use super::logscale::{self, FRAC_BITS, UNITS};
use super::scratch::{OpSlot, BUCKETS};
use super::{guards, Accounting};

/// Bits of a fixed-point log dropped to form a bucket: 512 units per octave → 64 buckets per octave.
const SHIFT: u32 = FRAC_BITS - 6;

/// Added to every op's rate log so that `(rate_log + slope_log) >> SHIFT` lands in `0..BUCKETS` for every rate log
/// in `RATE_LOG_MIN..=RATE_LOG_MAX` and every slope log in `i16`, with no clamp per upgrade. λ = 1 is bucket 8960.
const BIAS: i32 = 140 * UNITS;

/// Bounds of 512 · log2 rate. They never bind: the weight is 1 / deadline with the deadline clamped to
/// [1e-3, 1e12] ms and tokens are in [1, 2³²), so rate = 1 / (deadline · tokens) lies in [2⁻⁷², 2¹⁰].
const RATE_LOG_MIN: i32 = -74 * UNITS;
const RATE_LOG_MAX: i32 = 12 * UNITS;

const _: () = assert!(BIAS + RATE_LOG_MIN + NO_SLOPE as i32 + 1 >= 0);
const _: () = assert!((BIAS + RATE_LOG_MAX + MAX_SLOPE) >> SHIFT < BUCKETS as i32);

/// Rate log of an op without tokens: its upgrades cost nothing, so the final pass takes them all.
const FREE: i32 = 1 << 28;

/// Bucket of the upgrade with slope log `slope_log` of an op with rate log `rate_log` (always in range, see
/// [`BIAS`]; the mask only spares the bounds check).
#[inline]
fn bucket(rate_log: i32, slope_log: i16) -> usize {
    ((rate_log + i32::from(slope_log)) >> SHIFT) as usize & (BUCKETS - 1)
}

/// The extreme slope logs over every hull (normal and thermal) of a negotiator's frontiers: the highest first
/// upgrade and the lowest last upgrade. Computed once per negotiator, so the tick bounds its buckets from each op's
/// rate log alone (see [`Touched`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct SlopeBounds {
    lo: i32,
    hi: i32,
}

impl SlopeBounds {
    /// Bounds over `frontiers`; with no upgrade anywhere, an empty range (`lo > hi`).
    pub fn of(frontiers: &[Frontier]) -> SlopeBounds {
        let mut bounds = SlopeBounds {
            lo: i32::MAX,
            hi: i32::MIN,
        };
        for hull in frontiers.iter().flat_map(|f| [f.hull(false), f.hull(true)]) {
            let len = hull.len();
            if len >= 2 {
                // Slope logs fall along the hull, so its first and last upgrades bound it.
                bounds.hi = bounds.hi.max(i32::from(hull.slope_log(1)));
                bounds.lo = bounds.lo.min(i32::from(hull.slope_log(len - 1)));
            }
        }
        bounds
    }
}

/// The extreme `deadline · tokens` products of this tick's ops with tokens (`lo > hi` when none): the rate log is
/// monotone in it, so with [`SlopeBounds`] they bound every bucket an upgrade was added to. Two f64 min/max per op
/// in the preparation pass, where tracking each op's own extreme buckets cost two loads, adds and compares and
/// spilled the running extremes to the stack (about 13 µs of the 8,000-op tick); f64 registers, unlike integer
/// ones, are not scarce there.
#[derive(Copy, Clone, Debug)]
pub(super) struct Touched {
    lo: f64,
    hi: f64,
}

impl Touched {
    pub const NONE: Touched = Touched {
        lo: f64::INFINITY,
        hi: 0.0,
    };

    /// The touched bucket range, or `None`. Sums stay in range: rate logs lie in `BIAS + RATE_LOG_MIN ..= BIAS +
    /// RATE_LOG_MAX` and slope logs in `NO_SLOPE + 1 ..= MAX_SLOPE` (see [`BIAS`]).
    fn range(self, slopes: SlopeBounds) -> Option<core::ops::RangeInclusive<usize>> {
        (self.lo <= self.hi && slopes.lo <= slopes.hi).then(|| {
            // The largest product has the smallest rate log, and the other way round.
            let (rate_lo, rate_hi) = (rate_log_of(self.hi), rate_log_of(self.lo));
            ((rate_lo + slopes.lo) >> SHIFT) as usize..=((rate_hi + slopes.hi) >> SHIFT) as usize
        })
    }
}

/// The biased rate log of an op whose clamped deadline times tokens is `product`: rate = weight / tokens =
/// 1 / (deadline · tokens), one table load and no division. Within `BIAS + RATE_LOG_MIN ..= BIAS + RATE_LOG_MAX` by
/// the clamps on the deadline and the range of tokens (see there).
#[inline]
fn rate_log_of(product: f64) -> i32 {
    let rate_log = BIAS - logscale::log2_fast(product);
    debug_assert!((BIAS + RATE_LOG_MIN..=BIAS + RATE_LOG_MAX).contains(&rate_log));
    rate_log
}

/// Adds an op's upgrades on `hull` to the histogram (called from the tick's preparation pass) and returns its
/// rate log for the final pass. `deadline_ms` is the clamped deadline the SLO weight is computed from.
#[inline]
pub(super) fn add_upgrades(
    hull: &Hull,
    op: &PendingOp,
    deadline_ms: f64,
    buckets: &mut [f64; BUCKETS],
    touched: &mut Touched,
) -> i32 {
    if op.tokens == 0 {
        return FREE;
    }
    let tokens = f64::from(op.tokens);
    let product = deadline_ms * tokens;
    let rate_log = rate_log_of(product);
    // `minsd`/`maxsd` into the running extremes' registers (the product is never NaN).
    touched.lo = if touched.lo < product { touched.lo } else { product };
    touched.hi = if touched.hi > product { touched.hi } else { product };
    let len = hull.len();
    if len >= 2 {
        let (slopes, energy) = (hull.slope_logs(), hull.energies());
        // Lanes 1..=4 with a fixed trip count (lanes past the hull add 0.0 to buckets of their own, see
        // `HullHead`: a no-op), the rest in a loop of variable length: ops come in random frontier order, so a fully
        // variable loop mispredicts its exit on nearly every op, while a fully fixed one wastes lanes on short hulls.
        // Four fixed lanes measured best on both benchmark tables (short and 14-plan hulls).
        for k in 1..=4 {
            buckets[bucket(rate_log, slopes[k])] += tokens * energy[k];
        }
        for k in 5..len.min(16) {
            buckets[bucket(rate_log, slopes[k])] += tokens * energy[k];
        }
    }
    rate_log
}

/// Zeroes the touched buckets (every tick ends with a clean histogram).
pub(super) fn clear(buckets: &mut [f64; BUCKETS], touched: Touched, slopes: SlopeBounds) {
    if let Some(range) = touched.range(slopes) {
        buckets[range].fill(0.0);
    }
}

/// Masks of the lanes of `slopes` above `thr` and above `thr − 8` (one bucket lower; bit k for lane k), with the
/// thresholds saturated to `i16` (real slope logs lie in `i16::MIN + 1 ..= MAX_SLOPE`, so saturation never changes
/// which real lanes pass). Lane 0 and padding lanes may pass too: the caller keeps only the hull's valid lanes. SSE2
/// compares and a mask move, with no dependent load chain: the final pass's search for the crossing point along each
/// op's hull.
#[cfg(target_arch = "x86_64")]
#[inline]
fn lanes_above(slopes: &[i16; 16], thr: i32) -> (u32, u32) {
    use core::arch::x86_64::{
        __m128i, _mm_cmpgt_epi16, _mm_cvtsi32_si128, _mm_loadu_si128, _mm_movemask_epi8, _mm_packs_epi16,
        _mm_packs_epi32, _mm_set1_epi16, _mm_shuffle_epi32, _mm_shufflelo_epi16, _mm_subs_epi16,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, so the intrinsics are available on every x86_64 target; the two
    // unaligned 16-byte loads read exactly the 32 bytes of `slopes`. (`unused_unsafe`: newer compilers treat the
    // value-only intrinsics as safe.)
    #[allow(unused_unsafe)]
    unsafe {
        let p = slopes.as_ptr().cast::<__m128i>();
        let (lo, hi) = (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)));
        // i32 → i16 with saturation, then broadcast to all eight lanes.
        let t = _mm_packs_epi32(_mm_cvtsi32_si128(thr), _mm_cvtsi32_si128(0));
        let t = _mm_shuffle_epi32::<0>(_mm_shufflelo_epi16::<0>(t));
        let t_low = _mm_subs_epi16(t, _mm_set1_epi16(1 << SHIFT));
        let mask = |t| _mm_movemask_epi8(_mm_packs_epi16(_mm_cmpgt_epi16(lo, t), _mm_cmpgt_epi16(hi, t))) as u32;
        (mask(t), mask(t_low))
    }
}

/// [`lanes_above`] on other targets.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn lanes_above(slopes: &[i16; 16], thr: i32) -> (u32, u32) {
    lanes_above_scalar(slopes, thr)
}

/// Portable [`lanes_above`] (and its reference in tests).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn lanes_above_scalar(slopes: &[i16; 16], thr: i32) -> (u32, u32) {
    let thr = thr.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
    let thr_low = thr.saturating_sub(1 << SHIFT);
    let (mut mask, mut mask_low) = (0, 0);
    for (k, &s) in slopes.iter().enumerate() {
        mask |= u32::from(s > thr) << k;
        mask_low |= u32::from(s > thr_low) << k;
    }
    (mask, mask_low)
}

/// Upgrades taken from a [`lanes_above`] mask: slope logs fall along the hull, so the set lanes are 1..=k.
#[inline]
fn prefix(mask: u32) -> usize {
    (!(mask >> 1)).trailing_zeros() as usize
}

/// Finds the crossing bucket, picks each op's vertex (into `out[i]`; not `slots[i].point`) and adds it to `acc`.
/// `left` is the budget after every op's cheapest vertex; `any_thermal` whether the thermal guard restricted any op.
/// Clears the histogram.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    out: &mut [Choice],
    buckets: &mut [f64; BUCKETS],
    touched: Touched,
    slopes: SlopeBounds,
    mut left: f64,
    rack_link: f64,
    rack_unlimited: bool,
    any_thermal: bool,
    acc: &mut Accounting,
) {
    // Walk buckets from the most efficient down; everything above the crossing bucket fits.
    let mut crossing = None;
    if let Some(range) = touched.range(slopes) {
        for b in range.rev() {
            let v = buckets[b];
            if v > 0.0 {
                if v > left {
                    crossing = Some(b);
                    break;
                }
                left -= v;
            }
        }
    }
    clear(buckets, touched, slopes);

    // Upgrade k of an op is above the crossing bucket c when (rate_log + slope_logₖ) >> SHIFT > c, i.e. when
    // slope_logₖ > above − rate_log; in it when slope_logₖ > above − 8 − rate_log as well. No crossing: all fit.
    let above = match crossing {
        Some(c) => ((c as i32 + 1) << SHIFT) - 1,
        None => -FREE,
    };
    // Without thermally guarded ops (the usual tick) every op reads its normal hull: selecting the hull by each
    // slot's flag would make every hull load wait for the slot's load (about 3.5 µs of the 8,000-op tick).
    // With the rack's link budget at least every op's (the usual tick), an op's link budget is one multiply.
    match (any_thermal, rack_unlimited) {
        (false, true) => pick::<false, true>(frontiers, ops, slots, out, above, left, rack_link, acc),
        (false, false) => pick::<false, false>(frontiers, ops, slots, out, above, left, rack_link, acc),
        (true, true) => pick::<true, true>(frontiers, ops, slots, out, above, left, rack_link, acc),
        (true, false) => pick::<true, false>(frontiers, ops, slots, out, above, left, rack_link, acc),
    }
}

/// The final pass: picks each op's vertex given the crossing threshold `above` and the budget `left` for upgrades
/// in the crossing bucket, writes it, and accounts it. `ANY_THERMAL`: whether some op uses its thermal hull;
/// `RACK_UNLIMITED`: whether the rack's link budget is at least every op's (see `guards::link_energy_of`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn pick<const ANY_THERMAL: bool, const RACK_UNLIMITED: bool>(
    frontiers: &[Frontier],
    ops: &[PendingOp],
    slots: &mut [OpSlot],
    out: &mut [Choice],
    above: i32,
    mut left: f64,
    rack_link: f64,
    acc: &mut Accounting,
) {
    let mut stopped = false;
    let (mut energy, mut latency, mut objective) = (0.0, 0.0, 0.0);
    let (mut link_energy, mut link_budget) = (0.0, 0.0);
    for ((op, slot), choice) in ops.iter().zip(slots.iter_mut()).zip(out.iter_mut()) {
        let f = &frontiers[op.frontier as usize];
        let hull = f.hull(ANY_THERMAL && slot.thermal);
        let thr = above - slot.rate_log;
        let valid = hull.valid_lanes();
        let mut k = prefix(lanes_above(hull.slope_logs(), thr).0 & valid);
        // The op's first upgrade not above the crossing bucket, k + 1, is in it when its slope log exceeds
        // thr − 8: one scalar compare, where a second SIMD mask for every op cost more.
        if k + 1 < hull.len() && i32::from(hull.slope_log(k + 1)) > thr - (1 << SHIFT) {
            // Rare: upgrades in the crossing bucket, taken in (op, vertex) order while they fit. Stop at the
            // first that does not, for good, so the taken set stays a prefix of the global order (what makes
            // more budget never worse).
            let last = prefix(lanes_above(hull.slope_logs(), thr).1 & valid);
            let tokens = f64::from(op.tokens);
            while k < last {
                let cost = tokens * hull.djpt(k + 1);
                if stopped || cost > left {
                    stopped = true;
                    break;
                }
                left -= cost;
                k += 1;
            }
        }
        // The choice goes only to `out`: writing the point to the slot too cost about 3 µs of the 8,000-op tick,
        // and only the rare link guard needs it (it recovers it from `out`).
        let (_, info) = hull.vertex(k);
        *choice = Choice {
            plan: info.plan,
            class: info.class,
        };
        let lat = f64::from(info.lat);
        energy += f64::from(op.tokens) * f64::from(info.jpt);
        latency += lat;
        objective += lat * slot.weight;
        let (e, b) = guards::link_energy_of::<RACK_UNLIMITED>(op.tokens, hull, info.link_pjb, rack_link);
        link_energy += e;
        link_budget += b;
    }
    let class_counts = class_counts(out);
    *acc = Accounting {
        energy_j: energy,
        total_latency_ms: latency,
        objective,
        class_counts,
        link_energy_j: link_energy,
        link_budget_j: link_budget,
    };
}

/// How many of `out` are of each class (A, B, C, fallback), counted after the final pass rather than in it (a
/// per-op count there needs a register the pass is short of). Class codes are 0..=3, so with b0 and b1 their two
/// bits, Σb0 = B + fallback, Σb1 = C + fallback and Σ(b0·b1) = fallback.
fn class_counts(out: &[Choice]) -> [u32; 4] {
    let [b0, b1, both] = class_bit_sums(out);
    let (b, c) = (b0 - both, b1 - both);
    [out.len() as u32 - b - c - both, b, c, both]
}

/// Σb0, Σb1 and Σ(b0·b1) over the class codes of `choices`: SSE2 over 8 choices (16 bytes, class in the odd
/// bytes) at a time, byte-wide sums flushed before they can wrap.
#[cfg(target_arch = "x86_64")]
fn class_bit_sums(choices: &[Choice]) -> [u32; 3] {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_add_epi8, _mm_and_si128, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_sad_epu8,
        _mm_set1_epi16, _mm_setzero_si128, _mm_srli_epi16, _mm_srli_si128,
    };
    const _: () = assert!(core::mem::size_of::<Choice>() == 2 && core::mem::align_of::<Choice>() == 1);
    let blocks = choices.len() / 8;
    let mut sums = [0u32; 3];
    // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16 bytes = 8 whole `Choice`s of `choices`
    // (`repr(C)`, 2 bytes each, see the assertion), since `(block + 1) * 8 <= choices.len()`.
    #[allow(unused_unsafe)]
    unsafe {
        let bit = _mm_set1_epi16(0x0100); // bit 0 of each odd (class) byte
        let zero = _mm_setzero_si128();
        let total = |v: __m128i| {
            let s = _mm_sad_epu8(v, zero);
            _mm_cvtsi128_si64(_mm_add_epi64(s, _mm_srli_si128::<8>(s))) as u32
        };
        let p = choices.as_ptr().cast::<__m128i>();
        let mut block = 0;
        while block < blocks {
            // At most 255 blocks per round: each adds at most 1 to a byte of the sums.
            let end = blocks.min(block + 255);
            let (mut s0, mut s1, mut s01) = (zero, zero, zero);
            while block < end {
                let x = _mm_loadu_si128(p.add(block));
                let b0 = _mm_and_si128(x, bit);
                let b1 = _mm_and_si128(_mm_srli_epi16::<1>(x), bit);
                s0 = _mm_add_epi8(s0, b0);
                s1 = _mm_add_epi8(s1, b1);
                s01 = _mm_add_epi8(s01, _mm_and_si128(b0, b1));
                block += 1;
            }
            sums[0] += total(s0);
            sums[1] += total(s1);
            sums[2] += total(s01);
        }
    }
    let tail = class_bit_sums_scalar(&choices[blocks * 8..]);
    [sums[0] + tail[0], sums[1] + tail[1], sums[2] + tail[2]]
}

/// [`class_bit_sums`] on other targets.
#[cfg(not(target_arch = "x86_64"))]
fn class_bit_sums(choices: &[Choice]) -> [u32; 3] {
    class_bit_sums_scalar(choices)
}

/// Portable [`class_bit_sums`] (and its tail on x86_64).
fn class_bit_sums_scalar(choices: &[Choice]) -> [u32; 3] {
    let mut sums = [0u32; 3];
    for choice in choices {
        let class = choice.class as u32;
        sums[0] += class & 1;
        sums[1] += class >> 1;
        sums[2] += class & (class >> 1);
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::super::frontier::PlanClass;
    use super::*;

    #[test]
    fn class_counts_match_a_plain_count() {
        // Lengths around the 8-choice blocks and past the 255-block flush, classes in a scrambled pattern.
        let mut all = [Choice::default(); 4099];
        for (i, c) in all.iter_mut().enumerate() {
            *c = Choice {
                plan: (i % 251) as u8,
                class: PlanClass::ALL[(i * 7 + i / 3) % 4],
            };
        }
        for n in [0, 1, 7, 8, 9, 2040, 2047, 2048, 4099] {
            let out = &all[..n];
            let mut expected = [0u32; 4];
            for c in out {
                expected[c.class as usize] += 1;
            }
            assert_eq!(class_counts(out), expected, "{n}");
            assert_eq!(class_bit_sums(out), class_bit_sums_scalar(out), "{n}");
        }
    }

    #[test]
    fn lane_masks_match_the_scalar_reference() {
        let mut slopes = [NO_SLOPE; 16];
        for (k, s) in slopes.iter_mut().enumerate().take(14).skip(1) {
            *s = 3000 - 700 * k as i16;
        }
        for thr in [
            -1 << 20,
            -32769,
            -32768,
            -32767,
            -6000,
            -1,
            0,
            900,
            2299,
            2300,
            2301,
            32767,
            1 << 20,
        ] {
            let got = lanes_above(&slopes, thr);
            assert_eq!(got, lanes_above_scalar(&slopes, thr), "{thr}");
            let low = (1..14).filter(|&k: &i32| 3000 - 700 * k > thr - 8).count();
            assert_eq!(prefix(got.1), low, "{thr}");
            let expected = (1..14).filter(|&k: &i32| 3000 - 700 * k > thr).count();
            assert_eq!(prefix(got.0), expected, "{thr}");
        }
    }
}
