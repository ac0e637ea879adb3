//! Runs every bundled Rego test through the library's test runner.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

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
    assert!(run.passed() >= 10, "only {} tests ran", run.passed());
}
