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
}
