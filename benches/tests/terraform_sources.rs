//! The Terraform sources the benchmarks read are a valid configuration: every copy of the
//! Northwind module is read, with no input problems.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

#[test]
fn generated_sources_read_every_copy() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-bench-tf-test-{}", std::process::id()));
    ahds_guard_benches::terraform_sources(3, &dir).unwrap();
    let config = ahds_ingest::read_terraform_config(&dir, "bench", &Default::default()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        config.ingested.problems.is_empty(),
        "{:?}",
        config.ingested.problems
    );
    // 16 resources per copy, as in the Northwind plan.
    assert_eq!(config.ingested.estate.resource_count(), 3 * 16);
}
