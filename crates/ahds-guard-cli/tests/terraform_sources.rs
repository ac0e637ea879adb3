//! `check` on Terraform `.tf` sources: a directory or a named file, root variables from the
//! command line, SARIF regions at the block, and a directory of modules read once.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::run;

const MODULE: &str = "testdata/terraform/sources/workspace-service-module";

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    (o.status.code(), v)
}

#[test]
fn a_named_tf_file_reads_its_module_with_command_line_variables() {
    let file = format!("{MODULE}/main.tf");
    let (code, report) = json(&[
        "check",
        &file,
        "--var",
        "environment=prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let messages: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("\"wsprod\"")),
        "{messages:#?}"
    );
    assert!(report["input_errors"].as_array().is_none_or(Vec::is_empty));
}

#[test]
fn sarif_results_point_at_the_block() {
    let (_, sarif) = json(&["check", MODULE, "--format", "sarif"]);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let ws = results
        .iter()
        .find(|r| r["ruleId"] == "AHDS-PL-001")
        .unwrap();
    let loc = &ws["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], format!("{MODULE}/main.tf"));
    assert_eq!(loc["region"]["startLine"], 13);
}

#[test]
fn module_directories_below_a_root_are_not_read_as_roots_of_their_own() {
    // `testdata/terraform/sources` holds three roots; `modules/ahds` is called by one of
    // them and must not be checked again on its own (with unset variables).
    let (_, report) = json(&["check", "testdata/terraform/sources", "--format", "json"]);
    let ids: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["resource_id"].as_str().unwrap())
        .collect();
    // Several roots in one run: each address is qualified with its root's directory.
    assert!(
        ids.contains(
            &"testdata/terraform/sources/workspace-service-module:module.fhir[\"research\"].azurerm_healthcare_fhir_service.this"
        ),
        "{ids:#?}"
    );
    assert!(
        !ids.iter()
            .any(|i| i.ends_with(":azurerm_healthcare_fhir_service.this")),
        "the module was read as a root: {ids:#?}"
    );
    // The same address in two roots names two resources, not a duplicate.
    for root in ["suppressions", "workspace-service-module"] {
        let want = format!("testdata/terraform/sources/{root}:azurerm_healthcare_workspace.ws");
        assert!(ids.contains(&want.as_str()), "{want}: {ids:#?}");
    }
    assert!(report["input_errors"].as_array().is_none_or(Vec::is_empty));
}

#[test]
fn forcing_the_terraform_format_reads_only_the_sources() {
    let (code, report) = json(&[
        "check",
        "testdata/equivalence",
        "--input-format",
        "terraform",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let files: std::collections::BTreeSet<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["source"]["file"].as_str().unwrap())
        .collect();
    assert!(files.iter().all(|f| f.ends_with(".tf")), "{files:?}");
}

#[test]
fn a_module_without_resources_is_not_read_as_an_empty_root() {
    // envs/prod calls ../../modules/naming, a module of outputs only, which sorts after
    // it: read on its own it would be a root that "declares no resources".
    let dir = std::env::temp_dir().join(format!("ahds-guard-tf-layout-{}", std::process::id()));
    let (prod, naming) = (dir.join("envs/prod"), dir.join("modules/naming"));
    std::fs::create_dir_all(&prod).unwrap();
    std::fs::create_dir_all(&naming).unwrap();
    std::fs::write(
        naming.join("main.tf"),
        "variable \"env\" {}\noutput \"registry\" { value = \"cr${var.env}\" }\n",
    )
    .unwrap();
    std::fs::write(
        prod.join("main.tf"),
        r#"module "naming" {
  source = "../../modules/naming"
  env    = "prod"
}
resource "azurerm_container_registry" "acr" {
  name                          = module.naming.registry
  resource_group_name           = "rg"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}
"#,
    )
    .unwrap();
    let (code, report) = json(&["check", dir.to_str().unwrap(), "--format", "json"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report["input_errors"].as_array().is_none_or(Vec::is_empty),
        "{report}"
    );
    assert_eq!(report["summary"]["resources"], 1, "{report}");
}

#[test]
fn a_broken_module_is_reported_once_not_again_as_a_root() {
    let dir = std::env::temp_dir().join(format!("ahds-guard-tf-broken-{}", std::process::id()));
    let (root, module) = (dir.join("infra"), dir.join("infra/modules/net"));
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("main.tf"),
        "resource \"azurerm_network_security_group\" \"n\" {\n",
    )
    .unwrap();
    std::fs::write(
        root.join("main.tf"),
        "module \"net\" {\n  source = \"./modules/net\"\n}\nresource \"azurerm_container_registry\" \"acr\" {\n  name = \"cr\"\n  resource_group_name = \"rg\"\n  location = \"westeurope\"\n  sku = \"Premium\"\n}\n",
    )
    .unwrap();
    let (code, report) = json(&["check", dir.to_str().unwrap(), "--format", "json"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, Some(2), "{report}");
    let errors = report["input_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
}
