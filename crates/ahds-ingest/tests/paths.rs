//! Reading inputs by path, as an embedder does: directories walked, a template paired with
//! its parameters file, Terraform roots read, and a path with nothing to check refused.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use ahds_ingest::{InputFormat, PathOptions, read_paths};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn options() -> PathOptions {
    let mut o = PathOptions::default();
    o.terraform.vars.clear();
    o
}

#[test]
fn a_template_and_its_parameters_file_are_read_together() {
    let dir = root().join("testdata/arm/shapes");
    let template = dir.join("unique-string-names.json");
    let parameters = dir.join("unique-string-names.parameters.json");
    let inputs = read_paths(&[template, parameters], &options()).unwrap();
    assert!(
        inputs.ingested.problems.is_empty(),
        "{:?}",
        inputs.ingested.problems
    );
    assert!(inputs.ingested.estate.resource_count() > 0);
    assert_eq!(inputs.ingested.format, InputFormat::Arm);
}

#[test]
fn a_template_and_parameters_saved_with_byte_order_marks_are_read_together() {
    let shapes = root().join("testdata/arm/shapes");
    let dir = std::env::temp_dir().join(format!("ahds-ingest-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut template = "\u{feff}".as_bytes().to_vec();
    template.extend(std::fs::read(shapes.join("unique-string-names.json")).unwrap());
    std::fs::write(dir.join("unique-string-names.json"), template).unwrap();
    let mut parameters = "\u{feff}".as_bytes().to_vec();
    parameters.extend(std::fs::read(shapes.join("unique-string-names.parameters.json")).unwrap());
    std::fs::write(dir.join("unique-string-names.parameters.json"), parameters).unwrap();
    let inputs = read_paths(std::slice::from_ref(&dir), &options());
    std::fs::remove_dir_all(&dir).unwrap();
    let inputs = inputs.unwrap();
    assert!(
        inputs.ingested.problems.is_empty(),
        "{:?}",
        inputs.ingested.problems
    );
    assert!(inputs.ingested.estate.resource_count() > 0);
}

#[test]
fn a_terraform_root_directory_reads_like_its_plan() {
    let dir = root().join("testdata/equivalence/northwind-tf");
    let from_dir = read_paths(std::slice::from_ref(&dir), &options()).unwrap();
    assert_eq!(from_dir.ingested.format, InputFormat::TerraformConfig);
    // A named `.tf` file stands for its directory.
    let from_file = read_paths(&[dir.join("main.tf")], &options()).unwrap();
    assert_eq!(
        from_dir.ingested.estate.resource_count(),
        from_file.ingested.estate.resource_count()
    );
    assert!(from_dir.ingested.estate.resource_count() > 0);
}

#[test]
fn a_directory_with_nothing_to_check_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("ahds-ingest-paths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an input").unwrap();
    let err = read_paths(std::slice::from_ref(&dir), &options()).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(err.messages.len(), 1, "{err}");
    assert!(err.messages[0].contains("nothing to check"), "{err}");
    assert!(
        err.messages[0].contains(&dir.display().to_string()),
        "{err}"
    );
}
