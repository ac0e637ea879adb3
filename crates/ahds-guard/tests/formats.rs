//! Terraform plans and Azure Resource Manager input: realistic files read into the model
//! and evaluated, with reviewed snapshots, and one deployment in every format giving the
//! same findings.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::{BTreeSet, HashMap};

use ahds_guard::Report;
use ahds_ingest::{Estate, InputFormat, read, read_template_with_parameters};
use ahds_model::{Known, ResourceRef};

/// (rule id, resource name) for every violation, names looked up in the estate so ARM ids
/// and Terraform addresses compare.
fn findings_by_name(estate: &Estate, report: &Report) -> BTreeSet<(String, String)> {
    let names: HashMap<String, String> = estate
        .metas()
        .into_iter()
        .filter_map(|m| Some((m.display_id(), m.name.value()?.clone())))
        .collect();
    report
        .violations
        .iter()
        .map(|v| {
            let name = names
                .get(&v.resource_id)
                .cloned()
                .unwrap_or_else(|| v.resource_id.clone());
            (v.rule_id.clone(), name)
        })
        .collect()
}

fn ingest(rel: &str) -> (Estate, InputFormat) {
    let bytes = std::fs::read(common::root().join(rel)).unwrap();
    let i = read(&bytes, rel, InputFormat::Auto).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
    assert!(i.problems.is_empty(), "{rel}: {:?}", i.problems);
    (i.estate, i.format)
}

#[test]
fn the_same_deployment_in_every_format_gives_the_same_findings() {
    let mut results = Vec::new();
    for (rel, format) in [
        (
            "testdata/equivalence/northwind-native.json",
            InputFormat::Native,
        ),
        (
            "testdata/equivalence/northwind-plan.json",
            InputFormat::TerraformPlan,
        ),
        ("testdata/equivalence/northwind-arm.json", InputFormat::Arm),
    ] {
        let (estate, detected) = ingest(rel);
        assert_eq!(detected, format, "{rel} detected as {detected}");
        let report = common::evaluator().evaluate(&estate).unwrap();
        assert!(report.errors.is_empty(), "{rel}: {:?}", report.errors);
        assert!(
            report.undetermined.is_empty(),
            "{rel}: {:#?}",
            report.undetermined
        );
        results.push((rel, findings_by_name(&estate, &report)));
    }
    // The same deployment as `.tf` sources: variables from `terraform.tfvars`, locals, a
    // `dynamic` block, references through locals; the reader writes the plan a first apply
    // would print, so the findings are the plan's. Once with azurerm, once with the Health
    // Data Services written with azapi under an azapi resource group.
    for rel in [
        "testdata/equivalence/northwind-tf",
        "testdata/equivalence/northwind-azapi",
    ] {
        let config = ahds_ingest::read_terraform_config(
            &common::root().join(rel),
            rel,
            &ahds_ingest::TerraformOptions::default(),
        )
        .unwrap();
        assert!(
            config.ingested.problems.is_empty(),
            "{rel}: {:?}",
            config.ingested.problems
        );
        assert_eq!(config.ingested.format, InputFormat::TerraformConfig);
        let estate = config.ingested.estate;
        let report = common::evaluator().evaluate(&estate).unwrap();
        assert!(
            report.undetermined.is_empty(),
            "{rel}: {:#?}",
            report.undetermined
        );
        // Every finding names the file and line of its block.
        for v in &report.violations {
            let src = v.source.as_ref().unwrap();
            assert!(src.file.ends_with(".tf") && src.line.is_some(), "{src:?}");
        }
        results.push((rel, findings_by_name(&estate, &report)));
    }
    let (_, native) = &results[0];
    assert_eq!(native.len(), 13, "{native:#?}");
    for (rel, found) in &results[1..] {
        assert_eq!(found, native, "{rel} differs from the native format");
    }
}

#[test]
fn terraform_plan_with_modules_unknowns_and_references() {
    let (estate, _) = ingest("testdata/terraform/contoso-plan.json");
    let report = common::evaluator().evaluate(&estate).unwrap();
    insta::assert_json_snapshot!("terraform-contoso-plan", report, {".tool.version" => "[version]"});

    // Every finding names its Terraform address.
    for v in &report.violations {
        let src = v.source.as_ref().expect("source");
        assert_eq!(
            src.address.as_deref(),
            Some(v.resource_id.as_str()),
            "{v:?}"
        );
    }
    // A principal id known only after apply is linked through the configuration to the
    // FHIR service's identity, and a scope through a module output to the module's account.
    let ras = estate.role_assignments.as_ref().unwrap();
    let ra = ras
        .iter()
        .find(|r| r.address.as_deref() == Some("azurerm_role_assignment.fhir_export_blob"))
        .unwrap();
    assert!(ra.principal_id.is_unknown());
    assert_eq!(
        ra.principal_of,
        Some(ResourceRef::Address(
            "azurerm_healthcare_fhir_service.fhir".into()
        ))
    );
    assert_eq!(
        ra.scope,
        Known::Value(ResourceRef::Address(
            "module.data.azurerm_storage_account.export".into()
        ))
    );
    // A module variable resolves to the root resource passed in.
    let export = estate
        .storage_accounts
        .iter()
        .find(|s| s.address.as_deref() == Some("module.data.azurerm_storage_account.export"))
        .unwrap();
    let rules = export.network.resource_access_rules.value().unwrap();
    assert_eq!(
        rules[0].resource_id,
        Known::Value("azurerm_healthcare_workspace.ws".into())
    );
    // Computed by azurerm, which never sends it: Azure's default (enabled) applies, as
    // for a template that omits `publicNetworkAccess`, so PL-002 fires.
    let fhir = &estate.fhir_services[0];
    assert_eq!(
        fhir.public_network_access,
        Known::Value(ahds_model::PublicNetworkAccess::Enabled)
    );
    assert!(
        report.violations.iter().any(|u| u.rule_id == "AHDS-PL-002"
            && u.resource_id == "azurerm_healthcare_fhir_service.fhir")
    );
    // Unsupported types are counted and listed.
    assert_eq!(report.summary.skipped, 3);
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.resource_type == "azurerm_resource_group")
    );
}

#[test]
fn arm_listings_read_like_the_native_format() {
    let (native, _) = ingest("testdata/examples/contoso-clinical.json");
    let expected = findings_by_name(&native, &common::evaluator().evaluate(&native).unwrap());
    for rel in [
        "testdata/arm/contoso-clinical-resources.json",
        "testdata/arm/contoso-clinical-graph.json",
    ] {
        let (estate, format) = ingest(rel);
        assert_eq!(format, InputFormat::Arm);
        let report = common::evaluator().evaluate(&estate).unwrap();
        assert_eq!(findings_by_name(&estate, &report), expected, "{rel}");
        if rel.ends_with("resources.json") {
            insta::assert_json_snapshot!("arm-contoso-clinical-resources", report, {".tool.version" => "[version]"});
        }
    }
}

#[test]
fn bicep_template_with_parameters_file() {
    let root = common::root();
    let template = std::fs::read(root.join("testdata/arm/contoso-bicep.json")).unwrap();
    let params = std::fs::read(root.join("testdata/arm/contoso-bicep.parameters.json")).unwrap();
    let ingested = read_template_with_parameters(
        &template,
        &params,
        "testdata/arm/contoso-bicep.json",
        "testdata/arm/contoso-bicep.parameters.json",
    )
    .unwrap();
    assert!(ingested.problems.is_empty(), "{:?}", ingested.problems);
    let estate = ingested.estate;
    // The nested deployment (a Bicep module) contributes its private endpoint.
    assert_eq!(estate.private_endpoints.len(), 1);
    // Role assignments name principals through reference(...).identity.principalId.
    let ras = estate.role_assignments.as_ref().unwrap();
    assert_eq!(ras.len(), 4);
    assert!(ras.iter().all(|r| r.principal_of.is_some()), "{ras:#?}");
    let report = common::evaluator().evaluate(&estate).unwrap();
    insta::assert_json_snapshot!("arm-contoso-bicep", report, {".tool.version" => "[version]"});
    let rules: BTreeSet<&str> = report
        .violations
        .iter()
        .map(|v| v.rule_id.as_str())
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from(["AHDS-AC-001", "AHDS-AC-002", "AHDS-TS-001", "AHDS-TS-002"])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);

    // Without the parameters file the export account's name is the parameter's symbol,
    // the same for the FHIR export setting and the storage account the template declares:
    // the link still resolves, and the findings are the same rules on the same resources.
    let ingested = read(&template, "contoso-bicep.json", InputFormat::Auto).unwrap();
    assert_eq!(
        ingested.estate.fhir_services[0]
            .export
            .as_ref()
            .unwrap()
            .storage_account_name,
        Known::Value("{exportStorageName}".to_string())
    );
    let symbolic = common::evaluator().evaluate(&ingested.estate).unwrap();
    let found = |r: &ahds_guard::Report| -> Vec<(String, String)> {
        r.violations
            .iter()
            .map(|v| (v.rule_id.clone(), v.resource_id.clone()))
            .collect()
    };
    assert_eq!(found(&symbolic), found(&report));
    assert!(
        symbolic.undetermined.is_empty(),
        "{:#?}",
        symbolic.undetermined
    );
}
