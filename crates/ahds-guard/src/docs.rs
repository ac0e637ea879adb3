//! Generated documentation: the rule reference (from each rule's `# METADATA` block) and the
//! policy input reference (from the model's JSON Schema). Both are committed under `docs/`
//! and a test fails when they are stale.

use std::fmt::Write as _;

use serde_json::Value;

use crate::policy::catalog::{RuleInfo, RuleOrigin};

/// The rule reference: one Markdown page for the catalog, ordered by rule id. A bundled rule's
/// entry shows a Terraform configuration and an ARM template it fails with the change that
/// fixes each, and names every file that makes it: the policy, its Rego tests, the
/// examples, and the native fixture and its snapshot.
pub fn rules_markdown(rules: &[RuleInfo]) -> String {
    let mut rules: Vec<&RuleInfo> = rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut s = String::from(
        "<!-- Generated from the rules' # METADATA blocks and their fixtures in testdata/rules/ (`AHDS_GUARD_BLESS=1 cargo test -p ahds-guard --test generated`); edit those instead. -->\n\n# Rule reference\n\n",
    );
    s.push_str("| id | name | severity | title |\n|---|---|---|---|\n");
    for r in &rules {
        let _ = writeln!(
            s,
            "| [{}](#{}) | `{}` | {} | {} |",
            r.id,
            r.id.to_ascii_lowercase(),
            r.name,
            r.severity,
            r.title
        );
    }
    for r in &rules {
        let _ = write!(
            s,
            "\n## {}\n\n**{}** · `{}` · severity **{}**\n\n{}\n\n**Remediation.** {}\n",
            r.id, r.title, r.name, r.severity, r.description, r.remediation
        );
        for example in &crate::rule_examples(&r.id) {
            let _ = write!(
                s,
                "\n**In {}.** A configuration it fails (`testdata/rules/{}/{}`), and the change that fixes it:\n\n```diff\n{}```\n",
                example.language_name(),
                r.id,
                example.failing_file(),
                example.diff()
            );
        }
        if let Some(url) = &r.doc_url {
            let _ = writeln!(s, "\n**Documentation.** <{url}>");
        }
        let _ = writeln!(
            s,
            "\n**Policy.** `data.{}` in `policies/{}`",
            r.package, r.file
        );
        if r.origin == RuleOrigin::Bundled {
            let test = r.file.strip_suffix(".rego").unwrap_or(&r.file);
            let _ = writeln!(
                s,
                "\n**Tests.** `policies/{test}_test.rego`; the examples above, read by the real readers (`cargo test -p ahds-guard-cli --test rule_examples`); `testdata/rules/{id}/fail.patch.json` makes the hardened native example raise it (`cargo test -p ahds-guard --test rule_fixtures {test_name}`), snapshot `testdata/rules/{id}/fail.snap`",
                id = r.id,
                test_name = r.id.replace('-', "_"),
            );
        }
    }
    s
}

fn def_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A short type description of a schema.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let n = def_name(r);
        return format!("[{n}](#{})", n.to_ascii_lowercase());
    }
    if let Some(c) = schema.get("const") {
        return format!("`{c}`");
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            // Alternatives of the same shape (entries of different collections) read once.
            let mut kinds: Vec<String> = Vec::new();
            for kind in alts.iter().map(type_of) {
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            return kinds.join(" or ");
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!(
                "array of {}",
                schema.get("items").map_or("values".into(), type_of)
            )
        }
        Some(Value::String(t)) if t == "object" => match schema.get("additionalProperties") {
            Some(v) if v.is_object() => format!("object of {}", type_of(v)),
            _ => "object".into(),
        },
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(|t| {
                if t == "array" {
                    format!(
                        "array of {}",
                        schema.get("items").map_or("values".into(), type_of)
                    )
                } else {
                    t.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn fields_table(out: &mut String, schema: &Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("| field | type | description |\n|---|---|---|\n");
    for (name, p) in props {
        let mark = if required.contains(&name.as_str()) {
            ""
        } else {
            " (optional)"
        };
        let desc = p.get("description").and_then(Value::as_str).unwrap_or("");
        let _ = writeln!(
            out,
            "| `{name}`{mark} | {} | {} |",
            type_of(p),
            one_line(desc)
        );
    }
}

/// The policy input reference: every field of the document rules see as `input`.
pub fn input_markdown(schema: &Value) -> String {
    let mut s = String::from(
        "<!-- Generated by `ahds-guard schema input --format markdown` from the model's doc comments. -->\n\n# The policy input document\n\n",
    );
    s.push_str(
        "Every rule, bundled or custom, sees the same `input`. `ahds-guard input FILE` prints it for any \
         supported file. Resource collections are objects keyed by each resource's `key` (the lower-cased \
         ARM id, or the input address where no id is known), so a rule looks a resource up with \
         `input.storage_accounts[key]` instead of scanning. Fields a description left out hold the Azure \
         platform default; **`null` means not known yet** (a value Terraform knows only after apply, or a \
         template expression evaluated only at deployment). The JSON Schema is \
         `schemas/policy-input.schema.json`.\n\n## Top level\n\n",
    );
    fields_table(&mut s, schema);
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            let Some(entry) = p.get("additionalProperties").filter(|v| v.is_object()) else {
                continue;
            };
            let _ = write!(
                s,
                "\n## `input.{name}[key]`\n\n{}\n\n",
                one_line(p.get("description").and_then(Value::as_str).unwrap_or(""))
            );
            fields_table(&mut s, entry);
        }
    }
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        s.push_str("\n## Types\n");
        for (name, d) in defs {
            let _ = write!(s, "\n### {name}\n\n");
            if let Some(desc) = d.get("description").and_then(Value::as_str) {
                let _ = write!(s, "{}\n\n", one_line(desc));
            }
            if d.get("properties").is_some() {
                fields_table(&mut s, d);
            } else {
                let _ = writeln!(s, "{}", type_of(d));
            }
        }
    }
    s
}
