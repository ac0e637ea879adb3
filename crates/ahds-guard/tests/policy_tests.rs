//! Runs every bundled Rego test through the library's test runner, and checks that it
//! discovers as many tests as `opa test` (and `shared/tools/opa-verify`) would: every
//! distinct `test_*` rule of every file.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ahds_guard::{PolicySet, TestOutcome, run_tests};

/// Every `.rego` file under `dir`: the files the crate embeds.
fn rego_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rego_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}

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
    rego_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies"),
        &mut files,
    );
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
