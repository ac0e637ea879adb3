//! The published FHIR egress addresses reach the policies from the bundled policy data
//! (`data.ahds.fhir_egress`): a storage account in another region that admits the FHIR
//! service's regional address is the documented IP allowance (AHDS-TS-004), and another
//! region's address is no allowance at all (AHDS-TS-002). Without the table both would read
//! alike, so this fails if the policies stop finding it.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_ingest::{InputFormat, read};
use serde_json::json;

/// The AHDS-TS-004 fixture (an export storage account that turns trusted services away)
/// with the account moved to `westus2` (the FHIR service stays in `eastus`) and admitting
/// only `address`.
fn cross_region_storage(address: &str) -> Vec<(String, String, String)> {
    let (name, mut doc) = common::rule_fixture("AHDS-TS-004", "fail");
    let storage = doc["storage_accounts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["name"] == "stcontosoexport")
        .expect("the fixture's export storage");
    storage["location"] = json!("westus2");
    storage["network"]["ip_rules"] = json!([address]);
    let bytes = serde_json::to_vec(&doc).unwrap();
    let estate = read(&bytes, &name, InputFormat::Native).unwrap().estate;
    let report = common::evaluator().evaluate(&estate).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .violations
        .iter()
        .filter(|v| v.rule_id.starts_with("AHDS-TS-"))
        .map(|v| {
            let name = v.resource_id.rsplit('/').next().unwrap_or_default();
            (v.rule_id.clone(), name.to_string(), v.message.clone())
        })
        .collect()
}

#[test]
fn the_fhir_regions_egress_address_is_the_documented_allowance_from_another_region() {
    // 20.62.128.148 is the FHIR service's published egress address in eastus.
    let found = cross_region_storage("20.62.128.148");
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(rules, ["AHDS-TS-004"], "{found:#?}");
    let (_, resource, message) = &found[0];
    assert_eq!(resource, "stcontosoexport");
    assert!(message.contains("20.62.128.148"), "{message}");
}

#[test]
fn another_regions_egress_address_lets_nothing_through() {
    // 20.61.98.66 is westeurope's address: the eastus FHIR service never comes from it.
    let found = cross_region_storage("20.61.98.66");
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(rules, ["AHDS-TS-002"], "{found:#?}");
}
