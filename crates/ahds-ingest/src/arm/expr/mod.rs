//! The ARM template expression language (`[concat(parameters('name'), '-fhir')]`).
//!
//! Evaluates what real templates use for names, ids and settings. Values fixed only when the
//! deployment runs are of two kinds:
//! - **symbols** stand in strings as `{name}` (`{subscriptionId}`, a parameter without a
//!   value, `uniqueString(...)`): string functions keep them, so two names built the same
//!   way from the same symbols are equal and references between resources still resolve
//!   (see [`ahds_model::symbolic`]);
//! - the **unknown marker** (`{"$unknown": "why"}`) for anything else (`reference()`,
//!   `listKeys()`, a comparison a symbol leaves open): never guessed.
//!
//! Functions live by family: [`strings`], [`collections`] (with the lambda functions),
//! [`ids`] and [`context`] (the deployment's subscription, group, `uniqueString`...);
//! [`logic`] has comparisons, booleans and numbers.

pub(crate) mod budget;
mod collections;
mod context;
mod ids;
mod logic;
mod parse;
mod strings;

use serde_json::{Map, Value};

use super::props::{UNKNOWN_MARKER, is_unknown, prop, unknown};
#[cfg(test)]
use context::LOCATION;
pub(crate) use context::{RESOURCE_GROUP, SUBSCRIPTION};
use parse::{Expr, ParseError, parse};

/// The key of an unknown marker that records which resource a `reference()` reads.
pub(crate) const REFERENCE_KEY: &str = "$reference";
/// The key of an unknown marker that records the property path read from a reference.
pub(crate) const PATH_KEY: &str = "$path";

const MAX_DEPTH: usize = 64;

/// What expressions can read: parameters, variables, resources by symbolic name, loop
/// indexes and lambda variables, and the deployment's scope.
pub(crate) trait Scope {
    /// A parameter's value (already evaluated), or the unknown marker.
    fn parameter(&self, name: &str) -> Option<Value>;
    /// A variable's value, evaluated on demand.
    fn variable(&self, name: &str) -> Option<Value>;
    /// The id of a resource by its symbolic name (languageVersion 2.0 templates).
    fn resource_id(&self, symbolic: &str) -> Option<String>;
    /// The current `copyIndex()` of the named loop, or of the resource's loop for `None`.
    fn copy_index(&self, name: Option<&str>) -> Option<CopyIndex>;
    /// A variable bound by the `lambda()` being evaluated.
    fn lambda_variable(&self, _name: &str) -> Option<Value> {
        None
    }
    /// What `reference()` of a nested deployment (by id) returns: its evaluated outputs.
    fn deployment_reference(&self, _id: &str) -> Option<Value> {
        None
    }
    /// The subscription id resources of this template deploy to.
    fn subscription_id(&self) -> String {
        SUBSCRIPTION.to_string()
    }
    /// The resource group resources of this template deploy to.
    fn resource_group_name(&self) -> String {
        RESOURCE_GROUP.to_string()
    }
}

/// The index of a copy loop's instance: a number, or, for the one instance checked of a
/// loop whose count is fixed only at deployment, not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CopyIndex {
    At(i64),
    NotKnown,
}

/// A scope with one more binding: a named copy loop's index, or lambda variables.
pub(crate) struct Bound<'s> {
    pub(crate) parent: &'s dyn Scope,
    pub(crate) copy: Option<(&'s str, i64)>,
    pub(crate) lambda: Vec<(String, Value)>,
}

impl Scope for Bound<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        self.parent.parameter(name)
    }
    fn variable(&self, name: &str) -> Option<Value> {
        self.parent.variable(name)
    }
    fn resource_id(&self, symbolic: &str) -> Option<String> {
        self.parent.resource_id(symbolic)
    }
    fn copy_index(&self, name: Option<&str>) -> Option<CopyIndex> {
        match (self.copy, name) {
            (Some((loop_name, i)), Some(n)) if loop_name.eq_ignore_ascii_case(n) => {
                Some(CopyIndex::At(i))
            }
            _ => self.parent.copy_index(name),
        }
    }
    fn lambda_variable(&self, name: &str) -> Option<Value> {
        self.lambda
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .or_else(|| self.parent.lambda_variable(name))
    }
    fn deployment_reference(&self, id: &str) -> Option<Value> {
        self.parent.deployment_reference(id)
    }
    fn subscription_id(&self) -> String {
        self.parent.subscription_id()
    }
    fn resource_group_name(&self) -> String {
        self.parent.resource_group_name()
    }
}

/// Whether a template string is an expression (`[...]`, but not the `[[` escape).
pub(crate) fn is_expression(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// Evaluates a string: expressions evaluate, `[[` unescapes, anything else is itself.
pub(crate) fn eval_string(s: &str, scope: &dyn Scope) -> Value {
    if !is_expression(s) {
        return Value::String(
            s.strip_prefix("[[")
                .map_or_else(|| s.to_string(), |r| format!("[{r}")),
        );
    }
    if budget::stopped() {
        return unknown("evaluation stopped");
    }
    match parse(s) {
        Ok(e) => {
            let v = eval(&e, scope, 0);
            if budget::stopped() {
                budget::note_expression(s);
            }
            v
        }
        Err(ParseError(m)) => {
            // Azure Resource Manager refuses a template with such an expression.
            budget::stop(format!("the expression does not parse: {m}"), s);
            unknown(format!("expression `{s}` does not parse: {m}"))
        }
    }
}

/// Evaluates every string of a JSON value, object keys included, and expands property
/// `copy` loops (`"copy": [{"name": "rules", "count": 2, "input": {...}}]`).
pub(crate) fn eval_value(v: &Value, scope: &dyn Scope, depth: usize) -> Value {
    if depth > 128 {
        return unknown("template value nested too deep");
    }
    match v {
        Value::String(s) => eval_string(s, scope),
        Value::Array(a) => {
            Value::Array(a.iter().map(|x| eval_value(x, scope, depth + 1)).collect())
        }
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                if k.eq_ignore_ascii_case("copy") && is_property_copy(x) {
                    for (name, items) in expand_property_copy(x, scope, depth) {
                        out.insert(name, items);
                    }
                    continue;
                }
                let key = match eval_string(k, scope) {
                    Value::String(s) => s,
                    _ => k.clone(),
                };
                out.insert(key, eval_value(x, scope, depth + 1));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A property or variable `copy`: a list of `{name, count, input}` loops (a resource's own
/// `copy` is one object, without `input`).
fn is_property_copy(v: &Value) -> bool {
    v.as_array().is_some_and(|loops| {
        !loops.is_empty()
            && loops
                .iter()
                .all(|l| prop(l, "name").is_some() && prop(l, "input").is_some())
    })
}

/// Each loop of a property `copy` as the array it makes, by name.
pub(crate) fn expand_property_copy(
    v: &Value,
    scope: &dyn Scope,
    depth: usize,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for l in v.as_array().map_or(&[][..], Vec::as_slice) {
        let Some(name) = prop(l, "name").and_then(Value::as_str) else {
            continue;
        };
        let count = prop(l, "count").map(|c| eval_value(c, scope, depth + 1));
        let items = match count.as_ref().and_then(Value::as_i64) {
            Some(n) if (0..=super::template::MAX_COPIES).contains(&n) => {
                let input = prop(l, "input").unwrap_or(&Value::Null);
                Value::Array(
                    (0..n)
                        .map(|i| {
                            let bound = Bound {
                                parent: scope,
                                copy: Some((name, i)),
                                lambda: Vec::new(),
                            };
                            eval_value(input, &bound, depth + 1)
                        })
                        .collect(),
                )
            }
            _ => unknown(format!("the count of copy loop `{name}` is not known")),
        };
        if !budget::charge(budget::weight(&items), "") {
            out.push((name.to_string(), unknown("evaluation stopped")));
            continue;
        }
        out.push((name.to_string(), items));
    }
    out
}

fn eval(e: &Expr, scope: &dyn Scope, depth: usize) -> Value {
    if budget::stopped() {
        return unknown("evaluation stopped");
    }
    if depth > MAX_DEPTH {
        budget::stop(
            format!("the expression nests calls more than {MAX_DEPTH} deep; evaluation stopped"),
            "",
        );
        return unknown("expression nested too deep");
    }
    match e {
        Expr::Str(s) => Value::String(s.clone()),
        Expr::Num(n) => Value::from(*n),
        Expr::Prop(base, name) => {
            let b = eval(base, scope, depth + 1);
            if is_unknown(&b) {
                return extend_reference(b, name);
            }
            prop(&b, name)
                .cloned()
                .unwrap_or_else(|| unknown(format!("property `{name}` is not set")))
        }
        Expr::Index(base, index) => {
            let b = eval(base, scope, depth + 1);
            let i = eval(index, scope, depth + 1);
            if let Some(part) = strings::split_part(&b, &i) {
                return part;
            }
            if is_unknown(&b) || is_unknown(&i) {
                return unknown("index into a value not known before deployment");
            }
            match (&b, &i) {
                (Value::Array(a), Value::Number(n)) => n
                    .as_u64()
                    .and_then(|n| a.get(usize::try_from(n).ok()?))
                    .cloned()
                    .unwrap_or_else(|| unknown("array index out of range")),
                (Value::Object(_), Value::String(k)) => prop(&b, k)
                    .cloned()
                    .unwrap_or_else(|| unknown(format!("property `{k}` is not set"))),
                _ => unknown("index of the wrong type"),
            }
        }
        Expr::Call(name, args) => {
            let v = call(name, args, scope, depth);
            if let Value::String(t) = &v {
                if t.len() > budget::MAX_TEXT {
                    budget::stop(
                        format!(
                            "`{name}()` builds a string of more than {} bytes; evaluation stopped",
                            budget::MAX_TEXT
                        ),
                        "",
                    );
                    return unknown("string too long");
                }
            }
            if !budget::charge(budget::weight(&v), "") {
                return unknown("evaluation stopped");
            }
            v
        }
    }
}

/// Reading a property of a `reference()` keeps the referenced resource and the path, so
/// a principal id read from a resource's identity still names that resource.
fn extend_reference(marker: Value, name: &str) -> Value {
    let Value::Object(mut m) = marker else {
        return marker;
    };
    if m.contains_key(REFERENCE_KEY) {
        let path = m
            .entry(PATH_KEY)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(p) = path {
            p.push(Value::String(name.to_string()));
        }
    }
    Value::Object(m)
}

fn call(name: &str, args: &[Expr], scope: &dyn Scope, depth: usize) -> Value {
    let lname = name.to_ascii_lowercase();
    // Functions that evaluate only some of their arguments, or bind lambda variables.
    match lname.as_str() {
        "if" => {
            if args.len() != 3 {
                return unknown("if() takes three arguments");
            }
            let c = eval(&args[0], scope, depth + 1);
            return match logic::truthy(&c) {
                Some(true) => eval(&args[1], scope, depth + 1),
                Some(false) => eval(&args[2], scope, depth + 1),
                None => {
                    // Either branch: a name built the same way is the same symbol, so a
                    // resource named by this `if()` is still found by the same `if()`.
                    let a = eval(&args[1], scope, depth + 1);
                    let b = eval(&args[2], scope, depth + 1);
                    match (&a, &b) {
                        _ if a == b => a,
                        (Value::String(x), Value::String(y)) => symbol_of(&format!(
                            "if({},{},{})",
                            canonical(&args[0]),
                            strip_braces(x),
                            strip_braces(y)
                        )),
                        _ => unknown("if() with a condition not known before deployment"),
                    }
                }
            };
        }
        "map" | "filter" | "reduce" | "sort" | "toobject" | "groupby" | "mapvalues" => {
            return collections::lambda_call(&lname, args, scope, depth);
        }
        "lambda" => return unknown("lambda() outside a function that takes one"),
        "lambdavariables" => {
            let n = match args.first() {
                Some(Expr::Str(n)) => n.as_str(),
                _ => return unknown("lambdaVariables() without a name"),
            };
            return scope
                .lambda_variable(n)
                .unwrap_or_else(|| unknown(format!("lambda variable `{n}` is not bound")));
        }
        _ => {}
    }
    let vals: Vec<Value> = args.iter().map(|a| eval(a, scope, depth + 1)).collect();
    if let Some(v) = context::call(&lname, &vals, scope) {
        return v;
    }
    if let Some(v) = logic::call_partial(&lname, &vals) {
        return v;
    }
    if let Some(v) = collections::call_partial(&lname, &vals) {
        return v;
    }
    if let Some(first) = vals.iter().find(|v| is_unknown(v)) {
        // Carry the first unknown's reason.
        return first.clone();
    }
    strings::call(&lname, &vals)
        .or_else(|| collections::call(&lname, &vals))
        .or_else(|| ids::call(&lname, &vals, scope))
        .or_else(|| logic::call(&lname, &vals))
        .unwrap_or_else(|| match lname.as_str() {
            // Known only at deployment.
            "newguid" | "utcnow" | "managementgroup" | "listkeys" | "listsecrets"
            | "listaccountsas" | "listservicesas" | "pickzones" | "providers" | "base64"
            | "base64tostring" | "datauri" | "datauritostring" | "datetimeadd"
            | "datetimefromepoch" | "datetimetoepoch" => {
                unknown(format!("{name}() is not evaluated before deployment"))
            }
            _ if lname.starts_with("list") => {
                unknown(format!("{name}() is not evaluated before deployment"))
            }
            _ => unknown(format!("function `{name}()` is not supported")),
        })
}

/// An expression written out the same way however the template spaced or cased it.
fn canonical(e: &Expr) -> String {
    match e {
        Expr::Str(s) => format!("'{s}'"),
        Expr::Num(n) => n.to_string(),
        Expr::Call(name, args) => {
            let args: Vec<String> = args.iter().map(canonical).collect();
            format!("{}({})", name.to_ascii_lowercase(), args.join(","))
        }
        Expr::Prop(base, name) => format!("{}.{name}", canonical(base)),
        Expr::Index(base, index) => format!("{}[{}]", canonical(base), canonical(index)),
    }
}

/// A symbol's text without the braces of symbols inside it.
pub(super) fn strip_braces(s: &str) -> String {
    s.replace(['{', '}'], "")
}

/// The symbol standing for what an undecidable expression gives, named by its text: braces
/// and `/` cannot stand in a symbol, and a long text is named by a digest of it.
pub(super) fn symbol_of(text: &str) -> Value {
    const LONGEST: usize = 120;
    let name = ahds_model::symbolic::escape(text);
    if name.len() <= LONGEST {
        return Value::String(format!("{{{name}}}"));
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let head: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .take(24)
        .collect();
    Value::String(format!(
        "{{{}:{hash:016x}}}",
        if head.is_empty() { "expr" } else { &head }
    ))
}

/// The unknown marker for a `reference()` read of `target`.
fn reference_marker(target: Option<String>) -> Value {
    let mut m = Map::new();
    m.insert(
        UNKNOWN_MARKER.into(),
        Value::String("reference() is known only after deployment".into()),
    );
    if let Some(t) = target {
        m.insert(REFERENCE_KEY.into(), Value::String(t));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests;
