//! JUnit XML (`--format junit`) for CI test-report viewers: a test suite per rule, a test
//! case per resource the rule checks, and a failure per violation.

use std::collections::BTreeSet;

use crate::Violation;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::Context;

fn case_name(resource: &str, feature: Option<&str>, target: Option<&str>) -> String {
    match (feature, target) {
        (Some(f), Some(t)) if t != resource => format!("{resource} [{f} -> {t}]"),
        (Some(f), _) => format!("{resource} [{f}]"),
        _ => resource.to_string(),
    }
}

/// Adds a failing, waived or undetermined case for a resource (and the feature and target
/// of an outbound finding), and remembers the resource as not passing.
fn add_finding(
    suite: &mut TestSuite,
    failing: &mut BTreeSet<String>,
    rule_id: &str,
    (resource, feature, target): (&str, Option<&str>, Option<&str>),
    status: TestCaseStatus,
) {
    let mut case = TestCase::new(case_name(resource, feature, target), status);
    case.set_classname(rule_id.to_string());
    suite.add_test_case(case);
    failing.insert(resource.to_ascii_lowercase());
}

/// The resource, feature and target a violation's test case is named by.
fn case_of(v: &Violation) -> (&str, Option<&str>, Option<&str>) {
    (&v.resource_id, v.feature.as_deref(), v.target_id.as_deref())
}

pub(crate) fn render(cx: &Context<'_>) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("ahds-guard");
    let resources = cx.estate.resources();
    for rule in cx.rules {
        let mut suite = TestSuite::new(format!("{} {}", rule.id, rule.title));
        let mut failing: BTreeSet<String> = BTreeSet::new();
        let mut add = |(resource, feature, target): (&str, Option<&str>, Option<&str>), status| {
            add_finding(
                &mut suite,
                &mut failing,
                &rule.id,
                (resource, feature, target),
                status,
            );
        };
        for v in cx.report.violations.iter().filter(|v| v.rule_id == rule.id) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(v.message.clone());
            status.set_type(v.severity.as_str());
            status.set_description(format!("{}\n\nFix: {}", v.message, v.remediation));
            add(case_of(v), status);
        }
        for s in cx
            .report
            .suppressed
            .iter()
            .filter(|s| s.violation.rule_id == rule.id)
        {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("waived: {}", s.justification));
            add(case_of(&s.violation), status);
        }
        for u in cx
            .report
            .undetermined
            .iter()
            .filter(|u| u.rule_id == rule.id)
        {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!(
                "undetermined: {} (not known: {})",
                u.message,
                u.missing.join(", ")
            ));
            add(
                (&u.resource_id, u.feature.as_deref(), u.target_id.as_deref()),
                status,
            );
        }
        if let Some(e) = cx.report.errors.iter().find(|e| e.rule_id == rule.id) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.message.clone());
            suite.add_test_case(TestCase::new("(rule evaluation)", status));
        }
        // Every other resource the rule checks passed.
        for (collection, meta) in &resources {
            if !rule.applies_to.is_empty() && !rule.applies_to.iter().any(|c| c == collection) {
                continue;
            }
            let id = meta.display_id();
            if failing.contains(&id.to_ascii_lowercase()) {
                continue;
            }
            let mut case = TestCase::new(id, TestCaseStatus::success());
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string()
}
