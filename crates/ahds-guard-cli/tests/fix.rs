//! `ahds-guard fix`: applied to a copy of `testdata/terraform/sources/fixable`, every finding
//! with an automatic fix is gone when the copy is checked again, nothing else changes, and
//! `--dry-run`, `--rule` and `--baseline` hold back what they should.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh copy of the fixture in its own directory, named `fixable` so reports name the
/// same files.
fn copy(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ahds-fix-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("fixable")).unwrap();
    let src = root().join("testdata/terraform/sources/fixable/main.tf");
    std::fs::copy(src, dir.join("fixable/main.tf")).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(args)
        .current_dir(dir)
        .env_remove("COLUMNS")
        .output()
        .unwrap()
}

/// A finding as (rule id, resource id).
type Finding = (String, String);

/// Each violation, and those whose fix is automatic.
fn findings(dir: &Path) -> (BTreeSet<Finding>, BTreeSet<Finding>) {
    let out = run(dir, &["check", "fixable", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut all = BTreeSet::new();
    let mut automatic = BTreeSet::new();
    for v in report["violations"].as_array().unwrap() {
        let key = (
            v["rule_id"].as_str().unwrap().to_string(),
            v["resource_id"].as_str().unwrap().to_string(),
        );
        if v["fix"]["automatic"] == true {
            automatic.insert(key.clone());
        }
        all.insert(key);
    }
    (all, automatic)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every Terraform source fixture, fixed in a copy: what had an automatic fix is gone —
/// in modules too — and every other finding is still there.
#[test]
fn every_terraform_fixture_loses_exactly_its_automatically_fixable_findings() {
    let sources = root().join("testdata/terraform/sources");
    let mut fixed_somewhere = 0;
    for entry in std::fs::read_dir(&sources).unwrap() {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir = std::env::temp_dir().join(format!("ahds-fix-{}-all-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&entry.path(), &dir.join("fixable"));
        let (before, automatic) = findings(&dir);
        run(&dir, &["fix", "fixable"]);
        let (after, left) = findings(&dir);
        assert!(left.is_empty(), "{name}: {left:?}");
        let expected: BTreeSet<_> = before.difference(&automatic).cloned().collect();
        assert_eq!(after, expected, "{name}");
        fixed_somewhere += usize::from(!automatic.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert!(
        fixed_somewhere >= 3,
        "only {fixed_somewhere} fixtures had a fix"
    );
}

/// What `fix` writes is what `terraform fmt` would write: every fixture and rule example is
/// fmt-clean, and stays so once fixed. Needs the `terraform` binary; where it is missing the
/// test says so and checks nothing.
#[test]
fn fixed_files_are_left_unchanged_by_terraform_fmt() {
    let fmt_clean = |dir: &Path| {
        Command::new("terraform")
            .args(["fmt", "-check", "-recursive"])
            .arg(dir)
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .map(|o| o.status.success())
    };
    let fixtures = root().join("testdata/terraform/sources");
    if fmt_clean(&fixtures).is_err() {
        eprintln!("terraform is not installed: the fmt check did not run");
        return;
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    for entry in std::fs::read_dir(root().join("testdata/rules")).unwrap() {
        let examples = entry.unwrap().path().join("terraform");
        if examples.is_dir() {
            dirs.push(examples.join("fail"));
            dirs.push(examples.join("pass"));
        }
    }
    for (i, src) in dirs.iter().enumerate() {
        assert!(
            fmt_clean(src).unwrap(),
            "{} is not fmt-clean",
            src.display()
        );
        let dir = std::env::temp_dir().join(format!("ahds-fix-{}-fmt-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(src, &dir.join("fixable"));
        run(&dir, &["fix", "fixable"]);
        assert!(
            fmt_clean(&dir.join("fixable")).unwrap(),
            "terraform fmt would change the fixed {}",
            src.display()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

fn text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("fixable/main.tf")).unwrap()
}

#[test]
fn after_fix_every_automatically_fixable_finding_is_gone_and_the_rest_remain() {
    let dir = copy("all");
    let (before, automatic) = findings(&dir);
    let rules: BTreeSet<&str> = automatic.iter().map(|(r, _)| r.as_str()).collect();
    // Every bundled rule that gives an automatic fix has a case in the fixture.
    assert_eq!(
        rules,
        BTreeSet::from([
            "AHDS-ID-001",
            "AHDS-PL-002",
            "AHDS-TS-001",
            "AHDS-TS-002",
            "AHDS-TS-003"
        ])
    );
    let out = run(&dir, &["fix", "fixable"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Findings that need a decision are left, so the run still fails as `check` would.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "fixed {} finding(s) in 1 file(s)",
            automatic.len()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("needs a decision: AHDS-AC-002"), "{stderr}");
    let (after, left_automatic) = findings(&dir);
    assert!(left_automatic.is_empty(), "{left_automatic:?}");
    let expected: BTreeSet<_> = before.difference(&automatic).cloned().collect();
    assert_eq!(after, expected);
    // A second run has nothing left to change.
    let fixed = text(&dir);
    let again = run(&dir, &["fix", "fixable"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("fixed 0 finding(s) in 0 file(s)"));
    assert_eq!(text(&dir), fixed);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let dir = copy("dry");
    let original = text(&dir);
    let out = run(&dir, &["fix", "fixable", "--dry-run"]);
    let diff = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text(&dir), original, "--dry-run wrote the file");
    assert!(
        diff.starts_with("--- a/fixable/main.tf\n+++ b/fixable/main.tf\n"),
        "{diff}"
    );
    insta::assert_snapshot!("fix_dry_run_fixable", diff);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rule_and_baseline_hold_findings_back() {
    let dir = copy("select");
    let out = run(
        &dir,
        &["fix", "fixable", "--rule", "AHDS-TS-002", "--dry-run"],
    );
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains("+  network_rule_bypass_option    = \"AzureServices\""),
        "{diff}"
    );
    assert!(!diff.contains("azapi_update_resource"), "{diff}");
    assert!(!diff.contains("identity"), "{diff}");

    // A baseline that accepts every current finding leaves nothing to fix.
    let baseline = dir.join("baseline.json");
    let out = run(
        &dir,
        &[
            "baseline",
            "create",
            "fixable",
            "--output",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &dir,
        &["fix", "fixable", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 0 finding(s)"));
    std::fs::remove_dir_all(&dir).unwrap();
}
