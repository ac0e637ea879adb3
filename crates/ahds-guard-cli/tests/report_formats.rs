//! The report formats on the realistic example: reviewed snapshots of each, the SARIF
//! output validated against the official SARIF 2.1.0 schema (`testdata/sarif-schema-2.1.0.json`,
//! from the OASIS sarif-spec repository), fingerprints that stay put when unrelated
//! resources are added, and the exit codes of DESIGN.md §4 in every format.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = "testdata/examples/contoso-clinical.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ahds-guard"))
        .args(args)
        .current_dir(root())
        // The text report wraps to `COLUMNS` when it is set; the tests read it at 100.
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn text_report_snapshot() {
    let out = run(&["check", EXAMPLE, "--color", "never"], None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.contains('\u{1b}'), "no ANSI codes with --color never");
    insta::assert_snapshot!("text", text);
    // Colour on request, and only then.
    let coloured = stdout(&run(&["check", EXAMPLE, "--color", "always"], None));
    assert!(coloured.contains("\u{1b}["));
    // Piped output in auto mode is not a terminal: no colour.
    assert!(!stdout(&run(&["check", EXAMPLE], None)).contains('\u{1b}'));
    let quiet = stdout(&run(
        &["check", EXAMPLE, "--quiet", "--color", "never"],
        None,
    ));
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    assert!(quiet.starts_with("17 violations"), "{quiet}");
}

#[test]
fn text_wraps_to_the_width_asked_for() {
    let lines_over =
        |text: &str, width: usize| text.lines().filter(|l| l.chars().count() > width).count();
    // In a pipe: 100 columns.
    let piped = stdout(&run(&["check", EXAMPLE, "--color", "never"], None));
    assert_eq!(lines_over(&piped, 100), 0, "{piped}");
    // An 80-column terminal: ids break after their slashes, lists after their commas.
    let narrow = stdout(&run(
        &["check", EXAMPLE, "--color", "never", "--width", "80"],
        None,
    ));
    assert_eq!(lines_over(&narrow, 80), 0, "{narrow}");
    assert!(narrow.lines().count() > piped.lines().count());
    // 0: one line per item, as before wrapping.
    let whole = stdout(&run(
        &["check", EXAMPLE, "--color", "never", "--width", "0"],
        None,
    ));
    assert!(lines_over(&whole, 100) > 0, "{whole}");
    // The text is the same whatever the width: only where lines break changes.
    let joined = |t: &str| t.split_whitespace().collect::<String>();
    assert_eq!(joined(&narrow), joined(&whole));
}

#[test]
fn json_report_snapshot() {
    let out = run(&["check", EXAMPLE, "--format", "json"], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!("json", report, {".tool.version" => "[version]"});
}

#[test]
fn junit_report_snapshot() {
    let out = run(&["check", EXAMPLE, "--format", "junit"], None);
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert_eq!(
        xml.matches("<failure ").count(),
        17,
        "a failure per violation"
    );
    assert_eq!(xml.matches("<testsuite ").count(), 19, "a suite per rule");
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn markdown_report_snapshot() {
    let out = run(&["check", EXAMPLE, "--format", "markdown"], None);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.starts_with("## ahds-guard: 17 violations, 4 undetermined"));
    assert_eq!(md.matches("\n- **").count(), 17, "a line per violation");
    // Every outbound path with a finding is drawn, failing edges solid.
    assert_eq!(md.matches(" -->|").count(), 7, "{md}");
    assert!(!md.contains('\u{1b}'), "no ANSI styles");
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    // The official schema's `run.language` pattern has a stray `]` (a known erratum) that a
    // strict regex engine rejects; escape it so the schema compiles. We never emit `language`.
    let text = std::fs::read_to_string(root().join("testdata/sarif-schema-2.1.0.json"))
        .unwrap()
        .replace("[a-zA-Z]{2}]?$", r"[a-zA-Z]{2}\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for input in [
        EXAMPLE,
        "testdata/terraform/contoso-plan.json",
        "testdata/arm/contoso-bicep.json",
        "testdata/terraform/sources/fixable",
    ] {
        let out = run(&["check", input, "--format", "sarif"], None);
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{input}: {errors:#?}");
    }
    // The schema is not vacuous.
    assert!(
        !validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]}))
    );

    let out = run(&["check", EXAMPLE, "--format", "sarif"], None);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 19);
    for r in rules {
        for field in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
        ] {
            assert!(!r[field].is_null(), "rule without {field}: {r}");
        }
        assert!(r["properties"]["security-severity"].is_string());
    }
    let results = run0["results"].as_array().unwrap();
    let fails: Vec<_> = results.iter().filter(|r| r["kind"] == "fail").collect();
    assert_eq!(fails.len(), 17);
    for r in &fails {
        assert!(r["partialFingerprints"]["ahdsGuardFinding/v1"].is_string());
        assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].is_number());
    }
    // Locations are relative to the working directory, named as `%SRCROOT%`.
    let base = &run0["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    let cwd = std::fs::canonicalize(root()).unwrap();
    assert_eq!(
        base.as_str().unwrap().trim_end_matches('/'),
        format!("file://{}", cwd.display())
    );
    for r in &fails {
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert_eq!(artifact["uri"], EXAMPLE);
        assert!(
            r.get("rule").is_none(),
            "ruleId and ruleIndex name the rule: {r}"
        );
    }
    insta::assert_json_snapshot!("sarif", sarif, {
        ".runs[0].tool.driver.version" => "[version]",
        ".runs[0].tool.driver.semanticVersion" => "[version]",
        ".runs[0].originalUriBaseIds.*.uri" => "[working directory]",
    });
}

#[test]
fn sarif_carries_waivers_as_suppressions() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("c.toml");
    std::fs::write(
        &config,
        "[[waiver]]\nrule = \"AHDS-AC-002\"\nresource = \"/subscriptions/*/resourceGroups/*/providers/Microsoft.HealthcareApis/workspaces/*/dicomservices/*\"\njustification = \"CMK planned for the 2027 re-platform\"\n",
    )
    .unwrap();
    let out = run(
        &[
            "check",
            EXAMPLE,
            "--format",
            "sarif",
            "--config",
            &config.display().to_string(),
        ],
        None,
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let suppressed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "CMK planned for the 2027 re-platform"
    );
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    let _ = std::fs::remove_dir_all(&dir);
}

fn fingerprints(input: &[u8]) -> BTreeMap<String, String> {
    let out = run(&["check", "-", "--format", "sarif"], Some(input));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "fail")
        .map(|r| {
            let name = format!(
                "{} {}",
                r["ruleId"].as_str().unwrap(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
            );
            (
                name + r["properties"]["feature"].as_str().unwrap_or(""),
                r["partialFingerprints"]["ahdsGuardFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_unrelated_additions() {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let before = fingerprints(text.as_bytes());
    // Unrelated resources first in their lists move every line and index.
    let storage = doc["storage_accounts"].as_array_mut().unwrap();
    storage.insert(0, serde_json::json!({
        "id": "/subscriptions/7c9e6679-7425-40de-944b-e07fc1f90ae7/resourceGroups/rg-other/providers/Microsoft.Storage/storageAccounts/stunrelated",
        "name": "stunrelated", "location": "eastus", "network": {"default_action": "Deny"}
    }));
    let nsgs = doc["network_security_groups"].as_array_mut().unwrap();
    nsgs.insert(0, serde_json::json!({
        "id": "/subscriptions/7c9e6679-7425-40de-944b-e07fc1f90ae7/resourceGroups/rg-other/providers/Microsoft.Network/networkSecurityGroups/nsg-other",
        "name": "nsg-other", "security_rules": []
    }));
    let after = fingerprints(serde_json::to_string_pretty(&doc).unwrap().as_bytes());
    assert_eq!(before.len(), 17);
    assert_eq!(before, after);
}

#[test]
fn exit_codes_are_the_same_in_every_format() {
    for format in ["text", "json", "sarif", "junit"] {
        let insecure = run(&["check", EXAMPLE, "--format", format], None);
        assert_eq!(insecure.status.code(), Some(1), "{format}");
        let hardened = run(
            &[
                "check",
                "testdata/examples/contoso-clinical-hardened.json",
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(hardened.status.code(), Some(0), "{format}");
        let threshold = run(
            &[
                "check",
                EXAMPLE,
                "--format",
                format,
                "--fail-on",
                "critical",
            ],
            None,
        );
        assert_eq!(threshold.status.code(), Some(0), "{format}");
        let bad = run(
            &["check", "-", "--format", format],
            Some(b"{\"workspaces\": [}"),
        );
        assert_eq!(bad.status.code(), Some(2), "{format}");
    }
}

#[test]
fn many_inputs_and_output_file() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("report.json");
    // A directory is read recursively; each finding names its file.
    let out = run(
        &[
            "check",
            "testdata/equivalence",
            "testdata/examples/contoso-clinical.json",
            "--format",
            "json",
            "--output",
            &out_file.display().to_string(),
        ],
        None,
    );
    assert!(out.stdout.is_empty(), "the report goes to the file");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let files: std::collections::BTreeSet<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["source"]["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains("testdata/examples/contoso-clinical.json"),
        "{files:?}"
    );
    // The first file of the directory wins; the same resources in the others are duplicates.
    assert!(
        files.iter().any(|f| f.ends_with("northwind-arm.json")),
        "{files:?}"
    );
    assert!(
        !files.iter().any(|f| f.ends_with("northwind-native.json")),
        "{files:?}"
    );
    // The equivalence directory holds the same deployment three times: the duplicates are
    // input errors (exit 2), reported with their places, and the rest is still checked.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate resource"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn graph_draws_every_path_and_marks_the_failing_ones() {
    let out = run(&["graph", EXAMPLE], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph ahds {") && dot.trim_end().ends_with('}'));
    // Balanced quotes on every line: no label escapes its string.
    for line in dot.lines() {
        assert_eq!(
            line.replace("\\\"", "").matches('"').count() % 2,
            0,
            "{line}"
        );
    }
    // Eight outbound links (seven with a finding), three services in the workspace, two
    // private endpoints and the two DNS zones of one of them.
    assert_eq!(dot.matches(" -> ").count(), 8 + 3 + 2 + 2, "{dot}");
    let coloured_edges = dot
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains("penwidth=2"))
        .count();
    assert_eq!(coloured_edges, 7, "{dot}");
    insta::assert_snapshot!("graph_dot", dot);
    // Only the failing paths, as Mermaid: the same seven edges the Markdown report draws.
    let mermaid = stdout(&run(
        &["graph", EXAMPLE, "--format", "mermaid", "--failing"],
        None,
    ));
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert_eq!(mermaid.matches(" -->|").count(), 7, "{mermaid}");
    let md = stdout(&run(&["check", EXAMPLE, "--format", "markdown"], None));
    assert!(md.contains(&mermaid), "{md}");
    // The same drawing as the HTML report's, standalone and well-formed.
    let svg = stdout(&run(&["graph", EXAMPLE, "--format", "svg"], None));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<path ").count(), 15);
    assert_eq!(svg.matches("<rect ").count(), 16);
}

#[test]
fn html_report_is_one_offline_file_drawing_every_path() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    let target = format!("html={}", file.display());
    let out = run(&["check", EXAMPLE, "--format", &target], None);
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(&file).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_well_formed(html.trim_start_matches("<!DOCTYPE html>"));
    // Nothing is loaded from anywhere: no source, stylesheet link, import or url().
    for loads in [" src=", "<link", "@import", "url("] {
        assert!(!html.contains(loads), "{loads}");
    }
    assert_eq!(
        html.matches("<tr data-sev=").count(),
        17,
        "a row per violation"
    );
    // The drawing: every outbound path and the inbound side, the seven failing ones marked.
    assert_eq!(html.matches("<path ").count(), 15);
    assert_eq!(html.matches("stroke-width=\"2\"><title>").count(), 7);
    assert!(
        html.contains(
            "<title>fhir.import · Storage Blob Data Contributor: missing · MEDIUM</title>"
        )
    );
}

/// Parses a Mermaid flowchart as the statements ahds-guard writes: a `flowchart LR` header,
/// node declarations with quoted labels, solid or dotted edges between declared nodes with
/// an optional quoted label, and `linkStyle`/`style` lines naming existing edges and nodes.
/// Inside a label a quote, `<`, `>` or a `#` that does not start an entity code would end
/// or change it. Returns the number of nodes and edges.
fn parse_mermaid(src: &str) -> Result<(usize, usize), String> {
    let node = regex::Regex::new(r#"^  (n\d+)\["([^"]*)"\]$"#).unwrap();
    let edge = regex::Regex::new(r#"^  (n\d+) (-->|-\.->)(?:\|"([^"]*)"\|)? (n\d+)$"#).unwrap();
    let link_style =
        regex::Regex::new(r"^  linkStyle (\d+) stroke:#[0-9a-f]{6},stroke-width:2px$").unwrap();
    let style =
        regex::Regex::new(r"^  style (n\d+) stroke:#[0-9a-f]{6},stroke-width:2px$").unwrap();
    let label_ok = |l: &str| {
        !l.contains(['<', '>'])
            && regex::Regex::new(r"#[0-9a-z]+;")
                .unwrap()
                .replace_all(l, "")
                .find('#')
                .is_none()
    };
    let mut lines = src.lines();
    if lines.next() != Some("flowchart LR") {
        return Err("the first line is not `flowchart LR`".into());
    }
    let mut nodes = std::collections::HashSet::new();
    let mut edges = 0;
    for (n, line) in lines.enumerate() {
        let at = |what: &str| format!("line {}: {what}: {line}", n + 2);
        if let Some(c) = node.captures(line) {
            if !label_ok(&c[2]) || !nodes.insert(c[1].to_string()) {
                return Err(at("bad or repeated node"));
            }
        } else if let Some(c) = edge.captures(line) {
            let label_fine = c.get(3).is_none_or(|l| label_ok(l.as_str()));
            if !nodes.contains(&c[1]) || !nodes.contains(&c[4]) || !label_fine {
                return Err(at("edge to an undeclared node or with a bad label"));
            }
            edges += 1;
        } else if let Some(c) = link_style.captures(line) {
            if c[1].parse::<usize>().unwrap() >= edges {
                return Err(at("style of an edge that does not exist"));
            }
        } else if let Some(c) = style.captures(line) {
            if !nodes.contains(&c[1]) {
                return Err(at("style of an undeclared node"));
            }
        } else {
            return Err(at("not a flowchart statement"));
        }
    }
    Ok((nodes.len(), edges))
}

#[test]
fn mermaid_output_parses_as_a_flowchart() {
    // The checker itself rejects what Mermaid would misread.
    for bad in [
        "graph TD\n",
        "flowchart LR\n  n0[\"a\"b\"]\n",
        "flowchart LR\n  n0[\"a\"]\n  n0 --> n1\n",
        "flowchart LR\n  n0[\"a <b>\"]\n",
        "flowchart LR\n  n0[\"#1\"]\n",
        "flowchart LR\n  n0[\"a\"]\n  linkStyle 0 stroke:#d73a49,stroke-width:2px\n",
    ] {
        assert!(parse_mermaid(bad).is_err(), "{bad}");
    }
    let full = stdout(&run(&["graph", EXAMPLE, "--format", "mermaid"], None));
    assert_eq!(parse_mermaid(&full), Ok((16, 15)), "{full}");
    let md = stdout(&run(&["check", EXAMPLE, "--format", "markdown"], None));
    let block = md
        .split("```mermaid\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a mermaid block");
    assert_eq!(parse_mermaid(block), Ok((11, 7)), "{block}");
}

/// Reads a document through an XML parser: every element closed, every attribute quoted.
fn assert_well_formed(doc: &str) {
    let mut reader = quick_xml::Reader::from_str(doc);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
}
