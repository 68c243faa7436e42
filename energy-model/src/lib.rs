//! Energy and latency models per GPU SKU: SKU files, the `seed` and `physical` forms, calibration, Bayesian update.
