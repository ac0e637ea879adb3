//! Terraform `.tf` sources read without a plan: each shape of `testdata/terraform/sources/`
//! (reproducing public configurations, see its README) gives exactly the findings asserted
//! here, with the file and line of each block.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use ahds_guard::{Report, WaiverKind};
use ahds_ingest::{Estate, TerraformOptions, read_terraform_config};

fn read(rel: &str, options: &TerraformOptions) -> (Estate, Report) {
    let config = read_terraform_config(&common::root().join(rel), rel, options)
        .unwrap_or_else(|e| panic!("{rel}: {e:?}"));
    assert!(
        config.ingested.problems.is_empty(),
        "{rel}: {:?}",
        config.ingested.problems
    );
    let estate = config.ingested.estate;
    let report = common::evaluator()
        .evaluate(&estate)
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(report.errors.is_empty(), "{rel}: {:?}", report.errors);
    (estate, report)
}

/// (rule, resource) of every violation.
fn violations(report: &Report) -> BTreeSet<(String, String)> {
    report
        .violations
        .iter()
        .map(|v| (v.rule_id.clone(), v.resource_id.clone()))
        .collect()
}

/// (rule, resource) of every undetermined check.
fn undetermined(report: &Report) -> BTreeSet<(String, String)> {
    report
        .undetermined
        .iter()
        .map(|u| (u.rule_id.clone(), u.resource_id.clone()))
        .collect()
}

fn expected(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn names_from_unset_variables_stay_symbols_and_unknown_zones_are_undetermined() {
    let rel = "testdata/terraform/sources/unset-variables";
    let (estate, report) = read(rel, &TerraformOptions::default());
    let ws = &estate.workspaces[0];
    assert_eq!(
        ws.name.value().map(String::as_str),
        Some("hs{substr(var.workspace_id,-4,-1)}svc{substr(var.tre_resource_id,-4,-1)}")
    );
    // The private endpoint reaches the workspace through references alone; the FHIR
    // service's public access, which azurerm computes and never sends, is Azure's
    // default (enabled), so it is PL-002 next to the workspace's.
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-AC-002", "azurerm_healthcare_fhir_service.fhir[0]"),
            ("AHDS-PL-002", "azurerm_healthcare_fhir_service.fhir[0]"),
            ("AHDS-PL-002", "azurerm_healthcare_workspace.ws"),
        ])
    );
    // A zone named from a module that was not fetched is not "no zone".
    assert_eq!(
        undetermined(&report),
        expected(&[("AHDS-PL-004", "azurerm_private_endpoint.ws")])
    );
    assert!(
        report.notes.iter().any(|n| n.contains(
            "main.tf:36: the `count` of `azurerm_healthcare_fhir_service.fhir` is not known"
        )),
        "{:?}",
        report.notes
    );
    let skipped: BTreeSet<&str> = report.skipped.iter().map(|s| s.resource.as_str()).collect();
    assert_eq!(
        skipped,
        BTreeSet::from([
            "data.azurerm_private_dns_zone.health",
            "data.azurerm_resource_group.ws",
            "data.azurerm_subnet.services",
            "module.environment",
        ])
    );
    let fhir = report
        .violations
        .iter()
        .find(|v| {
            v.resource_id == "azurerm_healthcare_fhir_service.fhir[0]" && v.rule_id == "AHDS-AC-002"
        })
        .unwrap();
    let src = fhir.source.as_ref().unwrap();
    assert_eq!(src.file, format!("{rel}/main.tf"));
    assert_eq!(src.line, Some(36));
}

#[test]
fn modules_with_for_each_and_fetched_modules_link_like_a_plan() {
    let rel = "testdata/terraform/sources/workspace-service-module";
    let (estate, report) = read(rel, &TerraformOptions::default());
    assert_eq!(
        violations(&report),
        expected(&[
            (
                "AHDS-AC-002",
                "module.fhir[\"research\"].azurerm_healthcare_fhir_service.this"
            ),
            (
                "AHDS-ID-002",
                "module.fhir[\"research\"].azurerm_healthcare_fhir_service.this"
            ),
            ("AHDS-PL-001", "azurerm_healthcare_workspace.ws"),
            (
                "AHDS-ST-001",
                "module.network.azurerm_network_security_group.clients"
            ),
            (
                "AHDS-ST-002",
                "module.network.azurerm_network_security_group.clients"
            ),
            (
                "AHDS-TS-003",
                "module.fhir[\"research\"].azurerm_storage_account.export"
            ),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    // `ci.auto.tfvars` sets the environment: every name carries it.
    assert_eq!(
        estate.container_registries[0]
            .name
            .value()
            .map(String::as_str),
        Some("crtesttemplates")
    );
    // The registry read through the module's `oci_artifact` is the root's, by reference.
    let id002 = report
        .violations
        .iter()
        .find(|v| v.rule_id == "AHDS-ID-002")
        .unwrap();
    assert!(
        id002.message.contains("crtesttemplates"),
        "{}",
        id002.message
    );
    // An `oci_artifact` registry is its own feature, not `$convert-data`.
    assert_eq!(id002.feature.as_deref(), Some("fhir.oci_artifacts"));
    // The role assignment over `for_each = module.fhir` reaches the module's outputs.
    let ra = &estate.role_assignments.as_ref().unwrap()[0];
    assert_eq!(
        ra.principal_of.as_ref().map(|r| r.to_string()),
        Some("module.fhir[\"research\"].azurerm_healthcare_fhir_service.this".to_string())
    );
    let nsg = report
        .violations
        .iter()
        .find(|v| v.rule_id == "AHDS-ST-001")
        .unwrap();
    assert_eq!(
        nsg.source.as_ref().unwrap().file,
        format!("{rel}/.terraform/modules/network/main.tf")
    );
}

#[test]
fn variables_given_later_win_as_in_terraform() {
    let rel = "testdata/terraform/sources/workspace-service-module";
    let name = |options: &TerraformOptions| {
        let (estate, _) = read(rel, options);
        estate.workspaces[0].name.value().cloned().unwrap()
    };
    // `*.auto.tfvars` beats the environment; `--var` beats both.
    let env = TerraformOptions {
        env: vec![("environment".into(), "fromenv".into())],
        ..TerraformOptions::default()
    };
    assert_eq!(name(&env), "wstest");
    let var = TerraformOptions {
        vars: vec![("environment".into(), "prod".into())],
        ..env.clone()
    };
    assert_eq!(name(&var), "wsprod");
}

#[test]
fn inline_suppressions_apply_only_when_valid() {
    let rel = "testdata/terraform/sources/suppressions";
    let (_, report) = read(rel, &TerraformOptions::default());
    assert_eq!(report.suppressed.len(), 1, "{:#?}", report.suppressed);
    let s = &report.suppressed[0];
    assert_eq!(s.violation.rule_id, "AHDS-ST-001");
    assert_eq!(s.waiver_kind, WaiverKind::Inline);
    assert_eq!(s.waiver, format!("inline ({rel}/main.tf:8)"));
    assert_eq!(s.expires.as_deref(), Some("2099-12-31"));
    assert_eq!(
        s.justification,
        "outbound tag rule kept until the hub firewall takes over"
    );
    // Expired, unjustified and unknown-rule comments suppress nothing.
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-AC-002", "azurerm_healthcare_fhir_service.fhir"),
            ("AHDS-PL-001", "azurerm_healthcare_workspace.ws"),
            ("AHDS-ST-002", "azurerm_network_security_group.clients"),
            ("AHDS-TS-001", "azurerm_storage_account.export"),
        ])
    );
    for expected in [
        "main.tf:14 expired on 2020-01-31",
        "main.tf:29 for AHDS-TS-001 has no justification",
        "main.tf:30 names `AHDS-XX-999`, which is not a rule of the catalog",
        "AHDS-PL-001 at testdata/terraform/sources/suppressions/main.tf:31 matched no finding",
    ] {
        assert!(
            report.notes.iter().any(|n| n.contains(expected)),
            "no note with `{expected}`: {:#?}",
            report.notes
        );
    }
}

#[test]
fn azapi_bodies_are_read_through_the_arm_mapping() {
    let rel = "testdata/terraform/sources/azapi-fhir-import";
    let (estate, report) = read(rel, &TerraformOptions::default());
    // Import is set only in the azapi body: its source account lacks trusted-service
    // access. The workspace's public access is disabled by an azapi update, so the
    // approved private endpoint leaves nothing public (no AHDS-PL-002).
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-AC-002", "azapi_resource.fhir"),
            ("AHDS-TS-002", "azurerm_storage_account.import"),
        ])
    );
    let fhir = &estate.fhir_services[0];
    assert_eq!(fhir.id, None);
    assert_eq!(fhir.address.as_deref(), Some("azapi_resource.fhir"));
    assert_eq!(
        fhir.workspace,
        ahds_model::Known::Value(ahds_model::ResourceRef::Address(
            "azurerm_healthcare_workspace.ws".into()
        ))
    );
    assert_eq!(fhir.place.as_ref().unwrap().line, Some(44));
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
}

#[test]
fn a_landing_zone_of_nested_modules_with_count_links_through_outputs_and_hashes() {
    let rel = "testdata/terraform/sources/landing-zone-modules";
    let (estate, report) = read(rel, &TerraformOptions::default());
    // `md5` is decided at plan time: the name is known, so the export link is checked.
    let sa = &estate.storage_accounts[0];
    assert_eq!(
        sa.name.value().map(String::as_str),
        Some("contosof395export")
    );
    let fhir = "module.hds[0].module.workspace.module.fhir[\"clinical\"].azurerm_healthcare_fhir_service.this";
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-AC-002", fhir),
            ("AHDS-PL-002", fhir),
            (
                "AHDS-PL-002",
                "module.hds[0].module.workspace.azurerm_healthcare_workspace.this"
            ),
            ("AHDS-TS-002", "azurerm_storage_account.export"),
        ])
    );
    // The role is granted through two module outputs (`module.hds[0].fhir_principal_id`):
    // no ID-002, and nothing is left undetermined.
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    // The FHIR service's public access cannot be set with azurerm: the fix says how.
    let pl002 = report
        .violations
        .iter()
        .find(|v| v.rule_id == "AHDS-PL-002" && v.resource_id == fhir)
        .unwrap();
    assert!(pl002.remediation.contains("azapi_update_resource"));
    assert_eq!(
        pl002.resource_type.as_deref(),
        Some("Microsoft.HealthcareApis/workspaces/fhirservices")
    );
}

#[test]
fn names_known_only_after_apply_link_by_address() {
    let rel = "testdata/terraform/sources/references-by-address";
    let (estate, report) = read(rel, &TerraformOptions::default());
    // The storage account's name is a symbol of its own address's name, which the FHIR
    // export reads through the same reference.
    assert_eq!(
        estate.storage_accounts[0].name.value().map(String::as_str),
        Some("stexport{random_string.suffix.result}")
    );
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-PL-001", "azurerm_healthcare_workspace.ws"),
            ("AHDS-TS-001", "azurerm_storage_account.export"),
            ("AHDS-TS-002", "azurerm_container_registry.deid"),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    // The registry is reached as the OCI artifact feature, the vault as the CMK's.
    let features: BTreeSet<Option<&str>> = report
        .violations
        .iter()
        .map(|v| v.feature.as_deref())
        .collect();
    assert!(
        features.contains(&Some("fhir.oci_artifacts")),
        "{features:?}"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("role checks were skipped for 3 outbound link(s)")),
        "{:?}",
        report.notes
    );
}

#[test]
fn azapi_update_by_parent_and_name_patches_the_azapi_service() {
    let rel = "testdata/terraform/sources/azapi-update-by-name";
    let (_, report) = read(rel, &TerraformOptions::default());
    // The workspace keeps public access on; the FHIR service's update turned it off.
    assert_eq!(
        violations(&report),
        expected(&[
            ("AHDS-AC-002", "azapi_resource.fhir"),
            ("AHDS-PL-002", "azapi_resource.ws"),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
}

#[test]
fn a_value_for_an_undeclared_variable_is_a_note_in_a_file_and_an_error_on_the_command_line() {
    let rel = "testdata/terraform/sources/unset-variables";
    let vars = std::env::temp_dir().join(format!(
        "ahds-guard-undeclared-{}.tfvars",
        std::process::id()
    ));
    std::fs::write(&vars, "workspace_id = \"ws-1234\"\nnot_declared = \"x\"\n").unwrap();
    let options = TerraformOptions {
        var_files: vec![vars.clone()],
        ..TerraformOptions::default()
    };
    let (_, report) = read(rel, &options);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n
                .contains("a value for `not_declared`, which the configuration does not declare")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        report.unset_variables,
        vec![
            "var.deploy_fhir".to_string(),
            "var.tre_resource_id".to_string()
        ]
    );
    assert_eq!(report.summary.unset_variables, 2);
    let _ = std::fs::remove_file(&vars);
    // Terraform refuses `-var` for a variable the configuration lacks.
    let options = TerraformOptions {
        vars: vec![("not_declared".into(), "x".into())],
        ..TerraformOptions::default()
    };
    let config = read_terraform_config(&common::root().join(rel), rel, &options).unwrap();
    assert!(
        config
            .ingested
            .problems
            .iter()
            .any(|p| p.place.file == "--var not_declared"),
        "{:?}",
        config.ingested.problems
    );
}
