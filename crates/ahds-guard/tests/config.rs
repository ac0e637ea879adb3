//! Configuration: rule selection, severity overrides, waivers (with expiry and unused
//! reporting) and tag waivers, each shown to change the report.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_guard::{Config, Evaluator, Report, Severity};
use jiff::civil::date;

const EXAMPLE: &str = "testdata/examples/contoso-clinical.json";
const WORKSPACE: &str = "/subscriptions/7c9e6679-7425-40de-944b-e07fc1f90ae7/resourceGroups/rg-health-prod/providers/Microsoft.HealthcareApis/workspaces/contosoclinical";

fn evaluate(toml: &str) -> Report {
    let config = Config::parse(toml, "test.toml").unwrap();
    let evaluator = Evaluator::bundled()
        .unwrap()
        .with_config(config)
        .unwrap()
        .with_today(date(2026, 11, 29));
    evaluator.evaluate(&common::estate(EXAMPLE)).unwrap()
}

fn count(report: &Report, rule: &str) -> usize {
    report
        .violations
        .iter()
        .filter(|v| v.rule_id == rule)
        .count()
}

#[test]
fn disabled_rules_do_not_run() {
    let base = evaluate("");
    assert_eq!(count(&base, "AHDS-AC-002"), 1);
    let r = evaluate("[rules]\ndisable = [\"AHDS-AC-002\"]\n");
    assert_eq!(count(&r, "AHDS-AC-002"), 0);
    assert_eq!(r.summary.rules, base.summary.rules - 1);
    let r = evaluate("[rules]\nenable = [\"AHDS-PL-002\", \"AHDS-PL-003\"]\n");
    assert!(
        r.violations
            .iter()
            .all(|v| v.rule_id == "AHDS-PL-002" || v.rule_id == "AHDS-PL-003")
    );
    assert_eq!(r.summary.rules, 2);
}

#[test]
fn severity_overrides_change_findings_and_thresholds() {
    let r = evaluate("[severity]\n\"AHDS-TS-006\" = \"critical\"\n");
    let v = r
        .violations
        .iter()
        .find(|v| v.rule_id == "AHDS-TS-006")
        .unwrap();
    assert_eq!(v.severity, Severity::Critical);
    assert!(r.fails_at(Severity::Critical));
    assert!(!evaluate("").fails_at(Severity::Critical));
}

#[test]
fn waivers_suppress_with_their_justification() {
    let r = evaluate(&format!(
        "[[waiver]]\nrule = \"AHDS-PL-002\"\nresource = \"{WORKSPACE}\"\njustification = \"portal access until the Q1 cut-over\"\nexpires = \"2027-03-31\"\n"
    ));
    assert_eq!(
        count(&r, "AHDS-PL-002"),
        1,
        "only the workspace's finding is waived"
    );
    let s = &r.suppressed[0];
    assert_eq!(s.violation.rule_id, "AHDS-PL-002");
    assert_eq!(s.violation.resource_id, WORKSPACE);
    assert_eq!(s.justification, "portal access until the Q1 cut-over");
    assert_eq!(s.expires.as_deref(), Some("2027-03-31"));
    assert!(s.waiver.contains("test.toml:2"), "{}", s.waiver);
    assert_eq!(r.summary.suppressed, 1);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn glob_waivers_match_case_insensitively_across_segments() {
    let r = evaluate(
        "[[waiver]]\nrule = \"*\"\nresource = \"/subscriptions/*/resourcegroups/RG-HEALTH-PROD/**\"\njustification = \"accepted for the pilot\"\n",
    );
    assert!(
        r.violations
            .iter()
            .all(|v| !v.resource_id.contains("/rg-health-prod/")),
        "{:#?}",
        r.violations
    );
    assert!(r.suppressed.len() > 5);
    // Findings in the network resource group stay.
    assert!(
        r.violations
            .iter()
            .any(|v| v.resource_id.contains("/rg-network-prod/"))
    );
}

#[test]
fn expired_waivers_no_longer_suppress_and_are_reported() {
    let r = evaluate(&format!(
        "[[waiver]]\nrule = \"AHDS-PL-002\"\nresource = \"{WORKSPACE}\"\njustification = \"temporary\"\nexpires = \"2026-11-28\"\n"
    ));
    assert_eq!(count(&r, "AHDS-PL-002"), 2);
    assert!(r.suppressed.is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("expired on 2026-11-28")),
        "{:?}",
        r.notes
    );
}

#[test]
fn unused_waivers_are_reported() {
    let r = evaluate(
        "[[waiver]]\nrule = \"AHDS-PL-001\"\nresource = \"/subscriptions/x/resourceGroups/y/providers/Microsoft.HealthcareApis/workspaces/gone\"\njustification = \"old\"\n",
    );
    assert!(
        r.notes.iter().any(|n| n.contains("matched no finding")),
        "{:?}",
        r.notes
    );
}

#[test]
fn tag_waivers_need_a_justification_tag() {
    let mut estate = common::estate(EXAMPLE);
    let ws = &mut estate.workspaces[0];
    ws.tags.insert(
        "ahds-guard-ignore".into(),
        "AHDS-PL-002, AHDS-PL-001".into(),
    );
    let evaluator = Evaluator::bundled().unwrap().with_today(date(2026, 11, 29));
    let r = evaluator.evaluate(&estate).unwrap();
    assert!(
        r.violations
            .iter()
            .any(|v| v.rule_id == "AHDS-PL-002" && v.resource_id == WORKSPACE)
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("without an ahds-guard-justification tag")),
        "{:?}",
        r.notes
    );

    estate.workspaces[0].tags.insert(
        "ahds-guard-justification".into(),
        "break-glass portal access".into(),
    );
    let r = evaluator.evaluate(&estate).unwrap();
    assert!(
        !r.violations
            .iter()
            .any(|v| v.rule_id == "AHDS-PL-002" && v.resource_id == WORKSPACE)
    );
    let s = r
        .suppressed
        .iter()
        .find(|s| s.violation.resource_id == WORKSPACE)
        .unwrap();
    assert_eq!(s.justification, "break-glass portal access");
    assert_eq!(s.waiver_kind, ahds_guard::WaiverKind::Tag);
    assert!(s.waiver.starts_with("tag"));

    estate.workspaces[0]
        .tags
        .insert("ahds-guard-expires".into(), "2026-01-01".into());
    let r = evaluator.evaluate(&estate).unwrap();
    assert!(
        r.violations
            .iter()
            .any(|v| v.rule_id == "AHDS-PL-002" && v.resource_id == WORKSPACE)
    );
}

#[test]
fn configuration_naming_unknown_rules_is_rejected() {
    let config = Config::parse(
        "[[waiver]]\nrule = \"AHDS-PL-099\"\nresource = \"x\"\njustification = \"j\"\n",
        "c.toml",
    )
    .unwrap();
    let err = Evaluator::bundled()
        .unwrap()
        .with_config(config)
        .unwrap_err();
    assert_eq!(
        (err.place.file.as_str(), err.place.line),
        ("c.toml", Some(2))
    );
    assert!(err.message.contains("AHDS-PL-099"));
}
