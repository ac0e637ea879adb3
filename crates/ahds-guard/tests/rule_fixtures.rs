//! Every rule has a failing and a passing fixture under `testdata/rules/<rule id>/`: the
//! failing one must raise the rule (snapshot reviewed), the passing one must not.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

#[test]
fn every_rule_has_a_fixture_pair_that_fails_and_passes() {
    let rules: BTreeSet<String> = common::evaluator()
        .rules()
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let dirs: BTreeSet<String> = std::fs::read_dir(common::root().join("testdata/rules"))
        .expect("testdata/rules")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(rules, dirs, "rule ids and fixture directories differ");

    for id in &rules {
        let fail = common::report(&format!("testdata/rules/{id}/fail.json"));
        assert!(
            fail.violations.iter().any(|v| &v.rule_id == id),
            "{id}/fail.json raises no {id}: {:#?}",
            fail.violations
        );
        assert!(fail.errors.is_empty(), "{id}/fail.json: {:?}", fail.errors);
        insta::assert_json_snapshot!(format!("{id}-fail"), fail, {".tool.version" => "[version]"});

        let pass = common::report(&format!("testdata/rules/{id}/pass.json"));
        let raised: Vec<_> = pass
            .violations
            .iter()
            .filter(|v| &v.rule_id == id)
            .collect();
        assert!(raised.is_empty(), "{id}/pass.json raises {id}: {raised:#?}");
        assert!(
            !pass.undetermined.iter().any(|u| &u.rule_id == id),
            "{id}/pass.json leaves {id} undetermined"
        );
    }
}
