//! RIIR front ends: the pest grammar for RIIR text, and model-config → decode-graph lowering.
pub mod lower;
