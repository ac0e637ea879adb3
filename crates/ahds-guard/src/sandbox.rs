//! What a policy may be and do, checked when it is loaded, before regorus sees it.
//!
//! Custom policies are code run inside the host. Four things in them can hurt it, and each
//! is refused here with the file and line:
//!
//! - **Size and literal nesting.** regorus's parser takes time exponential in the depth of
//!   nested array/object literals (20 levels: 9 s; the catalog needs 8), so sources over
//!   [`MAX_POLICY_BYTES`] or nested deeper than [`MAX_LITERAL_NESTING`] are refused
//!   before parsing.
//! - **Recursion.** OPA refuses rules and functions that depend on themselves; regorus
//!   detects recursive rules only while evaluating and overflows the stack (an abort, not
//!   an error) on recursive functions. The dependency graph of every rule is checked for
//!   cycles at load.
//! - **The outside world.** Policies may read only `input` and `data`. regorus is built
//!   without its time, http, uuid and runtime builtins, but some such builtins (`rand.intn`)
//!   come with its `std` feature; calls to any of [`DENIED_BUILTINS`] are refused by name,
//!   whatever regorus was built with.
//! - **Unknown functions.** A call to a function that is neither a regorus builtin nor a
//!   rule of the policy set would fail only when the rule runs; it is refused at load.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regorus::unstable::{BUILTINS, Expr, Literal, Module, Parser, Query, Rule, RuleHead};

use crate::error::LoadError;
use crate::policy_set::PolicyModule;

/// The largest policy file accepted (1 MiB; the whole bundled catalog is under 200 KiB).
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// The deepest nesting of `[`, `{` and `(` accepted in a policy (the catalog needs 8).
pub const MAX_LITERAL_NESTING: usize = 16;

/// The longest chain of rules depending on each other accepted. regorus evaluates such a
/// chain recursively, a few KiB of stack per link; the rule threads' 64 MiB hold about
/// 10,000 links, so this leaves a margin of more than two. The catalog's longest is 6.
pub const MAX_RULE_CHAIN: usize = 4_000;

/// Builtins that would let a policy see something other than `input` and `data`, or give
/// different answers for the same input, with what each would do.
pub const DENIED_BUILTINS: &[(&str, &str)] = &[
    ("time.now_ns", "reads the clock"),
    ("rand.intn", "returns random numbers"),
    ("uuid.rfc4122", "returns random identifiers"),
    ("http.send", "reaches the network"),
    ("net.lookup_ip_addr", "reaches the network"),
    ("opa.runtime", "reads the process environment"),
];

/// Refuses a source that is too large or nested too deeply to parse safely.
pub(crate) fn check_source(path: &str, source: &str) -> Result<(), LoadError> {
    if source.len() > MAX_POLICY_BYTES {
        return Err(LoadError::Policy {
            file: path.to_string(),
            line: Some(1),
            message: format!(
                "policy file is {} bytes; the limit is {MAX_POLICY_BYTES} bytes",
                source.len()
            ),
        });
    }
    if let Some(line) = too_deep(source) {
        return Err(LoadError::Policy {
            file: path.to_string(),
            line: Some(line),
            message: format!(
                "brackets nested more than {MAX_LITERAL_NESTING} deep; split the literal into named parts"
            ),
        });
    }
    Ok(())
}

/// The line where `[`, `{` or `(` first nests deeper than the limit, outside strings and
/// comments.
fn too_deep(source: &str) -> Option<u32> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > MAX_LITERAL_NESTING {
                    return Some(line);
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// What the load-time checks need to know of one module: its rules, what each depends on,
/// and the functions it calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleSummary {
    /// Rule (by full path, `data.pkg.name`) → its first line and the paths it refers to,
    /// each with a line.
    rules: BTreeMap<String, (u32, Vec<(String, u32)>)>,
    /// Functions called by name, unresolved, with the line of the call.
    calls: Vec<(String, u32)>,
    /// Names the module's imports bind (`lib` for `import data.ahds.lib`).
    aliases: BTreeSet<String>,
}

/// Collects a parsed module's rule dependencies and calls.
pub(crate) fn summarize(module: &Module, package: &str) -> ModuleSummary {
    let mut imports = HashMap::new();
    for import in &module.imports {
        let Ok(parts) = Parser::get_path_ref_components(&import.refr) else {
            continue;
        };
        let path: Vec<&str> = parts.iter().map(|s| s.text()).collect();
        let alias = import
            .r#as
            .as_ref()
            .map(|s| s.text().to_string())
            .or_else(|| path.last().map(|s| s.to_string()));
        if let Some(alias) = alias {
            imports.insert(alias, path.join("."));
        }
    }
    let scope = Scope {
        package,
        imports: &imports,
    };
    let mut summary = ModuleSummary {
        aliases: imports.keys().cloned().collect(),
        ..ModuleSummary::default()
    };
    for rule in &module.policy {
        let (refr, line) = match rule.as_ref() {
            Rule::Spec { head, span, .. } => match head {
                RuleHead::Compr { refr, .. }
                | RuleHead::Set { refr, .. }
                | RuleHead::Func { refr, .. } => (refr, span.line),
            },
            Rule::Default { refr, span, .. } => (refr, span.line),
        };
        let Some(name) = Parser::get_path_ref_components(refr)
            .ok()
            .and_then(|p| p.first().map(|s| s.text().to_string()))
        else {
            continue;
        };
        let mut walker = Walker {
            scope: &scope,
            refs: Vec::new(),
            calls: Vec::new(),
        };
        walker.rule(rule.as_ref());
        summary.calls.append(&mut walker.calls);
        let entry = summary
            .rules
            .entry(format!("data.{package}.{name}"))
            .or_insert((line, Vec::new()));
        entry.1.append(&mut walker.refs);
    }
    summary
}

/// How names resolve inside one module.
struct Scope<'a> {
    package: &'a str,
    imports: &'a HashMap<String, String>,
}

impl Scope<'_> {
    /// The full path a reference's static prefix stands for, when it names `data`.
    fn resolve(&self, parts: &[String]) -> Option<String> {
        let first = parts.first()?;
        if first == "data" {
            return Some(parts.join("."));
        }
        if let Some(base) = self.imports.get(first) {
            if !base.starts_with("data") {
                return None;
            }
            let mut path = base.clone();
            for p in &parts[1..] {
                path.push('.');
                path.push_str(p);
            }
            return Some(path);
        }
        if first == "input" {
            return None;
        }
        // Any other name may be a rule of the package, in this file or another one; the
        // set-level checks keep only the paths that are rules.
        let mut path = format!("data.{}", self.package);
        for p in parts {
            path.push('.');
            path.push_str(p);
        }
        Some(path)
    }
}

struct Walker<'a> {
    scope: &'a Scope<'a>,
    refs: Vec<(String, u32)>,
    calls: Vec<(String, u32)>,
}

impl Walker<'_> {
    fn rule(&mut self, rule: &Rule) {
        match rule {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                        if let Some(a) = assign {
                            self.expr(&a.value);
                        }
                    }
                    RuleHead::Set { key, .. } => {
                        if let Some(k) = key {
                            self.expr(k);
                        }
                    }
                }
                for body in bodies {
                    if let Some(a) = &body.assign {
                        self.expr(&a.value);
                    }
                    self.query(&body.query);
                }
            }
            Rule::Default { value, .. } => self.expr(value),
        }
    }

    fn query(&mut self, query: &Query) {
        for stmt in &query.stmts {
            match &stmt.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => self.membership(key.as_deref(), value, collection),
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.expr(expr),
                Literal::Every { domain, query, .. } => {
                    self.expr(domain);
                    self.query(query);
                }
            }
            for m in &stmt.with_mods {
                self.expr(&m.r#as);
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. } => {}
            Expr::Var { span, .. } | Expr::RefDot { span, .. } | Expr::RefBrack { span, .. } => {
                let (parts, indexes) = static_path(expr);
                if let Some(path) = self.scope.resolve(&parts) {
                    self.refs.push((path, span.line));
                }
                for i in indexes {
                    self.expr(i);
                }
            }
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                for i in items {
                    self.expr(i);
                }
            }
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.expr(term);
                self.query(query);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.expr(key);
                self.expr(value);
                self.query(query);
            }
            Expr::Call {
                span, fcn, params, ..
            } => {
                let (parts, _) = static_path(fcn);
                if !parts.is_empty() {
                    self.calls.push((parts.join("."), span.line));
                    if let Some(path) = self.scope.resolve(&parts) {
                        self.refs.push((path, span.line));
                    }
                }
                for p in params {
                    self.expr(p);
                }
            }
            Expr::UnaryExpr { expr, .. } => self.expr(expr),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => self.membership(key.as_deref(), value, collection),
        }
    }

    /// `key, value in collection`, as a `some` literal or an expression.
    fn membership(&mut self, key: Option<&Expr>, value: &Expr, collection: &Expr) {
        if let Some(k) = key {
            self.expr(k);
        }
        self.expr(value);
        self.expr(collection);
    }
}

/// The static prefix of a reference (`data.a.b["c"]` → `[data, a, b, c]`) and the
/// expressions used as computed indexes after it, which the caller still walks.
fn static_path(expr: &Expr) -> (Vec<String>, Vec<&Expr>) {
    let mut parts = Vec::new();
    let mut indexes = Vec::new();
    let mut cur = expr;
    loop {
        match cur {
            Expr::Var { span, .. } => {
                parts.push(span.text().to_string());
                break;
            }
            Expr::RefDot { refr, field, .. } => {
                parts.push(field.0.text().to_string());
                cur = refr.as_ref();
            }
            Expr::RefBrack { refr, index, .. } => {
                match index.as_ref() {
                    Expr::String { value, .. } | Expr::RawString { value, .. } => {
                        match value.as_string() {
                            Ok(s) => parts.push(s.to_string()),
                            Err(_) => parts.clear(),
                        }
                    }
                    other => {
                        // Everything after a computed index is dynamic.
                        parts.clear();
                        indexes.push(other);
                    }
                }
                cur = refr.as_ref();
            }
            other => {
                parts.clear();
                indexes.push(other);
                break;
            }
        }
    }
    parts.reverse();
    (parts, indexes)
}

/// Checks a whole policy set: denied and unknown functions, and recursion.
pub(crate) fn check_set(modules: &[PolicyModule]) -> Result<(), LoadError> {
    // Every rule of the set, by full path, with where it is declared.
    let mut rules: BTreeMap<&str, (&PolicyModule, u32)> = BTreeMap::new();
    for m in modules {
        for (path, (line, _)) in &m.summary.rules {
            rules.entry(path.as_str()).or_insert((m, *line));
        }
    }
    for m in modules {
        for (name, line) in &m.summary.calls {
            check_call(m, name, *line, &rules)?;
        }
    }
    check_recursion(modules, &rules)
}

fn check_call(
    module: &PolicyModule,
    name: &str,
    line: u32,
    rules: &BTreeMap<&str, (&PolicyModule, u32)>,
) -> Result<(), LoadError> {
    let error = |message: String| LoadError::Policy {
        file: module.path.clone(),
        line: Some(line),
        message,
    };
    if let Some((_, why)) = DENIED_BUILTINS.iter().find(|(n, _)| *n == name) {
        return Err(error(format!(
            "`{name}` {why}; policies may read only `input` and `data`"
        )));
    }
    let first = name.split('.').next().unwrap_or(name);
    let known = if first == "data" {
        rules.contains_key(name)
    } else {
        // A function of the package may be declared in another of its files.
        rules.contains_key(format!("data.{}.{first}", module.package).as_str())
            || module.summary.aliases.contains(first)
            || name == "print"
            || BUILTINS.contains_key(name)
    };
    if known {
        return Ok(());
    }
    Err(error(format!(
        "unknown function `{name}`: not a builtin this build provides, nor a function of the policy set"
    )))
}

/// Refuses a rule or function that depends on itself, directly or through others.
fn check_recursion(
    modules: &[PolicyModule],
    rules: &BTreeMap<&str, (&PolicyModule, u32)>,
) -> Result<(), LoadError> {
    // Edges between known rules only. A reference into a rule's value (`data.p.r.x`)
    // depends on `data.p.r`: take the longest prefix that is a rule.
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in modules {
        for (path, (_, refs)) in &m.summary.rules {
            let targets = edges.entry(path.as_str()).or_default();
            for (r, _) in refs {
                if let Some(target) = longest_rule_prefix(r, rules) {
                    targets.insert(target);
                }
            }
        }
    }
    // Iterative depth-first search; `on_path` holds the current chain.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark: HashMap<&str, Mark> = edges.keys().map(|k| (*k, Mark::New)).collect();
    // Nodes in the order they finish: every rule after the rules it depends on.
    let mut finished: Vec<&str> = Vec::with_capacity(edges.len());
    for &start in edges.keys() {
        if mark.get(start) != Some(&Mark::New) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> =
            vec![(start, edges[start].iter().copied().collect())];
        mark.insert(start, Mark::Active);
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            let Some(next) = pending.pop() else {
                mark.insert(node, Mark::Done);
                finished.push(node);
                stack.pop();
                continue;
            };
            match mark.get(next).copied().unwrap_or(Mark::Done) {
                Mark::Done => {}
                Mark::Active => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                    cycle.push(next);
                    let (module, line) = rules
                        .get(next)
                        .copied()
                        .ok_or_else(|| LoadError::Engine(format!("recursive rule `{next}`")))?;
                    let short: Vec<&str> = cycle
                        .iter()
                        .map(|p| p.strip_prefix("data.").unwrap_or(p))
                        .collect();
                    return Err(LoadError::Policy {
                        file: module.path.clone(),
                        line: Some(line),
                        message: format!(
                            "`{}` depends on itself ({}); Rego does not allow recursion",
                            short[0],
                            short.join(" → ")
                        ),
                    });
                }
                Mark::New => {
                    mark.insert(next, Mark::Active);
                    let children = edges
                        .get(next)
                        .map(|e| e.iter().copied().collect())
                        .unwrap_or_default();
                    stack.push((next, children));
                }
            }
        }
    }
    check_chain_length(&finished, &edges, rules)
}

/// Refuses chains of dependent rules too long to evaluate within the rule threads' stack.
fn check_chain_length(
    finished: &[&str],
    edges: &BTreeMap<&str, BTreeSet<&str>>,
    rules: &BTreeMap<&str, (&PolicyModule, u32)>,
) -> Result<(), LoadError> {
    let mut length: HashMap<&str, usize> = HashMap::with_capacity(finished.len());
    for &node in finished {
        let longest_below = edges
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|n| length.get(n))
            .max()
            .copied()
            .unwrap_or(0);
        let n = longest_below + 1;
        if n > MAX_RULE_CHAIN {
            let (module, line) = rules
                .get(node)
                .copied()
                .ok_or_else(|| LoadError::Engine(format!("rule chain at `{node}`")))?;
            return Err(LoadError::Policy {
                file: module.path.clone(),
                line: Some(line),
                message: format!(
                    "`{}` starts a chain of more than {MAX_RULE_CHAIN} rules, each depending on the next; evaluating it could exhaust the stack",
                    node.strip_prefix("data.").unwrap_or(node)
                ),
            });
        }
        length.insert(node, n);
    }
    Ok(())
}

fn longest_rule_prefix<'r>(
    path: &str,
    rules: &BTreeMap<&'r str, (&PolicyModule, u32)>,
) -> Option<&'r str> {
    let mut end = path.len();
    loop {
        if let Some((k, _)) = rules.get_key_value(&path[..end]) {
            return Some(k);
        }
        end = path[..end].rfind('.')?;
    }
}
