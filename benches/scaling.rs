//! How the pipeline grows with what a user can inflate: replicas, the keys of a values file,
//! `--set` flags and `-f` layers. Each case runs at two or three sizes, so that a
//! quadratic step shows as a ratio well above the ratio of the sizes.

use std::fmt::Write as _;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use redis_ha::render::ReleaseOptions;
use redis_ha::values::ValueSources;
use redis_ha::{chart, release};

fn production() -> ValueSources {
    ValueSources {
        env: Some("production".to_owned()),
        ..ValueSources::default()
    }
}

/// A values file setting `n` pod annotations.
fn annotations_file(dir: &std::path::Path, n: usize, tag: &str) -> String {
    let mut text = String::from("podAnnotations:\n");
    for i in 0..n {
        let _ = writeln!(text, "  example.com/{tag}-{i}: \"value {i}\"");
    }
    let path = dir.join(format!("{tag}-{n}.yaml"));
    std::fs::write(&path, text).expect("temp dir is writable");
    path.display().to_string()
}

fn bench(c: &mut Criterion) {
    let chart = chart::bundled();
    let options = ReleaseOptions::default();
    let dir = tempfile::tempdir().expect("temp dir");

    // The schema caps replicas at 15; 50 renders without it, as `--skip-schema-validation`.
    let mut group = c.benchmark_group("render replicas");
    for replicas in [3, 15, 50] {
        let mut sources = production();
        sources.set = vec![format!("replicas={replicas}")];
        let values = release::merged_values(&chart, &sources).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(replicas), &values, |b, v| {
            b.iter(|| release::render(&chart, v, &options).unwrap());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("values file keys (merge + schema + render)");
    group.sample_size(10);
    for keys in [1_000, 10_000] {
        let mut sources = production();
        sources.files = vec![annotations_file(dir.path(), keys, "file")];
        group.bench_with_input(BenchmarkId::from_parameter(keys), &sources, |b, s| {
            b.iter(|| {
                release::Pipeline::new(&chart)
                    .release(s, &options)
                    .and_then(release::Release::checked)
                    .unwrap()
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("--set flags (merge)");
    for flags in [100, 1_000] {
        let mut sources = production();
        sources.set = (0..flags)
            .map(|i| format!("podAnnotations.example\\.com/set-{i}=value-{i}"))
            .collect();
        group.bench_with_input(BenchmarkId::from_parameter(flags), &sources, |b, s| {
            b.iter(|| release::merged_values(&chart, s).unwrap());
        });
    }
    group.finish();

    let mut group = c.benchmark_group("-f layers (merge)");
    for layers in [1, 10] {
        let mut sources = production();
        sources.files = (0..layers)
            .map(|i| annotations_file(dir.path(), 100, &format!("layer{i}")))
            .collect();
        group.bench_with_input(BenchmarkId::from_parameter(layers), &sources, |b, s| {
            b.iter(|| release::merged_values(&chart, s).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
