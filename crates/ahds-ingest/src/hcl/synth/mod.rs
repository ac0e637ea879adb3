//! A configuration's evaluated resources written as the plan `terraform show -json` would
//! print for a first apply, so the plan reader's one mapping of azurerm attributes to the
//! model reads both: `planned_values` with what is known, `after_unknown` for what is
//! not, and a `configuration` section whose references link resources the way a plan's do.

use std::collections::{BTreeMap, HashSet};

use hcl_edit::structure::{Body, Structure};
use serde_json::{Map, Value, json};

mod refs;

use super::eval::{Children, META, Session, strip_hidden};
use super::load::ModuleDef;
use super::value::Val;
use refs::{each_value_refs, references, traversal_text, uses_iteration};

/// Where each resource instance is written: file, first and last line.
pub(crate) type Places = BTreeMap<String, (String, usize, usize)>;

pub(crate) use crate::terraform::address::module_prefix;

/// The plan document and the place of every resource instance in it.
pub(crate) fn plan(session: &Session<'_>) -> (Value, Places) {
    let mut places = Places::new();
    let mut changes = Vec::new();
    let root = planned_module(session, 0, &mut places, &mut changes);
    let config = object([
        ("provider_config", providers(&session.def(0))),
        (
            "root_module",
            config_module(session, 0, &mut HashSet::new()),
        ),
    ]);
    let doc = object([
        ("format_version", json!("1.2")),
        ("planned_values", object([("root_module", root)])),
        ("resource_changes", Value::Array(changes)),
        ("configuration", config),
    ]);
    (doc, places)
}

/// An object of `entries`, moved in. `json!` would copy each `Value` it is given (it
/// serializes them), and the document holds every resource's values: that copy was most
/// of the time and memory of reading a large configuration.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn planned_module(
    session: &Session<'_>,
    inst: usize,
    places: &mut Places,
    changes: &mut Vec<Value>,
) -> Value {
    let def = session.def(inst);
    let path = session.path(inst);
    let prefix = module_prefix(&path);
    let mut resources = Vec::new();
    for (index, r) in def.resources.iter().enumerate() {
        let instances = session.instances(inst, index);
        for (key, value) in instances.list {
            let address = format!(
                "{prefix}{}{}.{}{}",
                if r.data { "data." } else { "" },
                r.rtype,
                r.name,
                key.as_ref().map(|k| k.address_suffix()).unwrap_or_default()
            );
            let (values, unknown) = plan_value(&strip_hidden(&value), None, false);
            let mut unknown = match unknown {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            if !r.data {
                for attr in crate::terraform::omitted::COMPUTED
                    .iter()
                    .filter(|(t, _, _)| *t == r.rtype)
                    .map(|(_, a, _)| *a)
                    .chain(std::iter::once("id"))
                {
                    if values.get(attr).is_none_or(Value::is_null) {
                        unknown.insert(attr.into(), Value::Bool(true));
                    }
                }
            }
            let mut res = object([
                ("address", json!(address)),
                ("mode", json!(if r.data { "data" } else { "managed" })),
                ("type", json!(r.rtype)),
                ("name", json!(r.name)),
                ("values", values),
            ]);
            if let Some(k) = &key {
                res["index"] = match k {
                    super::eval::InstKey::Index(i) => json!(i),
                    super::eval::InstKey::Key(s) => json!(s),
                };
            }
            resources.push(res);
            changes.push(object([
                ("address", json!(address)),
                ("mode", json!(if r.data { "data" } else { "managed" })),
                ("type", json!(r.rtype)),
                ("name", json!(r.name)),
                (
                    "change",
                    object([
                        ("actions", json!(["create"])),
                        ("after_unknown", Value::Object(unknown)),
                    ]),
                ),
            ]));
            places.insert(
                address,
                (def.file_name(r.at).to_string(), r.at.line, r.end_line),
            );
        }
    }
    let mut child_modules = Vec::new();
    for call in 0..def.calls.len() {
        if let Children::Instances { list, .. } = session.children(inst, call) {
            for (_, child) in list {
                let mut m = planned_module(session, child, places, changes);
                let address = module_prefix(&session.path(child));
                m["address"] = json!(address.trim_end_matches('.'));
                child_modules.push(m);
            }
        }
    }
    object([
        ("resources", Value::Array(resources)),
        ("child_modules", Value::Array(child_modules)),
    ])
}

/// Attributes whose value names a resource or a region: a symbol may stand in them.
fn holds_a_name(key: Option<&str>) -> bool {
    // `storageAccountName`, `integrationDataStore`: ARM bodies (azapi) name resources in
    // camelCase properties.
    key.is_some_and(|k| {
        k == "name"
            || k.ends_with("_name")
            || k.ends_with("Name")
            || k == "location"
            || k == "integrationDataStore"
    })
}

/// A value and its `after_unknown` marker (`None` when wholly known). Outside names, a
/// string built from a symbol is unknown: a setting cannot be half known. In an azapi
/// `body` (`in_body`) symbols are kept: the ARM mapping keeps them in names and reads them
/// as unknown in settings, and a reference to another resource's id names that resource.
fn plan_value(v: &Val, key: Option<&str>, in_body: bool) -> (Value, Option<Value>) {
    let named = in_body || holds_a_name(key);
    match v {
        Val::Unknown(Some(sym)) if named => (Value::String(format!("{{{sym}}}")), None),
        Val::Unknown(_) => (Value::Null, Some(Value::Bool(true))),
        Val::String(s) if !named && ahds_model::symbolic::is_symbolic(s) => {
            (Value::Null, Some(Value::Bool(true)))
        }
        Val::List(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut marks = Vec::with_capacity(items.len());
            let mut any = false;
            for item in items {
                let (v, u) = plan_value(item, key, in_body);
                values.push(v);
                any |= u.is_some();
                marks.push(u.unwrap_or(Value::Bool(false)));
            }
            (Value::Array(values), any.then_some(Value::Array(marks)))
        }
        Val::Object(m) => {
            let mut values = Map::new();
            let mut marks = Map::new();
            for (k, item) in m {
                let body = in_body || (key.is_none() && k == "body");
                let (v, u) = plan_value(item, Some(k), body);
                values.insert(k.clone(), v);
                if let Some(u) = u {
                    marks.insert(k.clone(), u);
                }
            }
            let any = !marks.is_empty();
            (Value::Object(values), any.then_some(Value::Object(marks)))
        }
        other => (other.to_json(), None),
    }
}

/// `provider_config`: the subscription each provider configuration sets, where literal.
fn providers(def: &ModuleDef) -> Value {
    let mut out = Map::new();
    for (key, block) in &def.providers {
        let mut exprs = Map::new();
        if let Some(sub) = block
            .body
            .get_attribute("subscription_id")
            .and_then(|a| super::load::literal_string(&a.value))
        {
            exprs.insert("subscription_id".into(), json!({ "constant_value": sub }));
        }
        let name = key.split('.').next().unwrap_or(key);
        out.insert(key.clone(), json!({ "name": name, "expressions": exprs }));
    }
    Value::Object(out)
}

fn config_module(session: &Session<'_>, inst: usize, seen: &mut HashSet<usize>) -> Value {
    let def = session.def(inst);
    let mut resources = Vec::new();
    for r in &def.resources {
        let iteration = Iteration {
            refs: ["count", "for_each"]
                .iter()
                .filter_map(|m| r.block.body.get_attribute(m))
                .flat_map(|a| references(&def, &a.value))
                .collect(),
            base: r
                .block
                .body
                .get_attribute("for_each")
                .and_then(|a| traversal_text(&a.value)),
        };
        let provider = r
            .block
            .body
            .get_attribute("provider")
            .and_then(|a| traversal_text(&a.value))
            .unwrap_or_else(|| "azurerm".into());
        let path = session.path(inst);
        let provider_key = if path.is_empty() {
            provider
        } else {
            let names: Vec<&str> = path.iter().map(|(n, _)| n.as_str()).collect();
            format!("module.{}:{provider}", names.join(".module."))
        };
        resources.push(object([
            (
                "address",
                Value::String(format!(
                    "{}{}.{}",
                    if r.data { "data." } else { "" },
                    r.rtype,
                    r.name
                )),
            ),
            ("mode", json!(if r.data { "data" } else { "managed" })),
            ("type", json!(r.rtype)),
            ("name", json!(r.name)),
            ("provider_config_key", json!(provider_key)),
            (
                "expressions",
                body_expressions(&def, &r.block.body, &iteration),
            ),
        ]));
    }
    let mut calls = Map::new();
    for (i, c) in def.calls.iter().enumerate() {
        let mut exprs = Map::new();
        for a in c.block.body.attributes() {
            let k = a.key.as_str();
            if !META.contains(&k) && k != "source" && k != "version" {
                exprs.insert(
                    k.into(),
                    json!({ "references": references(&def, &a.value) }),
                );
            }
        }
        let mut call = object([
            ("source", json!(c.source)),
            ("expressions", Value::Object(exprs)),
        ]);
        // One configuration per call, whatever its count: the first instance's module.
        if let Children::Instances { list, .. } = session.children(inst, i) {
            if let Some((_, child)) = list.first() {
                if seen.insert(*child) {
                    call["module"] = config_module(session, *child, seen);
                }
            }
        }
        calls.insert(c.name.clone(), call);
    }
    let outputs: Map<String, Value> = def
        .outputs
        .iter()
        .map(|(n, (e, _))| {
            (
                n.clone(),
                json!({ "expression": { "references": references(&def, e) } }),
            )
        })
        .collect();
    object([
        ("resources", Value::Array(resources)),
        ("module_calls", Value::Object(calls)),
        ("outputs", Value::Object(outputs)),
    ])
}

/// The configuration expressions of a block body: attributes as `{"references": [...]}`,
/// nested blocks as lists of such objects.
/// What `each`/`count` stand for in a block: the references of its `count`/`for_each`,
/// and the collection `for_each` names when it is one traversal (`module.fhir`), so
/// `each.value.principal_id` refers to `module.fhir.principal_id`.
struct Iteration {
    refs: Vec<String>,
    base: Option<String>,
}

fn body_expressions(def: &ModuleDef, body: &Body, iteration: &Iteration) -> Value {
    let mut out = Map::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let k = a.key.as_str();
                if META.contains(&k) {
                    continue;
                }
                let mut refs = references(def, &a.value);
                if uses_iteration(&a.value) {
                    if let Some(base) = &iteration.base {
                        refs.extend(each_value_refs(&a.value, base));
                    }
                    refs.extend(iteration.refs.iter().cloned());
                }
                out.insert(k.into(), json!({ "references": refs }));
            }
            Structure::Block(b) => {
                let (ident, inner) = if b.ident.as_str() == "dynamic" {
                    let Some(label) = b.labels.first() else {
                        continue;
                    };
                    let Some(content) = b.body.get_blocks("content").next() else {
                        continue;
                    };
                    (label.as_str().to_string(), &content.body)
                } else if META.contains(&b.ident.as_str()) {
                    continue;
                } else {
                    (b.ident.as_str().to_string(), &b.body)
                };
                let v = body_expressions(def, inner, iteration);
                if let Value::Array(list) =
                    out.entry(ident).or_insert_with(|| Value::Array(Vec::new()))
                {
                    list.push(v);
                }
            }
        }
    }
    Value::Object(out)
}
