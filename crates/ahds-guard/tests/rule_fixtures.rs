//! One test per rule, ruff-style: the hardened example with
//! `testdata/rules/<rule id>/fail.patch.json` applied must raise the rule and the example
//! itself must not, evaluated with only that rule enabled; the snapshot (`fail.snap`, in the
//! same folder) holds only that rule's entries, so rewording one rule changes no other rule's snapshot. Run one rule
//! with `cargo test -p ahds-guard --test rule_fixtures AHDS_TS_002`.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use ahds_guard::{Config, Evaluator, Report};

/// The bundled catalog with only `id` enabled.
fn only(id: &str) -> Evaluator {
    let config = Config::parse(&format!("[rules]\nenable = [\"{id}\"]\n"), "test")
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    Evaluator::bundled().unwrap().with_config(config).unwrap()
}

fn evaluate(evaluator: &Evaluator, id: &str, case: &str) -> Report {
    let report = evaluator
        .evaluate(&common::rule_estate(id, case))
        .unwrap_or_else(|e| panic!("{id} {case}: {e}"));
    assert!(report.errors.is_empty(), "{id} {case}: {:?}", report.errors);
    report
}

/// The fail fixture raises the rule (its entries snapshotted), the pass fixture neither
/// raises it nor leaves it undetermined.
fn check_rule(id: &str) {
    let evaluator = only(id);
    let fail = evaluate(&evaluator, id, "fail");
    assert!(
        fail.violations.iter().any(|v| v.rule_id == id),
        "{id}/fail.patch.json raises no {id}: {:#?}",
        fail.violations
    );
    let others = fail
        .violations
        .iter()
        .chain(fail.suppressed.iter().map(|s| &s.violation))
        .filter(|v| v.rule_id != id)
        .count();
    assert_eq!(others, 0, "{id}: another rule ran");
    let entries = serde_json::json!({
        "violations": fail.violations,
        "undetermined": fail.undetermined,
    });
    // The snapshot sits with the rule's fixtures: testdata/rules/<id>/fail.snap.
    insta::with_settings!({
        snapshot_path => common::root().join("testdata/rules").join(id),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_json_snapshot!("fail", entries);
    });

    let pass = evaluate(&evaluator, id, "pass");
    assert!(
        pass.violations.is_empty(),
        "the base raises {id}: {:#?}",
        pass.violations
    );
    assert!(
        pass.undetermined.is_empty(),
        "the base leaves {id} undetermined: {:#?}",
        pass.undetermined
    );
}

macro_rules! rule_tests {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            #[allow(non_snake_case)]
            fn $test() {
                check_rule($id);
            }
        )*

        /// Every rule of the catalog has a test here and a fixture, and nothing else does.
        #[test]
        fn every_rule_has_a_test_and_a_fixture() {
            let tested: BTreeSet<&str> = [$($id),*].into_iter().collect();
            let catalog: BTreeSet<String> =
                common::evaluator().rules().iter().map(|r| r.id.clone()).collect();
            let dirs: BTreeSet<String> = std::fs::read_dir(common::root().join("testdata/rules"))
                .expect("testdata/rules")
                .map(|e| e.expect("entry").path())
                .filter(|dir| dir.join("fail.patch.json").is_file())
                .map(|dir| dir.file_name().expect("a name").to_string_lossy().into_owned())
                .collect();
            let tested: BTreeSet<String> = tested.into_iter().map(str::to_string).collect();
            assert_eq!(catalog, tested, "catalog rules and rule tests differ");
            assert_eq!(catalog, dirs, "catalog rules and fixture directories differ");
        }
    };
}

rule_tests! {
    AHDS_PL_001 => "AHDS-PL-001",
    AHDS_PL_002 => "AHDS-PL-002",
    AHDS_PL_003 => "AHDS-PL-003",
    AHDS_PL_004 => "AHDS-PL-004",
    AHDS_TS_001 => "AHDS-TS-001",
    AHDS_TS_002 => "AHDS-TS-002",
    AHDS_TS_003 => "AHDS-TS-003",
    AHDS_TS_004 => "AHDS-TS-004",
    AHDS_TS_005 => "AHDS-TS-005",
    AHDS_TS_006 => "AHDS-TS-006",
    AHDS_TS_007 => "AHDS-TS-007",
    AHDS_TS_008 => "AHDS-TS-008",
    AHDS_ID_001 => "AHDS-ID-001",
    AHDS_ID_002 => "AHDS-ID-002",
    AHDS_ID_003 => "AHDS-ID-003",
    AHDS_ST_001 => "AHDS-ST-001",
    AHDS_ST_002 => "AHDS-ST-002",
    AHDS_AC_001 => "AHDS-AC-001",
    AHDS_AC_002 => "AHDS-AC-002",
}
