//! The hostile-input corpus of `testdata/bad/`: every file and policy directory there must
//! end in exit code 2 with an error that names its place, never a panic, a hang or a pass.
//! Cases too large to keep in the repository (100,000-deep nesting, oversize files) are
//! generated here.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{root, run};

/// Exit 2, the expected text on stderr, no panic, and the file named with a place.
fn assert_refused(o: &Output, file: &str, expected: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{file}: exit code; stderr:\n{err}"
    );
    assert!(
        err.contains(expected),
        "{file}: expected `{expected}` in:\n{err}"
    );
    assert!(!err.contains("panicked"), "{file}: panicked:\n{err}");
    let placed = err.lines().any(|l| {
        l.split_once(file).is_some_and(|(_, rest)| {
            rest.starts_with(':')
                && (rest[1..].starts_with(|c: char| c.is_ascii_digit())
                    || rest.starts_with(": at `"))
        })
    });
    assert!(placed, "{file}: no line or JSON pointer named:\n{err}");
}

/// A report written for a refused input lists what was not read under `input_errors`.
fn assert_lists_input_errors(o: &Output, rel: &str) {
    if !o.stdout.is_empty() {
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(
            report["input_errors"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "{rel}: the report does not list the input errors"
        );
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn every_bad_input_in_the_corpus_exits_2_naming_its_place() {
    let mut files = Vec::new();
    for reader in ["native", "terraform", "arm"] {
        files_under(&root().join("testdata/bad").join(reader), &mut files);
    }
    files.sort();
    assert!(files.len() >= 30, "corpus shrank: {} files", files.len());
    for path in files {
        let rel = path
            .strip_prefix(root())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let expected = std::fs::read_to_string(format!("{}.expected", path.display()))
            .unwrap_or_else(|_| panic!("{rel}: no .expected file next to it"));
        let o = run(&["check", &rel, "--format", "json"]);
        assert_refused(&o, &rel, expected.trim());
        // Whatever could be read is still reported, with the unread part listed.
        assert_lists_input_errors(&o, &rel);
    }
}

/// The case directories under `dir` (at least `min` of them), with their paths relative to
/// the workspace root.
fn case_dirs(dir: &str, min: usize) -> Vec<(PathBuf, String)> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= min,
        "{dir}: corpus shrank to {}",
        cases.len()
    );
    cases
        .into_iter()
        .map(|c| {
            let rel = c
                .strip_prefix(root())
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            (c, rel)
        })
        .collect()
}

#[test]
fn every_bad_terraform_configuration_exits_2_naming_file_and_line() {
    for (case, rel) in case_dirs("testdata/bad/terraform-sources", 7) {
        let expected = std::fs::read_to_string(case.join("expected")).unwrap();
        let mut lines = expected.lines();
        let file = format!("{rel}/{}", lines.next().unwrap());
        let text = lines.next().unwrap();
        let mut args = vec!["check", rel.as_str(), "--format", "json"];
        args.extend(lines);
        let o = run(&args);
        assert_refused(&o, &file, text);
        // The files that could be read are still checked and reported.
        assert_lists_input_errors(&o, &rel);
    }
}

#[test]
fn every_bad_policy_in_the_corpus_is_refused_at_load() {
    for (case, rel) in case_dirs("testdata/bad/policies", 9) {
        let expected = std::fs::read_to_string(case.join("expected")).unwrap();
        let o = run(&[
            "check",
            "--policy",
            &rel,
            "testdata/examples/contoso-clinical-hardened.json",
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{rel}: {err}");
        assert!(
            err.contains(expected.trim()),
            "{rel}: expected `{}` in:\n{err}",
            expected.trim()
        );
        assert!(err.contains(&rel), "{rel}: the file is not named:\n{err}");
        // Refused at load: nothing was evaluated, so no report was written.
        assert!(o.stdout.is_empty(), "{rel}: a report was written");
    }
}

/// A scratch directory for generated inputs, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ahds-guard-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn write(&self, name: &str, contents: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, contents).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn json_nested_100000_deep_is_refused_by_every_reader() {
    let s = Scratch::new("deep");
    let deep = |inner: &str| format!("{}{inner}{}", "[".repeat(100_000), "]".repeat(100_000));
    let cases = [
        // Nested arrays are no resource listing: detection refuses them before a full parse.
        (
            "bare.json",
            deep("1"),
            "an array of values that are not resources",
        ),
        (
            "bare-object.json",
            format!(r#"[{{"properties": {}}}]"#, deep("{}")),
            "recursion limit exceeded",
        ),
        // The native reader meets the wrong type before the depth limit.
        (
            "native.json",
            format!(r#"{{"storage_accounts": {}}}"#, deep("1")),
            "invalid type: sequence",
        ),
        (
            "plan.json",
            format!(
                r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [{{"address": "azurerm_storage_account.a", "type": "azurerm_storage_account", "name": "a", "values": {{"network_rules": {}}}}}]}}}}}}"#,
                deep("{}")
            ),
            "recursion limit exceeded",
        ),
        (
            "arm.json",
            format!(
                r#"{{"value": [{{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st", "type": "Microsoft.Storage/storageAccounts", "properties": {}}}]}}"#,
                deep("{}")
            ),
            "recursion limit exceeded",
        ),
    ];
    for (name, text, expected) in cases {
        let path = s.write(name, text.as_bytes());
        let o = run(&["check", &path]);
        assert_refused(&o, &path, expected);
    }
}

#[test]
fn an_expression_nested_deeply_in_a_template_is_refused_at_its_place_not_a_crash() {
    let s = Scratch::new("expr");
    // 50,000 deep overflows a recursive parser; 65 deep is past the evaluator's limit.
    for depth in [50_000, 65] {
        let name = format!("[{}'a'{}]", "concat(".repeat(depth), ")".repeat(depth));
        let text = serde_json::json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [{
                "type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                "name": name, "location": "westeurope", "properties": { "publicNetworkAccess": "Enabled" }
            }]
        });
        let path = s.write("template.json", text.to_string().as_bytes());
        let o = run(&["check", &path, "--format", "json"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("overflow"),
            "{err}"
        );
        // A name that cannot be evaluated would turn a finding into "undetermined": the
        // run fails closed, naming the file, line and column of the expression.
        assert_refused(&o, &path, "nest");
    }
}

#[test]
fn inputs_over_the_size_limit_are_refused_before_reading() {
    let o = run(&[
        "check",
        "testdata/examples/contoso-clinical.json",
        "--max-input-size",
        "4K",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("testdata/examples/contoso-clinical.json: larger than the input size limit of 4096 bytes"),
        "{err}"
    );
    // The default limit lets the same file through.
    let o = run(&[
        "check",
        "testdata/examples/contoso-clinical.json",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn oversize_policy_files_are_refused_before_parsing() {
    let s = Scratch::new("bigpolicy");
    let mut text = String::from("package bad.big\n\n");
    while text.len() <= ahds_guard::MAX_POLICY_BYTES {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    s.write("big.rego", text.as_bytes());
    let dir = s.0.to_str().unwrap().to_string();
    let o = run(&[
        "check",
        "--policy",
        &dir,
        "testdata/examples/contoso-clinical-hardened.json",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("big.rego:1: policy file is"), "{err}");
}

#[test]
fn a_rule_over_the_time_limit_is_stopped_reported_and_fails_closed() {
    let s = Scratch::new("slow");
    // About 10^8 iterations: minutes on the interpreter, unless stopped.
    s.write(
        "slow.rego",
        br#"# METADATA
# title: Slow rule
# custom:
#   id: SLOW-001
#   severity: low
package slow

deny contains {"msg": "never", "resource_id": "r"} if {
	some a in numbers.range(1, 10000)
	some b in numbers.range(1, 10000)
	a * b == -1
}
"#,
    );
    let dir = s.0.to_str().unwrap().to_string();
    let o = run(&[
        "check",
        "--policy",
        &dir,
        "--rule-timeout",
        "0.2",
        "--format",
        "json",
        "testdata/examples/contoso-clinical.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["rule_id"], "SLOW-001");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("rule time limit of 200ms"),
        "{errors:?}"
    );
    // The error names the rule's file and the line of its METADATA block.
    assert!(
        errors[0]["file"].as_str().unwrap().ends_with("slow.rego"),
        "{errors:?}"
    );
    assert_eq!(errors[0]["line"], 1, "{errors:?}");
    // The other rules' findings are still there.
    assert!(report["summary"]["violations"].as_u64().unwrap() > 0);
}

#[test]
fn a_rule_over_the_memory_limit_is_stopped_reported_and_fails_closed() {
    let s = Scratch::new("hungry");
    // Arrays that double forty times, and a range of a billion numbers: tens of gigabytes
    // unless stopped.
    s.write(
        "hungry.rego",
        br#"# METADATA
# title: Hungry rule
# custom:
#   id: HUNGRY-001
#   severity: low
package hungry

grow(a) := array.concat(a, a)

deny contains {"msg": "never", "resource_id": "r"} if {
	a1 := grow(["x"])
	a2 := grow(a1)
	a3 := grow(a2)
	a4 := grow(a3)
	a5 := grow(a4)
	a6 := grow(a5)
	a7 := grow(a6)
	a8 := grow(a7)
	a9 := grow(a8)
	a10 := grow(a9)
	a11 := grow(a10)
	a12 := grow(a11)
	a13 := grow(a12)
	a14 := grow(a13)
	a15 := grow(a14)
	a16 := grow(a15)
	a17 := grow(a16)
	a18 := grow(a17)
	a19 := grow(a18)
	a20 := grow(a19)
	a21 := grow(a20)
	a22 := grow(a21)
	a23 := grow(a22)
	a24 := grow(a23)
	a25 := grow(a24)
	a26 := grow(a25)
	a27 := grow(a26)
	a28 := grow(a27)
	a29 := grow(a28)
	a30 := grow(a29)
	count(a30) == -1
}
"#,
    );
    let dir = s.0.to_str().unwrap().to_string();
    let o = run(&[
        "check",
        "--policy",
        &dir,
        "--rule-memory",
        "256M",
        "--format",
        "json",
        "testdata/examples/contoso-clinical.json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["rule_id"], "HUNGRY-001");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("memory limit"),
        "{errors:?}"
    );
    // The bundled rules ran first and still report.
    assert!(report["summary"]["violations"].as_u64().unwrap() > 0);
}

#[test]
fn a_directory_that_links_back_into_itself_is_read_once() {
    let s = Scratch::new("loop");
    std::fs::copy(
        root().join("testdata/examples/contoso-clinical-hardened.json"),
        s.0.join("estate.json"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&s.0, s.0.join("again")).unwrap();
    let dir = s.0.to_str().unwrap().to_string();
    let o = run(&["check", &dir]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn one_bad_resource_does_not_hide_the_findings_for_the_others() {
    let s = Scratch::new("partial");
    let mut doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("testdata/examples/contoso-clinical.json")).unwrap(),
    )
    .unwrap();
    let clean = run(&[
        "check",
        "testdata/examples/contoso-clinical.json",
        "--format",
        "json",
    ]);
    let clean: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    // An unrelated storage account with an impossible IP rule joins the deployment.
    doc["storage_accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "name": "stunrelated",
            "network": { "default_action": "Deny", "ip_rules": ["10.0.0.0/33"] }
        }));
    let path = s.write(
        "estate.json",
        serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
    );
    let o = run(&["check", &path, "--format", "json"]);
    assert_refused(
        &o,
        &path,
        "`10.0.0.0/33` is not an IP address or CIDR range",
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The same findings (their sources name the other file and lines).
    let findings = |r: &serde_json::Value| -> Vec<String> {
        r["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{} {} {}", v["rule_id"], v["resource_id"], v["message"]))
            .collect()
    };
    assert!(!findings(&clean).is_empty());
    assert_eq!(findings(&report), findings(&clean));
    let errors = report["input_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]["pointer"]
            .as_str()
            .unwrap()
            .ends_with("/network/ip_rules/0")
    );
    assert!(errors[0]["line"].as_u64().is_some());
}
