//! Helpers shared by the integration tests: reading fixtures from the workspace's
//! `testdata/` and evaluating them with the bundled catalog.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ahds_guard::{Evaluator, Report};
use ahds_ingest::{Estate, InputFormat, read};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One evaluator for all tests of a binary: preparation is the expensive part.
pub(crate) fn evaluator() -> &'static Evaluator {
    static E: OnceLock<Evaluator> = OnceLock::new();
    E.get_or_init(|| Evaluator::bundled().expect("bundled policies load"))
}

/// Reads a fixture given relative to the workspace root; reports name it the same way.
pub(crate) fn estate(rel: &str) -> Estate {
    let bytes = std::fs::read(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    read_whole(&bytes, rel, InputFormat::Auto)
}

/// Reads a document that must be read without a problem.
fn read_whole(bytes: &[u8], name: &str, format: InputFormat) -> Estate {
    match read(bytes, name, format) {
        Ok(ingested) => {
            assert!(
                ingested.problems.is_empty(),
                "{name}: {:?}",
                ingested.problems
            );
            ingested.estate
        }
        Err(errors) => panic!("{name}: {errors:?}"),
    }
}

/// Every file under `dir` whose name ends in `.{extension}`, in no particular order.
pub(crate) fn files_with_extension(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_with_extension(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

/// The deployment every rule fixture starts from: the hardened example, which raises
/// nothing and leaves nothing undetermined.
pub(crate) const RULE_BASE: &str = "testdata/examples/contoso-clinical-hardened.json";

/// A rule's fixture as a document: `pass` is the base itself, `fail` the base with
/// `testdata/rules/<id>/fail.patch.json` (RFC 6902) applied. Returns the name reports give
/// it and the document.
pub(crate) fn rule_fixture(id: &str, case: &str) -> (String, serde_json::Value) {
    let read = |rel: &str| -> serde_json::Value {
        let text =
            std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    let mut doc = read(RULE_BASE);
    match case {
        "pass" => (RULE_BASE.to_string(), doc),
        "fail" => {
            let rel = format!("testdata/rules/{id}/fail.patch.json");
            let patch: json_patch::Patch = serde_json::from_value(read(&rel))
                .unwrap_or_else(|e| panic!("{rel}: not a JSON Patch: {e}"));
            json_patch::patch(&mut doc, &patch).unwrap_or_else(|e| panic!("{rel}: {e}"));
            (format!("{RULE_BASE} + {rel}"), doc)
        }
        other => panic!("no rule fixture case `{other}`"),
    }
}

/// A rule's fixture read as an estate (see [`rule_fixture`]).
pub(crate) fn rule_estate(id: &str, case: &str) -> Estate {
    let (name, doc) = rule_fixture(id, case);
    read_whole(
        &serde_json::to_vec(&doc).unwrap(),
        &name,
        InputFormat::Native,
    )
}

/// Evaluates a fixture.
pub(crate) fn report(rel: &str) -> Report {
    evaluator()
        .evaluate(&estate(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `(rule, resource)` of every violation and (`undetermined RULE`) undetermined check,
/// sorted, with each resource id passed through `rename`.
pub(crate) fn rule_findings(
    report: &Report,
    rename: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .violations
        .iter()
        .map(|v| (v.rule_id.clone(), rename(&v.resource_id)))
        .chain(report.undetermined.iter().map(|u| {
            (
                format!("undetermined {}", u.rule_id),
                rename(&u.resource_id),
            )
        }))
        .collect();
    out.sort();
    out
}
