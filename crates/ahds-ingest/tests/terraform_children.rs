//! Terraform resources that attach to a parent by name (NSG rules, firewall rule
//! collections) find the right parent when names repeat across resource groups.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use ahds_ingest::{InputFormat, read};
use serde_json::{Value, json};

fn resource(rtype: &str, name: &str, values: Value) -> Value {
    json!({
        "address": format!("{rtype}.{name}"), "mode": "managed", "type": rtype, "name": name,
        "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
        "values": values, "sensitive_values": {}
    })
}

fn nsg(name: &str, group: &str) -> Value {
    resource(
        "azurerm_network_security_group",
        name,
        json!({ "name": "nsg-clients", "resource_group_name": group, "location": "westeurope", "security_rule": [] }),
    )
}

fn rule(group: &str) -> Value {
    resource(
        "azurerm_network_security_rule",
        "allow_ahds",
        json!({
            "name": "allow-ahds", "resource_group_name": group, "network_security_group_name": "nsg-clients",
            "priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
            "source_address_prefix": "*", "source_address_prefixes": [],
            "destination_address_prefix": "AzureHealthcareAPIs", "destination_address_prefixes": [],
            "source_port_range": "*", "destination_port_range": "443"
        }),
    )
}

fn rules_per_group(resources: Vec<Value>) -> Vec<(String, usize)> {
    let plan = json!({
        "format_version": "1.2",
        "planned_values": { "root_module": { "resources": resources } },
        "resource_changes": [],
        "configuration": { "root_module": {} }
    });
    let ingested = read(
        plan.to_string().as_bytes(),
        "plan.json",
        InputFormat::TerraformPlan,
    )
    .unwrap();
    assert!(ingested.problems.is_empty(), "{:?}", ingested.problems);
    let mut out: Vec<(String, usize)> = ingested
        .estate
        .network_security_groups
        .iter()
        .map(|n| {
            (
                n.address.clone().unwrap_or_default(),
                n.security_rules.len(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_rule_joins_the_group_of_its_name_in_its_own_resource_group() {
    let got = rules_per_group(vec![nsg("a", "rg-a"), nsg("b", "rg-b"), rule("rg-b")]);
    assert_eq!(
        got,
        vec![
            ("azurerm_network_security_group.a".to_string(), 0),
            ("azurerm_network_security_group.b".to_string(), 1)
        ]
    );
    let got = rules_per_group(vec![nsg("a", "rg-a"), nsg("b", "rg-b"), rule("rg-a")]);
    assert_eq!(got[0].1, 1, "{got:?}");
}

#[test]
fn a_rule_whose_group_cannot_be_told_apart_is_not_given_to_either() {
    // Same name, and the rule's resource group matches neither: keep it under a group of
    // its own rather than guess.
    let got = rules_per_group(vec![nsg("a", "rg-a"), nsg("b", "rg-b"), rule("rg-c")]);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got.iter().map(|(_, n)| n).sum::<usize>(), 1);
    assert!(
        got.iter()
            .any(|(a, n)| a.contains("network_security_rule") && *n == 1),
        "{got:?}"
    );
}
