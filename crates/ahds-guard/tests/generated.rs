//! Files generated from one source are committed and must not go stale: the rule
//! reference (from the `# METADATA` blocks), the input document reference and the JSON
//! Schemas (from the model). Run with `AHDS_GUARD_BLESS=1` to rewrite them.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

fn check(rel: &str, generated: &str) {
    let path = common::root().join(rel);
    if std::env::var_os("AHDS_GUARD_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{rel} is stale: regenerate it with `AHDS_GUARD_BLESS=1 cargo test -p ahds-guard --test generated` and review the diff"
    );
}

#[test]
fn rule_reference_is_current() {
    check(
        "docs/rules.md",
        &ahds_guard::docs::rules_markdown(common::evaluator().rules()),
    );
}

#[test]
fn input_reference_and_schemas_are_current() {
    let input = ahds_model::input_schema();
    check(
        "docs/input-document.md",
        &ahds_guard::docs::input_markdown(&input),
    );
    check(
        "schemas/policy-input.schema.json",
        &(serde_json::to_string_pretty(&input).unwrap() + "\n"),
    );
    check(
        "schemas/native-estate.schema.json",
        &(serde_json::to_string_pretty(&ahds_model::native_schema()).unwrap() + "\n"),
    );
}

fn validator(rel: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::root().join(rel)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

#[test]
fn documents_validate_against_their_schemas() {
    let native = validator("schemas/native-estate.schema.json");
    let input = validator("schemas/policy-input.schema.json");
    for rel in [
        "testdata/examples/contoso-clinical.json",
        "testdata/examples/contoso-clinical-hardened.json",
        "testdata/equivalence/northwind-native.json",
        "testdata/terraform/contoso-plan.json",
        "testdata/arm/contoso-clinical-resources.json",
    ] {
        if rel.contains("examples") || rel.contains("native") {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(common::root().join(rel)).unwrap())
                    .unwrap();
            let errors: Vec<String> = native
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{rel} against the native schema: {errors:#?}"
            );
        }
        let doc = common::evaluator()
            .input_document(&common::estate(rel))
            .unwrap();
        let errors: Vec<String> = input
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{rel} input document: {errors:#?}");
    }
    // The schema is not vacuous: a misspelt field fails it.
    let bad = serde_json::json!({"storage_acounts": []});
    assert!(!native.is_valid(&bad));
}
