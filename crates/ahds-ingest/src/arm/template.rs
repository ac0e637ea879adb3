//! ARM deployment templates: parameters (defaults or a parameters file), variables,
//! resources with nested child `resources`, `copy` loops, `condition`, languageVersion 2.0
//! symbolic resources, and nested deployments (how Bicep modules compile). Each resource
//! becomes resource JSON with an id, as Azure would return it, for the resource mapper.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use ahds_model::{Estate, SkippedResource, Source};
use serde_json::{Map, Value};

use super::expr::{RESOURCE_GROUP, SUBSCRIPTION, Scope, eval_string, eval_value};
use super::props::{is_unknown, prop, str_at, unknown};
use super::resources::{ArmResource, map_resources};
use crate::error::{IngestError, Location, escape_pointer_segment};
use crate::positions::Positions;

/// True for a deployment template (`$schema` names `deploymentTemplate.json`, or a
/// `resources` list next to `contentVersion`).
pub(crate) fn is_template(doc: &Value) -> bool {
    let schema = str_at(doc, &["$schema"]).unwrap_or("");
    schema.contains("deploymentTemplate")
        || (doc.get("resources").is_some() && doc.get("contentVersion").is_some())
}

/// True for a deployment parameters file.
pub(crate) fn is_parameters_file(doc: &Value) -> bool {
    str_at(doc, &["$schema"]).is_some_and(|s| s.contains("deploymentParameters"))
}

const MAX_COPIES: i64 = 800;
const MAX_NESTING: usize = 16;

/// Parameters, variables and symbolic resources of one (possibly nested) template.
struct TemplateScope<'t> {
    parameters: HashMap<String, Value>,
    variables: Option<&'t Map<String, Value>>,
    evaluated: RefCell<HashMap<String, Value>>,
    evaluating: RefCell<HashSet<String>>,
    /// Variables found to depend on themselves, which ARM refuses to deploy.
    cyclic: RefCell<BTreeSet<String>>,
    symbolic_ids: HashMap<String, String>,
    copy_index: Option<i64>,
}

fn lookup<'m>(m: &'m HashMap<String, Value>, name: &str) -> Option<&'m Value> {
    m.get(name).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

impl Scope for TemplateScope<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        lookup(&self.parameters, name).cloned()
    }

    fn variable(&self, name: &str) -> Option<Value> {
        let vars = self.variables?;
        let key = vars.keys().find(|k| k.eq_ignore_ascii_case(name))?.clone();
        if let Some(v) = self.evaluated.borrow().get(&key) {
            return Some(v.clone());
        }
        if !self.evaluating.borrow_mut().insert(key.clone()) {
            self.cyclic.borrow_mut().insert(key.clone());
            return Some(unknown(format!("variable `{key}` refers to itself")));
        }
        let v = eval_value(&vars[&key], self, 0);
        self.evaluating.borrow_mut().remove(&key);
        self.evaluated.borrow_mut().insert(key, v.clone());
        Some(v)
    }

    fn resource_id(&self, symbolic: &str) -> Option<String> {
        self.symbolic_ids.get(symbolic).cloned()
    }

    fn copy_index(&self) -> Option<i64> {
        self.copy_index
    }
}

/// A template resource to read, with its place in the file.
struct Declared<'t> {
    value: &'t Value,
    pointer: String,
    address: String,
    parent: Option<(String, String)>,
}

/// Reads a template (with an optional parameters file) into the model.
pub(crate) fn read_template(
    template: &Value,
    parameters_file: Option<&Value>,
    text: &str,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let positions = Positions::with_depth(text, 8);
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
        resources: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
    };
    walk_template(template, "", "", supplied, &mut out, 0, file);
    let arm: Vec<ArmResource<'_>> = out
        .resources
        .iter()
        .map(|(v, pointer, address)| ArmResource {
            value: v,
            line: positions
                .line_of(pointer)
                .and_then(|l| u32::try_from(l).ok()),
            pointer: pointer.clone(),
            address: Some(address.clone()),
        })
        .collect();
    let (mut estate, mut problems) = map_resources(&arm, file);
    for (pointer, message) in out.errors {
        // Positions are kept for containers; a scalar takes its container's line.
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let location = Location {
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
                source: Some(Source {
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
    /// Evaluated resource JSON, its pointer, its address.
    resources: Vec<(Value, String, String)>,
    /// (type, address, pointer, reason)
    skipped: Vec<(String, String, String, String)>,
    /// Errors in the template itself: (pointer, message).
    errors: Vec<(String, String)>,
}

/// The resource list of a template: an array, or an object of symbolic names (2.0).
fn declared<'t>(template: &'t Value, pointer: &str, prefix: &str) -> Vec<Declared<'t>> {
    let mut out = Vec::new();
    match prop(template, "resources") {
        Some(Value::Array(a)) => {
            for (i, r) in a.iter().enumerate() {
                collect_nested(
                    r,
                    format!("{pointer}/resources/{i}"),
                    format!("{prefix}resources[{i}]"),
                    None,
                    &mut out,
                );
            }
        }
        Some(Value::Object(m)) => {
            for (k, r) in m {
                collect_nested(
                    r,
                    format!("{pointer}/resources/{}", escape_pointer_segment(k)),
                    format!("{prefix}{k}"),
                    None,
                    &mut out,
                );
            }
        }
        _ => {}
    }
    out
}

/// A resource and its nested children (`resources` inside a resource).
fn collect_nested<'t>(
    r: &'t Value,
    pointer: String,
    address: String,
    parent: Option<(String, String)>,
    out: &mut Vec<Declared<'t>>,
) {
    out.push(Declared {
        value: r,
        pointer: pointer.clone(),
        address: address.clone(),
        parent: parent.clone(),
    });
    if let Some(Value::Array(items)) = prop(r, "resources") {
        // A child's type and name continue its parent's.
        let ty = str_at(r, &["type"]).unwrap_or("");
        let ty = match &parent {
            Some((pty, _)) if !ty.contains('/') => format!("{pty}/{ty}"),
            _ => ty.to_string(),
        };
        let name = str_at(r, &["name"]).unwrap_or("").to_string();
        for (i, c) in items.iter().enumerate() {
            collect_nested(
                c,
                format!("{pointer}/resources/{i}"),
                format!("{address}.resources[{i}]"),
                Some((ty.clone(), name.clone())),
                out,
            );
        }
    }
}

fn walk_template(
    template: &Value,
    pointer: &str,
    prefix: &str,
    supplied: HashMap<String, Value>,
    out: &mut Output,
    depth: usize,
    file: &str,
) {
    let variables = prop(template, "variables").and_then(Value::as_object);
    let mut scope = TemplateScope {
        parameters: HashMap::new(),
        variables,
        evaluated: RefCell::new(HashMap::new()),
        evaluating: RefCell::new(HashSet::new()),
        cyclic: RefCell::new(BTreeSet::new()),
        symbolic_ids: HashMap::new(),
        copy_index: None,
    };
    // Parameters: supplied values win; defaults may be expressions over other parameters.
    if let Some(Value::Object(params)) = prop(template, "parameters") {
        for (name, def) in params {
            let v = match lookup(&supplied, name) {
                Some(v) => v.clone(),
                None => match prop(def, "defaultValue") {
                    Some(d) => eval_value(d, &scope, 0),
                    None => unknown(format!("parameter `{name}` has no value")),
                },
            };
            scope.parameters.insert(name.clone(), v);
        }
    }
    if let Some(r) = prop(template, "resources") {
        if !(r.is_array() || r.is_object()) {
            out.errors.push((
                format!("{pointer}/resources"),
                "`resources` must be a list of resources (or an object of them, by symbolic name)"
                    .into(),
            ));
        }
    }
    let decls = declared(template, pointer, prefix);
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
    for d in decls {
        let ty_raw = str_at(d.value, &["type"])
            .unwrap_or("(no type)")
            .to_string();
        if let Some(cond) = prop(d.value, "condition") {
            if eval_value(cond, &scope, 0) == Value::Bool(false) {
                out.skipped.push((
                    ty_raw,
                    d.address.clone(),
                    d.pointer.clone(),
                    "its `condition` is false".into(),
                ));
                continue;
            }
        }
        let count =
            prop(d.value, "copy").map(|c| prop(c, "count").map(|n| eval_value(n, &scope, 0)));
        let copies: Vec<Option<i64>> = match count {
            None => vec![None],
            Some(Some(Value::Number(n)))
                if n.as_i64().is_some_and(|n| (0..=MAX_COPIES).contains(&n)) =>
            {
                (0..n.as_i64().unwrap_or(0)).map(Some).collect()
            }
            Some(_) => {
                out.skipped.push((
                    ty_raw,
                    d.address.clone(),
                    d.pointer.clone(),
                    "copy loop whose count is not known before deployment".into(),
                ));
                continue;
            }
        };
        for index in copies {
            scope.copy_index = index;
            let address = match index {
                Some(i) => format!("{}[{i}]", d.address),
                None => d.address.clone(),
            };
            read_one(&d, &scope, &address, out, depth, file);
        }
        scope.copy_index = None;
    }
    for key in scope.cyclic.borrow().iter() {
        out.errors.push((
            format!("{pointer}/variables/{}", escape_pointer_segment(key)),
            format!(
                "variable `{key}` depends on itself; Azure Resource Manager refuses such a template"
            ),
        ));
    }
}

/// The full type and name of a declared resource, nested children included.
fn type_and_name(d: &Declared<'_>, scope: &dyn Scope) -> Option<(String, Value)> {
    let ty = eval_string(str_at(d.value, &["type"])?, scope);
    let name = eval_value(prop(d.value, "name")?, scope, 0);
    let ty = ty.as_str()?.to_string();
    match &d.parent {
        None => Some((ty, name)),
        Some((pty, pname)) => {
            let full_ty = if ty.contains('/') {
                ty
            } else {
                format!("{pty}/{ty}")
            };
            let pname = eval_string(pname, scope);
            let full_name = match (pname.as_str(), name.as_str()) {
                (Some(p), Some(n)) if n.matches('/').count() < full_ty.matches('/').count() - 1 => {
                    Value::String(format!("{p}/{n}"))
                }
                (_, Some(n)) => Value::String(n.to_string()),
                _ => unknown("the name of a nested resource is not known before deployment"),
            };
            Some((full_ty, full_name))
        }
    }
}

/// The id Azure gives the resource: under the deployment's resource group, or under its
/// `scope` for extension resources (role assignments).
fn resource_id(r: &Value, ty: &str, name: &Value, scope: &dyn Scope) -> Option<String> {
    let name = name.as_str()?;
    let mut parts = ty.splitn(2, '/');
    let ns = parts.next()?;
    let types: Vec<&str> = parts.next()?.split('/').collect();
    let names: Vec<&str> = name.split('/').collect();
    if types.len() != names.len() {
        return None;
    }
    let mut path = format!("providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        path.push_str(&format!("/{t}/{n}"));
    }
    let base = match prop(r, "scope").map(|s| eval_value(s, scope, 0)) {
        Some(Value::String(s)) if s.starts_with('/') => s,
        // Bicep writes a resource in the same group as `Microsoft.X/type/name`.
        Some(Value::String(s)) => {
            format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/{s}")
        }
        Some(_) => return None,
        None => format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"),
    };
    Some(format!("{base}/{path}"))
}

fn read_one(
    d: &Declared<'_>,
    scope: &TemplateScope<'_>,
    address: &str,
    out: &mut Output,
    depth: usize,
    file: &str,
) {
    let ty_raw = str_at(d.value, &["type"])
        .unwrap_or("(no type)")
        .to_string();
    let Some((ty, name)) = type_and_name(d, scope) else {
        out.skipped.push((
            ty_raw,
            address.to_string(),
            d.pointer.clone(),
            "resource without a `type` or `name`".into(),
        ));
        return;
    };
    if ty.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
        nested_deployment(d, scope, address, out, depth, file);
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
                "/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/{scope_path}"
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
    if is_unknown(&name) {
        evaluated.insert("name".into(), Value::String(address.to_string()));
    }
    out.resources.push((
        Value::Object(evaluated),
        d.pointer.clone(),
        address.to_string(),
    ));
}

/// A nested deployment (a Bicep module): its inline template is read with the parameters
/// the outer template passes. Linked templates (`templateLink`) cannot be read offline.
fn nested_deployment(
    d: &Declared<'_>,
    scope: &TemplateScope<'_>,
    address: &str,
    out: &mut Output,
    depth: usize,
    file: &str,
) {
    let props = prop(d.value, "properties");
    let Some(inner) = props.and_then(|p| prop(p, "template")) else {
        out.skipped.push((
            "Microsoft.Resources/deployments".into(),
            address.to_string(),
            d.pointer.clone(),
            "nested deployment without an inline template (templateLink cannot be read offline)"
                .into(),
        ));
        return;
    };
    if depth >= MAX_NESTING {
        out.skipped.push((
            "Microsoft.Resources/deployments".into(),
            address.to_string(),
            d.pointer.clone(),
            "nested deployments more than 16 deep".into(),
        ));
        return;
    }
    let supplied: HashMap<String, Value> = props
        .and_then(|p| prop(p, "parameters"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| prop(v, "value").map(|x| (k.clone(), eval_value(x, scope, 0))))
                .collect()
        })
        .unwrap_or_default();
    let pointer = format!("{}/properties/template", d.pointer);
    walk_template(
        inner,
        &pointer,
        &format!("{address}."),
        supplied,
        out,
        depth + 1,
        file,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
