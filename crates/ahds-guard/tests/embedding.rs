//! What an application embedding the crate gets: a report from paths with the unread parts
//! already in it, and every format written from that report alone.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ahds_guard::Evaluator;
use ahds_guard::{Context, Format, check_paths, render};
use ahds_ingest::PathOptions;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn an_unreadable_resource_is_an_input_error_in_the_report() {
    let evaluator = Evaluator::bundled().unwrap();
    let path = root().join("testdata/bad/arm/invalid-cidr.json");
    let checked = check_paths(&evaluator, &[path], &PathOptions::default()).unwrap();
    let errors = &checked.report.input_errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].place.pointer.as_deref(),
        Some("/value/0/properties/networkAcls/ipRules/0")
    );
    assert!(
        errors[0]
            .message
            .contains("`1.2.3.4/99` is not an IP address or CIDR range")
    );
    assert!(
        errors[0].place.file.ends_with("invalid-cidr.json"),
        "{}",
        errors[0].place.file
    );
    assert!(checked.report.is_incomplete());
}

#[test]
fn a_missing_path_is_an_input_error_naming_it_in_a_report_that_fails_closed() {
    let evaluator = Evaluator::bundled().unwrap();
    let missing = root().join("testdata/no-such-file.json");
    let checked = check_paths(&evaluator, &[missing], &PathOptions::default()).unwrap();
    assert!(checked.report.is_incomplete());
    assert!(
        checked
            .report
            .input_errors
            .iter()
            .any(|e| e.place.file.ends_with("no-such-file.json")),
        "{:?}",
        checked.report.input_errors
    );
}

#[test]
fn every_format_is_written_from_the_report() {
    let evaluator = Evaluator::bundled().unwrap();
    let root = root();
    let example = root.join("testdata/examples/contoso-clinical.json");
    let checked = check_paths(&evaluator, &[example], &PathOptions::default()).unwrap();
    assert!(checked.report.input_errors.is_empty());
    let rules = evaluator.active_rules();
    let cx = Context::new(
        &checked.report,
        &rules,
        &checked.inputs.ingested.estate,
        &root,
    );

    let json: serde_json::Value =
        serde_json::from_str(&render(Format::Json, &cx).unwrap()).unwrap();
    assert_eq!(
        json["violations"].as_array().unwrap().len(),
        checked.report.violations.len()
    );

    // Written to a writer, every format is the text `render` returns.
    for format in [Format::Json, Format::Sarif, Format::Markdown] {
        let mut written = Vec::new();
        ahds_guard::render_to(format, &cx, &mut written).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            render(format, &cx).unwrap(),
            "{format:?}"
        );
    }

    let sarif: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif, &cx).unwrap()).unwrap();
    // Validity against the SARIF 2.1.0 schema is tested on the CLI's output
    // (crates/ahds-guard-cli/tests/report_formats.rs), which is this same rendering.
    assert_eq!(sarif["version"], "2.1.0");
    // Artifact URIs are relative to the root given.
    let uri =
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        uri["uri"], "testdata/examples/contoso-clinical.json",
        "{uri}"
    );

    let junit = render(Format::Junit, &cx).unwrap();
    assert_eq!(
        junit.matches("<failure").count(),
        checked.report.violations.len(),
        "one failure per violation"
    );

    let text = render(
        Format::Text {
            quiet: true,
            width: None,
        },
        &cx,
    )
    .unwrap();
    assert!(
        text.contains(&format!("{} violation", checked.report.violations.len())),
        "{text}"
    );
}
