//! A plan of changes to deployed resources carries the state before them (`prior_state`,
//! each change's `before`, `resource_drift`) as well as the planned values. The reader
//! builds only what it reads (that this is all it reads is a unit test of the plan reader);
//! these tests hold that the state before a plan changes nothing read, and that its
//! syntax is still checked.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use ahds_ingest::{InputFormat, read};
use serde_json::{Value, json};

fn contoso_plan() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/terraform/contoso-plan.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The contoso plan as a plan on deployed resources writes it: the state it starts from,
/// each change's values before it, and drift detected since the last apply.
fn with_prior_state(mut plan: Value) -> Value {
    let planned = plan["planned_values"].clone();
    plan["prior_state"] =
        json!({"format_version": "1.0", "terraform_version": "1.9.5", "values": planned});
    let changes = plan["resource_changes"].as_array_mut().unwrap();
    for change in changes.iter_mut() {
        let c = &mut change["change"];
        c["before"] = c["after"].clone();
        c["actions"] = json!(["update"]);
    }
    let drift: Vec<Value> = changes.iter().take(3).cloned().collect();
    plan["resource_drift"] = Value::Array(drift);
    plan
}

fn read_plan(plan: &Value, format: InputFormat) -> ahds_ingest::Ingested {
    let text = serde_json::to_vec_pretty(plan).unwrap();
    read(&text, "plan.json", format).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn what_was_before_the_plan_does_not_change_what_is_read() {
    let plan = contoso_plan();
    let updated = with_prior_state(plan.clone());
    for format in [InputFormat::Auto, InputFormat::TerraformPlan] {
        let first = read_plan(&plan, format);
        let second = read_plan(&updated, format);
        assert!(!first.estate.storage_accounts.is_empty());
        assert_eq!(first.estate, second.estate, "{format:?}");
        assert_eq!(first.problems, second.problems, "{format:?}");
    }
}

#[test]
fn the_syntax_of_the_state_before_the_plan_is_still_checked() {
    let updated = with_prior_state(contoso_plan());
    let text = serde_json::to_string_pretty(&updated).unwrap();
    // A syntax error inside `prior_state`, which the reader does not build: still an error
    // at its line and column.
    let at = text.find("\"prior_state\"").unwrap();
    let broken = format!("{}{}", &text[..at], text[at..].replacen(": {", ": {,", 1));
    let errors = read(broken.as_bytes(), "plan.json", InputFormat::Auto).unwrap_err();
    let line = text[..at].lines().count();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].place.line, Some(line as u32), "{errors:?}");
    assert!(errors[0].place.column.is_some(), "{errors:?}");
    // A plan that names `prior_state` twice is refused, like any duplicate key.
    let twice = text.replacen(
        "\"prior_state\":",
        "\"prior_state\": {}, \"prior_state\":",
        1,
    );
    let errors = read(twice.as_bytes(), "plan.json", InputFormat::Auto).unwrap_err();
    assert!(
        errors[0].message.contains("duplicate key `prior_state`"),
        "{errors:?}"
    );
}
