//! Criterion benchmarks of each phase of a check, on generated estates of 1 to 10,000
//! workspaces (see `src/lib.rs`).
//!
//! `cargo bench -p ahds-guard-benches` runs sizes 1, 100 and 1,000. Set
//! `AHDS_GUARD_BENCH_LARGE=1` to add 10,000 workspaces (about a minute per benchmark).

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use ahds_guard::{Evaluator, PolicySet};
use ahds_guard_benches::{arm, native, plan};
use ahds_ingest::{InputFormat, read};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn sizes() -> Vec<usize> {
    let mut s = vec![1, 100, 1000];
    if std::env::var_os("AHDS_GUARD_BENCH_LARGE").is_some() {
        s.push(10_000);
    }
    s
}

/// Fewer samples for the large sizes, so a run stays in minutes.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    group.sample_size(if n >= 1000 { 10 } else { 30 });
    group.measurement_time(Duration::from_secs(if n >= 1000 { 20 } else { 5 }));
}

fn prepare(c: &mut Criterion) {
    c.bench_function("prepare/bundled", |b| {
        b.iter(|| Evaluator::bundled().expect("bundled catalog loads"))
    });
    c.bench_function("prepare/load-policy-set", |b| {
        b.iter(|| PolicySet::bundled_without_tests().expect("bundled catalog loads"))
    });
}

fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    for n in sizes() {
        configure(&mut group, n);
        for (format, text) in [("native", native(n)), ("arm", arm(n)), ("plan", plan(n))] {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_with_input(BenchmarkId::new(format, n), &text, |b, text| {
                b.iter(|| {
                    read(black_box(text.as_bytes()), "bench.json", InputFormat::Auto).unwrap()
                })
            });
        }
    }
    // Terraform sources: parsing, evaluating and mapping the module copies (read from the
    // page cache: the files are written once).
    for n in sizes().into_iter().filter(|n| *n <= 1000) {
        configure(&mut group, n);
        let dir =
            std::env::temp_dir().join(format!("ahds-guard-bench-tf-{n}-{}", std::process::id()));
        ahds_guard_benches::terraform_sources(n, &dir).expect("write the configuration");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("terraform-sources", n), &dir, |b, dir| {
            b.iter(|| {
                ahds_ingest::read_terraform_config(black_box(dir), "bench", &Default::default())
                    .unwrap()
            })
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    let evaluator = Evaluator::bundled().expect("bundled catalog loads");
    let mut group = c.benchmark_group("evaluate");
    for n in sizes() {
        configure(&mut group, n);
        let estate = read(native(n).as_bytes(), "bench.json", InputFormat::Native)
            .unwrap()
            .estate;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("workspaces", n), &estate, |b, estate| {
            b.iter(|| evaluator.evaluate(black_box(estate)).unwrap())
        });
    }
    group.finish();
}

/// What `ahds-guard check --format json` does after start-up: read, evaluate, write.
fn check(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    for n in sizes() {
        configure(&mut group, n);
        let text = native(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("workspaces", n), &text, |b, text| {
            b.iter(|| {
                let evaluator = Evaluator::bundled().unwrap();
                let estate = read(text.as_bytes(), "bench.json", InputFormat::Auto)
                    .unwrap()
                    .estate;
                let report = evaluator.evaluate(&estate).unwrap();
                serde_json::to_vec(&report).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, prepare, ingest, evaluate, check);
criterion_main!(benches);
