//! The render pipeline's stages on the bundled chart's production preset.

use criterion::{Criterion, criterion_group, criterion_main};
use redis_ha::render::ReleaseOptions;
use redis_ha::values::ValueSources;
use redis_ha::{chart, release};

fn production() -> ValueSources {
    ValueSources {
        env: Some("production".to_owned()),
        set: vec!["sentinel.downAfterMilliseconds=5000".to_owned()],
        ..ValueSources::default()
    }
}

fn bench(c: &mut Criterion) {
    let chart = chart::bundled();
    let sources = production();
    let values = release::checked_values(&chart, &sources).expect("production preset is valid");
    let options = ReleaseOptions::default();

    c.bench_function("merge values (production)", |b| {
        b.iter(|| release::merged_values(&chart, &sources).unwrap());
    });
    c.bench_function("schema validation (production)", |b| {
        b.iter(|| release::violations(&chart, &values).unwrap());
    });
    c.bench_function("render (production)", |b| {
        b.iter(|| release::render(&chart, &values, &options).unwrap());
    });
    c.bench_function("whole pipeline (production)", |b| {
        b.iter(|| {
            let chart = chart::bundled();
            let values = release::checked_values(&chart, &sources).unwrap();
            release::render(&chart, &values, &options).unwrap()
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
