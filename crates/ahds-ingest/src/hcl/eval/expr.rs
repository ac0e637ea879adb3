//! Expressions: literals, templates, `for` expressions, operators, function calls and
//! the traversals that read variables, locals, resources and modules.

use std::collections::BTreeMap;

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};

use super::super::funcs;
use super::super::value::Val;
use super::{ADDRESS, MAX_STEPS, MAX_TEXT, Scope, Session};

/// An expression's text without the spaces, comments and line breaks around its tokens,
/// so the same expression written with other layout reads the same.
pub(super) fn canonical_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if quoted {
            out.push(c);
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                out.push(c);
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

impl Session<'_> {
    pub(crate) fn eval(&self, inst: usize, scope: &Scope, e: &Expression) -> Val {
        if self.exhausted.get() {
            return Val::unknown();
        }
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS {
            self.exhaust(
                inst,
                scope.file,
                e.span(),
                format!("evaluation stopped after {MAX_STEPS} expressions (a loop this large is not a real configuration)"),
            );
            return Val::unknown();
        }
        self.deeper(inst, scope.file, e.span(), || {
            self.eval_inner(inst, scope, e)
        })
    }

    fn eval_inner(&self, inst: usize, scope: &Scope, e: &Expression) -> Val {
        match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Val::String(s.value().clone()),
            Expression::Array(a) => {
                let v = Val::List(a.iter().map(|x| self.eval(inst, scope, x)).collect());
                self.charge(inst, scope.file, e.span(), &v);
                v
            }
            Expression::Object(o) => {
                let mut m = BTreeMap::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(e) => match self.eval(inst, scope, e)
                        {
                            // A bare name in parentheses or a traversal used as a key.
                            Val::String(s) => s,
                            other => match other.to_text() {
                                Ok(t) => t,
                                Err(_) => return Val::unknown(),
                            },
                        },
                    };
                    m.insert(key, self.eval(inst, scope, v.expr()));
                }
                let v = Val::Object(m);
                self.charge(inst, scope.file, e.span(), &v);
                v
            }
            Expression::StringTemplate(t) => self.template_value(inst, scope, t, e.span()),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() {
                    h.dedent();
                }
                self.template_value(inst, scope, &h.template, e.span())
            }
            Expression::Parenthesis(p) => self.eval(inst, scope, p.inner()),
            Expression::Variable(v) => self.variable(inst, scope, v.as_str(), &[], e.span()),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => {
                    self.variable(inst, scope, v.as_str(), &t.operators, e.span())
                }
                other => {
                    let base = self.eval(inst, scope, other);
                    self.apply(inst, scope, base, &t.operators)
                }
            },
            Expression::Conditional(c) => match self.eval(inst, scope, &c.cond_expr).as_bool() {
                Some(true) => self.eval(inst, scope, &c.true_expr),
                Some(false) => self.eval(inst, scope, &c.false_expr),
                None => {
                    let a = self.eval(inst, scope, &c.true_expr);
                    let b = self.eval(inst, scope, &c.false_expr);
                    if a == b {
                        a
                    } else {
                        // Either branch: whatever it gives, the same expression gives it
                        // wherever it is written in this module.
                        self.symbol_of_expr(inst, e)
                    }
                }
            },
            Expression::FuncCall(f) => self.func(inst, scope, f),
            Expression::UnaryOp(u) => {
                let v = self.eval(inst, scope, &u.expr);
                match (u.operator.value(), v) {
                    (UnaryOperator::Not, Val::Bool(b)) => Val::Bool(!b),
                    (UnaryOperator::Neg, Val::Number(n)) => Val::Number(-n),
                    _ => Val::unknown(),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(inst, scope, &b.lhs_expr);
                let op = *b.operator.value();
                // `false && x` and `true || x` are decided whatever `x` is.
                match (op, &l) {
                    (BinaryOperator::And, Val::Bool(false)) => return Val::Bool(false),
                    (BinaryOperator::Or, Val::Bool(true)) => return Val::Bool(true),
                    _ => {}
                }
                let r = self.eval(inst, scope, &b.rhs_expr);
                binary(op, &l, &r)
            }
            Expression::ForExpr(f) => self.for_expr(inst, scope, f, e),
        }
    }

    fn template_value(
        &self,
        inst: usize,
        scope: &Scope,
        t: &Template,
        span: Option<std::ops::Range<usize>>,
    ) -> Val {
        let v = self.template(inst, scope, t);
        if let Val::String(_) = &v {
            self.charge(inst, scope.file, span, &v);
        }
        v
    }

    /// The symbol standing for what an undecidable expression gives: its text in this
    /// module.
    pub(super) fn symbol_of_expr(&self, inst: usize, e: &Expression) -> Val {
        let text = canonical_text(&e.to_string());
        let prefix = super::super::synth::module_prefix(&self.path(inst));
        Val::symbol_of(&format!("{prefix}{text}"))
    }

    fn template(&self, inst: usize, scope: &Scope, t: &Template) -> Val {
        let mut out = String::new();
        for el in t.iter() {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => match self.eval(inst, scope, &i.expr).to_text() {
                    Ok(s) if out.len() + s.len() <= MAX_TEXT => out.push_str(&s),
                    Ok(_) => {
                        self.exhaust(
                            inst,
                            scope.file,
                            i.expr.span(),
                            format!("a string template builds more than {MAX_TEXT} bytes here; evaluation stopped"),
                        );
                        return Val::unknown();
                    }
                    Err(u) => return u,
                },
                Element::Directive(d) => match &**d {
                    Directive::If(d) => {
                        let chosen = match self.eval(inst, scope, &d.if_expr.cond_expr).as_bool() {
                            Some(true) => Some(&d.if_expr.template),
                            Some(false) => d.else_expr.as_ref().map(|e| &e.template),
                            None => return Val::unknown(),
                        };
                        if let Some(t) = chosen {
                            match self.template(inst, scope, t) {
                                Val::String(s) => out.push_str(&s),
                                other => return other,
                            }
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        let coll = self.eval(inst, scope, &f.collection_expr);
                        let Some(pairs) = pairs(&coll) else {
                            return Val::unknown();
                        };
                        for (k, v) in pairs {
                            let mut bind = vec![(f.value_var.as_str().to_string(), v)];
                            if let Some(kv) = &f.key_var {
                                bind.push((kv.as_str().to_string(), k));
                            }
                            match self.template(inst, &scope.with(bind), &f.template) {
                                Val::String(s) => out.push_str(&s),
                                other => return other,
                            }
                        }
                    }
                },
            }
        }
        Val::String(out)
    }

    fn for_expr(&self, inst: usize, scope: &Scope, f: &ForExpr, e: &Expression) -> Val {
        let coll = self.eval(inst, scope, &f.intro.collection_expr);
        let Some(pairs) = pairs(&coll) else {
            return Val::unknown();
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Val> = BTreeMap::new();
        for (k, v) in pairs {
            if self.exhausted.get() {
                return Val::unknown();
            }
            let mut bind = Vec::new();
            match &f.intro.key_var {
                Some(kv) => {
                    bind.push((kv.as_str().to_string(), k));
                    bind.push((f.intro.value_var.as_str().to_string(), v));
                }
                None => bind.push((f.intro.value_var.as_str().to_string(), v)),
            }
            let s = scope.with(bind);
            if let Some(cond) = &f.cond {
                match self.eval(inst, &s, &cond.expr).as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Val::unknown(),
                }
            }
            let value = self.eval(inst, &s, &f.value_expr);
            self.charge(inst, scope.file, e.span(), &value);
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let Ok(key) = self.eval(inst, &s, ke).to_text() else {
                        return Val::unknown();
                    };
                    if f.grouping {
                        match map.entry(key).or_insert_with(|| Val::List(Vec::new())) {
                            Val::List(l) => l.push(value),
                            _ => return Val::unknown(),
                        }
                    } else if map.insert(key.clone(), value).is_some() {
                        self.refuse(
                            inst,
                            scope.file,
                            ke.span(),
                            format!("duplicate key `{key}` in a `for` expression (add `...` to group values by key)"),
                        );
                        return Val::unknown();
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Val::Object(map)
        } else {
            Val::List(list)
        }
    }

    /// Terraform refuses this expression: an input error, unless a `try()` or `can()`
    /// around it catches it.
    pub(crate) fn refuse(
        &self,
        inst: usize,
        file: usize,
        span: Option<std::ops::Range<usize>>,
        message: String,
    ) {
        if self.catching.get() > 0 {
            self.caught.set(true);
        } else {
            self.error_at(inst, file, span, message);
        }
    }

    /// Evaluates `e` as an argument of `try()` or `can()`: `None` when Terraform would
    /// refuse it.
    fn attempt(&self, inst: usize, scope: &Scope, e: &Expression) -> Option<Val> {
        self.catching.set(self.catching.get() + 1);
        let before = self.caught.replace(false);
        let v = self.eval(inst, scope, e);
        let refused = self.caught.replace(before);
        self.catching.set(self.catching.get() - 1);
        (!refused).then_some(v)
    }

    fn func(&self, inst: usize, scope: &Scope, f: &hcl_edit::expr::FuncCall) -> Val {
        let name = {
            let mut n: Vec<&str> = f.name.namespace.iter().map(|i| i.as_str()).collect();
            n.push(f.name.name.as_str());
            n.join("::")
        };
        if self.constant {
            self.refuse(
                inst,
                scope.file,
                f.span(),
                format!("`{name}(...)` in a variable value: Terraform takes only literal values here, no function calls"),
            );
            return Val::unknown();
        }
        let args: Vec<&Expression> = f.args.iter().collect();
        // `try` and `can` look at whether their arguments evaluate, not only at values.
        match name.as_str() {
            "try" => {
                let mut last = Val::unknown();
                for a in &args {
                    match self.attempt(inst, scope, a) {
                        Some(v) if !v.is_unknown() => return v,
                        Some(v) => last = v,
                        None => {}
                    }
                }
                return last;
            }
            "can" => {
                return match args.first().map(|a| self.attempt(inst, scope, a)) {
                    Some(None) => Val::Bool(false),
                    Some(Some(v)) if !v.has_unknown() => Val::Bool(true),
                    _ => Val::unknown(),
                };
            }
            "templatestring" => return self.templatestring(inst, scope, f, &args),
            _ => {}
        }
        let mut vals: Vec<Val> = args.iter().map(|a| self.eval(inst, scope, a)).collect();
        if f.args.expand_final() {
            match vals.pop() {
                Some(Val::List(items)) => vals.extend(items),
                Some(Val::Unknown(_)) => return Val::unknown(),
                _ => {
                    self.refuse(
                        inst,
                        scope.file,
                        f.span(),
                        format!("`{name}(...)`: the argument expanded with `...` is not a list"),
                    );
                    return Val::unknown();
                }
            }
        }
        match funcs::call(&name, &vals) {
            Some(Ok(v)) => {
                self.charge(inst, scope.file, f.span(), &v);
                v
            }
            Some(Err(message)) => {
                self.refuse(inst, scope.file, f.span(), message);
                Val::unknown()
            }
            None => {
                // Not a function Terraform has (a provider function, a newer one):
                // whatever it gives, the same call gives it wherever it is written.
                let place = self.place_of(inst, scope.file, f.span());
                self.note(format!(
                    "{}: function `{name}` is not evaluated by ahds-guard; its result stands as a symbol",
                    self.place_text(inst, place)
                ));
                funcs::symbol_of_call(&name, &vals)
            }
        }
    }

    /// `templatestring(ref, vars)`: the template a string holds, rendered with only `vars`
    /// in reach.
    fn templatestring(
        &self,
        inst: usize,
        scope: &Scope,
        f: &hcl_edit::expr::FuncCall,
        args: &[&Expression],
    ) -> Val {
        let [text, vars] = args else {
            self.refuse(
                inst,
                scope.file,
                f.span(),
                "`templatestring` takes a template and an object of variables".into(),
            );
            return Val::unknown();
        };
        let text = self.eval(inst, scope, text);
        let vars = self.eval(inst, scope, vars);
        let (Val::String(text), Val::Object(vars)) = (&text, &vars) else {
            if text.is_unknown() || vars.is_unknown() {
                return funcs::symbol_of_call("templatestring", &[text, vars]);
            }
            self.refuse(
                inst,
                scope.file,
                f.span(),
                "`templatestring` takes a string and an object".into(),
            );
            return Val::unknown();
        };
        let template = match hcl_edit::parser::parse_template(text) {
            Ok(t) => t,
            Err(e) => {
                self.refuse(
                    inst,
                    scope.file,
                    f.span(),
                    format!(
                        "`templatestring`: the template does not parse: {}",
                        e.message()
                    ),
                );
                return Val::unknown();
            }
        };
        // The template's own spans are of its text, not of this file: no span for errors.
        let inner = Scope::new(
            scope.file,
            vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        );
        self.template_value(inst, &inner, &template, None)
    }

    /// A name at the root of an expression, with the traversal after it.
    fn variable(
        &self,
        inst: usize,
        scope: &Scope,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        span: Option<std::ops::Range<usize>>,
    ) -> Val {
        if let Some(v) = scope.lookup(root) {
            return self.apply(inst, scope, v.clone(), ops);
        }
        if self.constant {
            self.refuse(
                inst,
                scope.file,
                span,
                format!("`{root}` in a variable value: Terraform takes only literal values here (quote a string: `\"{root}\"`)"),
            );
            return Val::unknown();
        }
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        match root {
            "var" | "local" | "module" => {
                let Some(name) = attr(0) else {
                    return self.undeclared(inst, scope, span, format!("`{root}` without a name"));
                };
                let def = self.def(inst);
                let declared = match root {
                    "var" => def.variables.contains_key(&name),
                    "local" => def.locals.contains_key(&name),
                    _ => def.call(&name).is_some(),
                };
                if !declared {
                    let what = match root {
                        "var" => "variable",
                        "local" => "local value",
                        _ => "module call",
                    };
                    return self.undeclared(
                        inst,
                        scope,
                        span,
                        format!("`{root}.{name}` refers to a {what} this module does not declare"),
                    );
                }
                let v = match root {
                    "var" => self.var(inst, &name),
                    "local" => self.local(inst, &name),
                    _ => self.module_value(inst, &name),
                };
                self.apply(inst, scope, v, &ops[1..])
            }
            "data" => match (attr(0), attr(1)) {
                (Some(t), Some(n)) => {
                    if self.def(inst).resource(true, &t, &n).is_none() {
                        return self.undeclared(
                            inst,
                            scope,
                            span,
                            format!("`data.{t}.{n}` refers to a data source this module does not declare"),
                        );
                    }
                    let v = self.resource_value(inst, true, &t, &n);
                    self.apply(inst, scope, v, &ops[2..])
                }
                _ => Val::unknown(),
            },
            "path" => {
                let dir = self.def(inst).dir.display().to_string();
                match attr(0).as_deref() {
                    Some("module" | "root" | "cwd") => Val::String(dir),
                    _ => Val::unknown(),
                }
            }
            "terraform" => match attr(0).as_deref() {
                Some("workspace") => Val::String("default".into()),
                _ => Val::unknown(),
            },
            // Bound only inside the blocks that give them (`count`, `for_each`,
            // provisioners): elsewhere unknown.
            "each" | "count" | "self" => Val::unknown(),
            rtype => match attr(0) {
                Some(name) if self.def(inst).resource(false, rtype, &name).is_some() => {
                    let v = self.resource_value(inst, false, rtype, &name);
                    self.apply(inst, scope, v, &ops[1..])
                }
                Some(name) if rtype.contains('_') => self.undeclared(
                    inst,
                    scope,
                    span,
                    format!("`{rtype}.{name}` refers to a resource this module does not declare"),
                ),
                _ => self.undeclared(
                    inst,
                    scope,
                    span,
                    format!("`{root}` is not a name Terraform knows here"),
                ),
            },
        }
    }

    /// A reference to something the module does not declare: Terraform refuses it.
    fn undeclared(
        &self,
        inst: usize,
        scope: &Scope,
        span: Option<std::ops::Range<usize>>,
        message: String,
    ) -> Val {
        self.refuse(inst, scope.file, span, message);
        Val::unknown()
    }

    /// Applies attribute and index steps to a value.
    fn apply(
        &self,
        inst: usize,
        scope: &Scope,
        mut v: Val,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Val {
        for (i, op) in ops.iter().enumerate() {
            v = match op.value() {
                TraversalOperator::GetAttr(a) => get_attr(v, a.as_str()),
                TraversalOperator::Index(e) => {
                    let k = self.eval(inst, scope, e);
                    index(v, &k)
                }
                TraversalOperator::LegacyIndex(n) => index(v, &Val::Number(*n.value() as f64)),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match v {
                        Val::List(l) => l,
                        Val::Null => Vec::new(),
                        Val::Unknown(_) => return Val::unknown(),
                        other => vec![other],
                    };
                    let rest = &ops[i + 1..];
                    return Val::List(
                        items
                            .into_iter()
                            .map(|item| self.apply(inst, scope, item, rest))
                            .collect(),
                    );
                }
            };
        }
        v
    }
}

/// Key/value pairs of a collection for `for` expressions: list indexes or object keys.
pub(super) fn pairs(v: &Val) -> Option<Vec<(Val, Val)>> {
    match v {
        Val::List(l) => Some(
            l.iter()
                .enumerate()
                .map(|(i, v)| (Val::Number(i as f64), v.clone()))
                .collect(),
        ),
        Val::Object(m) => Some(
            m.iter()
                .filter(|(k, _)| !k.starts_with('\u{0}'))
                .map(|(k, v)| (Val::String(k.clone()), v.clone()))
                .collect(),
        ),
        Val::Null => Some(Vec::new()),
        _ => None,
    }
}

fn get_attr(v: Val, name: &str) -> Val {
    match v {
        Val::Object(mut m) => match m.remove(name) {
            Some(x) => x,
            // Not set in the configuration: computed by the provider, known after apply.
            None => match m.get(ADDRESS) {
                Some(Val::String(a)) => Val::symbol(&format!("{a}.{name}")),
                _ => Val::unknown(),
            },
        },
        Val::Unknown(Some(s)) => Val::symbol(&format!("{s}.{name}")),
        _ => Val::unknown(),
    }
}

fn index(v: Val, k: &Val) -> Val {
    match (v, k) {
        (Val::List(l), k) => match k.as_f64() {
            Some(i) if i >= 0.0 => l.into_iter().nth(i as usize).unwrap_or(Val::unknown()),
            _ => Val::unknown(),
        },
        (Val::Object(mut m), Val::String(s)) => m.remove(s).unwrap_or(Val::unknown()),
        (Val::Unknown(Some(s)), k) => match k.to_text() {
            Ok(t) => Val::symbol(&format!("{s}[{t}]")),
            Err(_) => Val::unknown(),
        },
        _ => Val::unknown(),
    }
}

fn binary(op: BinaryOperator, l: &Val, r: &Val) -> Val {
    use BinaryOperator as B;
    match op {
        B::Eq | B::NotEq => {
            if l.has_unknown() || r.has_unknown() {
                return Val::unknown();
            }
            let eq = match (l, r) {
                (Val::String(a), Val::String(b))
                    if ahds_model::symbolic::is_symbolic(a)
                        || ahds_model::symbolic::is_symbolic(b) =>
                {
                    if a == b {
                        true
                    } else {
                        return Val::unknown();
                    }
                }
                _ => strip_hidden(l) == strip_hidden(r),
            };
            Val::Bool(if op == B::Eq { eq } else { !eq })
        }
        B::And | B::Or => match (l.as_bool(), r.as_bool()) {
            (Some(a), Some(b)) => Val::Bool(if op == B::And { a && b } else { a || b }),
            (_, Some(false)) if op == B::And => Val::Bool(false),
            (_, Some(true)) if op == B::Or => Val::Bool(true),
            _ => Val::unknown(),
        },
        _ => {
            let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
                return Val::unknown();
            };
            match op {
                B::Plus => Val::Number(a + b),
                B::Minus => Val::Number(a - b),
                B::Mul => Val::Number(a * b),
                B::Div if b != 0.0 => Val::Number(a / b),
                B::Mod if b != 0.0 => Val::Number(a % b),
                B::Less => Val::Bool(a < b),
                B::LessEq => Val::Bool(a <= b),
                B::Greater => Val::Bool(a > b),
                B::GreaterEq => Val::Bool(a >= b),
                _ => Val::unknown(),
            }
        }
    }
}

/// A value without the hidden address members, for comparisons and output.
pub(crate) fn strip_hidden(v: &Val) -> Val {
    match v {
        Val::Object(m) => Val::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('\u{0}'))
                .map(|(k, v)| (k.clone(), strip_hidden(v)))
                .collect(),
        ),
        Val::List(l) => Val::List(l.iter().map(strip_hidden).collect()),
        other => other.clone(),
    }
}
