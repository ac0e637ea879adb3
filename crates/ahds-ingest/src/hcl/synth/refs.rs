//! The references of configuration expressions, written as a plan's `configuration`
//! section lists them (`azurerm_storage_account.x.id`, `azurerm_storage_account.x`), so
//! the plan reader links resources the same way for sources and plans.

use std::collections::HashSet;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};

use super::super::load::ModuleDef;

/// References `each.value.X` makes through a `for_each` over `module.M` or a resource.
pub(super) fn each_value_refs(e: &Expression, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk(e, &mut |t| {
        if !matches!(t, Expression::Traversal(_)) || root_name(t).as_deref() != Some("each") {
            return;
        }
        let steps = steps(t);
        if steps.first().map(String::as_str) != Some(".value") {
            return;
        }
        let mut text = base.to_string();
        let mut found = Vec::new();
        for s in &steps[1..] {
            text.push_str(s);
            found.push(text.clone());
        }
        for f in found.into_iter().rev() {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    });
    out
}

pub(super) fn uses_iteration(e: &Expression) -> bool {
    let mut found = false;
    walk(e, &mut |t| {
        if let Some(root) = root_name(t) {
            found |= root == "each" || root == "count";
        }
    });
    found
}

/// The references of an expression as Terraform lists them (most specific first, then
/// the resource itself); locals are followed to what they reference.
pub(crate) fn references(def: &ModuleDef, e: &Expression) -> Vec<String> {
    let mut out = Vec::new();
    let mut locals = HashSet::new();
    collect_refs(def, e, &mut out, &mut locals);
    out
}

fn collect_refs(
    def: &ModuleDef,
    e: &Expression,
    out: &mut Vec<String>,
    locals: &mut HashSet<String>,
) {
    let mut found = Vec::new();
    // Borrowed, not cloned: the traversals stay in the configuration.
    walk(e, &mut |t| found.push(t));
    for t in found {
        let Some(root) = root_name(t) else { continue };
        let steps = steps(t);
        let push = |out: &mut Vec<String>, s: String| {
            if !out.contains(&s) {
                out.push(s);
            }
        };
        match root.as_str() {
            "local" => {
                if let Some(name) = steps.first() {
                    let name = name.trim_start_matches('.').to_string();
                    if locals.insert(name.clone()) {
                        if let Some((le, _)) = def.locals.get(&name) {
                            collect_refs(def, le, out, locals);
                        }
                    }
                }
            }
            "var" => {
                if let Some(s) = steps.first() {
                    push(out, format!("var{s}"));
                }
            }
            "module" => {
                // module.NAME[key].OUTPUT
                let mut base = String::from("module");
                let mut parts = Vec::new();
                for s in &steps {
                    base.push_str(s);
                    parts.push(base.clone());
                }
                for p in parts.iter().rev().filter(|p| p.matches('.').count() >= 1) {
                    push(out, p.clone());
                }
            }
            "each" | "count" | "self" | "path" | "terraform" => {}
            _ => {
                let is_data = root == "data";
                let needed = if is_data { 2 } else { 1 };
                if steps.len() < needed {
                    continue;
                }
                let mut text = root.clone();
                let mut parts = Vec::new();
                for (i, s) in steps.iter().enumerate() {
                    text.push_str(s);
                    if i + 1 >= needed {
                        parts.push(text.clone());
                    }
                }
                for p in parts.into_iter().rev() {
                    push(out, p);
                }
            }
        }
    }
}

/// `.name`, `[0]`, `["k"]` steps of a traversal, up to the first that is not literal.
fn steps(e: &Expression) -> Vec<String> {
    let Expression::Traversal(t) = e else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(a) => out.push(format!(".{}", a.as_str())),
            TraversalOperator::LegacyIndex(n) => out.push(format!("[{}]", n.value())),
            TraversalOperator::Index(Expression::Number(n)) => out.push(format!("[{}]", n.value())),
            TraversalOperator::Index(e) => match super::super::load::literal_string(e) {
                Some(s) => out.push(format!("[\"{s}\"]")),
                None => break,
            },
            _ => break,
        }
    }
    out
}

fn root_name(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) => Some(v.as_str().to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// `azurerm.hub` from `provider = azurerm.hub`.
pub(super) fn traversal_text(e: &Expression) -> Option<String> {
    let root = root_name(e)?;
    let Expression::Traversal(t) = e else {
        return Some(root);
    };
    let mut s = root;
    for op in &t.operators {
        if let TraversalOperator::GetAttr(a) = op.value() {
            s.push('.');
            s.push_str(a.as_str());
        }
    }
    Some(s)
}

/// Calls `f` on every variable and traversal rooted at a variable, in source order.
fn walk<'e>(e: &'e Expression, f: &mut dyn FnMut(&'e Expression)) {
    match e {
        Expression::Variable(_) => f(e),
        Expression::Traversal(t) => {
            if matches!(t.expr, Expression::Variable(_)) {
                f(e);
            } else {
                walk(&t.expr, f);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op.value() {
                    walk(i, f);
                }
            }
        }
        Expression::Array(a) => a.iter().for_each(|x| walk(x, f)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let hcl_edit::expr::ObjectKey::Expression(k) = k {
                    walk(k, f);
                }
                walk(v.expr(), f);
            }
        }
        Expression::StringTemplate(t) => walk_template(t, f),
        Expression::HeredocTemplate(h) => walk_template(&h.template, f),
        Expression::Parenthesis(p) => walk(p.inner(), f),
        Expression::Conditional(c) => {
            walk(&c.cond_expr, f);
            walk(&c.true_expr, f);
            walk(&c.false_expr, f);
        }
        Expression::FuncCall(c) => c.args.iter().for_each(|a| walk(a, f)),
        Expression::UnaryOp(u) => walk(&u.expr, f),
        Expression::BinaryOp(b) => {
            walk(&b.lhs_expr, f);
            walk(&b.rhs_expr, f);
        }
        Expression::ForExpr(fe) => {
            walk(&fe.intro.collection_expr, f);
            // The iteration variables are local to the expression.
            let locals: Vec<&str> = fe
                .intro
                .key_var
                .iter()
                .map(|k| k.as_str())
                .chain(std::iter::once(fe.intro.value_var.as_str()))
                .collect();
            let mut inner = |x: &'e Expression| {
                if !root_name(x).is_some_and(|r| locals.contains(&r.as_str())) {
                    f(x);
                }
            };
            if let Some(k) = &fe.key_expr {
                walk(k, &mut inner);
            }
            walk(&fe.value_expr, &mut inner);
            if let Some(c) = &fe.cond {
                walk(&c.expr, &mut inner);
            }
        }
        _ => {}
    }
}

fn walk_template<'e>(t: &'e Template, f: &mut dyn FnMut(&'e Expression)) {
    for el in t.iter() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => walk(&i.expr, f),
            Element::Directive(d) => match &**d {
                Directive::If(d) => {
                    walk(&d.if_expr.cond_expr, f);
                    walk_template(&d.if_expr.template, f);
                    if let Some(e) = &d.else_expr {
                        walk_template(&e.template, f);
                    }
                }
                Directive::For(d) => {
                    walk(&d.for_expr.collection_expr, f);
                    walk_template(&d.for_expr.template, f);
                }
            },
        }
    }
}
