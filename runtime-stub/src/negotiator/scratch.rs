//! Caller-owned working memory for the tick, so the tick never allocates: one slot per pending op, one ordering
//! slot per pending op, and a fixed histogram. Size both slices to the largest pending-op count you will pass;
//! create the `Scratch` once and reuse it every tick.

/// Histogram buckets of the contract policy's threshold search: 64 per octave of upgrade efficiency over 256
/// octaves (128 KiB; a tick touches only the octaves its ops span).
pub const BUCKETS: usize = 1 << 14;

/// Per-op working state of a tick: 16 bytes, so the two passes stream 128 KB for 8,000 ops.
#[derive(Copy, Clone, Debug, Default)]
pub struct OpSlot {
    /// SLO weight, 1 / deadline_ms (contract policy: computed by the preparation pass for the final pass's
    /// objective, so the final pass does no division).
    pub(super) weight: f64,
    /// Contract policy: the histogram offset plus 512 · log2 of the op's rate, SLO weight / tokens (see
    /// `contract`); an upgrade's bucket is `(rate_log + slope_log) >> 3`. Unused by the other paths.
    pub(super) rate_log: i32,
    /// Chosen frontier point: written by the seed policy, the fail-safe paths and the link guard; the contract's
    /// final pass writes only the op's `Choice` (one store less per op), and the link guard recovers the point
    /// from it when it runs.
    pub(super) point: u8,
    /// Restricted by the thermal guard. Written only by ticks where some op may be hot (the contract's usual
    /// tick leaves it, and `point`, as the last tick wrote them: nothing reads them there before writing them).
    pub(super) thermal: bool,
}

/// A sort key and an op index (seed order, link-guard order, contract boundary list).
#[derive(Copy, Clone, Debug, Default)]
pub struct OrderSlot {
    pub(super) key: f64,
    pub(super) index: u32,
}

/// Working memory for [`super::Negotiator::tick`].
pub struct Scratch<'s> {
    pub(super) ops: &'s mut [OpSlot],
    pub(super) order: &'s mut [OrderSlot],
    /// All zero between ticks: the contract policy zeroes what it used.
    pub(super) buckets: &'s mut [f64; BUCKETS],
}

impl<'s> Scratch<'s> {
    /// Scratch for up to `min(ops.len(), order.len())` pending ops; `buckets` is zeroed here once.
    pub fn new(ops: &'s mut [OpSlot], order: &'s mut [OrderSlot], buckets: &'s mut [f64; BUCKETS]) -> Scratch<'s> {
        buckets.fill(0.0);
        Scratch { ops, order, buckets }
    }

    /// Most pending ops a tick may pass.
    pub fn capacity(&self) -> usize {
        self.ops.len().min(self.order.len())
    }
}

/// Heap-backed scratch for hosts with an allocator (feature `alloc`); allocates once, here, never in the tick.
#[cfg(feature = "alloc")]
pub struct ScratchBuf {
    ops: alloc::vec::Vec<OpSlot>,
    order: alloc::vec::Vec<OrderSlot>,
    buckets: alloc::boxed::Box<[f64; BUCKETS]>,
}

#[cfg(feature = "alloc")]
impl ScratchBuf {
    pub fn new(capacity: usize) -> ScratchBuf {
        ScratchBuf {
            ops: alloc::vec![OpSlot::default(); capacity],
            order: alloc::vec![OrderSlot::default(); capacity],
            buckets: alloc::boxed::Box::new([0.0; BUCKETS]),
        }
    }

    /// A [`Scratch`] borrowing these buffers.
    pub fn scratch(&mut self) -> Scratch<'_> {
        // No re-zeroing: the buckets start zero and every tick leaves them zero.
        Scratch {
            ops: &mut self.ops,
            order: &mut self.order,
            buckets: &mut self.buckets,
        }
    }
}
