//! Fixes: from a rule's fix intent (`"fix": {"action": "allow_trusted_services"}` in a
//! `deny` entry, or `{"decision": "..."}`) to the change in the input's language — ARM
//! property paths, the azurerm arguments or an `azapi_update_resource`, `az` commands — and
//! the application of Terraform changes to `.tf` files ([`apply`]).

pub(crate) mod apply;
mod catalog;
mod render;

use ahds_model::Place;
use serde_json::Value;

use crate::report::fix::{ArmChange, Fix, FixLanguage, TerraformFix};

/// What a fix is built for: the resource a finding names.
pub(crate) struct Subject<'a> {
    pub(crate) resource_id: &'a str,
    pub(crate) resource_type: Option<&'a str>,
    pub(crate) place: Option<&'a Place>,
}

/// The language of the input a resource was read from, told by where it was read: the
/// file, then the JSON pointer (templates hold resources under `/resources`, the native
/// format under its collections), then the address (Terraform's have a `type.name` form;
/// a template's symbolic names do not).
pub(crate) fn language_of(place: Option<&Place>) -> FixLanguage {
    let Some(place) = place else {
        return FixLanguage::Native;
    };
    if place.file.ends_with(".tf") {
        return FixLanguage::Terraform;
    }
    let pointer = place.pointer.as_deref().unwrap_or("");
    if place.file.ends_with(".bicep") || pointer.starts_with("/resources") {
        return FixLanguage::Arm;
    }
    if place.address.as_deref().is_some_and(is_terraform_address) {
        return FixLanguage::TerraformPlan;
    }
    if place.address.is_some() {
        return FixLanguage::Arm;
    }
    let in_collection = pointer.strip_prefix('/').is_some_and(|rest| {
        crate::policy::catalog::COLLECTIONS
            .iter()
            .any(|c| rest.split('/').next() == Some(c))
    });
    if in_collection {
        FixLanguage::Native
    } else {
        FixLanguage::AzureCli
    }
}

/// `azurerm_x.y`, `module.m.azurerm_x.y[0]`, `root:azapi_resource.z`: a Terraform address.
fn is_terraform_address(address: &str) -> bool {
    render::Address::parse(address).is_some_and(|a| {
        a.resource_type.contains('_')
            && a.resource_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The fix a rule's intent asks for on `subject`; `lookup` finds another resource the
/// intent names (its place), so a Terraform fix can refer to it by address. `Ok(None)`
/// when the rule gave no intent.
pub(crate) fn build<'a>(
    intent: Option<&Value>,
    subject: &Subject<'_>,
    lookup: impl Fn(&str) -> Option<&'a Place>,
) -> Result<Option<Fix>, String> {
    let Some(intent) = intent else {
        return Ok(None);
    };
    let Value::Object(intent) = intent else {
        return Err(format!("`fix` must be an object, found {intent}"));
    };
    let language = language_of(subject.place);
    let needs = |decision: String| Fix {
        automatic: false,
        decision: Some(decision),
        language,
        arm: Vec::new(),
        terraform: None,
        azure_cli: Vec::new(),
    };
    if let Some(decision) = intent.get("decision") {
        let Value::String(text) = decision else {
            return Err(format!("`fix.decision` must be a string, found {decision}"));
        };
        return Ok(Some(needs(text.clone())));
    }
    let Some(Value::String(action)) = intent.get("action") else {
        return Err("`fix` needs an `action` or a `decision`".into());
    };
    let param = match intent.get("resource_id") {
        Some(Value::String(id)) => Some(catalog::Param {
            hcl: render::reference(id, subject.place, lookup(id)),
            arm_id: id.clone(),
        }),
        Some(other) => return Err(format!("`fix.resource_id` must be a string, found {other}")),
        None => None,
    };
    let recipe = subject
        .resource_type
        .and_then(|t| catalog::recipe(action, t, param.as_ref()));
    let (Some(recipe), Some(arm_type)) = (recipe, subject.resource_type) else {
        return Ok(Some(needs(format!(
            "the change `{action}` is not known for {}",
            subject
                .resource_type
                .unwrap_or("a resource of unknown type")
        ))));
    };
    let arm: Vec<ArmChange> = recipe
        .arm
        .iter()
        .map(|a| {
            let (resource_id, resource_type) = match a.child {
                Some((kind, name)) => (
                    format!("{}/{kind}/{name}", subject.resource_id),
                    format!("{arm_type}/{kind}"),
                ),
                None => (subject.resource_id.to_string(), arm_type.to_string()),
            };
            ArmChange {
                resource_id,
                resource_type,
                path: a.path.to_string(),
                value: a.value.clone(),
                add: a.add,
            }
        })
        .collect();
    let terraform = match (language, subject.place.and_then(|p| p.address.as_deref())) {
        (FixLanguage::Terraform | FixLanguage::TerraformPlan, Some(address)) => Some(
            render::terraform(address, subject.resource_id, recipe.azurerm, &arm),
        ),
        _ => None,
    };
    Ok(Some(Fix {
        automatic: terraform
            .as_ref()
            .is_none_or(|t: &TerraformFix| !t.edits.is_empty() || t.new_resource.is_some()),
        decision: None,
        language,
        azure_cli: render::azure_cli(&arm),
        arm,
        terraform,
    }))
}

/// One Terraform change, and the findings (rule id, resource id) it removes.
type FileFix = (TerraformFix, Vec<(String, String)>);

/// A `.tf` file the fixes change, with its text before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileChange {
    /// The file, as the report names it.
    pub path: std::path::PathBuf,
    /// Its text now.
    pub before: String,
    /// Its text with the fixes applied.
    pub after: String,
}

impl FileChange {
    /// The change as a unified diff (`--- a/FILE`, `+++ b/FILE`), three lines of context.
    pub fn unified_diff(&self) -> String {
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string()
    }
}

/// A finding `fix` did not change, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FixSkipped {
    /// The rule.
    pub rule_id: String,
    /// The resource.
    pub resource_id: String,
    /// What someone must decide, or why the change cannot be made here.
    pub reason: String,
}

/// What fixing a report's findings in their `.tf` files does (see [`plan_fixes`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FixPlan {
    /// The files that change.
    pub files: Vec<FileChange>,
    /// The findings the changes remove, as (rule id, resource id).
    pub fixed: Vec<(String, String)>,
    /// Findings whose fix needs a person's choice first.
    pub needs_decision: Vec<FixSkipped>,
    /// Findings with an automatic fix that cannot be applied to a file (a plan, a template, a
    /// live estate, a block written on one line).
    pub not_applied: Vec<FixSkipped>,
}

/// The changes that fix `report`'s violations in the Terraform files they were read from:
/// only violations (not suppressed or baselined findings), only of the rules in `rules`
/// (all when empty). Files are read relative to the working directory, as the report
/// names them; nothing is written.
pub fn plan_fixes(report: &crate::report::Report, rules: &[String]) -> FixPlan {
    use std::collections::BTreeMap;
    let mut plan = FixPlan::default();
    // Per file, the fixes in report order; the same change reached through several
    // findings (export and import to one account, a module used twice) is made once.
    let mut by_file: BTreeMap<String, Vec<FileFix>> = BTreeMap::new();
    for v in &report.violations {
        if !rules.is_empty() && !rules.iter().any(|r| r.eq_ignore_ascii_case(&v.rule_id)) {
            continue;
        }
        let skipped = |reason: String| FixSkipped {
            rule_id: v.rule_id.clone(),
            resource_id: v.resource_id.clone(),
            reason,
        };
        let Some(fix) = &v.fix else {
            plan.needs_decision.push(skipped(v.remediation.clone()));
            continue;
        };
        if !fix.automatic {
            let reason = fix
                .decision
                .clone()
                .unwrap_or_else(|| v.remediation.clone());
            plan.needs_decision.push(skipped(reason));
            continue;
        }
        let (Some(tf), Some(place), FixLanguage::Terraform) =
            (&fix.terraform, &v.source, fix.language)
        else {
            plan.not_applied.push(skipped(
                match fix.language {
                    FixLanguage::TerraformPlan => {
                        "read from a Terraform plan: make the change `check` shows in the configuration the plan was made from"
                    }
                    FixLanguage::Arm => {
                        "read from an ARM template: set the properties `check` shows in the template (or its Bicep source)"
                    }
                    FixLanguage::AzureCli => {
                        "read from a live estate: run the `az` commands `check --format json` lists"
                    }
                    _ => "read from the native format: change the resource there as `check` shows",
                }
                .to_string(),
            ));
            continue;
        };
        let local = render::Address::parse(&tf.address).map(|a| a.local.to_string());
        let mut key = tf.clone();
        key.address = local.unwrap_or_else(|| tf.address.clone());
        let fixes = by_file.entry(place.file.clone()).or_default();
        let finding = (v.rule_id.clone(), v.resource_id.clone());
        match fixes.iter_mut().find(|(f, _)| *f == key) {
            Some((_, findings)) => findings.push(finding),
            None => fixes.push((key, vec![finding])),
        }
    }
    for (file, fixes) in by_file {
        let before = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                for (_, findings) in fixes {
                    for (rule_id, resource_id) in findings {
                        plan.not_applied.push(FixSkipped {
                            rule_id,
                            resource_id,
                            reason: format!("cannot read {file}: {e}"),
                        });
                    }
                }
                continue;
            }
        };
        let mut after = before.clone();
        for (fix, findings) in fixes {
            match apply::apply(&after, &fix) {
                Ok(text) => {
                    after = text;
                    plan.fixed.extend(findings);
                }
                Err(reason) => {
                    for (rule_id, resource_id) in findings {
                        plan.not_applied.push(FixSkipped {
                            rule_id,
                            resource_id,
                            reason: format!("{file}: {reason}"),
                        });
                    }
                }
            }
        }
        if after != before {
            plan.files.push(FileChange {
                path: file.into(),
                before,
                after,
            });
        }
    }
    plan
}

/// A JSON value as an ARM template or Bicep writes it: strings in single quotes.
fn arm_literal(v: &Value) -> String {
    match v {
        Value::String(s) if s.starts_with('[') && s.ends_with(']') => s.clone(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => other.to_string(),
    }
}

/// The fix as lines for people, in its language: what to decide, or the change to make.
/// Changes on `resource_id` itself (the finding's resource) do not name it again.
pub(crate) fn lines(fix: &Fix, resource_id: &str) -> Vec<String> {
    if let Some(decision) = &fix.decision {
        return vec![format!("decide {decision}")];
    }
    match (fix.language, &fix.terraform) {
        (FixLanguage::Terraform | FixLanguage::TerraformPlan, Some(tf)) => {
            let mut out: Vec<String> = tf
                .edits
                .iter()
                .map(|e| match e {
                    crate::report::fix::HclEdit::Set {
                        block,
                        argument,
                        value,
                        ..
                    } => {
                        let mut path = block.clone();
                        path.push(argument.clone());
                        format!("set {} = {value}", path.join("."))
                    }
                    crate::report::fix::HclEdit::AddBlock {
                        block,
                        name,
                        arguments,
                    } => {
                        let mut path = block.clone();
                        path.push(name.clone());
                        let args: Vec<String> = arguments
                            .iter()
                            .map(|(k, v)| format!("{k} = {v}"))
                            .collect();
                        format!("add {} {{ {} }}", path.join("."), args.join(", "))
                    }
                })
                .collect();
            if let Some(new) = &tf.new_resource {
                // The block's first line (`resource "azapi_update_resource" "x"`); the text
                // report has escaped the newlines by now, so it is found by its words.
                let header = new
                    .find("resource \"")
                    .map(|at| &new[at..])
                    .and_then(|r| r.find(" {").map(|end| &r[..end]))
                    .unwrap_or("a resource");
                out.push(format!("add {header} after {}", tf.address));
            }
            out
        }
        (FixLanguage::AzureCli, _) if !fix.azure_cli.is_empty() => fix.azure_cli.clone(),
        _ => fix
            .arm
            .iter()
            .map(|c| {
                let verb = if c.add { "add to" } else { "set" };
                let op = if c.add { "" } else { " =" };
                let on = match c.resource_id.strip_prefix(resource_id) {
                    Some("") => String::new(),
                    Some(child) => format!(" on {}", child.trim_start_matches('/')),
                    None => format!(" on {}", c.resource_id),
                };
                format!("{verb} {}{op} {}{on}", c.path, arm_literal(&c.value))
            })
            .collect(),
    }
}

/// The change a Terraform fix makes to `before`, the text of the file it applies to, as line
/// replacements (1-based lines), for SARIF `fixes`. `None` when the fix cannot be applied.
pub(crate) fn file_replacements(before: &str, fix: &TerraformFix) -> Option<Vec<LineReplacement>> {
    let after = apply::apply(before, fix).ok()?;
    let diff = similar::TextDiff::from_lines(before, &after);
    let new_lines: Vec<&str> = diff.new_slices().to_vec();
    let mut out = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let old = op.old_range();
        let new = op.new_range();
        out.push(LineReplacement {
            start_line: old.start + 1,
            end_line: old.end + 1,
            insert: new_lines[new].concat(),
        });
    }
    Some(out)
}

/// Lines `start_line..end_line` (1-based, end exclusive) of a file replaced by `insert`.
pub(crate) struct LineReplacement {
    pub(crate) start_line: usize,
    pub(crate) end_line: usize,
    pub(crate) insert: String,
}
