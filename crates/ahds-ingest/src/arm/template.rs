//! ARM deployment templates: parameters (defaults or a parameters file), variables,
//! resources with nested child `resources`, `copy` loops, `condition`, languageVersion 2.0
//! symbolic resources, `existing` references, and nested deployments (how Bicep modules
//! compile) with their scope, parameters and outputs. Each resource becomes resource JSON
//! with an id, as Azure would return it, for the resource mapper.
//!
//! A string parameter without a value is a symbol (`{workspaceName}`), as are the
//! deployment's subscription and resource group, so names and ids stay ARM-shaped and
//! resources named from the same parameter still link (see [`ahds_model::symbolic`]).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use ahds_model::{Estate, SkippedResource, Source, symbolic};
use serde_json::{Map, Value};

use super::expr::{
    RESOURCE_GROUP, SUBSCRIPTION, Scope, eval_string, eval_value, expand_property_copy,
};
use super::props::{prop, str_at, unknown};
use super::resources::{ArmResource, Origin, map_resources};
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

/// ARM's limit on the count of one `copy` loop.
pub(crate) const MAX_COPIES: i64 = 800;
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
    /// The resource loop being expanded: its name and index.
    copy: Option<(String, i64)>,
    /// Evaluated outputs of nested deployments, by lower-cased deployment id.
    deployments: RefCell<HashMap<String, Value>>,
    subscription: String,
    resource_group: String,
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
        let Some(key) = vars.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned() else {
            return self.copy_variable(vars, name);
        };
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

    fn copy_index(&self, name: Option<&str>) -> Option<i64> {
        match (&self.copy, name) {
            (Some((_, i)), None) => Some(*i),
            (Some((loop_name, i)), Some(n)) if loop_name.eq_ignore_ascii_case(n) => Some(*i),
            _ => None,
        }
    }

    fn deployment_reference(&self, id: &str) -> Option<Value> {
        self.deployments
            .borrow()
            .get(&id.to_ascii_lowercase())
            .cloned()
    }

    fn subscription_id(&self) -> String {
        self.subscription.clone()
    }

    fn resource_group_name(&self) -> String {
        self.resource_group.clone()
    }
}

impl TemplateScope<'_> {
    /// A variable made by the variables' own `copy` loops.
    fn copy_variable(&self, vars: &Map<String, Value>, name: &str) -> Option<Value> {
        let (_, loops) = vars.iter().find(|(k, _)| k.eq_ignore_ascii_case("copy"))?;
        let (key, v) = expand_property_copy(loops, self, 0)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        self.evaluated.borrow_mut().insert(key, v.clone());
        Some(v)
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
    let top = Deployment {
        pointer: String::new(),
        prefix: String::new(),
        parameters: Parameters::Own(supplied),
        subscription: SUBSCRIPTION.to_string(),
        resource_group: RESOURCE_GROUP.to_string(),
        depth: 0,
    };
    walk_template(template, top, &mut out);
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
    let (mut estate, mut problems) = map_resources(&arm, file, Origin::Template);
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

/// Where a template's parameters come from.
enum Parameters<'o> {
    /// Its own `parameters` section, with the values supplied for them (a parameters file,
    /// or the `parameters` of the deployment that nests it with inner scope).
    Own(HashMap<String, Value>),
    /// The nesting template's, for a nested template in the default outer scope.
    Outer {
        parameters: HashMap<String, Value>,
        variables: Option<&'o Map<String, Value>>,
    },
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

/// True for parameter types whose missing value stands as a symbol.
fn is_string_type(def: &Value) -> bool {
    str_at(def, &["type"])
        .is_some_and(|t| t.eq_ignore_ascii_case("string") || t.eq_ignore_ascii_case("securestring"))
}

/// The symbol a parameter without a value stands as.
fn parameter_symbol(name: &str) -> Value {
    Value::String(format!("{{{}}}", symbolic::escape(name)))
}

/// A parameter's value: supplied, else its default, else `null` for a nullable one, else a
/// symbol for a string (an empty string supplied for a parameter that has no default is a
/// placeholder, not a name), else unknown.
fn parameter_value(
    name: &str,
    def: &Value,
    supplied: &HashMap<String, Value>,
    scope: &TemplateScope<'_>,
) -> Value {
    let default = prop(def, "defaultValue");
    match lookup(supplied, name) {
        Some(Value::String(s)) if s.is_empty() && default.is_none() && is_string_type(def) => {
            parameter_symbol(name)
        }
        Some(v) => v.clone(),
        None => match default {
            Some(d) => eval_value(d, scope, 0),
            None if prop(def, "nullable").and_then(Value::as_bool) == Some(true) => Value::Null,
            None if is_string_type(def) => parameter_symbol(name),
            None => unknown(format!("parameter `{name}` has no value")),
        },
    }
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
        // A skipped resource is listed by its id where the template fixes one.
        let listed = type_and_name(&d, &scope)
            .and_then(|(ty, name)| resource_id(d.value, &ty, &name, &scope))
            .unwrap_or_else(|| d.address.clone());
        let skip = |out: &mut Output, reason: &str| {
            out.skipped.push((
                ty_raw.clone(),
                listed.clone(),
                d.pointer.clone(),
                reason.into(),
            ));
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
        let copies: Vec<Option<i64>> = match count {
            None => vec![None],
            Some(Some(Value::Number(n))) => match n.as_i64() {
                Some(n) if (0..=MAX_COPIES).contains(&n) => (0..n).map(Some).collect(),
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
                skip(out, "copy loop whose count is not known before deployment");
                continue;
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
                Some(i) => format!("{}[{i}]", d.address),
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

const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";

/// The template's outputs as `reference()` of its deployment shows them.
fn outputs(template: &Value, scope: &TemplateScope<'_>) -> Value {
    let mut outputs = Map::new();
    if let Some(Value::Object(defs)) = prop(template, "outputs") {
        for (name, def) in defs {
            let value = prop(def, "value").map_or_else(
                || unknown(format!("output `{name}` has no single value")),
                |v| eval_value(v, scope, 0),
            );
            let mut o = Map::new();
            if let Some(t) = prop(def, "type") {
                o.insert("type".into(), t.clone());
            }
            o.insert("value".into(), value);
            outputs.insert(name.clone(), Value::Object(o));
        }
    }
    let mut m = Map::new();
    m.insert("outputs".into(), Value::Object(outputs));
    Value::Object(m)
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

/// A name for a resource whose name the template leaves unknown: one symbol per name
/// segment, named after the resource's place in the template, so its id is still ARM-shaped
/// and every mention of it is the same.
fn fallback_name(ty: &str, address: &str) -> String {
    let segments = ty.matches('/').count().max(1);
    let base = symbolic::escape(address);
    (1..=segments)
        .map(|i| {
            if i == segments {
                format!("{{{base}.name}}")
            } else {
                format!("{{{base}.parent{}}}", segments - i)
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The id Azure gives the resource: under the deployment's resource group (or the group and
/// subscription the resource names, as `existing` references may), or under its `scope` for
/// extension resources (role assignments).
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
    let placed = |key: &str, default: String| {
        if ty.eq_ignore_ascii_case(DEPLOYMENTS) {
            return default;
        }
        match prop(r, key).map(|v| eval_value(v, scope, 0)) {
            Some(Value::String(s)) => s,
            _ => default,
        }
    };
    let group = format!(
        "/subscriptions/{}/resourceGroups/{}",
        placed("subscriptionId", scope.subscription_id()),
        placed("resourceGroup", scope.resource_group_name())
    );
    let base = match prop(r, "scope").map(|s| eval_value(s, scope, 0)) {
        Some(Value::String(s)) if s.starts_with('/') => s,
        // Bicep writes a resource in the same group as `Microsoft.X/type/name`.
        Some(Value::String(s)) => format!("{group}/providers/{s}"),
        Some(_) => return None,
        None => group,
    };
    Some(format!("{}/{path}", base.trim_end_matches('/')))
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

/// A nested deployment (a Bicep module): its inline template is read in the scope it asks
/// for (`inner`: its own parameters, passed from here; `outer`, the default: this
/// template's parameters and variables), into the resource group it names, and its outputs
/// become what `reference()` of it returns. Linked templates (`templateLink`) cannot be read
/// offline.
fn nested_deployment(
    d: &Declared<'_>,
    scope: &TemplateScope<'_>,
    name: &Value,
    address: &str,
    out: &mut Output,
    depth: usize,
) {
    let skip = |out: &mut Output, reason: String| {
        out.skipped.push((
            DEPLOYMENTS.into(),
            address.to_string(),
            d.pointer.clone(),
            reason,
        ));
    };
    let props = prop(d.value, "properties");
    let Some(inner) = props.and_then(|p| prop(p, "template")) else {
        let link = props
            .and_then(|p| str_at(p, &["templateLink", "uri"]))
            .map(|u| eval_string(u, scope))
            .and_then(|u| u.as_str().map(str::to_string));
        skip(
            out,
            match link {
                Some(uri) => format!("linked template `{uri}` (templateLink) cannot be read offline"),
                None => "nested deployment without an inline template (templateLink cannot be read offline)".into(),
            },
        );
        return;
    };
    if depth >= MAX_NESTING {
        skip(out, "nested deployments more than 16 deep".into());
        return;
    }
    let inner_scope = props
        .and_then(|p| str_at(p, &["expressionEvaluationOptions", "scope"]))
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    let parameters = if inner_scope {
        Parameters::Own(
            props
                .and_then(|p| prop(p, "parameters"))
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| {
                            prop(v, "value").map(|x| (k.clone(), eval_value(x, scope, 0)))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        )
    } else {
        Parameters::Outer {
            parameters: scope.parameters.clone(),
            variables: scope.variables,
        }
    };
    let placed =
        |key: &str, default: String| match prop(d.value, key).map(|v| eval_value(v, scope, 0)) {
            Some(Value::String(s)) => s,
            _ => default,
        };
    let outputs = walk_template(
        inner,
        Deployment {
            pointer: format!("{}/properties/template", d.pointer),
            prefix: format!("{address}."),
            parameters,
            subscription: placed("subscriptionId", scope.subscription_id()),
            resource_group: placed("resourceGroup", scope.resource_group_name()),
            depth: depth + 1,
        },
        out,
    );
    if let Some(id) = resource_id(d.value, DEPLOYMENTS, name, scope) {
        scope
            .deployments
            .borrow_mut()
            .insert(id.to_ascii_lowercase(), outputs);
    }
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
