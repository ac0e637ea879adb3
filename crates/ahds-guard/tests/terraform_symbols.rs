//! Property test: Terraform sources with literal names, the same sources with the names in
//! variables set by a `.tfvars` file, and with the variables left unset (symbols) give the
//! same findings on the same resources. The FHIR export names its storage account by the
//! same variable as the account, not by reference, so the link stands on the names alone.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_ingest::{TerraformOptions, read_terraform_config};
use proptest::prelude::*;

fn config(name: &dyn Fn(&str) -> String, default_action: &str, bypass: &str) -> String {
    format!(
        r#"
variable "ws" {{ type = string }}
variable "fhir" {{ type = string }}
variable "sa" {{ type = string }}

resource "azurerm_healthcare_workspace" "ws" {{
  name                = {ws}
  location            = "eastus"
  resource_group_name = "rg"
}}

resource "azurerm_healthcare_fhir_service" "fhir" {{
  name                = {fhir}
  location            = "eastus"
  resource_group_name = "rg"
  workspace_id        = azurerm_healthcare_workspace.ws.id
  kind                = "fhir-R4"
  configuration_export_storage_account_name = {sa}
  authentication {{
    authority = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"
    audience  = "https://fhir.example"
  }}
  identity {{
    type = "SystemAssigned"
  }}
}}

resource "azurerm_storage_account" "sa" {{
  name                     = {sa}
  resource_group_name      = "rg"
  location                 = "eastus"
  account_tier             = "Standard"
  account_replication_type = "LRS"
  network_rules {{
    default_action = "{default_action}"
    bypass         = ["{bypass}"]
  }}
}}
"#,
        ws = name("ws"),
        fhir = name("fhir"),
        sa = name("sa"),
    )
}

/// `(rule, address)` of each violation and undetermined check.
fn findings(dir: &std::path::Path, main: &str, tfvars: Option<&str>) -> Vec<(String, String)> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.tf"), main).unwrap();
    let vars = dir.join("terraform.tfvars");
    match tfvars {
        Some(t) => std::fs::write(&vars, t).unwrap(),
        None => {
            let _ = std::fs::remove_file(&vars);
        }
    }
    let config = read_terraform_config(dir, "t", &TerraformOptions::default()).unwrap();
    assert!(
        config.ingested.problems.is_empty(),
        "{:?}",
        config.ingested.problems
    );
    let report = common::evaluator()
        .evaluate(&config.ingested.estate)
        .unwrap();
    common::rule_findings(&report, str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn literal_tfvars_and_unset_names_give_the_same_findings(
        ws in "[a-z][a-z0-9]{2,9}",
        fhir in "[a-z][a-z0-9]{2,9}",
        sa in "[a-z][a-z0-9]{2,9}",
        deny in any::<bool>(),
        trusted in any::<bool>(),
    ) {
        prop_assume!(ws != fhir && ws != sa && fhir != sa);
        let (action, bypass) = (if deny { "Deny" } else { "Allow" }, if trusted { "AzureServices" } else { "None" });
        let dir = std::env::temp_dir().join(format!("ahds-guard-tf-symbols-{}", std::process::id()));
        let names = [("ws", &ws), ("fhir", &fhir), ("sa", &sa)];
        let literal = config(&|role| format!("{:?}", names.iter().find(|(r, _)| *r == role).unwrap().1), action, bypass);
        let variables = config(&|role| format!("var.{role}"), action, bypass);
        let tfvars = format!("ws = {ws:?}\nfhir = {fhir:?}\nsa = {sa:?}\n");
        let from_literal = findings(&dir, &literal, None);
        let from_tfvars = findings(&dir, &variables, Some(&tfvars));
        let from_symbols = findings(&dir, &variables, None);
        std::fs::remove_dir_all(&dir).unwrap();
        prop_assert!(!from_literal.is_empty());
        prop_assert!(from_literal.iter().any(|(rule, _)| rule.starts_with("AHDS-TS") || rule == "AHDS-ID-002"),
            "the export link was not made: {:?}", from_literal);
        prop_assert_eq!(&from_literal, &from_tfvars);
        prop_assert_eq!(&from_literal, &from_symbols);
    }
}
