//! Baselines: `baseline create` accepts today's findings, `check --baseline` fails only on
//! new ones, and a finding keeps its identity wherever its resource moves.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{root, run};

/// A scratch directory of this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ahds-guard-baseline-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn example() -> Value {
    serde_json::from_slice(
        &std::fs::read(root().join("testdata/examples/contoso-clinical.json")).unwrap(),
    )
    .unwrap()
}

fn write(path: &Path, doc: &Value) -> String {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.display().to_string()
}

/// `check --baseline --format json`: exit code and report.
fn check(inputs: &[&str], baseline: &str) -> (Option<i32>, Value) {
    let mut args = vec!["check"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--baseline", baseline, "--format", "json"]);
    let out = run(&args);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

fn rules_and_resources(report: &Value) -> Vec<(String, String)> {
    report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["rule_id"].as_str().unwrap().to_string(),
                v["resource_id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

fn create(dir: &Path, inputs: &[&str]) -> String {
    let baseline = dir.join("baseline.json").display().to_string();
    let mut args = vec!["baseline", "create"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--output", &baseline]);
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    baseline
}

#[test]
fn every_finding_of_the_example_is_baselined_and_one_changed_setting_is_new() {
    let dir = scratch("new");
    let original = write(&dir.join("estate.json"), &example());
    let baseline = create(&dir, &[&original]);
    let (code, report) = check(&[&original], &baseline);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["summary"]["violations"], 0);
    assert_eq!(report["summary"]["baselined"], 17);
    assert!(report.get("resolved").is_none());

    // CORS `*` on a DICOM service that already has baselined findings: exactly that is new.
    let mut changed = example();
    changed["dicom_services"][0]["cors"]["origins"] = serde_json::json!(["*"]);
    let changed = write(&dir.join("changed.json"), &changed);
    let (code, report) = check(&[&changed], &baseline);
    assert_eq!(code, Some(1));
    assert_eq!(
        rules_and_resources(&report),
        [("AHDS-AC-001".to_string(), "dicom-imaging".to_string())]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_finding_keeps_its_identity_when_its_resource_moves_to_another_line_or_file() {
    let dir = scratch("moved");
    let baseline = create(&dir, &[&write(&dir.join("estate.json"), &example())]);
    // The storage accounts move to a file of their own, in reverse order; every other list
    // is reversed too, so every resource sits on another line.
    let mut rest = example();
    let mut storage = serde_json::json!({"storage_accounts": rest["storage_accounts"].take()});
    rest.as_object_mut().unwrap().remove("storage_accounts");
    storage["storage_accounts"]
        .as_array_mut()
        .unwrap()
        .reverse();
    for (_, list) in rest.as_object_mut().unwrap().iter_mut() {
        if let Value::Array(items) = list {
            items.reverse();
        }
    }
    let a = write(&dir.join("a.json"), &rest);
    let b = write(&dir.join("moved-storage.json"), &storage);
    let (code, report) = check(&[&a, &b], &baseline);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["summary"]["baselined"], 17);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fixed_finding_is_listed_as_resolved_and_update_drops_it() {
    let dir = scratch("fixed");
    let baseline = create(&dir, &[&write(&dir.join("estate.json"), &example())]);
    // Let trusted services through the DICOM Data Lake account: TS-002 is fixed.
    let mut fixed = example();
    for sa in fixed["storage_accounts"].as_array_mut().unwrap() {
        if sa["name"] == "stcontosodicomdl" {
            sa["network"]["trusted_services"] = Value::Bool(true);
        }
    }
    let fixed = write(&dir.join("fixed.json"), &fixed);
    let (code, report) = check(&[&fixed], &baseline);
    assert_eq!(code, Some(0));
    let resolved = report["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{resolved:#?}");
    assert_eq!(resolved[0]["rule_id"], "AHDS-TS-002");
    assert_eq!(resolved[0]["feature"], "dicom.storage");
    assert_eq!(report["summary"]["resolved"], 1);

    let out = run(&["baseline", "update", &fixed, "--output", &baseline]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("16 finding(s) baselined (1 resolved and removed, 0 added)")
    );
    let (_, report) = check(&[&fixed], &baseline);
    assert!(report.get("resolved").is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_baseline_file_is_sorted_stable_and_refused_when_unreadable() {
    let dir = scratch("file");
    let input = write(&dir.join("estate.json"), &example());
    let baseline = create(&dir, &[&input]);
    let first = std::fs::read_to_string(&baseline).unwrap();
    create(&dir, &[&input]);
    assert_eq!(
        std::fs::read_to_string(&baseline).unwrap(),
        first,
        "byte-identical on a rerun"
    );
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["version"], 1);
    let entries = doc["findings"].as_array().unwrap();
    let keys: Vec<String> = entries
        .iter()
        .map(|e| format!("{}|{}|{}", e["rule_id"], e["resource"], e["feature"]))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    for (name, text, expected) in [
        (
            "newer.json",
            r#"{"version": 2, "findings": []}"#,
            "baseline version 2 is not supported",
        ),
        ("garbage.json", "{ not json", "not an ahds-guard baseline"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = run(&["check", &input, "--baseline", &path.display().to_string()]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected) && err.contains(name), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
