//! Shapes of real public templates, reproduced in our own fixtures (`testdata/arm/shapes/`,
//! whose README names the public file each comes from): names from parameters without a
//! value, `uniqueString()` cut with `substring()`, placeholders in a parameters file,
//! `languageVersion: 2.0` with an `existing` parent and lambdas, nested deployments with
//! outputs and another resource group, and a user-assigned identity granted its role on
//! the storage it needs. Each asserts the exact findings.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_guard::Report;
use ahds_ingest::{Estate, read, read_template_with_parameters};
use ahds_model::{IdentityType, Known};

const SHAPES: &str = "testdata/arm/shapes";
const RG: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";

/// Reads a shape with its parameters file when it has one.
fn shape(name: &str) -> Estate {
    let root = common::root();
    let rel = format!("{SHAPES}/{name}.json");
    let template = std::fs::read(root.join(&rel)).unwrap();
    let params_rel = format!("{SHAPES}/{name}.parameters.json");
    let ingested = match std::fs::read(root.join(&params_rel)) {
        Ok(params) => read_template_with_parameters(&template, &params, &rel, &params_rel),
        Err(_) => read(&template, &rel, ahds_ingest::InputFormat::Auto),
    }
    .unwrap_or_else(|e| panic!("{rel}: {e:?}"));
    assert!(
        ingested.problems.is_empty(),
        "{rel}: {:?}",
        ingested.problems
    );
    ingested.estate
}

/// `(rule, resource)` of every violation, sorted, with the deployment's group shortened.
fn findings(report: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report
        .violations
        .iter()
        .map(|v| (v.rule_id.clone(), v.resource_id.replace(RG, "RG")))
        .collect();
    out.sort();
    out
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = expected
        .iter()
        .map(|(r, id)| ((*r).to_string(), (*id).to_string()))
        .collect();
    out.sort();
    out
}

/// Every id in the estate and the report is ARM-shaped.
fn assert_arm_shaped(estate: &Estate, report: &Report) {
    for m in estate.metas() {
        let id = m.display_id();
        assert!(id.starts_with("/subscriptions/"), "not ARM-shaped: {id}");
    }
    for id in report
        .violations
        .iter()
        .map(|v| &v.resource_id)
        .chain(report.undetermined.iter().map(|u| &u.resource_id))
    {
        assert!(id.starts_with("/subscriptions/"), "not ARM-shaped: {id}");
    }
}

#[test]
fn a_storage_account_named_by_a_parameter_without_value_is_the_export_target() {
    let estate = shape("params-without-defaults");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-AC-002",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}/fhirservices/{fhirServiceName}"
            ),
            (
                "AHDS-PL-001",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}"
            ),
            (
                "AHDS-TS-001",
                "RG/providers/Microsoft.Storage/storageAccounts/{exportAccountName}"
            ),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
}

#[test]
fn unique_string_names_and_placeholder_parameters_keep_the_private_endpoint() {
    let estate = shape("unique-string-names");
    // The empty subnet name leaves an empty id segment: the endpoint is kept, with a note.
    assert_eq!(estate.private_endpoints.len(), 1);
    assert_eq!(estate.private_endpoints[0].subnet, Some(Known::Unknown));
    assert_eq!(estate.notes.len(), 1, "{:?}", estate.notes);
    assert!(estate.notes[0].contains("kept with its subnet unknown"));
    let ws = &estate.workspaces[0];
    let name = ws.name.value().unwrap();
    assert!(
        name.starts_with("{substring(uniqueString:") && name.ends_with(",0,6)}ws"),
        "{name}"
    );
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // The endpoint approves the workspace (no PL-001) and links the shared zone, which
    // resolves FHIR (no PL-004).
    let fhir = estate.fhir_services[0]
        .id
        .as_ref()
        .unwrap()
        .as_str()
        .replace(RG, "RG");
    assert_eq!(findings(&report), pairs(&[("AHDS-AC-002", &fhir)]));
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("kept with its subnet unknown"))
    );
}

#[test]
fn an_existing_parent_is_a_reference_and_lambdas_evaluate() {
    let estate = shape("symbolic-resources-existing-parent");
    assert!(
        estate.workspaces.is_empty(),
        "the existing workspace is not deployed here"
    );
    assert!(
        estate.skipped.iter().any(|s| s.resource
            == format!("{RG}/providers/Microsoft.HealthcareApis/workspaces/{{workspaceName}}")
            && s.reason.contains("`existing`")),
        "{:#?}",
        estate.skipped
    );
    let fhir = &estate.fhir_services[0];
    // map/reduce over no user-assigned identities, then if/coalesce/tryGet: SystemAssigned.
    assert_eq!(
        fhir.identity.kind,
        Known::Value(IdentityType::SystemAssigned)
    );
    // A nullable parameter without a value is null: no export is configured.
    assert!(fhir.export.is_none());
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    assert_eq!(
        findings(&report),
        pairs(&[(
            "AHDS-AC-002",
            "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}/fhirservices/{name}"
        )])
    );
}

#[test]
fn nested_deployment_outputs_and_groups_reach_the_resources_that_read_them() {
    let estate = shape("nested-deployment-outputs");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // The import setting comes from union(outputs, ...); its storage is deployed by an
    // outer-scope nested deployment into another resource group.
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-AC-002",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}/fhirservices/{fhirName}"
            ),
            (
                "AHDS-PL-001",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}"
            ),
            (
                "AHDS-TS-002",
                "/subscriptions/{subscriptionId}/resourceGroups/rg-shared/providers/Microsoft.Storage/storageAccounts/stimportsource"
            ),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
}

#[test]
fn a_user_assigned_identity_holds_its_role_on_the_dicom_storage() {
    let estate = shape("dicom-user-assigned-identity");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // No ID-001/ID-002: the identity key `resourceId('.../userAssignedIdentities/', ...)`
    // names the identity the role assignment grants through reference(...).principalId.
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-AC-002",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}/dicomservices/{dicomServiceName}"
            ),
            (
                "AHDS-PL-001",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}"
            ),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
}

#[test]
fn names_derived_through_replace_still_link_and_an_event_hub_role_counts() {
    let estate = shape("medtech-derived-names");
    // `replace()` over a symbol is a symbol of its own, the same wherever it is written.
    assert_eq!(
        estate.workspaces[0].name,
        Known::Value("{replace(hw-basename,-,)}".to_string())
    );
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // No ID-002: the Receiver role on the `devicedata` event hub (a child of the namespace,
    // through `resourceId('Microsoft.Authorization/roleDefinitions', ...)`) is what MedTech
    // needs. TS-002: the namespace denies by default and does not let trusted services in.
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-PL-001",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{replace(hw-basename,-,)}"
            ),
            (
                "AHDS-TS-002",
                "RG/providers/Microsoft.EventHub/namespaces/en-{basename}"
            ),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
}

#[test]
fn a_principal_or_role_from_a_parameter_without_value_leaves_the_role_check_open() {
    let estate = shape("role-for-a-parameter-principal");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // One assignment grants the right role to `{exportPrincipalId}`, which may be the FHIR
    // service's identity; the other grants `{exportRoleId}` to that identity, which may be
    // the right role. Neither decides it: ID-002 is undetermined, not a violation.
    assert_eq!(
        findings(&report),
        pairs(&[(
            "AHDS-AC-002",
            "RG/providers/Microsoft.HealthcareApis/workspaces/wsroles/fhirservices/fhir"
        )])
    );
    let open: Vec<&str> = report
        .undetermined
        .iter()
        .map(|u| u.rule_id.as_str())
        .collect();
    assert_eq!(open, ["AHDS-ID-002"]);
}

#[test]
fn a_module_output_read_by_symbolic_name_links_the_export_to_the_module_storage() {
    let estate = shape("module-outputs-by-symbolic-name");
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert_arm_shaped(&estate, &report);
    // `reference('exportStorage').outputs.accountName.value`: the module is a nested
    // deployment keyed by symbolic name (2.0); its output is the account it deploys.
    let account = &estate.storage_accounts[0];
    assert_eq!(
        estate.fhir_services[0]
            .export
            .as_ref()
            .unwrap()
            .storage_account_name,
        account.name
    );
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-AC-002",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}/fhirservices/fhir"
            ),
            (
                "AHDS-TS-001",
                &format!(
                    "RG/providers/Microsoft.Storage/storageAccounts/{}",
                    account.name.value().unwrap()
                )
            ),
        ])
    );
}

#[test]
fn an_undecidable_if_names_the_dicom_storage_and_a_key_reference_names_its_vault() {
    let estate = shape("dicom-storage-through-if");
    let report = common::evaluator().evaluate(&estate).unwrap();
    let storage = "RG/providers/Microsoft.Storage/storageAccounts/{if(parameters('useExistingStorage'),stdicomshared,stdicomuniqueString:4a8c2076)}";
    assert_eq!(
        findings(&report),
        pairs(&[
            (
                "AHDS-PL-001",
                "RG/providers/Microsoft.HealthcareApis/workspaces/{workspaceName}"
            ),
            // The vault is open to all networks: found through the key's reference.
            (
                "AHDS-TS-001",
                "RG/providers/Microsoft.KeyVault/vaults/kv{uniqueString:4a8c2076}"
            ),
            // The account both the `if()` and the DICOM service name blocks the service.
            ("AHDS-TS-002", storage),
        ])
    );
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    assert_arm_shaped(&estate, &report);
}

#[test]
fn a_child_deployed_without_its_parent_is_skipped_not_an_error() {
    let estate = shape("fhir-destination-only");
    assert_eq!(estate.resource_count(), 0);
    assert_eq!(estate.skipped.len(), 1);
    assert!(
        estate.skipped[0].reason.contains("parent MedTech service"),
        "{:?}",
        estate.skipped
    );
}
