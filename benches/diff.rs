//! `redis-ha diff` on the bundled chart: staging against production, as two renders and as
//! a live `kubectl get -o yaml` List; the stages and the whole job.

use clap::Parser as _;
use criterion::{Criterion, criterion_group, criterion_main};
use redis_ha::cli::Cli;
use redis_ha::diff::load::{self, Located};
use redis_ha::diff::{self, Options};
use redis_ha::render::ReleaseOptions;
use redis_ha::values::ValueSources;
use redis_ha::{chart, commands, release};

fn preset(name: &str) -> ValueSources {
    ValueSources {
        env: Some(name.to_owned()),
        ..ValueSources::default()
    }
}

fn render(name: &str) -> Vec<Located> {
    let chart = chart::bundled();
    let values = release::checked_values(&chart, &preset(name)).expect("preset is valid");
    release::render(&chart, &values, &ReleaseOptions::default())
        .expect("preset renders")
        .into_iter()
        .map(|m| Located {
            location: m.template.clone(),
            object: m.object,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let options = Options {
        release: "redis-ha".to_owned(),
        namespace: "default".to_owned(),
        ..Options::default()
    };
    let staging = render("staging");
    let production = render("production");

    c.bench_function("compare (staging -> production)", |b| {
        b.iter(|| diff::compare(staging.clone(), production.clone(), &[], &options).unwrap());
    });
    c.bench_function("compare + text output (staging -> production)", |b| {
        b.iter(|| {
            let report = diff::compare(staging.clone(), production.clone(), &[], &options).unwrap();
            let mut out = Vec::new();
            diff::output::text::write(&report, 3, false, &mut out).unwrap();
            out
        });
    });
    let live = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/diff/live-production.yaml"
    ));
    if let Ok(live) = live {
        c.bench_function("parse live List (production)", |b| {
            b.iter(|| load::parse(&live, "live-production.yaml").unwrap());
        });
        c.bench_function("compare live (production)", |b| {
            let old = load::parse(&live, "live-production.yaml").unwrap();
            b.iter(|| diff::compare(old.clone(), production.clone(), &[], &options).unwrap());
        });
    }
    // What `redis-ha diff --old-env staging --env production` does, minus process start.
    c.bench_function("whole command (staging -> production)", |b| {
        b.iter(|| {
            let cli = Cli::parse_from([
                "redis-ha",
                "diff",
                "--old-env",
                "staging",
                "--env",
                "production",
            ]);
            let mut out = Vec::new();
            commands::run(cli, &mut out).unwrap();
            out
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
