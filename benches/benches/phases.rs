//! Criterion benchmarks of each phase of a check — read, analysis, input document,
//! evaluation (rules and report) — on generated estates (see `src/lib.rs`): workspace
//! estates of 1 to 10,000 workspaces, tenant-wide audits of 1 to 100 workspaces among
//! 1,000 storage accounts and 10,000 role assignments per workspace, and Terraform root
//! modules of 200 to 20,000 resources.
//!
//! `cargo bench -p ahds-guard-benches` runs the small and middle sizes. Set
//! `AHDS_GUARD_BENCH_LARGE=1` to add 10,000 workspaces, the 100-workspace tenant
//! (1,000,000 role assignments) and the 20,000-resource root (minutes per benchmark).
//! `scripts/scale.sh` times the same inputs as whole processes, with peak memory.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use ahds_guard::{Evaluator, PolicySet};
use ahds_guard_benches::{arm, native, plan, tenant};
use ahds_ingest::{InputFormat, read};
use ahds_model::Estate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn large() -> bool {
    std::env::var_os("AHDS_GUARD_BENCH_LARGE").is_some()
}

fn sizes() -> Vec<usize> {
    let mut s = vec![1, 100, 1000];
    if large() {
        s.push(10_000);
    }
    s
}

/// Workspaces of the tenant-wide audits.
fn tenant_sizes() -> Vec<usize> {
    let mut s = vec![1, 10];
    if large() {
        s.push(100);
    }
    s
}

/// Resources of the flat Terraform roots.
fn root_sizes() -> Vec<usize> {
    let mut s = vec![200, 2000];
    if large() {
        s.push(20_000);
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
    // Terraform sources (read from the page cache: the files are written once): module
    // copies called with for_each, and one root module with every resource in it, where
    // every reference is a lookup by address inside one module.
    let copies = sizes().into_iter().filter(|n| *n <= 1000).map(|n| {
        let write: fn(usize, &Path) -> std::io::Result<()> = ahds_guard_benches::terraform_sources;
        ("terraform-sources", n, n, write)
    });
    let roots = root_sizes().into_iter().map(|n| {
        let write: fn(usize, &Path) -> std::io::Result<()> = ahds_guard_benches::terraform_flat;
        ("terraform-root", n, n / 20, write)
    });
    for (name, n, weight, write) in copies.chain(roots) {
        configure(&mut group, weight);
        let dir = std::env::temp_dir().join(format!(
            "ahds-guard-bench-{name}-{n}-{}",
            std::process::id()
        ));
        write(n, &dir).expect("write the configuration");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new(name, n), &dir, |b, dir| {
            b.iter(|| {
                ahds_ingest::read_terraform_config(black_box(dir), "bench", &Default::default())
                    .unwrap()
            })
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
    for n in tenant_sizes() {
        configure(&mut group, n * 10);
        let text = tenant(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("tenant", n), &text, |b, text| {
            b.iter(|| read(black_box(text.as_bytes()), "bench.json", InputFormat::Auto).unwrap())
        });
    }
    group.finish();
}

/// The estates the later phases start from: workspace estates and tenant audits.
fn estates() -> Vec<(String, Estate)> {
    let mut out = Vec::new();
    for n in sizes() {
        let estate = read(native(n).as_bytes(), "bench.json", InputFormat::Native)
            .unwrap()
            .estate;
        out.push((format!("workspaces/{n}"), estate));
    }
    for n in tenant_sizes() {
        let estate = read(tenant(n).as_bytes(), "bench.json", InputFormat::Auto)
            .unwrap()
            .estate;
        out.push((format!("tenant/{n}"), estate));
    }
    out
}

/// The size a benchmark id stands for, for the sampling plan.
fn size_of(id: &str) -> usize {
    let n: usize = id
        .rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    if id.starts_with("tenant") { n * 10 } else { n }
}

/// Analysis, input document and evaluation (rules, then the report) as separate phases.
fn phases(c: &mut Criterion) {
    let evaluator = Evaluator::bundled().expect("bundled catalog loads");
    let estates = estates();
    let mut group = c.benchmark_group("analysis");
    for (id, estate) in &estates {
        configure(&mut group, size_of(id));
        group.bench_with_input(BenchmarkId::from_parameter(id), estate, |b, estate| {
            b.iter(|| ahds_model::analyze(black_box(estate)))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("input-document");
    for (id, estate) in &estates {
        configure(&mut group, size_of(id));
        group.bench_with_input(BenchmarkId::from_parameter(id), estate, |b, estate| {
            b.iter(|| evaluator.input_document(black_box(estate)).unwrap())
        });
    }
    group.finish();
    let mut group = c.benchmark_group("evaluate");
    for (id, estate) in &estates {
        configure(&mut group, size_of(id));
        group.bench_with_input(BenchmarkId::from_parameter(id), estate, |b, estate| {
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

criterion_group!(benches, prepare, ingest, phases, check);
criterion_main!(benches);
