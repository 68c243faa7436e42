//! Pareto search: the 720-point plan space per kernel, pruning to a frontier, and the frontier cache.
//!
//! - [`space`]: the configuration space and its stable enumeration order.
//! - [`cost`]: what pricing a point yields (cost or the reason it cannot run).
//! - [`priced`]: a kernel's priced points as columns, what pruning reads.
//! - [`prune`]: the source's three pruning rules.
//! - [`frontier`]: one kernel's search (parallel pricing, pruning, plan names, fallback).
//! - [`memory`]: the five memory variants and what each does to an op's work.
//! - [`cache`]: the frontier cache and its hit/miss counts.
//! - [`price`]: pricing a point with a SKU's energy model (precision, memory variant, per-token figures).
//! - [`search`]: whole-module search, with each op's share of the decode-step SLO.

pub mod cache;
pub mod cost;
pub mod frontier;
pub mod memory;
mod parallel;
pub mod price;
pub mod priced;
pub mod prune;
pub mod search;
pub mod space;

pub use cache::{CacheStats, FrontierCache, KernelKey, KeyData, KeyMap, Points};
pub use cost::{Cost, Evaluated, Infeasible};
pub use frontier::{
    evaluate, fallback, fastest, fastest_feasible, fastest_in, frontier, frontier_feasible, frontier_of, plan_id,
    FallbackPlan, Frontier, NamedPlan,
};
pub use memory::{VariantParams, VariantUnavailable, Work, REUSE_THRESHOLD};
pub use price::{axes_for, energy_class, Pricer, Reason, LINK_GBPS};
pub use priced::{CostTable, Priced, PricedBuilder};
pub use prune::{feasible, prune, prune_feasible, prune_table, MAX_PLANS, SLO_SLACK};
pub use search::{search_module, search_module_by_kernel, KernelSpec, OpSearch, SearchError};
pub use space::{memory_of, precision_of, Axes, AxesError, Point, MEMORY_VARIANTS, POINTS_PER_KERNEL, PRECISIONS};
