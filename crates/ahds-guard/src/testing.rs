//! A test runner for Rego policies: discovers `test_*` rules and evaluates each one in
//! isolation, the way `opa test` does. regorus has no test runner of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use regorus::Value;
use serde::Serialize;

use crate::eval::backend::build_engine;
use crate::policy::error::LoadError;
use crate::policy::policy_set::PolicySet;

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "lowercase")]
#[non_exhaustive]
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
#[non_exhaustive]
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

/// Line coverage of one policy file.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct FileCoverage {
    /// The policy file.
    pub path: String,
    /// Lines some test evaluated.
    pub covered: Vec<u32>,
    /// Lines no test evaluated.
    pub not_covered: Vec<u32>,
    /// Covered lines as a percentage of coverable lines.
    pub percent: f64,
}

/// Line coverage of the policies (test files excluded) over a whole test run.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
#[non_exhaustive]
pub struct Coverage {
    /// Per file, in load order.
    pub files: Vec<FileCoverage>,
    /// Covered lines.
    pub covered_lines: usize,
    /// Coverable lines.
    pub coverable_lines: usize,
    /// Covered lines as a percentage of all coverable lines.
    pub percent: f64,
}

/// The results of a test run, in file and name order.
#[derive(Debug, Clone, Serialize, Default)]
#[non_exhaustive]
pub struct TestRun {
    /// Every test that ran.
    pub results: Vec<TestResult>,
    /// Line coverage, when requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// How to run tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestOptions {
    /// Collect line coverage.
    pub coverage: bool,
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
    run_tests_with(set, filter, TestOptions::default())
}

/// Runs tests with options (coverage).
pub fn run_tests_with(
    set: &PolicySet,
    filter: impl Fn(&str) -> bool,
    options: TestOptions,
) -> Result<TestRun, LoadError> {
    let mut engine = build_engine(set, true)?;
    engine.set_enable_coverage(options.coverage);
    // Prepare once; each test runs on its own clone so no state leaks between tests.
    engine
        .eval_query("true".to_string(), false)
        .map_err(|e| LoadError::Engine(e.to_string()))?;
    engine.clear_coverage_data();
    let mut run = TestRun::default();
    let mut lines: BTreeMap<String, (BTreeSet<u32>, BTreeSet<u32>)> = BTreeMap::new();
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
            if options.coverage {
                if let Ok(report) = e.get_coverage_report() {
                    for f in report.files {
                        let entry = lines.entry(f.path).or_default();
                        entry.0.extend(f.covered);
                        entry.1.extend(f.not_covered);
                    }
                }
            }
            run.results.push(TestResult {
                name,
                file: module.path.clone(),
                outcome,
                duration: started.elapsed(),
            });
        }
    }
    if options.coverage {
        run.coverage = Some(coverage(set, &lines));
    }
    Ok(run)
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        // Two decimals keep reports stable across platforms.
        ((covered as f64 * 10_000.0) / total as f64).round() / 100.0
    }
}

/// Merges per-test coverage. A file no test touched counts every statement line as not
/// covered.
fn coverage(set: &PolicySet, lines: &BTreeMap<String, (BTreeSet<u32>, BTreeSet<u32>)>) -> Coverage {
    let mut cov = Coverage::default();
    for m in set.modules().iter().filter(|m| !m.is_test_file()) {
        let (covered, not_covered): (Vec<u32>, Vec<u32>) = match lines.get(&m.path) {
            Some((c, n)) => (
                c.iter().copied().collect(),
                n.difference(c).copied().collect(),
            ),
            None => (Vec::new(), statement_lines(&m.source)),
        };
        cov.covered_lines += covered.len();
        cov.coverable_lines += covered.len() + not_covered.len();
        cov.files.push(FileCoverage {
            path: m.path.clone(),
            percent: percent(covered.len(), covered.len() + not_covered.len()),
            covered,
            not_covered,
        });
    }
    cov.percent = percent(cov.covered_lines, cov.coverable_lines);
    cov
}

/// Lines that hold Rego statements (not blank, comments, `package` or `import`).
fn statement_lines(source: &str) -> Vec<u32> {
    source
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !(t.is_empty()
                || t.starts_with('#')
                || t.starts_with("package ")
                || t.starts_with("import ")
                || t == "}"
                || t == "{")
        })
        .filter_map(|(i, _)| u32::try_from(i + 1).ok())
        .collect()
}
