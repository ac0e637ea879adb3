//! The CLI's contract: exit codes, report fields, and errors that name the place.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(args)
        .current_dir(root())
        // The text report wraps to `COLUMNS` when it is set; the tests read it at 100.
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ahds-guard");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn insecure_example_reports_violations_and_exits_1() {
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let violations = report["violations"].as_array().expect("violations");
    assert!(!violations.is_empty());
    for v in violations {
        for field in ["rule_id", "severity", "resource_id", "message"] {
            assert!(v[field].is_string(), "violation without {field}: {v}");
        }
    }
    for key in ["undetermined", "suppressed", "errors"] {
        assert!(report[key].is_array(), "report without {key}");
    }
    assert!(report["summary"].is_object());
}

#[test]
fn hardened_example_exits_0() {
    let out = run(
        &["check", "testdata/examples/contoso-clinical-hardened.json"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn fail_on_sets_the_threshold() {
    // The insecure example's worst findings are high: nothing at critical.
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--fail-on",
            "critical",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--fail-on",
            "high",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn malformed_json_names_line_and_column_and_exits_2() {
    let out = run(
        &["check", "-"],
        Some(b"{\n  \"workspaces\": [\n    {\"name\": \"ws\",}\n  ]\n}\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("-:3:"), "no line in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn wrong_field_type_names_the_json_pointer_and_exits_2() {
    let input =
        br#"{"storage_accounts": [{"name": "sa", "network": {"ip_rules": ["10.0.0.0/8", 42]}}]}"#;
    let out = run(&["check", "-"], Some(input));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("/storage_accounts/0/network/ip_rules/1"),
        "no pointer in: {err}"
    );
}

#[test]
fn invalid_cidr_and_unknown_field_are_errors() {
    let out = run(
        &["check", "-"],
        Some(
            br#"{"storage_accounts": [{"name": "sa", "network": {"ip_rules": ["10.0.0.0/33"]}}]}"#,
        ),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("10.0.0.0/33"), "{}", stderr(&out));
    let out = run(&["check", "-"], Some(br#"{"storage_acounts": []}"#));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("storage_acounts"), "{}", stderr(&out));
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let out = run(&["check", "no/such/file.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/file.json"));
    let out = run(&["check", "x.json", "--fail-on", "severe"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_and_explain_print_the_catalog() {
    let out = run(&["rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 19, "{text}");
    // By id, in columns: every name starts where the first line's does.
    let ids: Vec<&str> = text.lines().map(|l| &l[..11]).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "{text}");
    let column = text
        .lines()
        .next()
        .unwrap()
        .find("cors-allows-any-origin")
        .unwrap();
    for line in text.lines() {
        assert!(
            line.as_bytes()[column - 1] == b' ' && line.as_bytes()[column] != b' ',
            "{text}"
        );
    }
    let out = run(&["explain", "AHDS-TS-002"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("trusted-service-access-blocked"));
    let out = run(&["explain", "AHDS-XX-999"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn reads_terraform_plans_and_arm_resources_by_detection_or_flag() {
    for (path, flag) in [
        ("testdata/terraform/contoso-plan.json", "terraform-plan"),
        ("testdata/arm/contoso-clinical-resources.json", "arm"),
        ("testdata/arm/contoso-clinical-graph.json", "arm"),
    ] {
        let out = run(&["check", path, "--format", "json"], None);
        assert_eq!(out.status.code(), Some(1), "{path}: {}", stderr(&out));
        let out = run(
            &[
                "check",
                path,
                "--input-format",
                flag,
                "--fail-on",
                "critical",
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{path}: {}", stderr(&out));
    }
    // Forcing the wrong format is an error that says what was expected.
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--input-format",
            "terraform-plan",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a Terraform plan"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_in_no_known_format_names_the_formats_tried() {
    let out = run(&["check", "-"], Some(br#"{"kind": "something else"}"#));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for format in ["native", "Terraform plan", "Azure Resource Manager"] {
        assert!(err.contains(format), "{err}");
    }
}

#[test]
fn custom_policies_report_with_their_own_id_and_severity() {
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--policy",
            "testdata/custom-policies/contoso",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let custom: Vec<&serde_json::Value> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["rule_id"] == "CONTOSO-NET-001")
        .collect();
    assert_eq!(custom.len(), 2, "{custom:#?}");
    assert!(custom.iter().all(|v| v["severity"] == "high"));
    let out = run(
        &["rules", "--policy", "testdata/custom-policies/contoso"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("CONTOSO-NET-001"));
}

#[test]
fn broken_custom_policies_are_load_errors_naming_file_and_line() {
    for (dir, place) in [
        ("syntax", "bad.rego:11"),
        ("metadata", "no_severity.rego:1"),
        ("yaml", "bad_yaml.rego:3"),
        ("collision", "collision.rego:1"),
    ] {
        let path = format!("testdata/custom-policies/broken/{dir}");
        let out = run(
            &[
                "check",
                "testdata/examples/contoso-clinical.json",
                "--policy",
                &path,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{dir}");
        assert!(stderr(&out).contains(place), "{dir}: {}", stderr(&out));
    }
}

#[test]
fn test_runs_given_policies_and_fails_on_failing_tests() {
    let out = run(&["test", "testdata/custom-policies/contoso"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains(
        "PASS data.contoso.rules.approved_ip_ranges_test.test_unapproved_range_is_denied"
    ));
    assert!(text.trim_end().ends_with("passed, 0 failed"), "{text}");

    let out = run(
        &[
            "test",
            "testdata/custom-policies/broken/failing-test",
            "--no-bundled",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("FAIL data.broken.failing_test.test_fails"),
        "{text}"
    );
    assert!(text.contains("1 passed, 1 failed"), "{text}");

    let out = run(&["test", "--run", "private_dns_zone_missing"], None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.lines()
            .filter(|l| l.starts_with("PASS"))
            .all(|l| l.contains("private_dns_zone_missing"))
    );
    assert!(text.contains("9 passed, 0 failed"), "{text}");
}

#[test]
fn test_coverage_reports_every_policy_file() {
    let out = run(&["test", "--coverage", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let run_json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cov = &run_json["coverage"];
    assert!(cov["percent"].as_f64().unwrap() >= 90.0, "{cov}");
    let files = cov["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .all(|f| !f["path"].as_str().unwrap().ends_with("_test.rego"))
    );
    assert!(files.len() >= 21);
}

#[test]
fn input_prints_the_document_rules_see() {
    let out = run(&["input", "testdata/terraform/contoso-plan.json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["links"].as_array().unwrap().len(), 6);
    // Computed by azurerm and never sent: the platform default, as the rules see it.
    assert_eq!(
        doc["fhir_services"]["azurerm_healthcare_fhir_service.fhir"]["public_network_access"],
        "Enabled"
    );
    let out = run(&["schema", "native"], None);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "ahds-guard native estate");
}

#[test]
fn configuration_file_sets_fail_on_and_waivers() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("guard.toml");
    std::fs::write(&config, "fail_on = \"critical\"\n").unwrap();
    let config_arg = config.display().to_string();
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--config",
            &config_arg,
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "fail_on from the config: {}",
        stderr(&out)
    );
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--config",
            &config_arg,
            "--fail-on",
            "high",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "--fail-on overrides the config");
    std::fs::write(&config, "[rules]\ndisable = [\"AHDS-XX-123\"]\n").unwrap();
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--config",
            &config_arg,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("guard.toml:2"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_with_nothing_readable_exits_2_naming_what_was_found() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-nothing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.json"), br#"{"hello": "world"}"#).unwrap();
    std::fs::write(dir.join("README.md"), b"not read").unwrap();
    let path = dir.display().to_string();
    let out = run(&["check", &path], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing to check: found only files in no known input format")
            && stderr(&out).contains("notes.json"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dir.join("notes.json")).unwrap();
    let out = run(&["check", &path], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing to check: found no `.json`, `.bicep` or `.tf` file"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `check` on a `.bicep` file with `PATH` set to `bin` only.
fn check_bicep(bin: &Path, file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(["check", &file.display().to_string(), "--format", "json"])
        .current_dir(root())
        .env("PATH", bin)
        .output()
        .expect("run ahds-guard")
}

#[test]
fn bicep_source_is_built_with_the_bicep_cli_or_refused_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("ahds-guard-bicep-{}", std::process::id()));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let source = dir.join("main.bicep");
    std::fs::write(&source, "// stands in for Bicep source\n").unwrap();
    // Without `bicep` or `az` on PATH: exit 2, naming what to install.
    let out = check_bicep(&bin, &source);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("needs the Bicep CLI"),
        "{}",
        stderr(&out)
    );
    // A stand-in `bicep` that checks its arguments and prints a compiled template.
    let template = root().join("testdata/arm/shapes/params-without-defaults.json");
    let script = format!(
        "#!/bin/sh\n[ \"$1\" = build ] && [ \"$3\" = --stdout ] || exit 9\nexec /bin/cat '{}'\n",
        template.display()
    );
    std::fs::write(bin.join("bicep"), script).unwrap();
    std::fs::set_permissions(bin.join("bicep"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = check_bicep(&bin, &source);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["AHDS-PL-001", "AHDS-TS-001", "AHDS-AC-002"],
        "{report}"
    );
    assert_eq!(
        report["violations"][0]["source"]["file"],
        source.display().to_string()
    );
    // `--input-format bicep` builds a file whatever its name; in a directory it reads the
    // `.bicep` files and passes over other JSON (here a copy of the built template: read
    // as ARM, its resources repeat the Bicep file's and are refused as duplicates).
    let renamed = dir.join("main.bicep.txt");
    std::fs::copy(&source, &renamed).unwrap();
    std::fs::copy(&template, dir.join("other.json")).unwrap();
    for target in [&renamed, &dir] {
        let out = Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
            .args(["check", &target.display().to_string(), "--format", "json"])
            .args(["--input-format", "bicep"])
            .current_dir(root())
            .env("PATH", &bin)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["violations"].as_array().unwrap().len(),
            3,
            "{report}"
        );
        assert!(report.get("input_errors").is_none(), "{report}");
    }
    // Read as ARM, the same directory holds the Bicep file and the JSON copy.
    let out = check_bicep(&bin, &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = report["input_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{report}");
    assert!(
        errors
            .iter()
            .all(|e| e["file"].as_str().unwrap().ends_with("other.json")),
        "{report}"
    );
    std::fs::remove_file(&renamed).unwrap();
    std::fs::remove_file(dir.join("other.json")).unwrap();
    // A build that fails is exit 2 with the CLI's own message.
    std::fs::write(
        bin.join("bicep"),
        "#!/bin/sh\necho 'main.bicep(3,1) : Error BCP007: bad' >&2\nexit 1\n",
    )
    .unwrap();
    let out = check_bicep(&bin, &source);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("main.bicep(3,1) : Error BCP007"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fail_on_undetermined_fails_the_gate_only_at_or_above_the_threshold() {
    // A properties-less listing: no violation, undetermined checks up to high (PL-001).
    let listing = "testdata/arm/live/resource-list-without-properties.json";
    let out = run(&["check", listing, "--quiet"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 undetermined"));
    let out = run(
        &["check", listing, "--quiet", "--fail-on-undetermined"],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(
        &[
            "check",
            listing,
            "--quiet",
            "--fail-on-undetermined",
            "--fail-on",
            "critical",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn one_run_writes_every_requested_report_as_separate_runs_would() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (sarif, junit) = (dir.join("out.sarif"), dir.join("out.xml"));
    let example = "testdata/examples/contoso-clinical.json";
    let out = run(
        &[
            "check",
            example,
            "--color",
            "never",
            "--format",
            "text",
            "--format",
            &format!("sarif={}", sarif.display()),
            "--format",
            &format!("junit={}", junit.display()),
        ],
        None,
    );
    // The gate fails (violations), and every report is written all the same.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let alone = |format: &str| {
        let o = run(
            &["check", example, "--color", "never", "--format", format],
            None,
        );
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(String::from_utf8(out.stdout).unwrap(), alone("text"));
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), alone("sarif"));
    assert_eq!(std::fs::read_to_string(&junit).unwrap(), alone("junit"));
    // Two reports cannot both go to standard output.
    let out = run(
        &["check", example, "--format", "text", "--format", "json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("2 reports would go to standard output"),
        "{}",
        stderr(&out)
    );
    let out = run(&["check", example, "--format", "yaml=x"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`yaml` is not a report format"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_parameters_file_named_alone_is_read_with_the_template_beside_it() {
    // As a pre-commit hook names only the staged file.
    let alone = run(
        &[
            "check",
            "testdata/arm/shapes/unique-string-names.parameters.json",
            "--format",
            "json",
        ],
        None,
    );
    let both = run(
        &[
            "check",
            "testdata/arm/shapes/unique-string-names.json",
            "testdata/arm/shapes/unique-string-names.parameters.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(
        alone.status.code(),
        both.status.code(),
        "{}",
        stderr(&alone)
    );
    assert_eq!(alone.stdout, both.stdout);
}

#[test]
fn listings_given_together_are_read_as_one() {
    let out = run(
        &[
            "check",
            "testdata/arm/live/listing-without-target-settings.json",
            "testdata/arm/live/evhlive-network-rule-set.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.get("input_errors").is_none(), "{report:#}");
    assert_eq!(report["summary"]["undetermined"], 5, "{report:#}");
}

#[test]
fn no_value_from_the_input_can_begin_a_ci_workflow_command_in_the_text_report() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-inject-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A plan whose address and names carry line breaks followed by GitHub Actions and
    // Azure Pipelines commands, an ANSI escape and a bidirectional override.
    let address = "::error file=x::pwned";
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": { "root_module": { "resources": [{
            "address": address, "mode": "managed", "type": "azurerm_storage_account",
            "name": "x",
            "values": { "name": "st\n::add-mask::secret\n##vso[task.setvariable variable=x]1\u{1b}[31m\u{202e}",
                         "public_network_access_enabled": true }
        }, {
            "address": "azurerm_healthcare_fhir_service.f", "mode": "managed",
            "type": "azurerm_healthcare_fhir_service", "name": "f",
            "values": { "name": "fhir\n::warning::x", "configuration_export_storage_account_name": "st\n::add-mask::secret\n##vso[task.setvariable variable=x]1\u{1b}[31m\u{202e}" }
        }]}}
    });
    let path = dir.join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    let out = run(
        &["check", path.to_str().unwrap(), "--color", "always"],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("TS-001"), "{text}");
    for line in text.lines() {
        let bare: String = {
            // Colour codes of our own stripped, as a CI log viewer shows the line.
            let mut s = line.trim_start().to_string();
            while let Some(rest) = s.strip_prefix('\u{1b}') {
                s = rest
                    .split_once('m')
                    .map_or("", |(_, a)| a)
                    .trim_start()
                    .to_string();
            }
            s
        };
        assert!(
            !bare.starts_with("::") && !bare.starts_with("##"),
            "a line begins a workflow command: {line:?}"
        );
        assert!(!line.contains('\u{202e}'), "{line:?}");
    }
    assert!(text.contains("\\n::add-mask::secret"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stats_say_where_the_heap_went() {
    let out = run(
        &[
            "check",
            "testdata/examples/contoso-clinical.json",
            "--stats",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("stats: heap MiB: "))
        .unwrap_or_else(|| panic!("no heap line in:\n{err}"));
    let figures: Vec<(&str, u64)> = line
        .split(", ")
        .map(|part| {
            let (phase, mib) = part.rsplit_once(' ').expect("phase and figure");
            (phase, mib.parse().expect("MiB figure"))
        })
        .collect();
    let phases: Vec<&str> = figures.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        phases,
        [
            "estate",
            "analysis",
            "input document",
            "rules",
            "report",
            "peak"
        ]
    );
    // The allocator counts: the CLI runs on the allocator whose counts these are, and
    // the peak is at least what any phase ended with.
    let peak = figures[5].1;
    assert!(peak > 0, "{line}");
    assert!(figures.iter().all(|(_, mib)| *mib <= peak), "{line}");
}
