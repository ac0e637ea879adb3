//! Helpers shared by the integration tests: reading fixtures from the workspace's
//! `testdata/` and evaluating them with the bundled catalog.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ahds_guard::{Evaluator, Report};
use ahds_ingest::{Estate, InputFormat, read};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One evaluator for all tests of a binary: preparation is the expensive part.
pub(crate) fn evaluator() -> &'static Evaluator {
    static E: OnceLock<Evaluator> = OnceLock::new();
    E.get_or_init(|| Evaluator::bundled().expect("bundled policies load"))
}

/// Reads a fixture given relative to the workspace root; reports name it the same way.
pub(crate) fn estate(rel: &str) -> Estate {
    let bytes = std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    match read(&bytes, rel, InputFormat::Auto) {
        Ok(ingested) => {
            assert!(
                ingested.problems.is_empty(),
                "{rel}: {:?}",
                ingested.problems
            );
            ingested.estate
        }
        Err(errors) => panic!("{rel}: {errors:?}"),
    }
}

/// Evaluates a fixture.
pub(crate) fn report(rel: &str) -> Report {
    evaluator()
        .evaluate(&estate(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `(rule, resource)` of every violation and (`undetermined RULE`) undetermined check,
/// sorted, with each resource id passed through `rename`.
pub(crate) fn rule_findings(
    report: &Report,
    rename: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .violations
        .iter()
        .map(|v| (v.rule_id.clone(), rename(&v.resource_id)))
        .chain(report.undetermined.iter().map(|u| {
            (
                format!("undetermined {}", u.rule_id),
                rename(&u.resource_id),
            )
        }))
        .collect();
    out.sort();
    out
}
