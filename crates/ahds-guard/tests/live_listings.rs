//! Live listings (`az resource list`, Azure Resource Graph rows) leave out what they do not
//! carry: a resource without `properties`, an Event Hubs namespace without its
//! `networkRuleSets/default` child. Those settings are unknown — the checks that need them
//! are undetermined and a note names the export that has them — never the platform default.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

/// `(rule, resource name)` of every undetermined check.
fn open_checks(report: &ahds_guard::Report) -> BTreeSet<(&str, &str)> {
    report
        .undetermined
        .iter()
        .map(|u| {
            (
                u.rule_id.as_str(),
                u.resource_id.rsplit('/').next().unwrap(),
            )
        })
        .collect()
}

const LISTING: &str = "testdata/arm/live/listing-without-target-settings.json";

#[test]
fn settings_a_listing_does_not_carry_are_unknown_not_defaults() {
    let estate = common::estate(LISTING);
    let report = common::evaluator().evaluate(&estate).unwrap();
    // As defaults, the storage account and the namespace would both "accept traffic from
    // all networks" (TS-001). Unknown, nothing that depends on them is a violation.
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    let open = open_checks(&report);
    let expected: BTreeSet<(&str, &str)> = [
        ("AHDS-TS-001", "stlive"),
        ("AHDS-TS-002", "stlive"),
        ("AHDS-TS-003", "stlive"),
        ("AHDS-TS-004", "stlive"),
        ("AHDS-TS-005", "stlive"),
        ("AHDS-TS-001", "evhlive"),
        ("AHDS-TS-002", "evhlive"),
        ("AHDS-TS-005", "evhlive"),
    ]
    .into_iter()
    .collect();
    assert_eq!(open, expected);
    // The key vault's listing carries its firewall: it is checked (and passes).
    assert!(
        !report
            .undetermined
            .iter()
            .any(|u| u.resource_id.ends_with("/kvlive"))
    );
    let notes: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| n.starts_with(LISTING))
        .collect();
    assert_eq!(notes.len(), 2, "{:#?}", report.notes);
    assert!(notes.iter().any(|n| {
        n.contains("/storageAccounts/stlive`: the listing does not carry its `properties`")
    }));
    assert!(notes.iter().any(|n| {
        n.contains("/namespaces/evhlive`: the listing does not carry its firewall")
            && n.contains("/networkRuleSets/default")
    }));
}

#[test]
fn a_template_that_leaves_the_same_settings_out_takes_the_platform_defaults() {
    // The same absence in a template is the platform default: open storage is a finding.
    let estate = common::estate("testdata/arm/shapes/params-without-defaults.json");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert!(report.violations.iter().any(|v| v.rule_id == "AHDS-TS-001"));
    assert!(estate.notes.is_empty(), "{:?}", estate.notes);
}

#[test]
fn a_workspace_and_service_listed_without_properties_are_undetermined_not_findings() {
    let rel = "testdata/arm/live/resource-list-without-properties.json";
    let estate = common::estate(rel);
    assert!(!estate.workspaces[0].settings_listed);
    assert!(!estate.fhir_services[0].settings_listed);
    let report = common::evaluator().evaluate(&estate).unwrap();
    // As defaults these would be PL-001 (no private endpoint) and AC-002 (Microsoft-managed
    // key only): guesses about settings the listing simply does not carry.
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    let open = open_checks(&report);
    let expected: BTreeSet<(&str, &str)> = [
        ("AHDS-PL-001", "wslist"),
        ("AHDS-PL-002", "wslist"),
        ("AHDS-PL-002", "fhirlist"),
        ("AHDS-AC-001", "fhirlist"),
        ("AHDS-AC-002", "fhirlist"),
    ]
    .into_iter()
    .collect();
    assert_eq!(open, expected);
    let notes = report.notes.iter().filter(|n| n.starts_with(rel)).count();
    assert_eq!(notes, 2, "{:#?}", report.notes);
}

#[test]
fn az_role_assignment_list_output_is_read_with_its_flattened_fields() {
    let root = common::root();
    let mut estate = common::estate(LISTING);
    let roles = std::fs::read(root.join("testdata/arm/live/az-role-assignment-list.json")).unwrap();
    let roles = ahds_ingest::read(
        &roles,
        "az-role-assignment-list.json",
        ahds_ingest::InputFormat::Auto,
    )
    .unwrap();
    assert!(roles.problems.is_empty(), "{:?}", roles.problems);
    let assignments = roles.estate.role_assignments.as_ref().unwrap();
    // `principalId`, `roleDefinitionId`, `roleDefinitionName` and `scope` at top level.
    assert!(
        assignments
            .iter()
            .all(|ra| ra.principal_id.value().is_some() && ra.scope.value().is_some())
    );
    estate.merge(roles.estate);
    let report = common::evaluator().evaluate(&estate).unwrap();
    // The export storage and the MedTech namespace roles are held (no ID-002 for them); the
    // key vault grant is Contributor instead of the crypto role: ID-002 and ID-003.
    let found: BTreeSet<(&str, Option<&str>)> = report
        .violations
        .iter()
        .map(|v| (v.rule_id.as_str(), v.feature.as_deref()))
        .collect();
    assert_eq!(
        found,
        [("AHDS-ID-002", Some("fhir.cmk")), ("AHDS-ID-003", None)]
            .into_iter()
            .collect()
    );
    assert!(
        !report
            .undetermined
            .iter()
            .any(|u| u.rule_id.starts_with("AHDS-ID")),
        "{:#?}",
        report.undetermined
    );
}

#[test]
fn a_rule_set_exported_on_its_own_attaches_to_its_namespace_in_another_listing() {
    let root = common::root();
    let rules_file = "testdata/arm/live/evhlive-network-rule-set.json";
    let listing = std::fs::read(root.join(LISTING)).unwrap();
    let rules = std::fs::read(root.join(rules_file)).unwrap();
    let ingested = ahds_ingest::read_listings(&[
        (listing.as_slice(), LISTING),
        (rules.as_slice(), rules_file),
    ])
    .unwrap();
    assert!(ingested.problems.is_empty(), "{:?}", ingested.problems);
    let report = common::evaluator().evaluate(&ingested.estate).unwrap();
    // The namespace's firewall is known now (deny, trusted services in): nothing about it is
    // open, and its note is gone; the properties-less storage account stays undetermined.
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    let open = open_checks(&report);
    assert!(open.iter().all(|(_, name)| *name == "stlive"), "{open:?}");
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.contains("/namespaces/evhlive`")),
        "{:#?}",
        report.notes
    );
}
