//! A test runner for Rego policies: discovers `test_*` rules and evaluates each one in
//! isolation, the way `opa test` does. regorus has no test runner of its own.

use std::time::{Duration, Instant};

use regorus::Value;
use serde::Serialize;

use crate::error::LoadError;
use crate::evaluator::build_engine;
use crate::policy_set::PolicySet;

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "lowercase")]
pub enum TestOutcome {
    /// The rule evaluated to `true`.
    Pass,
    /// The rule was undefined or not `true`.
    Fail,
    /// Evaluation raised an error.
    Error(String),
}

/// One test and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// `data.<package>.<test name>`.
    pub name: String,
    /// The file that declares it.
    pub file: String,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: TestOutcome,
    /// How long it took.
    #[serde(skip)]
    pub duration: Duration,
}

/// The results of a test run, in file and name order.
#[derive(Debug, Clone, Serialize, Default)]
pub struct TestRun {
    /// Every test that ran.
    pub results: Vec<TestResult>,
}

impl TestRun {
    /// Number of passing tests.
    pub fn passed(&self) -> usize {
        self.count(|o| matches!(o, TestOutcome::Pass))
    }
    /// Number of failing tests.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, TestOutcome::Fail))
    }
    /// Number of tests that raised an error.
    pub fn errored(&self) -> usize {
        self.count(|o| matches!(o, TestOutcome::Error(_)))
    }
    /// True when every test passed and there was at least one.
    pub fn success(&self) -> bool {
        !self.results.is_empty() && self.passed() == self.results.len()
    }
    fn count(&self, f: impl Fn(&TestOutcome) -> bool) -> usize {
        self.results.iter().filter(|r| f(&r.outcome)).count()
    }
}

/// Runs the tests of a policy set whose full name (`data.<package>.<test>`) passes `filter`.
pub fn run_tests(set: &PolicySet, filter: impl Fn(&str) -> bool) -> Result<TestRun, LoadError> {
    let mut engine = build_engine(set, true)?;
    // Prepare once; each test runs on its own clone so no state leaks between tests.
    engine
        .eval_query("true".to_string(), false)
        .map_err(|e| LoadError::Engine(e.to_string()))?;
    let mut run = TestRun::default();
    for module in set.modules() {
        for test in module.test_names() {
            let name = format!("data.{}.{test}", module.package);
            if !filter(&name) {
                continue;
            }
            let mut e = engine.clone();
            let started = Instant::now();
            let outcome = match e.eval_rule(name.clone()) {
                Ok(Value::Bool(true)) => TestOutcome::Pass,
                Ok(_) => TestOutcome::Fail,
                Err(err) => TestOutcome::Error(err.to_string()),
            };
            run.results.push(TestResult {
                name,
                file: module.path.clone(),
                outcome,
                duration: started.elapsed(),
            });
        }
    }
    Ok(run)
}
