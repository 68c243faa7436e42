//! The closed vocabularies every model input uses: precision, kernel class, link state (no_std).
//!
//! Each enum has one canonical lower-case name, used in SKU files, trace CSVs, RIIR text and diagnostics.

use core::fmt;

/// Arithmetic precision of a kernel's tensor math. Names: `fp16`, `bf16`, `fp8`, `fp4`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Precision {
    Fp16,
    Bf16,
    Fp8,
    Fp4,
}

impl Precision {
    /// Every precision, in the order the search enumerates them and SKU tables list them.
    pub const ALL: [Precision; 4] = [Precision::Fp16, Precision::Bf16, Precision::Fp8, Precision::Fp4];

    pub const fn name(self) -> &'static str {
        match self {
            Precision::Fp16 => "fp16",
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
            Precision::Fp4 => "fp4",
        }
    }

    /// Position in [`Precision::ALL`]; indexes per-precision coefficient arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    pub fn from_name(name: &str) -> Option<Precision> {
        Precision::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What a kernel does. The models use it only for reporting (per-class error breakdown) and for
/// consumers' cache keys: bytes, flops and link time already carry the cost differences between classes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KernelClass {
    Linear,
    Gemm,
    AttentionDecode,
    AttentionPrefill,
    Norm,
    Elementwise,
    Softmax,
    Embedding,
    Allreduce,
}

impl KernelClass {
    pub const ALL: [KernelClass; 9] = [
        KernelClass::Linear,
        KernelClass::Gemm,
        KernelClass::AttentionDecode,
        KernelClass::AttentionPrefill,
        KernelClass::Norm,
        KernelClass::Elementwise,
        KernelClass::Softmax,
        KernelClass::Embedding,
        KernelClass::Allreduce,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            KernelClass::Linear => "linear",
            KernelClass::Gemm => "gemm",
            KernelClass::AttentionDecode => "attention_decode",
            KernelClass::AttentionPrefill => "attention_prefill",
            KernelClass::Norm => "norm",
            KernelClass::Elementwise => "elementwise",
            KernelClass::Softmax => "softmax",
            KernelClass::Embedding => "embedding",
            KernelClass::Allreduce => "allreduce",
        }
    }

    pub fn from_name(name: &str) -> Option<KernelClass> {
        KernelClass::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The state a GPU's scale-out links are parked in while a kernel runs.
///
/// `dsp`: retimed (DSP) pluggable optics, always on. `lpo_*`: linear-drive pluggable optics.
/// `cpo_*`: co-packaged optics. `*_sleep` states wake for the kernel's link traffic and pay the
/// SKU's transition costs (source §7.5: entry 22 µs, exit 18 µs, 3.2 µJ per transition).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkState {
    Dsp,
    LpoActive,
    LpoSleep,
    CpoActive,
    CpoSleep,
}

impl LinkState {
    pub const ALL: [LinkState; 5] = [
        LinkState::Dsp,
        LinkState::LpoActive,
        LinkState::LpoSleep,
        LinkState::CpoActive,
        LinkState::CpoSleep,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            LinkState::Dsp => "dsp",
            LinkState::LpoActive => "lpo_active",
            LinkState::LpoSleep => "lpo_sleep",
            LinkState::CpoActive => "cpo_active",
            LinkState::CpoSleep => "cpo_sleep",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    pub fn from_name(name: &str) -> Option<LinkState> {
        LinkState::ALL.into_iter().find(|l| l.name() == name)
    }

    /// True for the sleep states, which must wake (and later re-enter sleep) to carry traffic.
    pub const fn is_sleep(self) -> bool {
        matches!(self, LinkState::LpoSleep | LinkState::CpoSleep)
    }

    /// The state a sleeping link wakes into; an active state is its own.
    pub const fn awake(self) -> LinkState {
        match self {
            LinkState::LpoSleep => LinkState::LpoActive,
            LinkState::CpoSleep => LinkState::CpoActive,
            other => other,
        }
    }
}

macro_rules! display_by_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    )*};
}
display_by_name!(Precision, KernelClass, LinkState);

/// Joins the names of a vocabulary for "expected one of …" messages.
pub fn expected_names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> ExpectedNames<'_, T> {
    ExpectedNames { all, name }
}

/// Display adapter returned by [`expected_names`]: `fp16, bf16, fp8, fp4`.
pub struct ExpectedNames<'a, T> {
    all: &'a [T],
    name: fn(T) -> &'static str,
}

impl<T: Copy> fmt::Display for ExpectedNames<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.all.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str((self.name)(*item))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Precision::ALL {
            assert_eq!(Precision::from_name(p.name()), Some(p));
        }
        for k in KernelClass::ALL {
            assert_eq!(KernelClass::from_name(k.name()), Some(k));
        }
        for l in LinkState::ALL {
            assert_eq!(LinkState::from_name(l.name()), Some(l));
        }
        assert_eq!(Precision::from_name("int3"), None);
    }

    #[test]
    fn sleep_states_wake_into_their_active_state() {
        assert_eq!(LinkState::LpoSleep.awake(), LinkState::LpoActive);
        assert_eq!(LinkState::CpoSleep.awake(), LinkState::CpoActive);
        assert_eq!(LinkState::Dsp.awake(), LinkState::Dsp);
        assert!(LinkState::CpoSleep.is_sleep() && !LinkState::CpoActive.is_sleep());
    }
}
