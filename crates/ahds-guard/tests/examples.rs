//! The bundled example deployments: the realistic mixed one finds each wrong setting once
//! (snapshot reviewed), the hardened one finds nothing.

// Test helpers outside #[test] functions may panic on setup failures.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

#[test]
fn realistic_deployment_finds_each_wrong_setting_once() {
    let report = common::report("testdata/examples/contoso-clinical.json");
    insta::assert_json_snapshot!("contoso-clinical", report, {".tool.version" => "[version]"});

    // Every wrong setting the example carries, as (rule, resource name suffix).
    let expected: &[(&str, &str)] = &[
        ("AHDS-PL-002", "/workspaces/contosoclinical"),
        ("AHDS-PL-002", "/dicomservices/dicom-imaging"),
        (
            "AHDS-PL-003",
            "/privateEndpoints/pe-analytics-contosoclinical",
        ),
        ("AHDS-PL-004", "/privateEndpoints/pe-contosoclinical"),
        ("AHDS-AC-001", "/fhirservices/fhir-r4"),
        ("AHDS-AC-002", "/dicomservices/dicom-imaging"),
        ("AHDS-TS-001", "/registries/crcontosotemplates"),
        ("AHDS-TS-002", "/storageAccounts/stcontosodicomdl"),
        ("AHDS-TS-004", "/storageAccounts/stcontosoimport"),
        ("AHDS-TS-005", "/namespaces/evhns-contoso-devices"),
        ("AHDS-TS-006", "/fhirservices/fhir-r4"),
        ("AHDS-TS-007", "/fhirservices/fhir-r4"),
        ("AHDS-TS-008", "/eventSubscriptions/fhir-resource-events"),
        ("AHDS-ID-002", "/fhirservices/fhir-r4"),
        ("AHDS-ID-002", "/dicomservices/dicom-imaging"),
        ("AHDS-ID-003", "/roleAssignments/2c8f5e9a-rg-dicom-contrib"),
        ("AHDS-ST-001", "/networkSecurityGroups/nsg-snet-clients"),
    ];
    let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
    for v in &report.violations {
        let (_, suffix) = v.resource_id.rsplit_once('/').expect("id");
        let kind = v.resource_id[..v.resource_id.len() - suffix.len() - 1]
            .rsplit_once('/')
            .expect("type")
            .1;
        *found
            .entry((v.rule_id.clone(), format!("/{kind}/{suffix}")))
            .or_default() += 1;
    }
    let want: BTreeMap<(String, String), usize> = expected
        .iter()
        .map(|(r, s)| ((r.to_string(), s.to_string()), 1))
        .collect();
    assert_eq!(
        found, want,
        "findings differ from the example's wrong settings"
    );
    assert!(report.errors.is_empty());
}

#[test]
fn hardened_deployment_has_no_findings() {
    let report = common::report("testdata/examples/contoso-clinical-hardened.json");
    assert!(report.violations.is_empty(), "{:#?}", report.violations);
    assert!(report.undetermined.is_empty(), "{:#?}", report.undetermined);
    assert!(report.errors.is_empty());
    assert_eq!(report.summary.rules, 19);
}
