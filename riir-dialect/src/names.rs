//! The closed vocabularies of RIIR: precisions, link states, residency tiers, fallback actions, memory
//! variants and kernel classes. Each prints and parses by one canonical name.

use std::fmt;

/// Implemented by every vocabulary enum: its canonical names, for parsing and for "expected one of" messages.
pub trait Named: Copy + Sized + 'static {
    /// What the vocabulary is called in messages ("precision", "link state", …).
    const WHAT: &'static str;
    /// Every member, in declaration order.
    const ALL: &'static [Self];
    fn name(self) -> &'static str;

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }

    /// `fp16, bf16, fp8, fp4` — for "expected one of …" messages.
    fn expected_list() -> String {
        Self::ALL.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $name { $($variant),+ }

        impl Named for $name {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

vocabulary!(
    /// Numeric precision of a plan's weights and math.
    Precision, "precision" {
        Fp16 => "fp16",
        Bf16 => "bf16",
        Fp8 => "fp8",
        Fp4 => "fp4",
    }
);

vocabulary!(
    /// Power state of the op's scale-out links: DSP optics, linear-drive (LPO) and co-packaged (CPO) optics.
    LinkState, "link state" {
        Dsp => "dsp",
        LpoActive => "lpo_active",
        LpoSleep => "lpo_sleep",
        CpoActive => "cpo_active",
        CpoSleep => "cpo_sleep",
    }
);

vocabulary!(
    /// Where the op's working set should live.
    Residency, "residency" {
        HbmTier0 => "HBM.tier0",
        HbmTier1 => "HBM.tier1",
        Sram => "SRAM",
        Host => "host",
    }
);

vocabulary!(
    /// What the runtime does when no plan fits the budget.
    FallbackAction, "fallback action" {
        RecomputeKv => "recompute_kv",
        Defer => "defer",
    }
);

vocabulary!(
    /// How a plan moves its data. Defined by the Pareto search (README: "Memory variants").
    MemoryVariant, "memory variant" {
        Baseline => "baseline",
        Prefetch => "prefetch",
        ReuseLowBytes => "reuse_low_bytes",
        SramPinned => "sram_pinned",
        Recompute => "recompute",
    }
);

vocabulary!(
    /// What kind of kernel an op is, which decides how the energy model prices it.
    KernelClass, "kernel class" {
        Linear => "linear",
        AttentionDecode => "attention_decode",
        Gemm => "gemm",
        Norm => "norm",
        Elementwise => "elementwise",
        Allreduce => "allreduce",
        Embedding => "embedding",
        Router => "router",
        Copy => "copy",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Named + PartialEq + fmt::Debug>() {
        for &v in T::ALL {
            assert_eq!(T::from_name(v.name()), Some(v), "{} `{}`", T::WHAT, v.name());
        }
    }

    #[test]
    fn every_name_parses_back() {
        round_trips::<Precision>();
        round_trips::<LinkState>();
        round_trips::<Residency>();
        round_trips::<FallbackAction>();
        round_trips::<MemoryVariant>();
        round_trips::<KernelClass>();
    }

    #[test]
    fn expected_list_names_every_member() {
        assert_eq!(Precision::expected_list(), "fp16, bf16, fp8, fp4");
        assert_eq!(Precision::from_name("int3"), None);
    }
}
