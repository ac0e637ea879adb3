//! Every finding a bundled rule raises on the repository's inputs says how it goes away: a
//! change in the input's language, or what a person must decide first.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_guard::{PathOptions, check_paths};

#[test]
fn every_violation_on_the_test_inputs_carries_a_fix() {
    let mut seen = 0;
    let mut rules = std::collections::BTreeSet::new();
    for rel in [
        "testdata/examples",
        "testdata/terraform",
        "testdata/arm",
        "testdata/equivalence",
        "testdata/rules",
    ] {
        let options = PathOptions::default();
        let checked = check_paths(common::evaluator(), &[common::root().join(rel)], &options);
        let Ok(checked) = checked else { continue };
        for v in &checked.report.violations {
            let fix = v
                .fix
                .as_ref()
                .unwrap_or_else(|| panic!("{rel}: {} on {} has no fix", v.rule_id, v.resource_id));
            assert!(
                fix.automatic || fix.decision.as_deref().is_some_and(|d| !d.is_empty()),
                "{rel}: {} on {}: {fix:?}",
                v.rule_id,
                v.resource_id
            );
            seen += 1;
            rules.insert(v.rule_id.clone());
        }
    }
    assert!(seen > 100, "only {seen} findings checked");
    assert_eq!(rules.len(), 19, "every rule raised somewhere: {rules:?}");
}
