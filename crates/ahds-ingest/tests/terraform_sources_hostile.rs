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
