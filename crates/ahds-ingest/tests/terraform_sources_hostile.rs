//! Terraform sources cut short or scrambled never panic the reader: every prefix of each
//! fixture file (every 5th byte) either reads or names the place of its problem.

// Test helpers may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ahds_ingest::{TerraformOptions, read_terraform_config};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let mut out = Vec::new();
    for dir in [
        "equivalence/northwind-tf",
        "terraform/sources/unset-variables",
        "terraform/sources/suppressions",
        "terraform/sources/workspace-service-module/modules/ahds",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tf") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_prefix_of_every_fixture_reads_or_fails_with_a_place() {
    let scratch = std::env::temp_dir().join(format!("ahds-guard-tf-prefix-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let files = fixtures();
    assert!(files.len() >= 6, "fixtures moved: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for cut in (0..text.len())
            .step_by(5)
            .filter(|c| text.is_char_boundary(*c))
        {
            std::fs::write(scratch.join("main.tf"), &text[..cut]).unwrap();
            match read_terraform_config(&scratch, "scratch", &TerraformOptions::default()) {
                Ok(config) => {
                    for p in &config.ingested.problems {
                        assert!(
                            p.place.line.is_some() || p.place.pointer.is_some(),
                            "{}@{cut}: a problem without a place: {p}",
                            file.display()
                        );
                    }
                }
                Err(errors) => {
                    assert!(!errors.is_empty());
                    for e in &errors {
                        assert!(
                            e.place.line.is_some() || e.place.pointer.is_some(),
                            "{}@{cut}: an error without a place: {e}",
                            file.display()
                        );
                    }
                }
            }
        }
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

mod functions {
    use proptest::prelude::*;

    use super::*;

    const FUNCTIONS: &[&str] = &[
        "lower",
        "upper",
        "title",
        "chomp",
        "trim",
        "trimprefix",
        "format",
        "formatlist",
        "join",
        "split",
        "replace",
        "substr",
        "indent",
        "strrev",
        "regex",
        "regexall",
        "length",
        "lookup",
        "merge",
        "concat",
        "coalesce",
        "element",
        "flatten",
        "keys",
        "slice",
        "zipmap",
        "one",
        "tolist",
        "toset",
        "distinct",
        "sort",
        "range",
        "alltrue",
        "setproduct",
        "transpose",
        "sum",
        "tonumber",
        "jsondecode",
        "yamldecode",
        "base64decode",
        "textdecodebase64",
        "md5",
        "sha256",
        "uuidv5",
        "pow",
        "log",
        "parseint",
        "max",
        "cidrsubnet",
        "cidrsubnets",
        "cidrhost",
        "formatdate",
        "timeadd",
        "try",
        "can",
        "templatestring",
        "uuid",
        "timestamp",
        "nosuchfunction",
    ];

    fn arg() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f}")),
            "[ -~]{0,12}".prop_map(|s| format!("{s:?}")),
            Just("var.sym".to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
            Just("\"10.0.0.0/16\"".to_string()),
            Just("\"2018-01-02T23:12:01Z\"".to_string()),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(", "))),
                prop::collection::vec(inner, 0..3).prop_map(|v| {
                    let pairs: Vec<String> = v
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("k{i} = {x}"))
                        .collect();
                    format!("{{ {} }}", pairs.join(", "))
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any function with any arguments: a value, a symbol, or a refusal at its place;
        /// never a panic.
        #[test]
        fn any_call_reads_or_is_refused_at_its_place(
            f in prop::sample::select(FUNCTIONS),
            args in prop::collection::vec(arg(), 0..4),
        ) {
            let dir = std::env::temp_dir().join(format!("ahds-guard-tf-fn-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let text = format!(
                "variable \"sym\" {{}}\nlocals {{\n  x = {f}({})\n}}\nresource \"azurerm_storage_account\" \"sa\" {{\n  name = \"st${{jsonencode(local.x)}}\"\n}}\n",
                args.join(", ")
            );
            std::fs::write(dir.join("main.tf"), &text).unwrap();
            let read = read_terraform_config(&dir, "prop", &TerraformOptions::default());
            // Removed before the checks: a failing case is printed whole, and the scratch
            // directory of every run is otherwise left in the system's temporary directory.
            std::fs::remove_dir_all(&dir).unwrap();
            match read {
                Ok(config) => {
                    for p in &config.ingested.problems {
                        prop_assert!(p.place.line.is_some(), "{text}\n{p}");
                    }
                }
                Err(errors) => {
                    for e in &errors {
                        prop_assert!(e.place.line.is_some(), "{text}\n{e}");
                    }
                }
            }
        }
    }
}
