//! A fix's ARM changes written as Terraform (azurerm edits, or an `azapi_update_resource`
//! where azurerm has no argument) and as `az` commands.

use std::fmt::Write as _;

use ahds_model::Place;
use serde_json::Value;

use crate::report::fix::{ArmChange, HclEdit, TerraformFix};

/// An address split into its module path and the resource (`module.a[0].module.b` and
/// `azurerm_storage_account.x["k"]`), and the root qualifier several roots get
/// (`dir:address`).
pub(crate) struct Address<'a> {
    pub(crate) modules: &'a str,
    pub(crate) resource_type: &'a str,
    /// The resource as the module refers to it (`azurerm_storage_account.x["k"]`).
    pub(crate) local: &'a str,
    /// The resource's name label (`x`).
    pub(crate) name: &'a str,
}

/// The byte offsets of `sep` in an address outside brackets and quotes.
fn separators(address: &str, sep: char) -> Vec<usize> {
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    let mut out = Vec::new();
    for (i, c) in address.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            c if c == sep && !quoted && depth == 0 => out.push(i),
            _ => {}
        }
    }
    out
}

impl<'a> Address<'a> {
    pub(crate) fn parse(address: &'a str) -> Option<Self> {
        // `root-dir:address` when several roots were read in one run: the last `:` outside
        // brackets and quotes ends the directory, which may hold dots and colons itself.
        let address = match separators(address, ':').last() {
            Some(&at) => &address[at + 1..],
            None => address,
        };
        let dots = separators(address, '.');
        // The resource is the last `type.name` pair (`data.type.name` for a data source).
        let type_dot = *dots.last()?;
        let start = match dots.len() {
            1 => 0,
            n => dots[n - 2] + 1,
        };
        let modules = address[..start].trim_end_matches('.');
        let local = &address[start..];
        let resource_type = &address[start..type_dot];
        let name_part = &address[type_dot + 1..];
        let name = name_part.split('[').next().unwrap_or(name_part);
        Some(Address {
            modules,
            resource_type,
            local,
            name,
        })
    }
}

/// A reference to the resource `id` from the module of `from`: `<address>.id` when both are
/// in the same module of a Terraform configuration, else its id as a string.
pub(super) fn reference(id: &str, from: Option<&Place>, other: Option<&Place>) -> String {
    let here = from
        .and_then(|p| p.address.as_deref())
        .and_then(Address::parse);
    let there = other
        .and_then(|p| p.address.as_deref())
        .and_then(Address::parse);
    match (here, there) {
        (Some(a), Some(b)) if a.modules == b.modules => format!("{}.id", b.local),
        _ => string(id),
    }
}

/// An HCL string literal.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An HCL expression of a JSON value.
fn hcl(value: &Value) -> String {
    match value {
        Value::String(s) => string(s),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(hcl).collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    }
}

/// The API version an `azapi_update_resource` of each type is written with.
fn api_version(arm_type: &str) -> &'static str {
    match arm_type.split('/').next().unwrap_or("") {
        "Microsoft.HealthcareApis" => "2024-03-31",
        "Microsoft.Storage" => "2023-05-01",
        "Microsoft.KeyVault" => "2023-07-01",
        "Microsoft.ContainerRegistry" => "2023-07-01",
        "Microsoft.EventHub" => "2024-01-01",
        _ => "2023-01-01",
    }
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// An `azapi_update_resource` setting `changes` (all on one resource), placed next to the
/// resource at `address`.
fn azapi_update(address: &Address<'_>, subject_id: &str, changes: &[&ArmChange]) -> String {
    let first = changes[0];
    let leaf = first.path.rsplit('.').next().unwrap_or(&first.path);
    // A child resource (`<namespace>/networkRuleSets/default`) is reached from its parent.
    let suffix = first.resource_id.strip_prefix(subject_id).unwrap_or("");
    let resource_id = if suffix.is_empty() {
        format!("{}.id", address.local)
    } else {
        format!("\"${{{}.id}}{suffix}\"", address.local)
    };
    let mut body = Value::Object(serde_json::Map::new());
    for c in changes {
        let mut at = &mut body;
        for p in c.path.split('.') {
            if !at.is_object() {
                *at = Value::Object(serde_json::Map::new());
            }
            at = &mut at[p];
        }
        *at = c.value.clone();
    }
    let mut out = String::new();
    out.push_str(if address.resource_type.starts_with("azapi_") {
        "# Sets what the resource's body leaves at the platform default.\n"
    } else {
        "# azurerm has no argument for this setting; the azapi provider sets it.\n"
    });
    let _ = writeln!(
        out,
        "resource \"azapi_update_resource\" \"{}_{}\" {{",
        address.name,
        snake(leaf)
    );
    let _ = writeln!(
        out,
        "  type        = \"{}@{}\"",
        first.resource_type,
        api_version(&first.resource_type)
    );
    let _ = writeln!(out, "  resource_id = {resource_id}");
    out.push_str("\n  body = ");
    object(&body, 1, &mut out);
    out.push_str("\n}\n");
    out
}

/// An HCL object expression, one attribute per line, `=` aligned as `terraform fmt` does.
fn object(value: &Value, depth: usize, out: &mut String) {
    let Value::Object(map) = value else {
        out.push_str(&hcl(value));
        return;
    };
    let pad = "  ".repeat(depth + 1);
    let width = map.keys().map(String::len).max().unwrap_or(0);
    out.push_str("{\n");
    for (k, v) in map {
        let _ = write!(out, "{pad}{k:width$} = ");
        object(v, depth + 1, out);
        out.push('\n');
    }
    let _ = write!(out, "{}}}", "  ".repeat(depth));
}

/// The Terraform side of a fix at `address`: the azurerm edits when the resource is of the
/// recipe's azurerm type, else an `azapi_update_resource` for the properties it sets.
pub(super) fn terraform(
    address: &str,
    subject_id: &str,
    azurerm: Option<(&'static str, Vec<HclEdit>)>,
    arm: &[ArmChange],
) -> TerraformFix {
    let parsed = Address::parse(address);
    let mut fix = TerraformFix {
        address: address.to_string(),
        edits: Vec::new(),
        new_resource: None,
    };
    let Some(parsed) = parsed else {
        return fix;
    };
    match azurerm {
        Some((kind, edits)) if kind == parsed.resource_type => fix.edits = edits,
        _ => {
            // azapi sets properties; adding to an array would replace what is there.
            let sets: Vec<&ArmChange> = arm.iter().filter(|c| !c.add).collect();
            if !sets.is_empty() && sets.len() == arm.len() {
                fix.new_resource = Some(azapi_update(&parsed, subject_id, &sets));
            }
        }
    }
    fix
}

/// A value as `az resource update` takes it.
fn cli_value(v: &Value) -> String {
    match v {
        Value::String(s) if s == "[subscription().tenantId]" => {
            "$(az account show --query tenantId -o tsv)".into()
        }
        Value::String(s) if s.contains([' ', '\'', '"']) => {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `az resource update` commands for the changes on resources with an ARM id.
pub(super) fn azure_cli(arm: &[ArmChange]) -> Vec<String> {
    arm.iter()
        // A deployed resource's id; not a template's id that still holds `{symbols}`.
        .filter(|c| c.resource_id.starts_with("/subscriptions/") && !c.resource_id.contains('{'))
        .map(|c| {
            let id = cli_value(&Value::String(c.resource_id.clone()));
            match (&c.value, c.add) {
                (Value::Object(item), true) => {
                    let fields: Vec<String> = item
                        .iter()
                        .map(|(k, v)| format!("{k}={}", cli_value(v)))
                        .collect();
                    format!(
                        "az resource update --ids {id} --add {} {}",
                        c.path,
                        fields.join(" ")
                    )
                }
                (v, _) => format!(
                    "az resource update --ids {id} --set {}={}",
                    c.path,
                    cli_value(v)
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_modules_and_resource() {
        let a = Address::parse(
            r#"module.hds[0].module.fhir["a.b"].azurerm_healthcare_fhir_service.this"#,
        )
        .unwrap();
        assert_eq!(a.modules, r#"module.hds[0].module.fhir["a.b"]"#);
        assert_eq!(a.resource_type, "azurerm_healthcare_fhir_service");
        assert_eq!(a.local, "azurerm_healthcare_fhir_service.this");
        assert_eq!(a.name, "this");
        let c = Address::parse(r#"/work/x/../infra:module.m["a:b"].azurerm_storage_account.sa"#)
            .unwrap();
        assert_eq!(c.modules, r#"module.m["a:b"]"#);
        assert_eq!(c.local, "azurerm_storage_account.sa");
        let b = Address::parse(r#"infra:azurerm_storage_account.sa["x"]"#).unwrap();
        assert_eq!(b.modules, "");
        assert_eq!(b.local, r#"azurerm_storage_account.sa["x"]"#);
        assert_eq!(b.name, "sa");
    }

    #[test]
    fn references_use_the_address_only_within_one_module() {
        let at = |a: &str| Place::in_file("main.tf").with_address(a);
        let sa = at("module.m.azurerm_storage_account.sa");
        let ws = at("module.m.azurerm_healthcare_workspace.ws");
        let other = at("azurerm_healthcare_workspace.ws");
        assert_eq!(
            reference("/x", Some(&sa), Some(&ws)),
            "azurerm_healthcare_workspace.ws.id"
        );
        assert_eq!(reference("/x", Some(&sa), Some(&other)), "\"/x\"");
        assert_eq!(reference("/x${y}", Some(&sa), None), "\"/x$${y}\"");
    }

    #[test]
    fn azapi_updates_nest_the_property_path() {
        let change = ArmChange {
            resource_id: "/subscriptions/s/x".into(),
            resource_type: "Microsoft.HealthcareApis/workspaces".into(),
            path: "properties.publicNetworkAccess".into(),
            value: Value::from("Disabled"),
            add: false,
        };
        let fix = terraform(
            "azurerm_healthcare_workspace.ws",
            "/subscriptions/s/x",
            None,
            &[change],
        );
        assert_eq!(
            fix.new_resource.unwrap(),
            "# azurerm has no argument for this setting; the azapi provider sets it.\nresource \"azapi_update_resource\" \"ws_public_network_access\" {\n  type        = \"Microsoft.HealthcareApis/workspaces@2024-03-31\"\n  resource_id = azurerm_healthcare_workspace.ws.id\n\n  body = {\n    properties = {\n      publicNetworkAccess = \"Disabled\"\n    }\n  }\n}\n"
        );
    }
}
