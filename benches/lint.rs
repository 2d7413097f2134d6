//! `redis-ha lint --env production`, in-process: the whole lint, and its manifest stage alone.

use criterion::{Criterion, criterion_group, criterion_main};
use redis_ha::lint::{self, Environment, Input, Selection};
use redis_ha::render::ReleaseOptions;
use redis_ha::values::ValueSources;
use redis_ha::{chart, release};

fn bench(c: &mut Criterion) {
    let chart = chart::bundled();
    let sources = ValueSources {
        env: Some("production".to_owned()),
        ..ValueSources::default()
    };
    let options = ReleaseOptions::default();
    let selection = Selection::all();

    c.bench_function("lint (production)", |b| {
        b.iter(|| {
            let report = lint::lint(&chart, &sources, &options, &selection, None).unwrap();
            assert!(!report.fails(true));
            report
        });
    });

    let values = release::checked_values(&chart, &sources).unwrap();
    let manifests = release::render(&chart, &values, &options).unwrap();
    let input = Input {
        values: &values,
        manifests: &manifests,
        environment: Environment::Production,
        namespace: "default",
        template_dir: "charts/redis-ha/templates",
        templates: &chart.templates,
    };
    c.bench_function("lint rules only (production)", |b| {
        b.iter(|| lint::check(&input, &selection));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
