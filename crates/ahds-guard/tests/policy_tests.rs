//! Runs every bundled Rego test through the library's test runner, and checks that it
//! discovers as many tests as `opa test` (and `shared/tools/opa-verify`) would: every
//! distinct `test_*` rule of every file.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use ahds_guard::{PolicySet, TestOutcome, run_tests};

#[test]
fn bundled_policy_tests_pass() {
    let set = PolicySet::bundled().expect("bundled policies load");
    let run = run_tests(&set, |_| true).expect("tests run");
    let failures: Vec<String> = run
        .results
        .iter()
        .filter(|r| r.outcome != TestOutcome::Pass)
        .map(|r| format!("{} ({}): {:?}", r.name, r.file, r.outcome))
        .collect();
    assert!(
        failures.is_empty(),
        "failing policy tests:\n{}",
        failures.join("\n")
    );

    // The count OPA finds: distinct `test_` rule names at the start of a line, per file.
    let mut files = Vec::new();
    // Every `.rego` file under policies/: the files the crate embeds.
    common::files_with_extension(&common::root().join("policies"), "rego", &mut files);
    assert!(!files.is_empty());
    let expected: usize = files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .filter_map(|l| l.strip_prefix("test_"))
                .map(|rest| {
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("")
                })
                .collect::<BTreeSet<_>>()
                .len()
        })
        .sum();
    assert_eq!(run.results.len(), expected);
    assert!(expected >= 100, "only {expected} tests");
}
