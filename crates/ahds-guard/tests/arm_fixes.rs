//! A fix shown for an ARM input (a template, Bicep built to one, a resource listing) is the
//! change that removes the finding: each automatic fix's ARM property changes are applied to
//! the resource JSON the finding was read from, and a check of the changed file finds
//! exactly the other findings.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ahds_guard::{FixLanguage, PathOptions, Report, check_paths};
use serde_json::{Map, Value};

/// (rule id, resource id) of each violation.
fn keys(report: &Report, automatic: bool) -> BTreeSet<(String, String)> {
    report
        .violations
        .iter()
        .filter(|v| !automatic || v.fix.as_ref().is_some_and(|f| f.automatic))
        .map(|v| (v.rule_id.clone(), v.resource_id.clone()))
        .collect()
}

fn check(paths: &[PathBuf]) -> Report {
    let checked = check_paths(common::evaluator(), paths, &PathOptions::default()).unwrap();
    assert!(
        checked.report.input_errors.is_empty(),
        "{:?}",
        checked.report.input_errors
    );
    checked.report
}

/// Sets (or, with `add`, appends to) the property at a dotted path under `resource`.
fn set_path(resource: &mut Value, path: &str, value: &Value, add: bool) {
    let mut at = resource;
    for part in path.split('.') {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        at = at
            .as_object_mut()
            .unwrap()
            .entry(part.to_string())
            .or_insert(Value::Null);
    }
    if add {
        if !at.is_array() {
            *at = Value::Array(Vec::new());
        }
        at.as_array_mut().unwrap().push(value.clone());
    } else {
        *at = value.clone();
    }
}

/// Applies the report's automatic ARM fixes to the document they were read from.
fn apply_fixes(doc: &mut Value, report: &Report) -> usize {
    let mut applied = 0;
    for v in &report.violations {
        let Some(fix) = v.fix.as_ref().filter(|f| f.automatic) else {
            continue;
        };
        assert!(
            matches!(fix.language, FixLanguage::Arm | FixLanguage::AzureCli),
            "{}: {:?}",
            v.rule_id,
            fix.language
        );
        let pointer = v.source.as_ref().and_then(|s| s.pointer.clone()).unwrap();
        for change in &fix.arm {
            assert_eq!(
                change.resource_id, v.resource_id,
                "a change on another resource than the finding's needs its own lookup here"
            );
            let resource = doc.pointer_mut(&pointer).unwrap();
            set_path(resource, &change.path, &change.value, change.add);
        }
        applied += 1;
    }
    applied
}

/// The file (and its parameters file) copied to a scratch directory after `edit`.
fn edited_copy(rel: &str, edit: impl FnOnce(&mut Value)) -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "ahds-arm-fixes-{}-{}",
        std::process::id(),
        rel.replace('/', "_")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let src = common::root().join(rel);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    edit(&mut doc);
    let name = Path::new(rel).file_name().unwrap();
    let target = dir.join(name);
    std::fs::write(&target, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let mut paths = vec![target];
    let params = src.with_extension("parameters.json");
    if params.exists() {
        let copy = dir.join(params.file_name().unwrap());
        std::fs::copy(&params, &copy).unwrap();
        paths.push(copy);
    }
    paths
}

#[test]
fn applying_an_arm_inputs_fixes_removes_exactly_those_findings() {
    let mut fixed = 0;
    for rel in [
        "testdata/arm/contoso-bicep.json",
        "testdata/arm/contoso-clinical-resources.json",
        "testdata/arm/contoso-clinical-graph.json",
    ] {
        let src = common::root().join(rel);
        let mut paths = vec![src.clone()];
        let params = src.with_extension("parameters.json");
        if params.exists() {
            paths.push(params);
        }
        let before = check(&paths);
        let automatic = keys(&before, true);
        assert!(!automatic.is_empty(), "{rel} has no automatic fix to try");
        let mut applied = 0;
        let edited = edited_copy(rel, |doc| applied = apply_fixes(doc, &before));
        let after = check(&edited);
        let expected: BTreeSet<_> = keys(&before, false)
            .difference(&automatic)
            .cloned()
            .collect();
        assert_eq!(keys(&after, false), expected, "{rel}");
        fixed += applied;
        std::fs::remove_dir_all(edited[0].parent().unwrap()).unwrap();
    }
    assert!(fixed >= 10, "only {fixed} fixes applied");
}
