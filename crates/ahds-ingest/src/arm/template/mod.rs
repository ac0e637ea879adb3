//! ARM deployment templates: parameters (defaults or a parameters file), variables,
//! resources with nested child `resources`, `copy` loops, `condition`, languageVersion 2.0
//! symbolic resources, `existing` references, and nested deployments (how Bicep modules
//! compile) with their scope, parameters and outputs. Each resource becomes resource JSON
//! with an id, as Azure would return it, for the resource mapper.
//!
//! A string parameter without a value is a symbol (`{workspaceName}`), as are the
//! deployment's subscription and resource group, so names and ids stay ARM-shaped and
//! resources named from the same parameter still link (see [`ahds_model::symbolic`]).
//!
//! [`scope`] holds what expressions read, [`parameters`] what each parameter is,
//! [`declared`] the resources and their ids, [`deployments`] nested deployments.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use ahds_model::{Estate, Place, SkippedResource};
use serde_json::Value;

use super::expr::{CopyIndex, RESOURCE_GROUP, SUBSCRIPTION, Scope, budget, eval_value};
use super::props::{prop, str_at};
use super::resources::{ArmResource, Provenance, map_resources};
use crate::error::{IngestError, Position, escape_pointer_segment};
use crate::positions::Positions;

mod declared;
mod deployments;
mod parameters;
mod scope;

use declared::{Declared, declared, fallback_name, resource_id, type_and_name};
use deployments::{nested_deployment, outputs};
use parameters::{Parameters, parameter_value};
use scope::TemplateScope;

/// The type of a nested deployment (how Bicep compiles a module).
const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";

/// True for the `$schema` of a deployment template at any scope: `deploymentTemplate.json`,
/// `subscriptionDeploymentTemplate.json`, `managementGroupDeploymentTemplate.json`,
/// `tenantDeploymentTemplate.json`.
pub(crate) fn names_template(schema: &str) -> bool {
    schema
        .to_ascii_lowercase()
        .contains("deploymenttemplate.json")
}

/// True for the `$schema` of a deployment parameters file (at any scope).
pub(crate) fn names_parameters(schema: &str) -> bool {
    schema
        .to_ascii_lowercase()
        .contains("deploymentparameters.json")
}

/// True for a deployment template (its `$schema` says so, or a `resources` list stands
/// next to `contentVersion`).
pub(crate) fn is_template(doc: &Value) -> bool {
    names_template(str_at(doc, &["$schema"]).unwrap_or(""))
        || (doc.get("resources").is_some() && doc.get("contentVersion").is_some())
}

/// True for a deployment parameters file.
pub(crate) fn is_parameters_file(doc: &Value) -> bool {
    str_at(doc, &["$schema"]).is_some_and(names_parameters)
}

/// ARM's limit on the count of one `copy` loop.
pub(crate) const MAX_COPIES: i64 = 800;

/// How deep nested deployments are read (Bicep modules nest a handful deep).
const MAX_NESTING: usize = 64;

/// Reads a template (with an optional parameters file) into the model.
pub(crate) fn read_template(
    template: &Value,
    parameters_file: Option<&Value>,
    text: &str,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let positions = Positions::with_depth(text, 8);
    budget::reset();
    let supplied: HashMap<String, Value> = parameters_file
        .and_then(|p| prop(p, "parameters"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| prop(v, "value").map(|x| (k.clone(), x.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Output {
        notes: Vec::new(),
        resources: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
    };
    let top = Deployment {
        pointer: String::new(),
        prefix: String::new(),
        parameters: Parameters::Own(supplied),
        subscription: SUBSCRIPTION.to_string(),
        resource_group: RESOURCE_GROUP.to_string(),
        depth: 0,
    };
    walk_template(template, top, &mut out);
    if let Some((reason, expression)) = budget::take_stop() {
        // The expression's place: where its text first appears in the file.
        let quoted = serde_json::to_string(&expression).unwrap_or_default();
        let needle = quoted.trim_matches('"');
        let location = match text.find(needle).filter(|_| !needle.is_empty()) {
            Some(at) => {
                let line = text[..at].matches('\n').count() + 1;
                let column = text[..at]
                    .rsplit('\n')
                    .next()
                    .map_or(1, |l| l.chars().count() + 1);
                Position::at(line, column)
            }
            None => Position::default(),
        };
        let shown: String = expression.chars().take(80).collect();
        return Err(vec![IngestError::new(
            file,
            location,
            if shown.is_empty() {
                reason
            } else {
                format!("{reason} (in `{shown}`)")
            },
        )]);
    }
    let arm: Vec<ArmResource<'_>> = out
        .resources
        .iter()
        .map(|(v, pointer, address)| ArmResource {
            file,
            value: v,
            line: positions
                .line_of(pointer)
                .and_then(|l| u32::try_from(l).ok()),
            pointer: pointer.clone(),
            address: Some(address.clone()),
        })
        .collect();
    let (mut estate, mut problems) = map_resources(&arm, file, Provenance::Template);
    estate.notes.extend(
        out.notes
            .iter()
            .map(|(p, n)| format!("{file}: at `{p}`: {n}")),
    );
    for (pointer, message) in out.errors {
        // Positions are kept for containers; a scalar takes its container's line.
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let location = Position {
            line: positions
                .line_of(&pointer)
                .or_else(|| positions.line_of(parent)),
            column: None,
            pointer: Some(pointer),
        };
        problems.push(IngestError::new(file, location, message));
    }
    estate.skipped.extend(
        out.skipped
            .into_iter()
            .map(|(ty, address, pointer, reason)| SkippedResource {
                resource_type: ty,
                resource: address,
                reason,
                source: Some(Place {
                    column: None,
                    file: file.to_string(),
                    line: positions
                        .line_of(&pointer)
                        .and_then(|l| u32::try_from(l).ok()),
                    pointer: Some(pointer),
                    address: None,
                }),
            }),
    );
    Ok((estate, problems))
}

struct Output {
    /// What was read past (a loop of unknown count checked as one instance).
    notes: Vec<(String, String)>,
    /// Evaluated resource JSON, its pointer, its address.
    resources: Vec<(Value, String, String)>,
    /// (type, address, pointer, reason)
    skipped: Vec<(String, String, String, String)>,
    /// Errors in the template itself: (pointer, message).
    errors: Vec<(String, String)>,
}

/// One template to walk: where it is and what it deploys into.
struct Deployment<'o> {
    pointer: String,
    prefix: String,
    parameters: Parameters<'o>,
    subscription: String,
    resource_group: String,
    depth: usize,
}

/// Walks one template and returns what `reference()` of its deployment gives: its outputs.
fn walk_template(template: &Value, dep: Deployment<'_>, out: &mut Output) -> Value {
    let own_variables = prop(template, "variables").and_then(Value::as_object);
    let (variables, inherited) = match &dep.parameters {
        Parameters::Own(_) => (own_variables, None),
        Parameters::Outer {
            parameters,
            variables,
        } => (*variables, Some(parameters.clone())),
    };
    let mut scope = TemplateScope {
        parameters: HashMap::new(),
        variables,
        evaluated: RefCell::new(HashMap::new()),
        evaluating: RefCell::new(HashSet::new()),
        cyclic: RefCell::new(BTreeSet::new()),
        symbolic_ids: HashMap::new(),
        copy: None,
        deployments: RefCell::new(HashMap::new()),
        subscription: dep.subscription.clone(),
        resource_group: dep.resource_group.clone(),
    };
    match (&dep.parameters, inherited) {
        (_, Some(p)) => scope.parameters = p,
        (Parameters::Own(supplied), None) => {
            // Defaults may be expressions over other parameters.
            if let Some(Value::Object(params)) = prop(template, "parameters") {
                for (name, def) in params {
                    let v = parameter_value(name, def, supplied, &scope);
                    scope.parameters.insert(name.clone(), v);
                }
            }
        }
        (Parameters::Outer { .. }, None) => {}
    }
    let pointer = dep.pointer.as_str();
    if let Some(r) = prop(template, "resources") {
        if !(r.is_array() || r.is_object()) {
            out.errors.push((
                format!("{pointer}/resources"),
                "`resources` must be a list of resources (or an object of them, by symbolic name)"
                    .into(),
            ));
        }
    }
    let decls = declared(template, pointer, &dep.prefix);
    // Symbolic names (2.0) and `reference('name')` need ids before the resources are read.
    for d in &decls {
        if let Some((ty, name)) = type_and_name(d, &scope) {
            if let Some(id) = resource_id(d.value, &ty, &name, &scope) {
                let symbolic = d
                    .address
                    .rsplit('.')
                    .next()
                    .unwrap_or(&d.address)
                    .to_string();
                scope.symbolic_ids.insert(symbolic, id);
            }
        }
    }
    // Nested deployments first, so resources that read their outputs find them.
    let is_deployment = |d: &Declared<'_>| {
        str_at(d.value, &["type"]).is_some_and(|t| t.eq_ignore_ascii_case(DEPLOYMENTS))
    };
    let (deployments, others): (Vec<_>, Vec<_>) = decls.into_iter().partition(is_deployment);
    for d in deployments.into_iter().chain(others) {
        let ty_raw = str_at(d.value, &["type"])
            .unwrap_or("(no type)")
            .to_string();
        let skip = |out: &mut Output, reason: &str| {
            // Listed by its id where the template fixes one; worked out only when skipped.
            let listed = type_and_name(&d, &scope)
                .and_then(|(ty, name)| resource_id(d.value, &ty, &name, &scope))
                .unwrap_or_else(|| d.address.clone());
            out.skipped
                .push((ty_raw.clone(), listed, d.pointer.clone(), reason.into()));
        };
        if prop(d.value, "existing").and_then(Value::as_bool) == Some(true) {
            skip(
                out,
                "`existing`: a reference to a resource deployed elsewhere, not checked as deployed here",
            );
            continue;
        }
        if let Some(cond) = prop(d.value, "condition") {
            if eval_value(cond, &scope, 0) == Value::Bool(false) {
                skip(out, "its `condition` is false");
                continue;
            }
        }
        let count =
            prop(d.value, "copy").map(|c| prop(c, "count").map(|n| eval_value(n, &scope, 0)));
        let copies: Vec<Option<CopyIndex>> = match count {
            None => vec![None],
            Some(Some(Value::Number(n))) => match n.as_i64() {
                Some(n) if (0..=MAX_COPIES).contains(&n) => {
                    (0..n).map(|i| Some(CopyIndex::At(i))).collect()
                }
                _ => {
                    out.errors.push((
                        format!("{}/copy/count", d.pointer),
                        format!(
                            "copy count {n} is outside 0 to {MAX_COPIES}, which Azure Resource Manager refuses"
                        ),
                    ));
                    continue;
                }
            },
            Some(_) => {
                // As Terraform checks an unknown `count`: one instance stands for all.
                out.notes.push((
                    d.pointer.clone(),
                    format!(
                        "the `copy` count of `{}` is fixed only at deployment; it is checked as one instance",
                        d.address
                    ),
                ));
                vec![Some(CopyIndex::NotKnown)]
            }
        };
        let loop_name = prop(d.value, "copy")
            .and_then(|c| prop(c, "name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        for index in copies {
            scope.copy = index.map(|i| (loop_name.clone(), i));
            let address = match index {
                Some(CopyIndex::At(i)) => format!("{}[{i}]", d.address),
                Some(CopyIndex::NotKnown) => format!("{}[{{copyIndex}}]", d.address),
                None => d.address.clone(),
            };
            read_one(&d, &scope, &address, out, dep.depth);
        }
        scope.copy = None;
    }
    for key in scope.cyclic.borrow().iter() {
        out.errors.push((
            format!("{pointer}/variables/{}", escape_pointer_segment(key)),
            format!(
                "variable `{key}` depends on itself; Azure Resource Manager refuses such a template"
            ),
        ));
    }
    outputs(template, &scope)
}

fn read_one(
    d: &Declared<'_>,
    scope: &TemplateScope<'_>,
    address: &str,
    out: &mut Output,
    depth: usize,
) {
    let ty_raw = str_at(d.value, &["type"])
        .unwrap_or("(no type)")
        .to_string();
    let Some((ty, mut name)) = type_and_name(d, scope) else {
        out.skipped.push((
            ty_raw,
            address.to_string(),
            d.pointer.clone(),
            "resource without a `type` or `name`".into(),
        ));
        return;
    };
    let segments = ty.matches('/').count();
    if name
        .as_str()
        .is_none_or(|n| n.split('/').count() != segments)
    {
        name = Value::String(fallback_name(&ty, address));
    }
    if ty.eq_ignore_ascii_case(DEPLOYMENTS) {
        nested_deployment(d, scope, &name, address, out, depth);
        return;
    }
    let mut evaluated = match eval_value(d.value, scope, 0) {
        Value::Object(m) => m,
        _ => return,
    };
    evaluated.remove("resources");
    evaluated.remove("dependsOn");
    // Bicep writes an extension resource's scope in the same group as `Microsoft.X/type/name`.
    if let Some(Value::String(scope_path)) = evaluated.get("scope") {
        if !scope_path.starts_with('/') {
            let full = format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{scope_path}",
                scope.subscription_id(),
                scope.resource_group_name()
            );
            evaluated.insert("scope".into(), Value::String(full));
        }
    }
    evaluated.insert("type".into(), Value::String(ty.clone()));
    evaluated.insert("name".into(), name.clone());
    match resource_id(d.value, &ty, &name, scope) {
        Some(id) => {
            evaluated.insert("id".into(), Value::String(id));
        }
        None => {
            evaluated.remove("id");
        }
    }
    out.resources.push((
        Value::Object(evaluated),
        d.pointer.clone(),
        address.to_string(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_at_every_scope_are_templates() {
        let base = "https://schema.management.azure.com/schemas/";
        for schema in [
            "2019-04-01/deploymentTemplate.json#",
            "2018-05-01/subscriptionDeploymentTemplate.json#",
            "2019-08-01/managementGroupDeploymentTemplate.json#",
            "2019-08-01/tenantDeploymentTemplate.json#",
        ] {
            let doc = json!({"$schema": format!("{base}{schema}"), "resources": []});
            assert!(is_template(&doc), "{schema}");
            assert!(!is_parameters_file(&doc), "{schema}");
        }
        let params =
            json!({"$schema": format!("{base}2019-04-01/subscriptionDeploymentParameters.json#")});
        assert!(is_parameters_file(&params));
        assert!(!is_template(&params));
    }

    #[test]
    fn nested_children_get_full_types_names_and_ids() {
        let t = json!({
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"ws": {"type": "string", "defaultValue": "contoso"}},
            "resources": [{
                "type": "Microsoft.HealthcareApis/workspaces", "apiVersion": "2024-03-31",
                "name": "[parameters('ws')]", "location": "[resourceGroup().location]",
                "resources": [{"type": "fhirservices", "apiVersion": "2024-03-31", "name": "fhir", "kind": "fhir-R4", "location": "eastus", "properties": {}}]
            }]
        });
        let text = serde_json::to_string_pretty(&t).unwrap();
        let (estate, problems) = read_template(&t, None, &text, "t.json").unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(estate.fhir_services.len(), 1);
        let f = &estate.fhir_services[0];
        assert_eq!(
            f.id.as_ref().unwrap().as_str(),
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.HealthcareApis/workspaces/contoso/fhirservices/fhir"
        );
        assert_eq!(
            f.workspace.value().unwrap().id().unwrap().name(),
            Some("contoso")
        );
    }
}
