//! Deterministic synthetic estates for the benchmarks: `n` copies of the realistic
//! Contoso deployment (`testdata/examples/contoso-clinical*.json`), alternating the
//! insecure and the hardened variant, with every name, principal and id made unique per
//! copy. Each copy has a workspace with FHIR (export, import, convert, customer-managed
//! key), DICOM (Data Lake storage, customer-managed key), MedTech, events, their targets,
//! private endpoints, role assignments and NSG rules, so every rule does real work.
//!
//! The same estate is produced in three input formats: native JSON, ARM resources (a
//! `{"value": [...]}` listing) and a Terraform plan (one module instance per copy).

use serde_json::{Map, Value, json};

const NATIVE_INSECURE: &str = include_str!("../../testdata/examples/contoso-clinical.json");
const NATIVE_HARDENED: &str =
    include_str!("../../testdata/examples/contoso-clinical-hardened.json");
const ARM_INSECURE: &str = include_str!("../../testdata/arm/contoso-clinical-resources.json");
const PLAN: &str = include_str!("../../testdata/terraform/contoso-plan.json");

/// The managed identity object ids of the template, made unique per copy.
const PRINCIPALS: [&str; 5] = [
    "3b8e2a41-6c1f-4d7e-9a2b-5f0c8d1e7a63",
    "9d4f1c27-2e8b-4a6d-b3c5-7e1f0a9d2c84",
    "c2a7e9f1-5b3d-4c8e-a1f6-2d9b7e4c0a15",
    "5e1b8d3a-9c7f-4a2e-b6d4-1f8c3a7e9b20",
    "8f3c6a1e-4d2b-4e9f-a7c5-3b1d9e6f2a48",
];

/// Renames a template copy: every `contoso` name, the NSG, and the principal ids.
fn rename(template: &str, i: usize) -> String {
    let mut s = template
        .replace("contoso", &format!("contoso{i:05}"))
        .replace("snet-clients", &format!("snet-clients{i:05}"))
        .replace("rg-dicom-contrib", &format!("rg-dicom-contrib{i:05}"));
    for p in PRINCIPALS {
        s = s.replace(p, &format!("{}{i:05x}", &p[..p.len() - 5]));
    }
    s
}

fn merge_lists(target: &mut Map<String, Value>, copy: Value) {
    let Value::Object(copy) = copy else { return };
    for (k, v) in copy {
        match (target.get_mut(&k), v) {
            (Some(Value::Array(a)), Value::Array(b)) => a.extend(b),
            (None, v) => {
                target.insert(k, v);
            }
            _ => {}
        }
    }
}

/// `n` copies in the native format, alternating insecure and hardened.
pub fn native(n: usize) -> String {
    let mut out = Map::new();
    out.insert("version".into(), json!(1));
    for i in 0..n {
        let template = if i % 2 == 0 {
            NATIVE_INSECURE
        } else {
            NATIVE_HARDENED
        };
        let copy: Value = serde_json::from_str(&rename(template, i)).unwrap_or(Value::Null);
        merge_lists(&mut out, copy);
    }
    out.remove("$schema");
    Value::Object(out).to_string()
}

/// `n` copies as an ARM `{"value": [...]}` listing.
pub fn arm(n: usize) -> String {
    let mut value = Vec::new();
    for i in 0..n {
        let copy: Value = serde_json::from_str(&rename(ARM_INSECURE, i)).unwrap_or(Value::Null);
        if let Some(Value::Array(items)) = copy.get("value").cloned() {
            value.extend(items);
        }
    }
    json!({ "value": value }).to_string()
}

fn prefix_addresses(v: &mut Value, prefix: &str, pointer_keys: &[&str]) {
    if let Value::Object(m) = v {
        for k in pointer_keys {
            if let Some(Value::String(a)) = m.get_mut(*k) {
                *a = format!("{prefix}{a}");
            }
        }
    }
}

/// `n` copies as a Terraform plan: the template's root module becomes module
/// `ws["<i>"]`, instantiated `n` times.
pub fn plan(n: usize) -> String {
    let template: Value = serde_json::from_str(PLAN).unwrap_or(Value::Null);
    let mut children = Vec::new();
    let mut changes = Vec::new();
    for i in 0..n {
        let prefix = format!("module.ws[\"{i:05}\"].");
        let copy: Value = serde_json::from_str(&rename(PLAN, i)).unwrap_or(Value::Null);
        let root = &copy["planned_values"]["root_module"];
        let mut resources = root["resources"].as_array().cloned().unwrap_or_default();
        for r in &mut resources {
            prefix_addresses(r, &prefix, &["address"]);
        }
        let mut grandchildren = root["child_modules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for c in &mut grandchildren {
            prefix_addresses(c, &prefix, &["address"]);
            if let Some(Value::Array(rs)) = c.get_mut("resources") {
                for r in rs {
                    prefix_addresses(r, &prefix, &["address"]);
                }
            }
        }
        children.push(json!({
            "address": format!("module.ws[\"{i:05}\"]"),
            "resources": resources,
            "child_modules": grandchildren,
        }));
        for mut c in copy["resource_changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let module = match c.get("module_address").and_then(Value::as_str) {
                Some(m) => format!("{prefix}{m}"),
                None => prefix.trim_end_matches('.').to_string(),
            };
            prefix_addresses(&mut c, &prefix, &["address"]);
            if let Value::Object(m) = &mut c {
                m.insert("module_address".into(), json!(module));
            }
            changes.push(c);
        }
    }
    let root_config = template["configuration"]["root_module"].clone();
    let plan = json!({
        "format_version": template["format_version"],
        "terraform_version": template["terraform_version"],
        "planned_values": {"root_module": {"child_modules": children}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": template["configuration"]["provider_config"],
            "root_module": {
                "module_calls": {
                    "ws": {
                        "source": "./modules/ahds-workspace",
                        "for_each_expression": {"references": ["local.workspaces"]},
                        "module": root_config,
                    }
                }
            }
        },
    });
    plan.to_string()
}

/// Per workspace of [`tenant`]: storage accounts, key vaults, Event Hubs namespaces and
/// role assignments of the rest of the tenant.
pub const TENANT_RATIOS: [(&str, usize); 4] = [
    ("storage accounts", 1_000),
    ("key vaults", 200),
    ("Event Hubs namespaces", 200),
    ("role assignments", 10_000),
];

/// A tenant-wide audit as `ahds-guard collect` exports it (a `{"value": [...]}` listing
/// with `ahdsGuardCollect`): `workspaces` copies of the Contoso deployment among the rest
/// of a tenant, sized by [`TENANT_RATIOS`] — at 100 workspaces, 100,000 storage accounts,
/// 20,000 key vaults and Event Hubs namespaces (each with its `networkRuleSets/default`)
/// and 1,000,000 role assignments spread over 50 subscriptions. Written as text, not
/// built as values, so a million assignments generate in seconds.
pub fn tenant(workspaces: usize) -> String {
    use std::fmt::Write as _;
    let [(_, storage), (_, vaults), (_, namespaces), (_, assignments)] = TENANT_RATIOS;
    let (storage, vaults) = (storage * workspaces, vaults * workspaces);
    let (namespaces, assignments) = (namespaces * workspaces, assignments * workspaces);
    let mut items: Vec<String> = Vec::new();
    for i in 0..workspaces {
        let copy: Value = serde_json::from_str(&rename(ARM_INSECURE, i)).unwrap_or(Value::Null);
        if let Some(Value::Array(resources)) = copy.get("value") {
            items.extend(resources.iter().map(Value::to_string));
        }
    }
    let subscription = |i: usize| format!("6a1f{:04x}-3c2e-4b7d-9e8f-0a1b2c3d4e5f", i % 50);
    let group = |i: usize| {
        format!(
            "/subscriptions/{}/resourceGroups/rg-team{:03}",
            subscription(i),
            i % 500
        )
    };
    let storage_id = |i: usize| {
        format!(
            "{}/providers/Microsoft.Storage/storageAccounts/sttenant{i:07}",
            group(i)
        )
    };
    let vault_id = |i: usize| {
        format!(
            "{}/providers/Microsoft.KeyVault/vaults/kvtenant{i:06}",
            group(i)
        )
    };
    let mut out = String::with_capacity(assignments * 700 + storage * 900);
    for i in 0..storage {
        let (action, bypass) = match i % 4 {
            0 => ("Allow", "AzureServices"),
            1 => ("Deny", "AzureServices"),
            2 => ("Deny", "None"),
            _ => ("Deny", "Logging, Metrics"),
        };
        let ip_rules = if i % 10 == 0 {
            format!(r#"[{{"value":"203.0.{}.0/24","action":"Allow"}}]"#, i % 256)
        } else {
            "[]".into()
        };
        out.clear();
        let id = storage_id(i);
        let _ = write!(
            out,
            r#"{{"id":"{id}","name":"sttenant{i:07}","type":"Microsoft.Storage/storageAccounts","location":"westeurope","kind":"StorageV2","sku":{{"name":"Standard_LRS","tier":"Standard"}},"tags":{{"team":"team{t:03}"}},"properties":{{"provisioningState":"Succeeded","isHnsEnabled":{hns},"minimumTlsVersion":"TLS1_2","allowBlobPublicAccess":false,"publicNetworkAccess":"Enabled","networkAcls":{{"defaultAction":"{action}","bypass":"{bypass}","ipRules":{ip_rules},"virtualNetworkRules":[],"resourceAccessRules":[]}},"primaryEndpoints":{{"blob":"https://sttenant{i:07}.blob.core.windows.net/","dfs":"https://sttenant{i:07}.dfs.core.windows.net/"}}}}}}"#,
            t = i % 500,
            hns = i % 3 == 0,
        );
        items.push(out.clone());
    }
    for i in 0..vaults {
        out.clear();
        let _ = write!(
            out,
            r#"{{"id":"{}","name":"kvtenant{i:06}","type":"Microsoft.KeyVault/vaults","location":"westeurope","properties":{{"tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","sku":{{"family":"A","name":"standard"}},"enableRbacAuthorization":{},"accessPolicies":[],"publicNetworkAccess":"Enabled","networkAcls":{{"defaultAction":"{}","bypass":"AzureServices","ipRules":[],"virtualNetworkRules":[]}}}}}}"#,
            vault_id(i),
            i % 2 == 0,
            if i % 3 == 0 { "Allow" } else { "Deny" },
        );
        items.push(out.clone());
    }
    for i in 0..namespaces {
        let id = format!(
            "{}/providers/Microsoft.EventHub/namespaces/evhns-tenant{i:06}",
            group(i)
        );
        out.clear();
        let _ = write!(
            out,
            r#"{{"id":"{id}","name":"evhns-tenant{i:06}","type":"Microsoft.EventHub/namespaces","location":"westeurope","sku":{{"name":"Standard","tier":"Standard"}},"properties":{{"publicNetworkAccess":"Enabled","status":"Active"}}}}"#
        );
        items.push(out.clone());
        out.clear();
        let _ = write!(
            out,
            r#"{{"id":"{id}/networkRuleSets/default","name":"default","type":"Microsoft.EventHub/Namespaces/NetworkRuleSets","location":"westeurope","properties":{{"publicNetworkAccess":"Enabled","defaultAction":"{}","trustedServiceAccessEnabled":{},"ipRules":[],"virtualNetworkRules":[]}}}}"#,
            if i % 2 == 0 { "Deny" } else { "Allow" },
            i % 4 != 1,
        );
        items.push(out.clone());
    }
    // Built-in roles a tenant hands out most.
    let roles = [
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
    ];
    for i in 0..assignments {
        let scope = match i % 10 {
            0..=6 => storage_id(i % storage.max(1)),
            7 => vault_id(i % vaults.max(1)),
            8 => group(i),
            _ => format!("/subscriptions/{}", subscription(i)),
        };
        let role = roles[i % roles.len()];
        out.clear();
        let _ = write!(
            out,
            r#"{{"id":"{scope}/providers/Microsoft.Authorization/roleAssignments/{i:08x}-1c2d-4e5f-8a9b-0c1d2e3f4a5b","name":"{i:08x}-1c2d-4e5f-8a9b-0c1d2e3f4a5b","type":"Microsoft.Authorization/roleAssignments","properties":{{"roleDefinitionId":"/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role}","principalId":"{:08x}-7e6d-4c5b-9a8f-1e2d3c4b5a69","principalType":"ServicePrincipal","scope":"{scope}","createdOn":"2026-10-02T11:40:12.3812466Z","updatedOn":"2026-10-02T11:40:12.3812466Z","createdBy":"5d0e6c1a-2b7f-4c3d-9e8a-1f4b6c2d7e90"}}}}"#,
            subscription(i),
            i / 7,
        );
        items.push(out.clone());
    }
    let mut text = String::with_capacity(items.iter().map(|s| s.len() + 2).sum::<usize>() + 64);
    text.push_str("{\"value\":[");
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            text.push(',');
        }
        text.push_str(item);
    }
    text.push_str("],\"ahdsGuardCollect\":{\"failures\":[]}}");
    text
}

/// A Terraform root module calling the Northwind configuration
/// (`testdata/equivalence/northwind-tf`) once per copy with `for_each`, written under
/// `dir`: `n` copies of 16 resources, with references, locals and a `dynamic` block each.
pub fn terraform_sources(n: usize, dir: &std::path::Path) -> std::io::Result<()> {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/equivalence/northwind-tf");
    let module = dir.join("modules/northwind");
    std::fs::create_dir_all(&module)?;
    for entry in std::fs::read_dir(&source)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "tf") {
            let text = std::fs::read_to_string(&path)?;
            // The module's provider block belongs to the root.
            let text = text.replace("provider \"azurerm\"", "# provider \"azurerm\"");
            std::fs::write(
                module.join(path.file_name().unwrap_or_default()),
                strip_provider(&text),
            )?;
        }
    }
    let keys: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "module \"copy\" {{\n  source        = \"./modules/northwind\"\n  for_each      = toset([{}])\n  prefix        = \"nw${{each.key}}\"\n  short         = each.key\n  device_ranges = [\"40.0.0.0/8\"]\n}}\n",
            keys.join(", ")
        ),
    )
}

/// Resources in one copy of the Northwind configuration.
pub const NORTHWIND_RESOURCES: usize = 18;

/// One Terraform root module, written to `dir/main.tf`, of at least `resources` resource
/// blocks: copies of the Northwind configuration (`testdata/equivalence/northwind-tf`,
/// 18 resources each) side by side, every resource label, local and variable renamed per
/// copy, so each copy's references stay among its own resources. A root this size is what
/// the lookups of one module's resources by address are measured on.
pub fn terraform_flat(resources: usize, dir: &std::path::Path) -> std::io::Result<()> {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/equivalence/northwind-tf");
    let mut template = String::new();
    for name in ["main.tf", "targets.tf", "access.tf"] {
        let text = std::fs::read_to_string(source.join(name))?;
        template.push_str(&strip_blocks(
            &text,
            &["terraform {", "provider \"azurerm\" {"],
        ));
    }
    let copies = resources.div_ceil(NORTHWIND_RESOURCES);
    let mut out = String::from(
        "provider \"azurerm\" {\n  features {}\n  subscription_id = \"3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65\"\n}\n",
    );
    for i in 0..copies {
        let c = format!("c{i:05}");
        out.push_str(&format!(
            "\nlocals {{\n  v_prefix_{c}        = \"nw{c}\"\n  v_short_{c}         = \"{c}\"\n  v_location_{c}      = \"westeurope\"\n  v_device_ranges_{c} = [\"40.0.0.0/8\"]\n}}\n"
        ));
        out.push_str(&rename_copy(&template, &c));
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("main.tf"), out)
}

/// The text without the top-level blocks whose first line is one of `openings`.
fn strip_blocks(text: &str, openings: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.lines() {
        if openings.contains(&line) {
            skipping = true;
            continue;
        }
        if skipping {
            skipping = line != "}";
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One copy of a flat configuration: resource labels, locals (defined at two spaces'
/// indent in a `locals` block) and `var.x` (to the copy's `local.v_x_<copy>`) get the
/// copy's suffix, wherever a reference names them.
fn rename_copy(template: &str, copy: &str) -> String {
    let mut resources = std::collections::HashSet::new();
    let mut locals = std::collections::HashSet::new();
    let mut in_locals = false;
    for line in template.lines() {
        if let Some(rest) = line.strip_prefix("resource \"") {
            let parts: Vec<&str> = rest.split('"').collect();
            if let (Some(t), Some(l)) = (parts.first(), parts.get(2)) {
                resources.insert(format!("{t}.{l}"));
            }
        }
        if line == "locals {" {
            in_locals = true;
        } else if line == "}" {
            in_locals = false;
        } else if let Some(name) = line
            .strip_prefix("  ")
            .filter(|rest| in_locals && rest.starts_with(|c: char| c.is_ascii_alphabetic()))
            .and_then(|rest| rest.split_whitespace().next())
        {
            locals.insert(name.to_string());
        }
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let mut out = String::with_capacity(template.len() + template.len() / 4);
    in_locals = false;
    for line in template.lines() {
        if line == "locals {" {
            in_locals = true;
        } else if line == "}" {
            in_locals = false;
        }
        if let Some(rest) = line.strip_prefix("resource \"") {
            // resource "type" "label" {
            let parts: Vec<&str> = rest.splitn(4, '"').collect();
            if let [t, sep, l, tail] = parts.as_slice() {
                out.push_str(&format!("resource \"{t}\"{sep}\"{l}_{copy}\"{tail}\n"));
                continue;
            }
        }
        let mut rest = line;
        if in_locals && line.starts_with("  ") && !line.starts_with("   ") {
            let name = line.split_whitespace().next().unwrap_or("");
            if locals.contains(name) {
                out.push_str(&format!("  {name}_{copy}"));
                rest = &line[2 + name.len()..];
            }
        }
        // Dotted words: var.x, local.x, type.label, each followed by more attributes.
        let mut word = String::new();
        for ch in rest.chars().chain(std::iter::once('\n')) {
            if is_word(ch) {
                word.push(ch);
                continue;
            }
            if !word.is_empty() {
                let parts: Vec<&str> = word.splitn(3, '.').collect();
                let renamed = match parts.as_slice() {
                    ["var", v, tail @ ..] => {
                        let mut w = format!("local.v_{v}_{copy}");
                        for t in tail {
                            w.push('.');
                            w.push_str(t);
                        }
                        w
                    }
                    ["local", l, tail @ ..] if locals.contains(*l) => {
                        let mut w = format!("local.{l}_{copy}");
                        for t in tail {
                            w.push('.');
                            w.push_str(t);
                        }
                        w
                    }
                    [t, l, tail @ ..] if resources.contains(&format!("{t}.{l}")) => {
                        let mut w = format!("{t}.{l}_{copy}");
                        for t in tail {
                            w.push('.');
                            w.push_str(t);
                        }
                        w
                    }
                    _ => word.clone(),
                };
                out.push_str(&renamed);
                word.clear();
            }
            out.push(ch);
        }
    }
    out
}

/// The text without its `# provider "azurerm" { ... }` block.
fn strip_provider(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("# provider \"azurerm\"") {
            skipping = true;
            continue;
        }
        if skipping {
            if line.starts_with('}') {
                skipping = false;
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_distinct_and_every_format_reads() {
        for (text, format) in [
            (native(3), ahds_ingest::InputFormat::Native),
            (arm(3), ahds_ingest::InputFormat::Arm),
            (plan(3), ahds_ingest::InputFormat::TerraformPlan),
        ] {
            let i = ahds_ingest::read(
                text.as_bytes(),
                "generated.json",
                ahds_ingest::InputFormat::Auto,
            )
            .unwrap();
            assert_eq!(i.format, format);
            assert!(i.problems.is_empty(), "{format}: {:?}", i.problems);
            assert_eq!(i.estate.workspaces.len(), 3, "{format}");
        }
    }

    #[test]
    fn a_tenant_reads_whole_at_its_ratios() {
        let text = tenant(2);
        let i = ahds_ingest::read(
            text.as_bytes(),
            "tenant.json",
            ahds_ingest::InputFormat::Auto,
        )
        .unwrap();
        assert!(i.problems.is_empty(), "{:?}", i.problems);
        let e = &i.estate;
        assert_eq!(e.workspaces.len(), 2);
        // The filler plus the three accounts, one vault and two namespaces of each copy.
        assert_eq!(e.storage_accounts.len(), 2_000 + 2 * 3);
        assert_eq!(e.key_vaults.len(), 400 + 2);
        assert_eq!(e.eventhub_namespaces.len(), 400 + 2 * 2);
        assert_eq!(
            e.role_assignments.as_ref().map(Vec::len),
            Some(20_000 + 2 * 5)
        );
        assert!(
            e.skipped
                .iter()
                .all(|s| !s.resource_type.contains("roleAssignments"))
        );
    }

    #[test]
    fn a_flat_root_reads_every_resource_with_its_links() {
        let dir = std::env::temp_dir().join(format!("ahds-guard-flat-{}", std::process::id()));
        terraform_flat(3 * NORTHWIND_RESOURCES, &dir).unwrap();
        let read = ahds_ingest::read_terraform_config(&dir, "flat", &Default::default());
        let _ = std::fs::remove_dir_all(&dir);
        let i = read.unwrap().ingested;
        assert!(i.problems.is_empty(), "{:?}", i.problems);
        assert_eq!(i.estate.workspaces.len(), 3);
        assert_eq!(i.estate.fhir_services.len(), 3);
        assert_eq!(i.estate.storage_accounts.len(), 6);
        // Each copy's export names its own account.
        let analysis = ahds_model::analyze(&i.estate);
        let resolved = analysis
            .links
            .iter()
            .filter(|l| l.status == ahds_model::Resolution::Resolved)
            .count();
        assert_eq!(resolved, analysis.links.len(), "{:?}", analysis.links);
    }
}
