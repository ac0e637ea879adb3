//! Property test: a template with literal names, the same template with those names passed
//! as parameters, and the same template with the parameters left without a value (symbols)
//! give the same findings on the same resources.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use ahds_ingest::{InputFormat, read, read_template_with_parameters};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The deployment: a workspace, a FHIR service exporting to a storage account, and the
/// storage account with the given firewall. `name(role)` writes each name.
fn template(name: &dyn Fn(&str) -> String, default_action: &str, bypass: &str) -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "ws": {"type": "string"}, "fhir": {"type": "string"}, "sa": {"type": "string"}
        },
        "resources": [
            {"type": "Microsoft.HealthcareApis/workspaces", "apiVersion": "2023-11-01",
             "name": name("ws"), "location": "eastus", "properties": {}},
            {"type": "Microsoft.HealthcareApis/workspaces/fhirservices", "apiVersion": "2023-11-01",
             "name": format!("[format('{{0}}/{{1}}', {}, {})]", quoted(&name("ws")), quoted(&name("fhir"))),
             "location": "eastus", "kind": "fhir-R4", "identity": {"type": "SystemAssigned"},
             "properties": {"exportConfiguration": {"storageAccountName": name("sa")}}},
            {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
             "name": name("sa"), "location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
             "properties": {"networkAcls": {"defaultAction": default_action, "bypass": bypass}}}
        ]
    })
}

/// A name as an argument inside an expression: `parameters('x')` or a quoted literal.
fn quoted(name: &str) -> String {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(expr) => expr.to_string(),
        None => format!("'{name}'"),
    }
}

/// `(rule, resource)` of each violation with the names replaced by their roles.
fn findings(text: &str, params: Option<&str>, names: &[(&str, String)]) -> Vec<(String, String)> {
    let ingested = match params {
        Some(p) => read_template_with_parameters(
            text.as_bytes(),
            p.as_bytes(),
            "t.json",
            "t.parameters.json",
        ),
        None => read(text.as_bytes(), "t.json", InputFormat::Auto),
    }
    .unwrap();
    assert!(ingested.problems.is_empty(), "{:?}", ingested.problems);
    let report = common::evaluator().evaluate(&ingested.estate).unwrap();
    // Whole id segments only: a random name may be part of a type (`spa` in `workspaces`).
    let rename = |id: &str| {
        id.split('/')
            .map(|seg| {
                names
                    .iter()
                    .find(|(_, value)| value == seg)
                    .map_or_else(|| seg.to_string(), |(role, _)| format!("<{role}>"))
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    common::rule_findings(&report, rename)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn literal_parameter_and_symbolic_names_give_the_same_findings(
        ws in "[a-z][a-z0-9]{2,9}",
        fhir in "[a-z][a-z0-9]{2,9}",
        sa in "[a-z][a-z0-9]{2,9}",
        deny in any::<bool>(),
        trusted in any::<bool>(),
    ) {
        prop_assume!(ws != fhir && ws != sa && fhir != sa);
        let (action, bypass) = (if deny { "Deny" } else { "Allow" }, if trusted { "AzureServices" } else { "None" });
        let literal_names = [("ws", ws.clone()), ("fhir", fhir.clone()), ("sa", sa.clone())];
        let literal = template(&|role| literal_names.iter().find(|(r, _)| *r == role).unwrap().1.clone(), action, bypass);
        let parameterised = template(&|role| format!("[parameters('{role}')]"), action, bypass);
        let params = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"ws": {"value": ws}, "fhir": {"value": fhir}, "sa": {"value": sa}}
        });
        let symbol_names = [("ws", "{ws}".to_string()), ("fhir", "{fhir}".to_string()), ("sa", "{sa}".to_string())];
        let from_literal = findings(&literal.to_string(), None, &literal_names);
        let from_parameters = findings(&parameterised.to_string(), Some(&params.to_string()), &literal_names);
        let from_symbols = findings(&parameterised.to_string(), None, &symbol_names);
        prop_assert!(!from_literal.is_empty());
        prop_assert_eq!(&from_literal, &from_parameters);
        prop_assert_eq!(&from_literal, &from_symbols);
    }
}
