//! JUnit XML (`--format junit`) for CI test-report viewers: a test suite per rule, a test
//! case per resource the rule checks, and a failure per violation.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::Context;

fn case_name(resource: &str, feature: Option<&str>, target: Option<&str>) -> String {
    match (feature, target) {
        (Some(f), Some(t)) if t != resource => format!("{resource} [{f} -> {t}]"),
        (Some(f), _) => format!("{resource} [{f}]"),
        _ => resource.to_string(),
    }
}

pub(crate) fn render(cx: &Context<'_>) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::new("ahds-guard");
    let resources = cx.estate.resources();
    for rule in cx.rules {
        let mut suite = TestSuite::new(format!("{} {}", rule.id, rule.title));
        let mut failing: BTreeMap<String, ()> = BTreeMap::new();
        for v in cx.report.violations.iter().filter(|v| v.rule_id == rule.id) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(v.message.clone());
            status.set_type(v.severity.as_str());
            status.set_description(format!("{}\n\nFix: {}", v.message, v.remediation));
            let mut case = TestCase::new(
                case_name(&v.resource_id, v.feature.as_deref(), v.target_id.as_deref()),
                status,
            );
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
            failing.insert(v.resource_id.to_ascii_lowercase(), ());
        }
        for s in cx
            .report
            .suppressed
            .iter()
            .filter(|s| s.violation.rule_id == rule.id)
        {
            let v = &s.violation;
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("waived: {}", s.justification));
            let mut case = TestCase::new(
                case_name(&v.resource_id, v.feature.as_deref(), v.target_id.as_deref()),
                status,
            );
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
            failing.insert(v.resource_id.to_ascii_lowercase(), ());
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
            let mut case = TestCase::new(
                case_name(&u.resource_id, u.feature.as_deref(), u.target_id.as_deref()),
                status,
            );
            case.set_classname(rule.id.clone());
            suite.add_test_case(case);
            failing.insert(u.resource_id.to_ascii_lowercase(), ());
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
            if failing.contains_key(&id.to_ascii_lowercase()) {
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
