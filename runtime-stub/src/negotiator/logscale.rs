//! Fixed-point base-2 logarithms for the contract policy's efficiency buckets, in `no_std` (`core` has no
//! `f64::log2`): 1/512 octave units, so an upgrade's bucket is an integer sum (rate log + slope log) and a shift
//! instead of a float multiply and conversion per upgrade.
//!
//! [`log2_precise`] (frontier preparation, once per hull vertex) reads the whole mantissa; [`log2_fast`] (the tick,
//! once per op) reads its top 10 bits from a 2 KiB table built at compile time. Both are monotone non-decreasing in
//! `x`, which is all the policy's correctness needs; their accuracy only sets how finely efficiencies are ranked.

/// log2 fraction bits: values are in units of 1/512 octave.
pub(super) const FRAC_BITS: u32 = 9;
/// Units per octave.
pub(super) const UNITS: i32 = 1 << FRAC_BITS;

/// ⌊512 · log2 m⌋ for m in [1, 2), as the exponent of m⁵¹² (nine squarings; m⁵¹² < 2⁵¹² stays finite). Rounding in
/// the squarings is monotone, so the result is monotone in m; it can differ from the exact floor only when
/// 512 · log2 m is within about 1e-13 of an integer.
const fn log2_mantissa(m: f64) -> i32 {
    let mut y = m;
    let mut i = 0;
    while i < FRAC_BITS {
        y *= y;
        i += 1;
    }
    ((y.to_bits() >> 52) as i32) - 1023
}

/// Bits of the mantissa [`log2_fast`] reads.
const TABLE_BITS: u32 = 10;

/// `MANTISSA_LOG[j]` = ⌊512 · log2(1 + j/1024)⌋ − ⌊j/2⌋: the log of the mantissa's top 10 bits minus the top 9 of
/// them, which [`log2_fast`] reads together with the exponent in one shift. Never negative, since log2(1 + t) ≥ t
/// on [0, 1].
static MANTISSA_LOG: [u16; 1 << TABLE_BITS] = {
    let mut t = [0u16; 1 << TABLE_BITS];
    let mut j = 0;
    while j < t.len() {
        t[j] = (log2_mantissa(1.0 + j as f64 / (1 << TABLE_BITS) as f64) - (j as i32 >> 1)) as u16;
        j += 1;
    }
    t
};

const MANTISSA_MASK: u64 = (1 << 52) - 1;

/// Unbiased exponent of `x` (−1023 for zero and subnormals, 1024 for infinities and NaN).
#[inline]
fn exponent(bits: u64) -> i32 {
    ((bits >> 52) & 0x7ff) as i32 - 1023
}

/// 512 · log2 x rounded down, for x > 0 (zero and subnormals give about −1023 octaves, +inf and NaN +1024): the
/// exponent plus ⌊512 · log2⌋ of the whole mantissa. Construction-time only.
pub(super) fn log2_precise(x: f64) -> i32 {
    let bits = x.to_bits();
    let m = f64::from_bits((bits & MANTISSA_MASK) | (1023 << 52));
    exponent(bits) * UNITS + log2_mantissa(m)
}

/// 512 · log2 x from the exponent and the top 10 mantissa bits, for finite normal x > 0: less than 1.73 units
/// (0.0034 octave) below the exact value, never above. One table load; the tick's per-op rate. With the sign bit
/// clear, `bits >> 43` is the biased exponent times 512 plus the mantissa's top 9 bits, which the table entry
/// corrects to their log.
#[inline]
pub(super) fn log2_fast(x: f64) -> i32 {
    let bits = x.to_bits();
    let j = ((bits >> (52 - TABLE_BITS)) & ((1 << TABLE_BITS) - 1)) as usize;
    (bits >> (52 - FRAC_BITS)) as i32 - 1023 * UNITS + i32::from(MANTISSA_LOG[j])
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    /// Reference: 512·log2 via std, for the values where both are defined.
    fn exact(x: f64) -> f64 {
        512.0 * x.log2()
    }

    #[test]
    fn logs_match_std_within_their_stated_error_and_are_monotone() {
        let mut prev_fast = i32::MIN;
        let mut prev_precise = i32::MIN;
        let mut x = 1e-30f64;
        while x < 1e30 {
            let (fast, precise, e) = (log2_fast(x), log2_precise(x), exact(x));
            assert!(
                f64::from(precise) <= e + 1e-9 && f64::from(precise) > e - 1.0 - 1e-9,
                "{x}: {precise} vs {e}"
            );
            assert!(
                f64::from(fast) <= e + 1e-9 && f64::from(fast) > e - 1.73,
                "{x}: {fast} vs {e}"
            );
            assert!(fast >= prev_fast && precise >= prev_precise, "{x}");
            (prev_fast, prev_precise) = (fast, precise);
            x *= 1.000_37;
        }
        assert_eq!(
            (log2_precise(1.0), log2_fast(1.0), log2_precise(0.5), log2_fast(8.0)),
            (0, 0, -512, 1536)
        );
    }
}
