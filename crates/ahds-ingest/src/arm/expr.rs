//! The ARM template expression language (`[concat(parameters('name'), '-fhir')]`).
//!
//! Evaluates what real templates use for names and ids. What cannot be known before
//! deployment (`reference()`, `uniqueString()`, `guid()`, `utcNow()`...) evaluates to the
//! unknown marker — never a guess. The deployment's subscription and resource group are
//! symbolic placeholders, equal for every resource of the deployment, so ids built from
//! them still link resources to each other.

use serde_json::{Map, Value};

use super::props::{UNKNOWN_MARKER, is_unknown, prop, unknown};

/// The placeholder for the deployment's subscription id.
pub(crate) const SUBSCRIPTION: &str = "{subscriptionId}";
/// The placeholder for the deployment's resource group name.
pub(crate) const RESOURCE_GROUP: &str = "{resourceGroupName}";
/// The placeholder for the deployment resource group's location.
pub(crate) const LOCATION: &str = "{resourceGroupLocation}";

/// The key of an unknown marker that records which resource a `reference()` reads.
pub(crate) const REFERENCE_KEY: &str = "$reference";
/// The key of an unknown marker that records the property path read from a reference.
pub(crate) const PATH_KEY: &str = "$path";

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Str(String),
    Num(i64),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// Why an expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError(pub(crate) String);

struct Parser<'s> {
    s: &'s [u8],
    i: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, ParseError> {
        Err(ParseError(format!("{what} at character {}", self.i + 1)))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("expression nested too deep");
        }
        self.ws();
        let mut e = match self.s.get(self.i) {
            Some(b'\'') => self.string()?,
            Some(c) if c.is_ascii_digit() || *c == b'-' => self.number()?,
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => self.call()?,
            _ => return self.err("expected a value"),
        };
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'.') => {
                    self.i += 1;
                    let name = self.ident();
                    if name.is_empty() {
                        return self.err("expected a property name");
                    }
                    e = Expr::Prop(Box::new(e), name);
                }
                Some(b'[') => {
                    self.i += 1;
                    let idx = self.expr()?;
                    self.ws();
                    if self.s.get(self.i) != Some(&b']') {
                        return self.err("expected `]`");
                    }
                    self.i += 1;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(e)
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn string(&mut self) -> Result<Expr, ParseError> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return self.err("unterminated string"),
                Some(b'\'') if self.s.get(self.i + 1) == Some(&b'\'') => {
                    out.push(b'\'');
                    self.i += 2;
                }
                Some(b'\'') => {
                    self.i += 1;
                    break;
                }
                Some(c) => {
                    out.push(*c);
                    self.i += 1;
                }
            }
        }
        Ok(Expr::Str(String::from_utf8_lossy(&out).into_owned()))
    }

    fn number(&mut self) -> Result<Expr, ParseError> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse().ok())
            .map(Expr::Num)
            .map_or_else(|| self.err("bad number"), Ok)
    }

    fn call(&mut self) -> Result<Expr, ParseError> {
        let mut name = self.ident();
        // User-defined functions are `namespace.name(...)`.
        while self.s.get(self.i) == Some(&b'.')
            && self.s.get(self.i + 1).is_some_and(u8::is_ascii_alphabetic)
        {
            let save = self.i;
            self.i += 1;
            let more = self.ident();
            self.ws();
            if self.s.get(self.i) == Some(&b'(') {
                name = format!("{name}.{more}");
            } else {
                self.i = save;
                break;
            }
        }
        self.ws();
        if self.s.get(self.i) != Some(&b'(') {
            return self.err(&format!("expected `(` after `{name}`"));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b')') {
            self.i += 1;
            return Ok(Expr::Call(name, args));
        }
        loop {
            args.push(self.expr()?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b')') => {
                    self.i += 1;
                    break;
                }
                _ => return self.err("expected `,` or `)`"),
            }
        }
        Ok(Expr::Call(name, args))
    }
}

/// Whether a template string is an expression (`[...]`, but not the `[[` escape).
pub(crate) fn is_expression(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

fn parse(s: &str) -> Result<Expr, ParseError> {
    let inner = &s[1..s.len() - 1];
    let mut p = Parser {
        s: inner.as_bytes(),
        i: 0,
        depth: 0,
    };
    let e = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return p.err("unexpected text after the expression");
    }
    Ok(e)
}

/// What expressions can read: parameters, variables and resources by symbolic name.
pub(crate) trait Scope {
    /// A parameter's value (already evaluated), or the unknown marker.
    fn parameter(&self, name: &str) -> Option<Value>;
    /// A variable's value, evaluated on demand.
    fn variable(&self, name: &str) -> Option<Value>;
    /// The id of a resource by its symbolic name (languageVersion 2.0 templates).
    fn resource_id(&self, symbolic: &str) -> Option<String>;
    /// The current `copyIndex()`, inside a copy loop.
    fn copy_index(&self) -> Option<i64>;
}

/// Evaluates a string: expressions evaluate, `[[` unescapes, anything else is itself.
pub(crate) fn eval_string(s: &str, scope: &dyn Scope) -> Value {
    if !is_expression(s) {
        return Value::String(
            s.strip_prefix("[[")
                .map_or_else(|| s.to_string(), |r| format!("[{r}")),
        );
    }
    match parse(s) {
        Ok(e) => eval(&e, scope, 0),
        Err(ParseError(m)) => unknown(format!("expression `{s}` does not parse: {m}")),
    }
}

/// Evaluates every string of a JSON value.
pub(crate) fn eval_value(v: &Value, scope: &dyn Scope, depth: usize) -> Value {
    if depth > 128 {
        return unknown("template value nested too deep");
    }
    match v {
        Value::String(s) => eval_string(s, scope),
        Value::Array(a) => {
            Value::Array(a.iter().map(|x| eval_value(x, scope, depth + 1)).collect())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), eval_value(x, scope, depth + 1)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn str_arg(v: &Value) -> Option<&str> {
    v.as_str()
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Forms a resource id under a scope from `type, name1, name2...`.
fn build_id(scope: &str, args: &[Value]) -> Value {
    let Some(ty) = args.first().and_then(str_arg) else {
        return unknown("resource id with an unknown type");
    };
    let mut parts = ty.split('/');
    let Some(ns) = parts.next() else {
        return unknown("resource id with an empty type");
    };
    let types: Vec<&str> = parts.collect();
    let mut names: Vec<String> = Vec::new();
    for n in &args[1..] {
        match n.as_str() {
            // A name may hold several segments (`ws/fhir`).
            Some(s) => names.extend(s.split('/').map(str::to_string)),
            None => return unknown("resource id with a name not known before deployment"),
        }
    }
    if types.len() != names.len() || types.is_empty() {
        return unknown(format!(
            "resource id of `{ty}` with {} name segment(s)",
            names.len()
        ));
    }
    let mut id = format!("{scope}/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    Value::String(id)
}

fn rg_scope(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

fn format_dotnet(fmt: &str, args: &[Value]) -> Value {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let index = spec.split([':', ',']).next().unwrap_or("").trim();
                let Some(arg) = index.parse::<usize>().ok().and_then(|i| args.get(i)) else {
                    return unknown(format!(
                        "format string `{fmt}` refers to a missing argument"
                    ));
                };
                match arg {
                    Value::String(s) => out.push_str(s),
                    Value::Number(n) => out.push_str(&n.to_string()),
                    Value::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
                    _ => return unknown("format() of a value that is not a string or number"),
                }
            }
            c => out.push(c),
        }
    }
    Value::String(out)
}

fn eval(e: &Expr, scope: &dyn Scope, depth: usize) -> Value {
    if depth > MAX_DEPTH {
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
        Expr::Call(name, args) => call(name, args, scope, depth),
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
    // `if` evaluates only the branch it takes.
    if lname == "if" {
        if args.len() != 3 {
            return unknown("if() takes three arguments");
        }
        let c = eval(&args[0], scope, depth + 1);
        return match truthy(&c) {
            Some(true) => eval(&args[1], scope, depth + 1),
            Some(false) => eval(&args[2], scope, depth + 1),
            None => unknown("if() with a condition not known before deployment"),
        };
    }
    let vals: Vec<Value> = args.iter().map(|a| eval(a, scope, depth + 1)).collect();
    let any_unknown = vals.iter().any(is_unknown);
    let arg_str = |i: usize| vals.get(i).and_then(Value::as_str);
    match lname.as_str() {
        "reference" => {
            // reference(resourceId(...)) or reference('symbolicName').
            let target = arg_str(0).map(|s| {
                if s.starts_with('/') {
                    s.to_string()
                } else {
                    scope.resource_id(s).unwrap_or_else(|| s.to_string())
                }
            });
            let mut m = Map::new();
            m.insert(
                UNKNOWN_MARKER.into(),
                Value::String("reference() is known only after deployment".into()),
            );
            if let Some(t) = target {
                m.insert(REFERENCE_KEY.into(), Value::String(t));
            }
            return Value::Object(m);
        }
        "parameters" => {
            return arg_str(0)
                .and_then(|n| scope.parameter(n))
                .unwrap_or_else(|| {
                    unknown(format!(
                        "parameter `{}` has no value",
                        arg_str(0).unwrap_or("?")
                    ))
                });
        }
        "variables" => {
            return arg_str(0)
                .and_then(|n| scope.variable(n))
                .unwrap_or_else(|| {
                    unknown(format!(
                        "variable `{}` is not defined",
                        arg_str(0).unwrap_or("?")
                    ))
                });
        }
        "copyindex" => {
            let offset = vals.iter().find_map(Value::as_i64).unwrap_or(0);
            return scope.copy_index().map_or_else(
                || unknown("copyIndex() outside a copy loop"),
                |i| Value::from(i + offset),
            );
        }
        "subscription" => {
            let mut m = Map::new();
            m.insert(
                "id".into(),
                Value::String(format!("/subscriptions/{SUBSCRIPTION}")),
            );
            m.insert("subscriptionId".into(), Value::String(SUBSCRIPTION.into()));
            m.insert("tenantId".into(), unknown("the deployment's tenant"));
            m.insert(
                "displayName".into(),
                unknown("the deployment's subscription name"),
            );
            return Value::Object(m);
        }
        "resourcegroup" => {
            let mut m = Map::new();
            m.insert(
                "id".into(),
                Value::String(rg_scope(SUBSCRIPTION, RESOURCE_GROUP)),
            );
            m.insert("name".into(), Value::String(RESOURCE_GROUP.into()));
            m.insert("location".into(), Value::String(LOCATION.into()));
            m.insert(
                "type".into(),
                Value::String("Microsoft.Resources/resourceGroups".into()),
            );
            return Value::Object(m);
        }
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    if any_unknown {
        // Carry the first unknown's reason.
        return vals
            .into_iter()
            .find(is_unknown)
            .unwrap_or_else(|| unknown("unknown argument"));
    }
    match lname.as_str() {
        "concat" => {
            if vals.iter().all(Value::is_array) {
                Value::Array(
                    vals.into_iter()
                        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                        .collect(),
                )
            } else {
                let mut s = String::new();
                for v in &vals {
                    match v {
                        Value::String(x) => s.push_str(x),
                        Value::Number(n) => s.push_str(&n.to_string()),
                        Value::Bool(b) => s.push_str(if *b { "True" } else { "False" }),
                        _ => return unknown("concat() of values that are not strings"),
                    }
                }
                Value::String(s)
            }
        }
        "format" => match arg_str(0) {
            Some(f) => format_dotnet(f, &vals[1..]),
            None => unknown("format() without a format string"),
        },
        "resourceid" => {
            let Some(ti) = vals
                .iter()
                .position(|v| v.as_str().is_some_and(|s| s.contains('/')))
            else {
                return unknown("resourceId() without a resource type");
            };
            let (sub, rg) = match ti {
                0 => (SUBSCRIPTION.to_string(), RESOURCE_GROUP.to_string()),
                1 => (
                    SUBSCRIPTION.to_string(),
                    arg_str(0).unwrap_or(RESOURCE_GROUP).to_string(),
                ),
                _ => (
                    arg_str(ti - 2).unwrap_or(SUBSCRIPTION).to_string(),
                    arg_str(ti - 1).unwrap_or(RESOURCE_GROUP).to_string(),
                ),
            };
            build_id(&rg_scope(&sub, &rg), &vals[ti..])
        }
        "subscriptionresourceid" => {
            let Some(ti) = vals
                .iter()
                .position(|v| v.as_str().is_some_and(|s| s.contains('/')))
            else {
                return unknown("subscriptionResourceId() without a resource type");
            };
            let sub = if ti >= 1 {
                arg_str(0).unwrap_or(SUBSCRIPTION)
            } else {
                SUBSCRIPTION
            };
            build_id(&format!("/subscriptions/{sub}"), &vals[ti..])
        }
        "tenantresourceid" => build_id("", &vals),
        "extensionresourceid" => match arg_str(0) {
            Some(base) => build_id(base, &vals[1..]),
            None => unknown("extensionResourceId() without a base id"),
        },
        "tolower" => arg_str(0).map_or_else(
            || unknown("toLower() of a non-string"),
            |s| Value::String(s.to_lowercase()),
        ),
        "toupper" => arg_str(0).map_or_else(
            || unknown("toUpper() of a non-string"),
            |s| Value::String(s.to_uppercase()),
        ),
        "trim" => arg_str(0).map_or_else(
            || unknown("trim() of a non-string"),
            |s| Value::String(s.trim().to_string()),
        ),
        "string" => match vals.first() {
            Some(Value::String(s)) => Value::String(s.clone()),
            Some(v) => Value::String(v.to_string()),
            None => unknown("string() without an argument"),
        },
        "int" => match vals.first() {
            Some(Value::Number(n)) => Value::Number(n.clone()),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map_or_else(|_| unknown("int() of a non-number"), Value::from),
            _ => unknown("int() of a non-number"),
        },
        "bool" => vals
            .first()
            .and_then(truthy)
            .map_or_else(|| unknown("bool() of a non-boolean"), Value::Bool),
        "equals" => match (vals.first(), vals.get(1)) {
            (Some(Value::String(a)), Some(Value::String(b))) => {
                Value::Bool(a.eq_ignore_ascii_case(b))
            }
            (Some(a), Some(b)) => Value::Bool(a == b),
            _ => unknown("equals() takes two arguments"),
        },
        "not" => vals
            .first()
            .and_then(truthy)
            .map_or_else(|| unknown("not() of a non-boolean"), |b| Value::Bool(!b)),
        "and" => vals
            .iter()
            .map(truthy)
            .collect::<Option<Vec<_>>>()
            .map_or_else(
                || unknown("and() of non-booleans"),
                |b| Value::Bool(b.iter().all(|x| *x)),
            ),
        "or" => vals
            .iter()
            .map(truthy)
            .collect::<Option<Vec<_>>>()
            .map_or_else(
                || unknown("or() of non-booleans"),
                |b| Value::Bool(b.iter().any(|x| *x)),
            ),
        "empty" => match vals.first() {
            Some(Value::Null) | None => Value::Bool(true),
            Some(Value::String(s)) => Value::Bool(s.is_empty()),
            Some(Value::Array(a)) => Value::Bool(a.is_empty()),
            Some(Value::Object(m)) => Value::Bool(m.is_empty()),
            Some(_) => Value::Bool(false),
        },
        "length" => match vals.first() {
            Some(Value::String(s)) => Value::from(s.chars().count()),
            Some(Value::Array(a)) => Value::from(a.len()),
            Some(Value::Object(m)) => Value::from(m.len()),
            _ => unknown("length() of a scalar"),
        },
        "contains" => match (vals.first(), vals.get(1)) {
            (Some(Value::String(s)), Some(Value::String(x))) => {
                Value::Bool(s.to_lowercase().contains(&x.to_lowercase()))
            }
            (Some(Value::Array(a)), Some(x)) => Value::Bool(a.contains(x)),
            (Some(Value::Object(_)), Some(Value::String(k))) => {
                Value::Bool(prop(&vals[0], k).is_some())
            }
            _ => unknown("contains() of the wrong types"),
        },
        "first" => match vals.first() {
            Some(Value::Array(a)) => a.first().cloned().unwrap_or(Value::Null),
            Some(Value::String(s)) => {
                Value::String(s.chars().next().map(String::from).unwrap_or_default())
            }
            _ => unknown("first() of a non-array"),
        },
        "last" => match vals.first() {
            Some(Value::Array(a)) => a.last().cloned().unwrap_or(Value::Null),
            Some(Value::String(s)) => {
                Value::String(s.chars().last().map(String::from).unwrap_or_default())
            }
            _ => unknown("last() of a non-array"),
        },
        "split" => match (arg_str(0), vals.get(1)) {
            (Some(s), Some(Value::String(d))) => Value::Array(
                s.split(d.as_str())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ),
            _ => unknown("split() of the wrong types"),
        },
        "replace" => match (arg_str(0), arg_str(1), arg_str(2)) {
            (Some(s), Some(a), Some(b)) => Value::String(s.replace(a, b)),
            _ => unknown("replace() of the wrong types"),
        },
        "startswith" => match (arg_str(0), arg_str(1)) {
            (Some(s), Some(p)) => Value::Bool(s.to_lowercase().starts_with(&p.to_lowercase())),
            _ => unknown("startsWith() of the wrong types"),
        },
        "endswith" => match (arg_str(0), arg_str(1)) {
            (Some(s), Some(p)) => Value::Bool(s.to_lowercase().ends_with(&p.to_lowercase())),
            _ => unknown("endsWith() of the wrong types"),
        },
        "coalesce" => vals
            .into_iter()
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null),
        "createarray" => Value::Array(vals),
        "array" => match vals.into_iter().next() {
            Some(Value::Array(a)) => Value::Array(a),
            Some(v) => Value::Array(vec![v]),
            None => Value::Array(Vec::new()),
        },
        "createobject" => {
            let mut m = Map::new();
            for pair in vals.chunks(2) {
                match pair {
                    [Value::String(k), v] => {
                        m.insert(k.clone(), v.clone());
                    }
                    _ => return unknown("createObject() with a non-string key"),
                }
            }
            Value::Object(m)
        }
        "union" => {
            if vals.iter().all(Value::is_object) {
                let mut m = Map::new();
                for v in vals {
                    if let Value::Object(o) = v {
                        m.extend(o);
                    }
                }
                Value::Object(m)
            } else if vals.iter().all(Value::is_array) {
                let mut out: Vec<Value> = Vec::new();
                for v in vals
                    .into_iter()
                    .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Value::Array(out)
            } else {
                unknown("union() of mixed types")
            }
        }
        "json" => arg_str(0)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_else(|| unknown("json() of text that is not JSON")),
        "take" | "skip" => match (vals.first(), vals.get(1).and_then(Value::as_u64)) {
            (Some(Value::Array(a)), Some(n)) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX).min(a.len());
                Value::Array(if lname == "take" {
                    a[..n].to_vec()
                } else {
                    a[n..].to_vec()
                })
            }
            (Some(Value::String(s)), Some(n)) => {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                Value::String(if lname == "take" {
                    s.chars().take(n).collect()
                } else {
                    s.chars().skip(n).collect()
                })
            }
            _ => unknown("take()/skip() of the wrong types"),
        },
        // Deterministic within a deployment: the same arguments give the same value, so a
        // symbolic token links resources named with it without guessing the hash.
        "uniquestring" | "guid" => {
            // A short stable digest of the arguments keeps the token free of `/`, so it
            // can stand in a resource name.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for v in &vals {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                for b in text.bytes().chain([0x1f]) {
                    hash ^= u64::from(b);
                    hash = hash.wrapping_mul(0x0100_0000_01b3);
                }
            }
            Value::String(format!("{{{name}:{:08x}}}", hash >> 32))
        }
        // Known only at deployment.
        "newguid" | "utcnow" | "deployment" | "environment" | "tenant" | "managementgroup"
        | "listkeys" | "listsecrets" | "list" | "pickzones" | "providers" | "base64"
        | "base64tostring" | "datauri" | "uri" | "dateTimeAdd" => {
            unknown(format!("{name}() is not evaluated before deployment"))
        }
        _ => unknown(format!("function `{name}()` is not supported")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct S(HashMap<&'static str, Value>);
    impl Scope for S {
        fn parameter(&self, name: &str) -> Option<Value> {
            self.0.get(name).cloned()
        }
        fn variable(&self, name: &str) -> Option<Value> {
            self.0.get(name).cloned()
        }
        fn resource_id(&self, _: &str) -> Option<String> {
            None
        }
        fn copy_index(&self) -> Option<i64> {
            None
        }
    }

    fn s() -> S {
        S(HashMap::from([
            ("ws", Value::from("contoso")),
            ("n", Value::from(2)),
        ]))
    }

    #[test]
    fn evaluates_the_functions_templates_use_for_names_and_ids() {
        let sc = s();
        assert_eq!(
            eval_string("[concat(parameters('ws'), '-fhir')]", &sc),
            "contoso-fhir"
        );
        assert_eq!(
            eval_string("[format('{0}/{1}', parameters('ws'), 'fhir')]", &sc),
            "contoso/fhir"
        );
        assert_eq!(
            eval_string(
                "[resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', parameters('ws'), 'fhir')]",
                &sc
            ),
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.HealthcareApis/workspaces/contoso/fhirservices/fhir"
        );
        assert_eq!(
            eval_string(
                "[resourceId('other-rg', 'Microsoft.Storage/storageAccounts', 'sa')]",
                &sc
            ),
            "/subscriptions/{subscriptionId}/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/sa"
        );
        assert_eq!(eval_string("[resourceGroup().location]", &sc), LOCATION);
        assert_eq!(
            eval_string("[subscription().subscriptionId]", &sc),
            SUBSCRIPTION
        );
        assert_eq!(eval_string("[toLower('AbC')]", &sc), "abc");
        assert_eq!(
            eval_string("[if(equals(parameters('n'), 2), 'yes', 'no')]", &sc),
            "yes"
        );
        assert_eq!(eval_string("[createArray('a', 'b')[1]]", &sc), "b");
        assert_eq!(
            eval_string("[[not an expression]", &sc),
            "[not an expression]"
        );
        assert_eq!(eval_string("plain", &sc), "plain");
        assert_eq!(eval_string("['it''s']", &sc), "it's");
    }

    #[test]
    fn what_is_known_only_at_deployment_is_unknown_never_guessed() {
        let sc = s();
        // Deterministic within the deployment: equal arguments, equal symbolic token.
        let a = eval_string("[concat('st', uniqueString(resourceGroup().id))]", &sc);
        let b = eval_string("[format('st{0}', uniqueString(resourceGroup().id))]", &sc);
        assert_eq!(a, b);
        assert!(a.as_str().unwrap().starts_with("st{uniqueString:"), "{a}");
        assert!(!a.as_str().unwrap().contains('/'));
        assert_ne!(a, eval_string("[concat('st', uniqueString('other'))]", &sc));
        for e in [
            "[uniqueString(parameters('missing'))]",
            "[parameters('missing')]",
            "[utcNow()]",
            "[concat(parameters('ws']",
        ] {
            assert!(is_unknown(&eval_string(e, &sc)), "{e} should be unknown");
        }
        let r = eval_string(
            "[reference(resourceId('Microsoft.HealthcareApis/workspaces/fhirservices', 'ws', 'fhir'), '2023-11-01', 'full').identity.principalId]",
            &sc,
        );
        assert!(is_unknown(&r));
        assert_eq!(r[PATH_KEY], serde_json::json!(["identity", "principalId"]));
        assert!(
            r[REFERENCE_KEY]
                .as_str()
                .is_some_and(|s| s.ends_with("/fhirservices/fhir"))
        );
    }
}
