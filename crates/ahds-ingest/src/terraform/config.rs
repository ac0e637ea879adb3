//! The plan's `configuration` section: where a value that is unknown in `planned_values`
//! came from. A reference such as
//! `azurerm_healthcare_fhir_service.fhir.identity[0].principal_id` links a role assignment
//! to the identity it grants, even though the principal id itself is known only after apply.
//! References are followed through module variables and module outputs.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::address::{Step, format_key, module_prefix, parse};

/// A module path: call names with optional instance keys.
pub(crate) type ModulePath = Vec<(String, Option<String>)>;

/// Where a reference leads: a resource address (absolute, possibly without instance keys)
/// and the attribute path after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) address: String,
    pub(crate) data: bool,
    pub(crate) rtype: String,
    pub(crate) attr: Vec<String>,
}

impl Target {
    /// True when the reference reads the resource's id (or the whole resource).
    pub(crate) fn is_id(&self) -> bool {
        self.attr.is_empty() || self.attr == ["id"] || self.attr == ["resource_id"]
    }
}

/// The state of one resolution.
#[derive(Default)]
struct Walk {
    out: Vec<Target>,
    /// Module variables and outputs followed so far.
    expanded: HashSet<(ModulePath, String)>,
    /// Those on the way to the current expression.
    chain: Vec<(ModulePath, String)>,
    cycles: Vec<(String, String)>,
}

impl Walk {
    /// True when `key` was followed before (it is then not followed again); records it
    /// otherwise.
    fn revisits(&mut self, key: &(ModulePath, String)) -> bool {
        !self.expanded.insert(key.clone())
    }

    /// Records a reference cycle.
    fn cycle(&mut self, pointer: String, message: String) {
        self.cycles.push((pointer, message));
    }
}

/// The `configuration` section of a plan.
#[derive(Debug, Clone)]
pub(crate) struct Config<'a> {
    root: Option<&'a Value>,
    providers: Option<&'a Value>,
    /// Resource blocks by module call names and address (`a.b` + `azurerm_x.y`): looked
    /// up once per resource, so a scan would make large plans quadratic.
    resources: HashMap<(String, String), &'a Value>,
}

/// The key of a module path in [`Config::resources`]: call names without instance keys.
fn module_key(path: &[(String, Option<String>)]) -> String {
    let names: Vec<&str> = path.iter().map(|(n, _)| n.as_str()).collect();
    names.join(".")
}

fn index_resources<'a>(
    module: &'a Value,
    prefix: &str,
    depth: usize,
    out: &mut HashMap<(String, String), &'a Value>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(a) = r.get("address").and_then(Value::as_str) {
            out.entry((prefix.to_string(), a.to_string())).or_insert(r);
        }
    }
    for (name, call) in module
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(m) = call.get("module") {
            let p = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            index_resources(m, &p, depth + 1, out);
        }
    }
}

const MAX_DEPTH: usize = 32;

impl<'a> Config<'a> {
    pub(crate) fn new(plan: &'a Value) -> Self {
        let cfg = plan.get("configuration");
        let root = cfg.and_then(|c| c.get("root_module"));
        let mut resources = HashMap::new();
        if let Some(r) = root {
            index_resources(r, "", 0, &mut resources);
        }
        Config {
            root,
            providers: cfg.and_then(|c| c.get("provider_config")),
            resources,
        }
    }

    fn module(&self, path: &[(String, Option<String>)]) -> Option<&'a Value> {
        let mut m = self.root?;
        for (name, _) in path {
            m = m.get("module_calls")?.get(name)?.get("module")?;
        }
        Some(m)
    }

    fn module_call(&self, path: &[(String, Option<String>)]) -> Option<&'a Value> {
        let (last, parent) = path.split_last()?;
        self.module(parent)?.get("module_calls")?.get(&last.0)
    }

    /// The configuration block of a resource (`mode` managed unless `data`).
    pub(crate) fn resource(
        &self,
        path: &[(String, Option<String>)],
        data: bool,
        rtype: &str,
        name: &str,
    ) -> Option<&'a Value> {
        let want = if data {
            format!("data.{rtype}.{name}")
        } else {
            format!("{rtype}.{name}")
        };
        self.resources.get(&(module_key(path), want)).copied()
    }

    /// The `subscription_id` a resource's provider configuration sets, or an opaque token
    /// naming that configuration (resources deployed through the same one share a
    /// subscription).
    pub(crate) fn subscription_token(&self, resource_config: Option<&Value>) -> String {
        let key = resource_config
            .and_then(|r| r.get("provider_config_key"))
            .and_then(Value::as_str)
            .unwrap_or("azurerm");
        // A module's resources use the provider its caller passes, the root's by default:
        // `data:azurerm` (or `module.data:azurerm`) falls back to `azurerm`.
        let provider = self.providers.and_then(|p| {
            p.get(key)
                .or_else(|| key.rsplit_once(':').and_then(|(_, root)| p.get(root)))
        });
        let key = key.rsplit_once(':').map_or(key, |(_, root)| root);
        let constant = provider
            .and_then(|p| p.get("expressions"))
            .and_then(|e| e.get("subscription_id"))
            .and_then(|s| s.get("constant_value"))
            .and_then(Value::as_str);
        match constant {
            Some(s) => s.to_string(),
            // Not written in the configuration: a symbol, so two providers compare equal
            // only when they are the same configuration, never unequal. The default
            // azurerm and azapi configurations both take the subscription the credentials
            // name (`ARM_SUBSCRIPTION_ID`): one symbol.
            None if key == "azurerm" || key == "azapi" => "{terraform.subscription}".into(),
            None => format!("{{terraform.subscription:{key}}}"),
        }
    }

    /// Follows the references of an expression to the resources they read.
    /// The plan resources an expression refers to, following module variables and outputs,
    /// and the reference cycles met on the way (pointer into `configuration`, message):
    /// Terraform refuses such a configuration, so a plan holding one has been altered.
    pub(crate) fn resolve(
        &self,
        path: &ModulePath,
        expr: &Value,
    ) -> (Vec<Target>, Vec<(String, String)>) {
        let mut walk = Walk::default();
        self.resolve_into(path, expr, 0, &mut walk);
        (walk.out, walk.cycles)
    }

    /// `/configuration/root_module/module_calls/a/module/...` for a module path.
    fn module_pointer(path: &[(String, Option<String>)]) -> String {
        let mut p = String::from("/configuration/root_module");
        for (name, _) in path {
            p.push_str("/module_calls/");
            p.push_str(&crate::error::escape_pointer_segment(name));
            p.push_str("/module");
        }
        p
    }

    /// Each module variable and output is followed once, so a plan whose references branch
    /// and loop cannot make this exponential; one met again on the current chain is a cycle.
    fn resolve_into(&self, path: &ModulePath, expr: &Value, depth: usize, walk: &mut Walk) {
        if depth > MAX_DEPTH {
            return; // a reference chain deeper than any real plan's: the value stays unknown
        }
        let Some(refs) = expr.get("references").and_then(Value::as_array) else {
            return;
        };
        // Terraform lists each reference from most to least specific
        // (`a.b.id`, `a.b`); keep the most specific one per resource.
        let mut seen_bases: Vec<String> = Vec::new();
        for r in refs.iter().filter_map(Value::as_str) {
            let steps = parse(r);
            match steps.first() {
                Some(Step::Attr(head)) if head == "var" => {
                    let Some(Step::Attr(var)) = steps.get(1) else {
                        continue;
                    };
                    if seen_bases.contains(&format!("var.{var}")) {
                        continue;
                    }
                    seen_bases.push(format!("var.{var}"));
                    let Some(call) = self.module_call(path) else {
                        continue;
                    };
                    let key = (path.clone(), format!("var.{var}"));
                    if walk.chain.contains(&key) {
                        let parent = &path[..path.len() - 1];
                        let call_name = path.last().map_or("", |(n, _)| n.as_str());
                        walk.cycle(
                            format!(
                                "{}/module_calls/{}/expressions/{}",
                                Config::module_pointer(parent),
                                crate::error::escape_pointer_segment(call_name),
                                crate::error::escape_pointer_segment(var)
                            ),
                            format!("module input `{var}` of `module.{call_name}` refers back to itself through module outputs"),
                        );
                        continue;
                    }
                    if walk.revisits(&key) {
                        continue;
                    }
                    if let Some(e) = call.get("expressions").and_then(|e| e.get(var)) {
                        let parent: ModulePath = path[..path.len() - 1].to_vec();
                        walk.chain.push(key);
                        self.resolve_into(&parent, e, depth + 1, walk);
                        walk.chain.pop();
                    }
                }
                Some(Step::Module(call, key)) => {
                    let Some(Step::Attr(output)) = steps.get(1) else {
                        continue;
                    };
                    let base = format!("module.{call}.{output}");
                    if seen_bases.contains(&base) {
                        continue;
                    }
                    let followed = (path.clone(), base.clone());
                    if walk.chain.contains(&followed) {
                        walk.cycle(
                            format!(
                                "{}/module_calls/{}/module/outputs/{}",
                                Config::module_pointer(path),
                                crate::error::escape_pointer_segment(call),
                                crate::error::escape_pointer_segment(output)
                            ),
                            format!("output `{output}` of `module.{call}` refers back to itself through module inputs"),
                        );
                        continue;
                    }
                    if walk.revisits(&followed) {
                        continue;
                    }
                    seen_bases.push(base);
                    let mut child = path.clone();
                    child.push((call.clone(), key.clone()));
                    let expr = self
                        .module(&child)
                        .and_then(|m| m.get("outputs"))
                        .and_then(|o| o.get(output))
                        .and_then(|o| o.get("expression"));
                    if let Some(e) = expr {
                        walk.chain.push(followed);
                        self.resolve_into(&child, e, depth + 1, walk);
                        walk.chain.pop();
                    }
                }
                Some(Step::Resource {
                    data,
                    rtype,
                    name,
                    key,
                }) => {
                    let base = format!(
                        "{}{}{rtype}.{name}",
                        module_prefix(path),
                        if *data { "data." } else { "" }
                    );
                    if seen_bases.contains(&base) {
                        continue;
                    }
                    seen_bases.push(base.clone());
                    let address = match key {
                        Some(k) if !k.contains('.') => format!("{base}{}", format_key(k)),
                        _ => base,
                    };
                    let attr = steps[1..]
                        .iter()
                        .filter_map(|s| match s {
                            Step::Attr(a) if !a.starts_with('[') => Some(a.clone()),
                            _ => None,
                        })
                        .collect();
                    walk.out.push(Target {
                        address,
                        data: *data,
                        rtype: rtype.clone(),
                        attr,
                    });
                }
                _ => {} // local.*, each.*, count.*, path.*: nothing to follow
            }
        }
    }
}

/// The expression of a (possibly nested) attribute: `["network_rules", "ip_rules"]`.
/// Nested blocks are lists of expression objects; `block_index` picks which one.
pub(crate) fn expression<'a>(
    resource_config: Option<&'a Value>,
    path: &[&str],
    block_index: usize,
) -> Option<&'a Value> {
    let mut e = resource_config?.get("expressions")?;
    for (i, p) in path.iter().enumerate() {
        e = e.get(p)?;
        if i + 1 < path.len() {
            if let Value::Array(blocks) = e {
                e = blocks.get(block_index).or_else(|| blocks.first())?;
            }
        }
    }
    Some(e)
}
