//! How RIIR maps onto the `riir` MLIR dialect: op, type and attribute names shared by the printer and the
//! importer, so the two cannot drift apart. The dialect itself is `riir-dialect/mlir/riir.irdl.mlir`.

use crate::names::Named;

/// The dialect definition in IRDL, shipped inside the library so `riirc` needs no file at run time.
pub const IRDL_SOURCE: &str = include_str!("../../mlir/riir.irdl.mlir");

/// `riir.op`: one decode-graph op.
pub const OP: &str = "riir.op";
/// `riir.block_ref`: a KV block that is not an argument of the enclosing function.
pub const BLOCK_REF: &str = "riir.block_ref";
/// The only RIIR value type, `!kv.block` in RIIR text.
pub const KV_BLOCK_TYPE: &str = "!riir.kv_block";
/// The RIIR spelling of [`KV_BLOCK_TYPE`] (without `!`).
pub const RIIR_KV_BLOCK: &str = "kv.block";

/// The dialect attribute holding a vocabulary name, e.g. `precision` for `#riir.precision<"fp8">`: the
/// vocabulary's [`Named::WHAT`] with `_` for spaces (`link state` → `link_state`). IRDL checks the name.
pub fn vocabulary_mnemonic<T: Named>() -> String {
    T::WHAT.replace(' ', "_")
}

/// `#riir.precision<"fp8">` for `Precision::Fp8`.
pub fn vocabulary_attr<T: Named>(value: T) -> String {
    format!("#riir.{}<\"{}\">", vocabulary_mnemonic::<T>(), value.name())
}

/// The name inside `#riir.<mnemonic><"name">` as MLIR prints it, if `printed` has that form.
pub fn vocabulary_name<T: Named>(printed: &str) -> Option<&str> {
    printed
        .strip_prefix("#riir.")?
        .strip_prefix(vocabulary_mnemonic::<T>().as_str())?
        .strip_prefix("<\"")?
        .strip_suffix("\">")
}

/// Argument attribute carrying the RIIR name of a function argument (SSA names are not preserved by MLIR).
pub const ARG_NAME: &str = "riir.name";
/// Argument attribute carrying a RIIR type other than `kv.block`, so such a type survives a round trip.
pub const ARG_TYPE: &str = "riir.type";
/// `//` comment lines above a function or op.
pub const COMMENTS: &str = "riir.comments";
/// `//` comment lines at the top of the file, on `builtin.module`.
pub const HEADER_COMMENTS: &str = "riir.header_comments";

/// `riir.op` attributes (all required by the IRDL definition).
pub mod op_attr {
    pub const NAME: &str = "name";
    pub const KERNEL: &str = "kernel";
    pub const MEMORY: &str = "memory";
    pub const POWER: &str = "power";
    pub const SEGMENTS: &str = "operandSegmentSizes";
}

/// Keys of the `kernel` dictionary.
pub mod kernel_key {
    pub const CLASS: &str = "class";
    /// An array of `["dim", size : i64]` pairs: an array, not a dictionary, because dictionaries sort their keys
    /// and the text form keeps dimensions in the order written.
    pub const SHAPE: &str = "shape";
    pub const BYTES_HBM: &str = "bytes_hbm";
    pub const FLOPS: &str = "flops";
    pub const LINK_BYTES: &str = "link_bytes";
}

/// Keys of the `memory` dictionary.
pub mod memory_key {
    /// A unit marker: the prefetch list is written; its blocks are the op's first operand segment.
    pub const PREFETCH: &str = "prefetch";
    pub const RESIDENCY_HINT: &str = "residency_hint";
    /// A unit marker: the evict list is written; its blocks are the op's second operand segment.
    pub const EVICT: &str = "evict";
    pub const REUSE_CONFIDENCE: &str = "reuse_confidence";
}

/// Keys of the `power` dictionary.
pub mod power_key {
    pub const TARGET_JPT: &str = "target_jpt";
    pub const MAX_TEMP_DELTA_100MS: &str = "max_temp_delta_100ms";
    pub const LINK_BUDGET_PJB: &str = "link_budget_pJb";
    pub const ALTERNATIVES: &str = "alternatives";
    pub const FALLBACK: &str = "fallback";
}

/// Keys of each plan dictionary in `alternatives`.
pub mod plan_key {
    pub const ID: &str = "id";
    pub const PRECISION: &str = "precision";
    pub const SM_MHZ: &str = "sm_mhz";
    pub const HBM_BW: &str = "hbm_bw";
    pub const LINK: &str = "link";
    pub const MEMORY: &str = "memory";
    pub const EST_JPT: &str = "est_jpt";
    pub const EST_LAT_MS: &str = "est_lat_ms";
}

/// Keys of the `fallback` dictionary.
pub mod fallback_key {
    pub const ACTION: &str = "action";
    pub const EST_JPT: &str = "est_jpt";
    pub const EST_LAT_MS: &str = "est_lat_ms";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::{FallbackAction, KernelClass, LinkState, MemoryVariant, Precision, Residency};

    /// The IRDL file lists exactly the names of each Rust vocabulary, in order, so neither can drift.
    fn irdl_lists<T: Named>() {
        let header = format!("irdl.attribute @{} {{", vocabulary_mnemonic::<T>());
        let start = IRDL_SOURCE
            .find(&header)
            .unwrap_or_else(|| panic!("no `{header}` in the IRDL file"));
        let body = &IRDL_SOURCE[start..start + IRDL_SOURCE[start..].find("\n  }").unwrap()];
        let listed: Vec<&str> = body
            .lines()
            .filter_map(|l| l.split_once("= irdl.is \"").map(|(_, rest)| rest.trim_end_matches('"')))
            .collect();
        let expected: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
        assert_eq!(listed, expected, "{}", T::WHAT);
    }

    #[test]
    fn irdl_vocabularies_match_the_rust_ones() {
        irdl_lists::<Precision>();
        irdl_lists::<LinkState>();
        irdl_lists::<Residency>();
        irdl_lists::<FallbackAction>();
        irdl_lists::<MemoryVariant>();
        irdl_lists::<KernelClass>();
    }

    #[test]
    fn vocabulary_attributes_print_and_read_back() {
        let text = vocabulary_attr(LinkState::LpoSleep);
        assert_eq!(text, "#riir.link_state<\"lpo_sleep\">");
        assert_eq!(vocabulary_name::<LinkState>(&text), Some("lpo_sleep"));
        assert_eq!(vocabulary_name::<Precision>(&text), None);
    }
}
