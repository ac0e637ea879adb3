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
    let input = ahds_guard::input_schema();
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

/// Rustdoc's intra-doc links (`[`Type::field`]`) mean nothing in generated Markdown: each
/// field's description must be its own text.
#[test]
fn generated_references_hold_no_rustdoc_links() {
    let input = ahds_guard::docs::input_markdown(&ahds_guard::input_schema());
    let rules = ahds_guard::docs::rules_markdown(common::evaluator().rules());
    for (name, text) in [("input", &input), ("rules", &rules)] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find("[`") {
            let after = &rest[at..];
            let end = after.find("`]").map_or(after.len(), |e| e + 2);
            assert!(
                after[end..].starts_with('('),
                "{name} reference has a rustdoc link: {}",
                &after[..end]
            );
            rest = &after[end..];
        }
    }
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

/// The Rego tests build their inputs with `policies/lib/fixtures_test.rego`. Its documents
/// must have the shape the evaluator gives rules, or a Rego test could pass against a field
/// the real input no longer has (as `broad_ip_rules` would have been after the facts became
/// `ip_ranges`).
#[test]
fn rego_test_fixtures_have_the_input_document_shape() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schemas/policy-input.schema.json")).unwrap(),
    )
    .unwrap();
    let mut engine = regorus::Engine::new();
    engine
        .add_policy_from_file(common::root().join("policies/lib/fixtures_test.rego"))
        .unwrap();
    let cases = [
        ("data.ahds.test.fixtures.doc({}, {}, {})", schema.clone()),
        (
            r#"data.ahds.test.fixtures.doc({}, {}, data.ahds.test.fixtures.ip_ranges(["10.0.0.0/8", "2001:db8::/32"]))"#,
            schema.clone(),
        ),
        (
            r#"data.ahds.test.fixtures.unresolved("not_found")"#,
            schema.clone(),
        ),
        (
            r#"data.ahds.test.fixtures.doc({"target_type": "container_registries", "feature": "fhir.convert"}, {}, {})"#,
            schema.clone(),
        ),
    ];
    for (query, schema) in cases {
        let results = engine.eval_query(query.to_string(), false).unwrap();
        let value = &results.result[0].expressions[0].value;
        let mut doc = serde_json::to_value(value).unwrap();
        // The builders give the parts a rule test needs; the collections they leave out
        // are empty in a real input.
        if let Some(obj) = doc.as_object_mut().filter(|o| o.contains_key("links")) {
            for (key, property) in schema["properties"].as_object().unwrap() {
                if !obj.contains_key(key) {
                    let empty = match property["type"].as_str() {
                        Some("array") => serde_json::json!([]),
                        Some("object") => serde_json::json!({}),
                        Some("integer") => serde_json::json!(ahds_guard::INPUT_VERSION),
                        Some("boolean") => serde_json::json!(true),
                        _ => continue,
                    };
                    obj.insert(key.clone(), empty);
                }
            }
        }
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{query}: {errors:#?}");
    }
}
