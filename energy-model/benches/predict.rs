//! Cost of one prediction and of a kernel's whole 720-point sweep, the Pareto search's inner loop.

use criterion::{criterion_group, criterion_main, Criterion};
use energy_model::{EnergyModel, KernelClass, KernelWork, ModelForm, Precision, Sku};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/skus/h100.toml");
    let sku = Sku::load(&path).expect("shipped SKU loads");
    let points = sku.operating_points();
    let work = KernelWork::new(KernelClass::Linear, Precision::Bf16, 117e6, 7.5e9);
    for form in ModelForm::ALL {
        let model = sku.model(form);
        c.bench_function(&format!("predict/one/{form}"), |b| {
            b.iter(|| model.predict(&sku, black_box(&work), black_box(&points[0])))
        });
        // 4 precisions × 36 operating points × 5 memory variants (modelled here as 5 byte counts) = 720.
        c.bench_function(&format!("predict/sweep720/{form}"), |b| {
            b.iter(|| {
                let mut feasible = 0u32;
                for precision in Precision::ALL {
                    for variant in 1..=5 {
                        let w = KernelWork {
                            precision,
                            bytes_hbm: work.bytes_hbm * f64::from(variant) / 5.0,
                            ..work
                        };
                        for p in &points {
                            feasible += u32::from(model.predict(&sku, black_box(&w), p).is_ok());
                        }
                    }
                }
                feasible
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
