//! What the load-time checks read of a parsed module: its rules, what each depends on, and
//! the functions it calls. The policy set builds one summary per file; the sandbox checks
//! the set's summaries together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use regorus::unstable::{Expr, Literal, Module, Parser, Query, Rule, RuleHead};

/// What the load-time checks need to know of one module: its rules, what each depends on,
/// and the functions it calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleSummary {
    /// The file, for errors.
    pub(crate) path: String,
    /// The package (`ahds.lib`).
    pub(crate) package: String,
    /// Rule (by full path, `data.pkg.name`) → its first line and the paths it refers to,
    /// each with a line.
    pub(crate) rules: BTreeMap<String, (u32, Vec<(String, u32)>)>,
    /// Functions called by name, unresolved, with the line of the call.
    pub(crate) calls: Vec<(String, u32)>,
    /// Names the module's imports bind (`lib` for `import data.ahds.lib`).
    pub(crate) aliases: BTreeSet<String>,
    /// What of the input document the module can read.
    pub(crate) input: InputUse,
}

/// The top-level members of the input document a set of modules can read: those named
/// statically (`input.links`, `input["workspaces"]`), or the whole document when any
/// reference reaches `input` without a static member (`input[kind]`, `x := input`,
/// `import input`). The evaluator builds only these members; a rule cannot tell, since a
/// member no reference names is one no rule can read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InputUse {
    /// Every member may be read.
    pub(crate) whole: bool,
    /// The members named statically.
    pub(crate) members: BTreeSet<String>,
}

impl InputUse {
    /// Adds what another module reads.
    pub(crate) fn extend(&mut self, other: &InputUse) {
        self.whole |= other.whole;
        self.members.extend(other.members.iter().cloned());
    }

    /// Whether the member `name` may be read.
    pub(crate) fn reads(&self, name: &str) -> bool {
        self.whole || self.members.contains(name)
    }

    /// Records a reference whose static prefix is `parts`.
    fn note(&mut self, parts: &[String]) {
        if parts.first().map(String::as_str) != Some("input") {
            return;
        }
        match parts.get(1) {
            Some(member) => {
                self.members.insert(member.clone());
            }
            None => self.whole = true,
        }
    }
}

/// Collects a parsed module's rule dependencies and calls.
pub(crate) fn summarize(module: &Module, path: &str, package: &str) -> ModuleSummary {
    let mut imports = HashMap::new();
    let mut input = InputUse::default();
    for import in &module.imports {
        let Ok(parts) = Parser::get_path_ref_components(&import.refr) else {
            // An import the summary cannot read may still name the input.
            input.whole = true;
            continue;
        };
        let path: Vec<&str> = parts.iter().map(|s| s.text()).collect();
        input.note(&path.iter().map(|s| s.to_string()).collect::<Vec<_>>());
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
        path: path.to_string(),
        package: package.to_string(),
        aliases: imports.keys().cloned().collect(),
        input,
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
            input: InputUse::default(),
        };
        walker.rule(rule.as_ref());
        summary.calls.append(&mut walker.calls);
        summary.input.extend(&walker.input);
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
    pub(crate) calls: Vec<(String, u32)>,
    input: InputUse,
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
                self.input.note(&parts);
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
                self.input.note(&parts);
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

#[cfg(test)]
mod tests {
    use crate::policy::policy_set::PolicySet;

    #[test]
    fn the_bundled_rules_name_their_members_and_leave_role_assignments_out() {
        let used = PolicySet::bundled_without_tests().unwrap().input_use();
        assert!(
            !used.whole,
            "a bundled rule reads `input` without a static member"
        );
        for member in [
            "links",
            "workspaces",
            "fhir_services",
            "dicom_services",
            "medtech_services",
        ] {
            assert!(used.reads(member), "{member}");
        }
        assert!(!used.reads("role_assignments"));
        assert!(!used.reads("private_endpoints"));
    }

    #[test]
    fn a_reference_without_a_static_member_reads_the_whole_input() {
        for (source, whole, member) in [
            ("x := input.links", false, Some("links")),
            ("x := input[\"links\"][0]", false, Some("links")),
            ("x := input[y] if y := \"links\"", true, None),
            ("x := object.keys(input)", true, None),
            ("x if some k, _ in input", true, None),
            (
                "import input.firewalls\nx := firewalls",
                false,
                Some("firewalls"),
            ),
            ("import input\nx := input", true, None),
            ("x := data.other.y", false, None),
        ] {
            let text = format!("package t\n\n{source}\n");
            let mut set = PolicySet::empty();
            set.add_module("t.rego", &text, crate::policy::catalog::RuleOrigin::Custom)
                .unwrap();
            let used = set.input_use();
            assert_eq!(used.whole, whole, "{source}");
            if let Some(m) = member {
                assert!(used.reads(m), "{source}");
            }
            assert_eq!(used.reads("role_assignments"), whole, "{source}");
        }
    }
}
