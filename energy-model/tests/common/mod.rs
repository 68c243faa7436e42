//! Helpers shared by the energy-model integration tests: load the shipped SKU files.

use energy_model::Sku;
use std::path::PathBuf;

pub fn sku_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/skus")
        .join(format!("{name}.toml"))
}

pub fn sku(name: &str) -> Sku {
    Sku::load(&sku_path(name)).unwrap_or_else(|e| panic!("{e}"))
}
