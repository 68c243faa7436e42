//! Byte spans into the source text, carried by every IR node a diagnostic may point at.

/// A half-open byte range `[start, end)` into the file the node was parsed from.
/// IR built by the compiler itself (not parsed) carries [`Span::SYNTHETIC`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span of nodes that have no source text (built by lowering or by the compiler).
    pub const SYNTHETIC: Span = Span {
        start: u32::MAX,
        end: u32::MAX,
    };

    pub fn new(start: usize, end: usize) -> Self {
        // Files over 4 GiB are rejected before parsing, so offsets fit; saturate rather than wrap regardless.
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX - 1);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    pub fn is_synthetic(self) -> bool {
        self == Span::SYNTHETIC
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value with the span it was written at.
#[derive(Clone, PartialEq, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }

    pub fn synthetic(value: T) -> Self {
        Spanned {
            value,
            span: Span::SYNTHETIC,
        }
    }
}
