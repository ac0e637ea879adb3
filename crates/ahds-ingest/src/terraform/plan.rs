//! The resources of a plan: `planned_values` (root and every nested child module) joined
//! with `resource_changes[].change.after_unknown`.

use std::collections::HashMap;

use serde_json::Value;

use super::address::{Step, parse};
use super::attrs::Attr;
use super::config::ModulePath;

/// One resource instance the plan will leave in place after apply.
#[derive(Debug, Clone)]
pub(crate) struct PlanResource<'a> {
    /// Full address (`module.a.azurerm_storage_account.x[0]`).
    pub(crate) address: String,
    /// `managed` or `data`.
    pub(crate) data: bool,
    pub(crate) rtype: String,
    pub(crate) name: String,
    /// The instance key, if any.
    pub(crate) key: Option<String>,
    /// The module path, with instance keys.
    pub(crate) module: ModulePath,
    /// Planned attribute values.
    pub(crate) values: &'a Value,
    /// `after_unknown` for the resource, if the plan changes it.
    pub(crate) unknown: Option<&'a Value>,
    /// JSON pointer of the resource in the plan.
    pub(crate) pointer: String,
}

impl<'a> PlanResource<'a> {
    pub(crate) fn attrs(&self) -> Attr<'a> {
        Attr::new(self.values, self.unknown)
    }
}

/// Removes every `[...]` instance key from an address.
pub(crate) fn strip_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Checks that an `after_unknown`/`*_sensitive` tree holds only `true`/`false`, arrays and
/// objects, as Terraform writes them (`null` is let through as "no marker"): `field` of
/// change `index`. A bad marker's pointer is written only when there is one.
fn check_markers(v: &Value, index: usize, field: &str) -> Result<(), PlanShapeError> {
    let mut path = Vec::new();
    check_marker_tree(v, &mut path).map_err(|found| PlanShapeError {
        pointer: path.iter().fold(
            format!("/resource_changes/{index}/change/{field}"),
            |mut p, step| {
                p.push('/');
                match step {
                    MarkerStep::Index(i) => p.push_str(&i.to_string()),
                    MarkerStep::Key(k) => p.push_str(&crate::error::escape_pointer_segment(k)),
                }
                p
            },
        ),
        message: format!(
            "a change marker must be `true`, `false`, an array or an object, found {found}"
        ),
    })
}

/// A step from a marker tree's root to a bad marker.
enum MarkerStep<'v> {
    Index(usize),
    Key(&'v str),
}

/// Walks a marker tree; on a bad marker returns its kind with `path` leading to it.
fn check_marker_tree<'v>(v: &'v Value, path: &mut Vec<MarkerStep<'v>>) -> Result<(), &'static str> {
    if path.len() > 64 {
        return Ok(());
    }
    match v {
        Value::Bool(_) | Value::Null => Ok(()),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, x)| {
            path.push(MarkerStep::Index(i));
            check_marker_tree(x, path)?;
            path.pop();
            Ok(())
        }),
        Value::Object(m) => m.iter().try_for_each(|(k, x)| {
            path.push(MarkerStep::Key(k));
            check_marker_tree(x, path)?;
            path.pop();
            Ok(())
        }),
        other => Err(crate::util::json_kind(other)),
    }
}

/// Every resource of a plan, by address.
#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    pub(crate) resources: Vec<PlanResource<'a>>,
    by_address: HashMap<String, usize>,
    by_config_address: HashMap<String, Vec<usize>>,
    /// Managed resources by type and lower-case planned `id`, for lookups by id: scanning
    /// made plans with thousands of resources quadratic.
    by_id: HashMap<(String, String), usize>,
    /// Instances by configuration address, instance key and module path: the instance a
    /// key-less reference means when the referring resource shares its keys.
    by_instance: HashMap<(String, Option<String>, ModulePath), Vec<usize>>,
    /// Managed resources by type and planned `name`.
    by_name: HashMap<(String, String), Vec<usize>>,
}

/// Why a document is not a plan (or a malformed one), with the pointer of the problem.
pub(crate) struct PlanShapeError {
    pub(crate) pointer: String,
    pub(crate) message: String,
}

impl<'a> Plan<'a> {
    pub(crate) fn read(plan: &'a Value) -> Result<Self, PlanShapeError> {
        let mut unknown_by_address: HashMap<&str, &Value> = HashMap::new();
        if let Some(changes) = plan.get("resource_changes") {
            let changes = changes.as_array().ok_or_else(|| PlanShapeError {
                pointer: "/resource_changes".into(),
                message: "`resource_changes` is not an array".into(),
            })?;
            for (i, c) in changes.iter().enumerate() {
                // A marker of the wrong kind would read as "known" and turn an unknown
                // setting into the platform default: refuse it.
                if let Some(change) = c.get("change") {
                    for field in ["after_unknown", "before_sensitive", "after_sensitive"] {
                        if let Some(m) = change.get(field) {
                            check_markers(m, i, field)?;
                        }
                    }
                }
                if let (Some(a), Some(u)) = (
                    c.get("address").and_then(Value::as_str),
                    c.get("change").and_then(|c| c.get("after_unknown")),
                ) {
                    unknown_by_address.insert(a, u);
                }
            }
        }
        let root = plan
            .get("planned_values")
            .and_then(|p| p.get("root_module"))
            .ok_or_else(|| PlanShapeError {
                pointer: "/planned_values".into(),
                message: "a Terraform plan needs `planned_values.root_module`".into(),
            })?;
        let mut out = Plan::default();
        out.collect(root, "/planned_values/root_module", &unknown_by_address, 0)?;
        Ok(out)
    }

    fn collect(
        &mut self,
        module: &'a Value,
        pointer: &str,
        unknown: &HashMap<&str, &'a Value>,
        depth: usize,
    ) -> Result<(), PlanShapeError> {
        if depth > 64 {
            return Err(PlanShapeError {
                pointer: pointer.into(),
                message: "modules are nested more than 64 deep".into(),
            });
        }
        if let Some(resources) = module.get("resources") {
            let resources = resources.as_array().ok_or_else(|| PlanShapeError {
                pointer: format!("{pointer}/resources"),
                message: "`resources` is not an array".into(),
            })?;
            for (i, r) in resources.iter().enumerate() {
                let p = format!("{pointer}/resources/{i}");
                let shape = |what: &str| PlanShapeError {
                    pointer: p.clone(),
                    message: format!("resource has no string `{what}`"),
                };
                let address = r
                    .get("address")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape("address"))?;
                let rtype = r
                    .get("type")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape("type"))?;
                let name = r
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape("name"))?;
                let data = r.get("mode").and_then(Value::as_str) == Some("data");
                let values = r.get("values").ok_or_else(|| PlanShapeError {
                    pointer: p.clone(),
                    message: "resource has no `values`".into(),
                })?;
                if !values.is_object() {
                    return Err(PlanShapeError {
                        pointer: format!("{p}/values"),
                        message: "`values` is not an object".into(),
                    });
                }
                let mut modules = Vec::new();
                let mut key = None;
                for step in parse(address) {
                    match step {
                        Step::Module(m, k) => modules.push((m, k)),
                        Step::Resource { key: k, .. } => key = k,
                        Step::Attr(_) => {}
                    }
                }
                let idx = self.resources.len();
                if self.by_address.insert(address.to_string(), idx).is_some() {
                    return Err(PlanShapeError {
                        pointer: p,
                        message: format!("duplicate resource address `{address}`"),
                    });
                }
                let config_address = strip_keys(address);
                if let (false, Some(id)) = (data, values.get("id").and_then(Value::as_str)) {
                    self.by_id
                        .entry((rtype.to_string(), id.to_ascii_lowercase()))
                        .or_insert(idx);
                }
                if let (false, Some(n)) = (data, values.get("name").and_then(Value::as_str)) {
                    self.by_name
                        .entry((rtype.to_string(), n.to_string()))
                        .or_default()
                        .push(idx);
                }
                self.by_instance
                    .entry((config_address.clone(), key.clone(), modules.clone()))
                    .or_default()
                    .push(idx);
                self.by_config_address
                    .entry(config_address)
                    .or_default()
                    .push(idx);
                self.resources.push(PlanResource {
                    address: address.to_string(),
                    data,
                    rtype: rtype.to_string(),
                    name: name.to_string(),
                    key,
                    module: modules,
                    values,
                    unknown: unknown.get(address).copied(),
                    pointer: p,
                });
            }
        }
        if let Some(children) = module.get("child_modules") {
            let children = children.as_array().ok_or_else(|| PlanShapeError {
                pointer: format!("{pointer}/child_modules"),
                message: "`child_modules` is not an array".into(),
            })?;
            for (i, c) in children.iter().enumerate() {
                self.collect(
                    c,
                    &format!("{pointer}/child_modules/{i}"),
                    unknown,
                    depth + 1,
                )?;
            }
        }
        Ok(())
    }

    /// Finds the resource a reference names. A reference may lack instance keys (of the
    /// resource or of its modules): it then matches the only instance, or the instance
    /// that shares the referring resource's keys.
    pub(crate) fn find(&self, address: &str, from: &PlanResource<'_>) -> Option<&PlanResource<'a>> {
        if let Some(&i) = self.by_address.get(address) {
            return Some(&self.resources[i]);
        }
        let config_address = strip_keys(address);
        let candidates = self.by_config_address.get(&config_address)?;
        match candidates.as_slice() {
            [only] => Some(&self.resources[*only]),
            _ => {
                let same_keys = self.by_instance.get(&(
                    config_address,
                    from.key.clone(),
                    from.module.clone(),
                ))?;
                match same_keys.as_slice() {
                    [one] => Some(&self.resources[*one]),
                    _ => None,
                }
            }
        }
    }

    /// The only managed resource of a type with a planned `name`, if exactly one has it.
    pub(crate) fn by_name(&self, rtype: &str, name: &str) -> Option<&PlanResource<'a>> {
        match self
            .by_name
            .get(&(rtype.to_string(), name.to_string()))?
            .as_slice()
        {
            [one] => Some(&self.resources[*one]),
            _ => None,
        }
    }

    /// Every resource of a type with a planned `name`.
    pub(crate) fn named<'s>(
        &'s self,
        rtype: &str,
        name: &str,
    ) -> impl Iterator<Item = &'s PlanResource<'a>> {
        self.by_name
            .get(&(rtype.to_string(), name.to_string()))
            .into_iter()
            .flatten()
            .map(|&i| &self.resources[i])
    }

    /// The managed resource of a type whose planned `id` is `id` (any case).
    pub(crate) fn by_id(&self, rtype: &str, id: &str) -> Option<&PlanResource<'a>> {
        self.by_id
            .get(&(rtype.to_string(), id.to_ascii_lowercase()))
            .map(|&i| &self.resources[i])
    }
}
