//! The evaluator builds only the members of the input document some rule names; a custom
//! rule that names one, statically or through a computed index, still reads it whole.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ahds_guard::{Evaluator, PolicySet, RuleOrigin};

fn estate() -> ahds_ingest::Estate {
    let text = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/examples/contoso-clinical.json"
    ))
    .unwrap();
    ahds_ingest::read(
        &text,
        "contoso-clinical.json",
        ahds_ingest::InputFormat::Auto,
    )
    .unwrap()
    .estate
}

/// The message of the custom rule's one finding on the example.
fn custom_message(body: &str) -> String {
    let source = format!(
        "# METADATA\n# title: Counts\n# custom:\n#   id: T-COUNT-1\n#   severity: low\npackage t.count\n\n{body}\n"
    );
    let mut set = PolicySet::bundled_without_tests().unwrap();
    set.add_module("custom/count.rego", &source, RuleOrigin::Custom)
        .unwrap();
    let report = Evaluator::new(&set).unwrap().evaluate(&estate()).unwrap();
    let found: Vec<&str> = report
        .violations
        .iter()
        .filter(|v| v.rule_id == "T-COUNT-1")
        .map(|v| v.message.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{:?}", report.errors);
    found[0].to_string()
}

#[test]
fn a_member_no_bundled_rule_reads_is_there_for_a_rule_that_names_it() {
    let expected = estate().role_assignments.map(|r| r.len()).unwrap();
    assert!(expected > 0);
    let msg = custom_message(
        r#"deny contains {"msg": sprintf("%d", [count(input.role_assignments)]), "resource_id": "r"}"#,
    );
    assert_eq!(msg, expected.to_string());
}

#[test]
fn a_computed_index_into_the_input_reads_every_member() {
    let expected = estate().private_endpoints.len();
    assert!(expected > 0);
    let msg = custom_message(
        r#"kinds := ["private_endpoints"]

deny contains {"msg": sprintf("%d", [count(input[kind])]), "resource_id": "r"} if {
	some kind in kinds
}"#,
    );
    assert_eq!(msg, expected.to_string());
}

#[test]
fn the_whole_input_passed_on_reads_every_member() {
    let expected = estate().role_assignments.map(|r| r.len()).unwrap();
    let msg = custom_message(
        r#"size(doc) := count(doc.role_assignments)

deny contains {"msg": sprintf("%d", [size(input)]), "resource_id": "r"}"#,
    );
    assert_eq!(msg, expected.to_string());
}
