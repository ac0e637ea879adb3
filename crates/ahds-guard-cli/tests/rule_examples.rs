//! The rules' examples in the languages users write (`testdata/rules/<ID>/terraform/
//! {fail,pass}/main.tf`, `.../arm/{fail,pass}.json`), read by the real readers: the failing
//! one raises its rule, the passing one does not, and for a rule whose fix is automatic the
//! Terraform passing one is exactly what `ahds-guard fix --rule <ID>` makes of the failing
//! one.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ahds(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A check's JSON report, which must have read the whole input.
fn report(path: &Path) -> serde_json::Value {
    let out = ahds(
        &root(),
        &["check", path.to_str().unwrap(), "--format", "json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        report["input_errors"].as_array().is_none_or(Vec::is_empty),
        "{}: {}",
        path.display(),
        report["input_errors"]
    );
    report
}

/// The rule ids of a check's violations.
fn raised(path: &Path) -> BTreeSet<String> {
    report(path)["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_example_fails_and_passes_its_rule() {
    let rules = root().join("testdata/rules");
    let mut with_examples = BTreeSet::new();
    for entry in std::fs::read_dir(&rules).unwrap() {
        let id = entry.unwrap().file_name().to_string_lossy().into_owned();
        let dir = rules.join(&id);
        let cases = [
            (dir.join("terraform/fail"), dir.join("terraform/pass")),
            (dir.join("arm/fail.json"), dir.join("arm/pass.json")),
        ];
        for (fail, pass) in &cases {
            assert!(
                fail.exists() && pass.exists(),
                "{id}: no {} and {}",
                fail.display(),
                pass.display()
            );
            assert!(
                raised(fail).contains(&id),
                "{} does not raise {id}",
                fail.display()
            );
            assert!(
                !raised(pass).contains(&id),
                "{} raises {id}",
                pass.display()
            );
        }
        with_examples.insert(id);
    }
    // Every bundled rule, in both languages.
    assert_eq!(with_examples.len(), 19, "{with_examples:?}");
}

#[test]
fn the_terraform_fix_of_each_example_is_its_passing_example() {
    let rules = root().join("testdata/rules");
    for entry in std::fs::read_dir(&rules).unwrap() {
        let id = entry.unwrap().file_name().to_string_lossy().into_owned();
        let fail = rules.join(&id).join("terraform/fail/main.tf");
        let Ok(text) = std::fs::read_to_string(&fail) else {
            continue;
        };
        // Only a rule whose fix `fix` can make has its passing example made by it.
        let automatic = report(fail.parent().unwrap())["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule_id"] == id.as_str() && v["fix"]["automatic"] == true);
        if !automatic {
            continue;
        }
        let dir = std::env::temp_dir().join(format!("ahds-examples-{}-{id}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("example")).unwrap();
        std::fs::write(dir.join("example/main.tf"), text).unwrap();
        ahds(&dir, &["fix", "example", "--rule", &id]);
        let fixed = std::fs::read_to_string(dir.join("example/main.tf")).unwrap();
        let pass = std::fs::read_to_string(rules.join(&id).join("terraform/pass/main.tf")).unwrap();
        assert_eq!(
            fixed, pass,
            "{id}: `fix --rule {id}` of the failing example"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn explain_shows_the_examples_as_the_fix() {
    let out = ahds(&root(), &["explain", "AHDS-TS-003"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("In Terraform: a configuration this rule fails"),
        "{text}"
    );
    assert!(text.contains("+    private_link_access {"), "{text}");
    assert!(text.contains("In an ARM template:"), "{text}");
    assert!(
        text.contains("+          \"resourceAccessRules\": ["),
        "{text}"
    );
}
