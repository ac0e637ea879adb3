//! Evaluation of a configuration's expressions, lazily and once each: module variables,
//! locals, resource instances and module outputs are computed when first read, so the
//! order of blocks in the files does not matter, and a reference cycle (which Terraform
//! refuses) is reported instead of looping.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::funcs;
use super::load::{ModuleDef, Place};
use super::value::Val;
use crate::error::{IngestError, Location};

/// A module path: call names with instance keys, as plans write them.
pub(crate) type ModulePath = Vec<(String, Option<String>)>;

/// Meta-arguments: they shape a resource, they are not its attributes.
pub(crate) const META: &[&str] = &[
    "count",
    "for_each",
    "provider",
    "providers",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

/// The hidden member of a resource instance's value holding its address, so an attribute
/// the configuration does not set reads as a symbol named after it.
const ADDRESS: &str = "\u{0}address";

/// The deepest chain of references followed; real configurations stay far below it.
const MAX_DEPTH: usize = 200;

/// Expressions evaluated in one configuration before the rest is left unknown: nested
/// `for` expressions over `range()` could otherwise run for hours. Real configurations
/// use a few thousand.
const MAX_STEPS: u64 = 2_000_000;

/// The longest string a template builds; longer ones are unknown (names and settings are
/// short, and a template in a loop could otherwise fill memory).
const MAX_TEXT: usize = 1 << 20;

/// One instance of a module: the root, or a module call (with its key).
#[derive(Debug)]
pub(crate) struct Inst {
    pub(crate) def: Rc<ModuleDef>,
    pub(crate) path: ModulePath,
    /// The instance and call index that made this one.
    pub(crate) parent: Option<(usize, usize)>,
    /// `each`/`count` of the module call, for its arguments.
    pub(crate) bind: Vec<(String, Val)>,
}

/// The instance key of a resource or module instance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InstKey {
    Index(usize),
    Key(String),
}

impl InstKey {
    pub(crate) fn address_suffix(&self) -> String {
        match self {
            InstKey::Index(i) => format!("[{i}]"),
            InstKey::Key(k) => format!("[{k:?}]"),
        }
    }
    pub(crate) fn plain(&self) -> String {
        match self {
            InstKey::Index(i) => i.to_string(),
            InstKey::Key(k) => k.clone(),
        }
    }
}

/// The iteration variables one instance binds (`count.index`, `each.key`/`each.value`).
pub(crate) type Bindings = Vec<(String, Val)>;

/// How a block with `count` or `for_each` expands.
#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    /// `None` for a block without `count`/`for_each`.
    pub(crate) keys: Option<Vec<(InstKey, Bindings)>>,
    pub(crate) keyed: bool,
}

/// The evaluated instances of one resource block.
#[derive(Debug, Clone)]
pub(crate) struct Instances {
    pub(crate) keyed: bool,
    pub(crate) counted: bool,
    pub(crate) list: Vec<(Option<InstKey>, Val)>,
}

enum Slot<T> {
    Busy,
    Done(T),
}

/// Iteration variables in reach of an expression, and the file it is written in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub(crate) file: usize,
    pub(crate) bind: Vec<(String, Val)>,
}

impl Scope {
    pub(crate) fn new(file: usize, bind: Vec<(String, Val)>) -> Self {
        Scope { file, bind }
    }
    fn lookup(&self, name: &str) -> Option<&Val> {
        self.bind
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
    fn with(&self, more: Vec<(String, Val)>) -> Scope {
        let mut s = self.clone();
        s.bind.extend(more);
        s
    }
}

/// Module instances created by one call.
#[derive(Debug, Clone)]
pub(crate) enum Children {
    Instances {
        keyed: bool,
        counted: bool,
        list: Vec<(Option<InstKey>, usize)>,
    },
    /// Not read (a remote module not fetched, a cycle, a missing directory).
    Skipped,
}

/// How module calls find the definitions they instantiate.
pub(crate) trait Modules {
    /// The definition for call `call` of instance `inst`, or `None` (reported) when it
    /// cannot be read.
    fn child(&self, session: &Session<'_>, inst: usize, call: usize) -> Option<Rc<ModuleDef>>;
}

/// One evaluation of a configuration.
pub(crate) struct Session<'m> {
    pub(crate) insts: RefCell<Vec<Inst>>,
    pub(crate) root_values: HashMap<String, Val>,
    modules: &'m dyn Modules,
    vars: RefCell<HashMap<(usize, String), Slot<Val>>>,
    locals: RefCell<HashMap<(usize, String), Slot<Val>>>,
    resources: RefCell<HashMap<(usize, usize), Slot<Instances>>>,
    children: RefCell<HashMap<(usize, usize), Children>>,
    pub(crate) notes: RefCell<Vec<String>>,
    pub(crate) errors: RefCell<Vec<IngestError>>,
    depth: Cell<usize>,
    steps: Cell<u64>,
}

impl<'m> Session<'m> {
    pub(crate) fn new(
        root: Rc<ModuleDef>,
        root_values: HashMap<String, Val>,
        modules: &'m dyn Modules,
    ) -> Self {
        Session {
            insts: RefCell::new(vec![Inst {
                def: root,
                path: Vec::new(),
                parent: None,
                bind: Vec::new(),
            }]),
            root_values,
            modules,
            vars: RefCell::default(),
            locals: RefCell::default(),
            resources: RefCell::default(),
            children: RefCell::default(),
            notes: RefCell::default(),
            errors: RefCell::default(),
            depth: Cell::new(0),
            steps: Cell::new(0),
        }
    }

    pub(crate) fn def(&self, inst: usize) -> Rc<ModuleDef> {
        Rc::clone(&self.insts.borrow()[inst].def)
    }

    pub(crate) fn path(&self, inst: usize) -> ModulePath {
        self.insts.borrow()[inst].path.clone()
    }

    /// `file:line` of a place, for notes.
    pub(crate) fn place_text(&self, inst: usize, place: Place) -> String {
        let def = self.def(inst);
        format!("{}:{}", def.file_name(place), place.line)
    }

    fn place_of(&self, inst: usize, file: usize, span: Option<std::ops::Range<usize>>) -> Place {
        let def = self.def(inst);
        let line = span.map_or(1, |s| def.files[file].line_col(s.start).0);
        Place { file, line }
    }

    pub(crate) fn note(&self, text: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    pub(crate) fn error(&self, inst: usize, place: Place, message: String) {
        let def = self.def(inst);
        let e = IngestError::new(def.file_name(place), Location::at(place.line, 1), message);
        let mut errors = self.errors.borrow_mut();
        if !errors.contains(&e) {
            errors.push(e);
        }
    }

    /// Runs `f` one level deeper; past the limit the value is unknown.
    fn deeper(&self, f: impl FnOnce() -> Val) -> Val {
        if self.depth.get() >= MAX_DEPTH {
            return Val::unknown();
        }
        self.depth.set(self.depth.get() + 1);
        let v = f();
        self.depth.set(self.depth.get() - 1);
        v
    }

    // ---- expressions ----------------------------------------------------------------

    pub(crate) fn eval(&self, inst: usize, scope: &Scope, e: &Expression) -> Val {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > MAX_STEPS {
            if steps == MAX_STEPS + 1 {
                let place = self.place_of(inst, scope.file, e.span());
                self.error(
                    inst,
                    place,
                    format!("evaluation stopped after {MAX_STEPS} expressions (a loop this large is not a real configuration); the values left are unknown"),
                );
            }
            return Val::unknown();
        }
        self.deeper(|| self.eval_inner(inst, scope, e))
    }

    fn eval_inner(&self, inst: usize, scope: &Scope, e: &Expression) -> Val {
        match e {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Number(n.value().as_f64().unwrap_or(0.0)),
            Expression::String(s) => Val::String(s.value().clone()),
            Expression::Array(a) => {
                Val::List(a.iter().map(|x| self.eval(inst, scope, x)).collect())
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
                Val::Object(m)
            }
            Expression::StringTemplate(t) => self.template(inst, scope, t),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() {
                    h.dedent();
                }
                self.template(inst, scope, &h.template)
            }
            Expression::Parenthesis(p) => self.eval(inst, scope, p.inner()),
            Expression::Variable(v) => self.variable(inst, scope, v.as_str(), &[]),
            Expression::Traversal(t) => match &t.expr {
                Expression::Variable(v) => self.variable(inst, scope, v.as_str(), &t.operators),
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
                    if a == b { a } else { Val::unknown() }
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
            Expression::ForExpr(f) => self.for_expr(inst, scope, f),
        }
    }

    fn template(&self, inst: usize, scope: &Scope, t: &Template) -> Val {
        let mut out = String::new();
        for el in t.iter() {
            match el {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => match self.eval(inst, scope, &i.expr).to_text() {
                    Ok(s) if out.len() + s.len() <= MAX_TEXT => out.push_str(&s),
                    Ok(_) => return Val::unknown(),
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

    fn for_expr(&self, inst: usize, scope: &Scope, f: &ForExpr) -> Val {
        let coll = self.eval(inst, scope, &f.intro.collection_expr);
        let Some(pairs) = pairs(&coll) else {
            return Val::unknown();
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Val> = BTreeMap::new();
        for (k, v) in pairs {
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
                    } else {
                        map.insert(key, value);
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

    fn func(&self, inst: usize, scope: &Scope, f: &hcl_edit::expr::FuncCall) -> Val {
        let name = {
            let mut n: Vec<&str> = f.name.namespace.iter().map(|i| i.as_str()).collect();
            n.push(f.name.name.as_str());
            n.join("::")
        };
        let args: Vec<&Expression> = f.args.iter().collect();
        // `try` and `can` look at whether their arguments evaluate, not only at values.
        match name.as_str() {
            "try" => {
                let mut last = Val::unknown();
                for a in &args {
                    last = self.eval(inst, scope, a);
                    if !last.is_unknown() {
                        return last;
                    }
                }
                return last;
            }
            "can" => {
                return match args.first().map(|a| self.eval(inst, scope, a)) {
                    Some(v) if !v.is_unknown() => Val::Bool(true),
                    _ => Val::unknown(),
                };
            }
            _ => {}
        }
        let mut vals: Vec<Val> = args.iter().map(|a| self.eval(inst, scope, a)).collect();
        if f.args.expand_final() {
            match vals.pop().and_then(|v| v.items()) {
                Some(items) => vals.extend(items),
                None => return Val::unknown(),
            }
        }
        match funcs::call(&name, &vals) {
            Some(v) => v,
            None => {
                let place = self.place_of(inst, scope.file, f.span());
                self.note(format!(
                    "{}: function `{name}` is not evaluated by ahds-guard; its result is unknown",
                    self.place_text(inst, place)
                ));
                Val::unknown()
            }
        }
    }

    /// A name at the root of an expression, with the traversal after it.
    fn variable(
        &self,
        inst: usize,
        scope: &Scope,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Val {
        if let Some(v) = scope.lookup(root) {
            return self.apply(inst, scope, v.clone(), ops);
        }
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        match root {
            "var" => match attr(0) {
                Some(name) => {
                    let v = self.var(inst, &name);
                    self.apply(inst, scope, v, &ops[1..])
                }
                None => Val::unknown(),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let v = self.local(inst, &name);
                    self.apply(inst, scope, v, &ops[1..])
                }
                None => Val::unknown(),
            },
            "module" => match attr(0) {
                Some(name) => {
                    let v = self.module_value(inst, &name);
                    self.apply(inst, scope, v, &ops[1..])
                }
                None => Val::unknown(),
            },
            "data" => match (attr(0), attr(1)) {
                (Some(t), Some(n)) => {
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
            rtype => match attr(0) {
                Some(name) if rtype.contains('_') => {
                    let v = self.resource_value(inst, false, rtype, &name);
                    self.apply(inst, scope, v, &ops[1..])
                }
                _ => Val::unknown(),
            },
        }
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

    // ---- named values ---------------------------------------------------------------

    /// A module variable: the value given (tfvars for the root, the call's argument for a
    /// module), else its default, else a symbol.
    pub(crate) fn var(&self, inst: usize, name: &str) -> Val {
        let key = (inst, name.to_string());
        match self.vars.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Busy) => return Val::unknown(),
            None => {}
        }
        self.vars.borrow_mut().insert(key.clone(), Slot::Busy);
        let v = self.compute_var(inst, name);
        self.vars.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }

    fn compute_var(&self, inst: usize, name: &str) -> Val {
        let def = self.def(inst);
        let (parent, bind) = {
            let i = &self.insts.borrow()[inst];
            (i.parent, i.bind.clone())
        };
        let given = match parent {
            None => self.root_values.get(name).cloned(),
            Some((p, call)) => {
                let pdef = self.def(p);
                let c = &pdef.calls[call];
                c.block
                    .body
                    .get_attribute(name)
                    .map(|a| self.eval(p, &Scope::new(c.at.file, bind.clone()), &a.value))
            }
        };
        if let Some(v) = given {
            if v != Val::Null {
                return v;
            }
        }
        match def.variables.get(name) {
            Some(vd) => match &vd.default {
                Some(d) => {
                    let v = self.eval(inst, &Scope::new(vd.at.file, Vec::new()), d);
                    if v == Val::Null && parent.is_none() {
                        Val::Null
                    } else {
                        v
                    }
                }
                None => Val::symbol(&format!("var.{name}")),
            },
            None => Val::unknown(),
        }
    }

    pub(crate) fn local(&self, inst: usize, name: &str) -> Val {
        let key = (inst, name.to_string());
        match self.locals.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Busy) => {
                let def = self.def(inst);
                if let Some((_, at)) = def.locals.get(name) {
                    self.error(
                        inst,
                        *at,
                        format!(
                            "`local.{name}` refers to itself (a reference cycle Terraform refuses)"
                        ),
                    );
                }
                return Val::unknown();
            }
            None => {}
        }
        let def = self.def(inst);
        let Some((e, at)) = def.locals.get(name) else {
            return Val::unknown();
        };
        self.locals.borrow_mut().insert(key.clone(), Slot::Busy);
        let v = self.eval(inst, &Scope::new(at.file, Vec::new()), e);
        self.locals.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }

    /// How a block's `count` or `for_each` expands it; an unknown count or collection
    /// gives one instance with symbolic keys, and a note.
    pub(crate) fn expansion(
        &self,
        inst: usize,
        scope: &Scope,
        body: &Body,
        what: &str,
        place: Place,
    ) -> Expansion {
        if let Some(c) = body.get_attribute("count") {
            let n = self.eval(inst, scope, &c.value);
            let keys = match n.as_f64() {
                Some(n) if n >= 0.0 => (0..(n as usize).min(10_000))
                    .map(|i| {
                        (
                            InstKey::Index(i),
                            vec![(
                                String::from("count"),
                                obj([("index", Val::Number(i as f64))]),
                            )],
                        )
                    })
                    .collect(),
                _ => {
                    self.note(format!(
                        "{}: the `count` of {what} is not known before apply; it is checked as one instance",
                        self.place_text(inst, place)
                    ));
                    vec![(
                        InstKey::Index(0),
                        vec![("count".into(), obj([("index", Val::symbol("count.index"))]))],
                    )]
                }
            };
            return Expansion {
                keys: Some(keys),
                keyed: false,
            };
        }
        if let Some(f) = body.get_attribute("for_each") {
            let coll = self.eval(inst, scope, &f.value);
            let entries: Option<Vec<(String, Val)>> = match &coll {
                Val::Object(m) => Some(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                Val::List(l) => l
                    .iter()
                    .map(|v| v.as_str().map(|s| (s.to_string(), v.clone())))
                    .collect(),
                _ => None,
            };
            let keys = match entries {
                Some(e) => e
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            InstKey::Key(k.clone()),
                            vec![("each".into(), obj([("key", Val::String(k)), ("value", v)]))],
                        )
                    })
                    .collect(),
                None => {
                    self.note(format!(
                        "{}: the `for_each` of {what} is not known before apply; it is checked as one instance",
                        self.place_text(inst, place)
                    ));
                    vec![(
                        InstKey::Key("{each.key}".into()),
                        vec![(
                            "each".into(),
                            obj([
                                ("key", Val::symbol("each.key")),
                                ("value", Val::symbol("each.value")),
                            ]),
                        )],
                    )]
                }
            };
            return Expansion {
                keys: Some(keys),
                keyed: true,
            };
        }
        Expansion {
            keys: None,
            keyed: false,
        }
    }

    /// The instances of a resource block, evaluated once.
    pub(crate) fn instances(&self, inst: usize, index: usize) -> Instances {
        let key = (inst, index);
        match self.resources.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Busy) => {
                let def = self.def(inst);
                let r = &def.resources[index];
                self.error(
                    inst,
                    r.at,
                    format!(
                        "`{}.{}` refers to itself (a reference cycle Terraform refuses)",
                        r.rtype, r.name
                    ),
                );
                return Instances {
                    keyed: false,
                    counted: false,
                    list: Vec::new(),
                };
            }
            None => {}
        }
        self.resources.borrow_mut().insert(key, Slot::Busy);
        let v = self.compute_instances(inst, index);
        self.resources
            .borrow_mut()
            .insert(key, Slot::Done(v.clone()));
        v
    }

    fn compute_instances(&self, inst: usize, index: usize) -> Instances {
        let def = self.def(inst);
        let r = &def.resources[index];
        let base = format!(
            "{}{}{}.{}",
            super::synth::module_prefix(&self.path(inst)),
            if r.data { "data." } else { "" },
            r.rtype,
            r.name
        );
        let scope = Scope::new(r.at.file, Vec::new());
        let exp = self.expansion(inst, &scope, &r.block.body, &format!("`{base}`"), r.at);
        let mut out = Instances {
            keyed: exp.keyed,
            counted: exp.keys.is_some() && !exp.keyed,
            list: Vec::new(),
        };
        match exp.keys {
            None => {
                let v = self.body_value(inst, &scope, &r.block.body, &base);
                out.list.push((None, v));
            }
            Some(keys) => {
                for (k, bind) in keys {
                    let address = format!("{base}{}", k.address_suffix());
                    let v = self.body_value(
                        inst,
                        &Scope::new(r.at.file, bind),
                        &r.block.body,
                        &address,
                    );
                    out.list.push((Some(k), v));
                }
            }
        }
        out
    }

    /// A resource as an expression reads it: an object, or a list (`count`) or map
    /// (`for_each`) of objects.
    fn resource_value(&self, inst: usize, data: bool, rtype: &str, name: &str) -> Val {
        let def = self.def(inst);
        let Some(index) = def.resource(data, rtype, name) else {
            return Val::unknown();
        };
        let i = self.instances(inst, index);
        if i.keyed {
            Val::Object(
                i.list
                    .into_iter()
                    .filter_map(|(k, v)| Some((k?.plain(), v)))
                    .collect(),
            )
        } else if i.counted {
            Val::List(i.list.into_iter().map(|(_, v)| v).collect())
        } else {
            i.list.into_iter().next().map_or(Val::unknown(), |(_, v)| v)
        }
    }

    /// A block body as a value: attributes, and nested blocks as lists of objects (as plans
    /// write them), `dynamic` blocks expanded.
    pub(crate) fn body_value(&self, inst: usize, scope: &Scope, body: &Body, address: &str) -> Val {
        let mut m = self.body_map(inst, scope, body);
        if !address.is_empty() {
            m.insert(ADDRESS.into(), Val::String(address.into()));
        }
        Val::Object(m)
    }

    fn body_map(&self, inst: usize, scope: &Scope, body: &Body) -> BTreeMap<String, Val> {
        let mut m = BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let k = a.key.as_str();
                    if !META.contains(&k) {
                        m.insert(k.to_string(), self.eval(inst, scope, &a.value));
                    }
                }
                Structure::Block(b) => {
                    let ident = b.ident.as_str();
                    if META.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                            continue;
                        };
                        let blocks = self.dynamic(inst, scope, b, &label);
                        match (
                            m.entry(label).or_insert_with(|| Val::List(Vec::new())),
                            blocks,
                        ) {
                            (Val::List(l), Val::List(more)) => l.extend(more),
                            (slot, other) => *slot = other,
                        }
                        continue;
                    }
                    let v = Val::Object(self.body_map(inst, scope, &b.body));
                    if let Val::List(l) = m
                        .entry(ident.to_string())
                        .or_insert_with(|| Val::List(Vec::new()))
                    {
                        l.push(v);
                    }
                }
            }
        }
        m
    }

    fn dynamic(
        &self,
        inst: usize,
        scope: &Scope,
        b: &hcl_edit::structure::Block,
        label: &str,
    ) -> Val {
        let iterator = b
            .body
            .get_attribute("iterator")
            .and_then(|a| match &a.value {
                Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| label.to_string());
        let Some(fe) = b.body.get_attribute("for_each") else {
            return Val::List(Vec::new());
        };
        let coll = self.eval(inst, scope, &fe.value);
        let Some(pairs) = pairs(&coll) else {
            return Val::unknown();
        };
        let Some(content) = b.body.get_blocks("content").next() else {
            return Val::List(Vec::new());
        };
        Val::List(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let s = scope.with(vec![(iterator.clone(), obj([("key", k), ("value", v)]))]);
                    Val::Object(self.body_map(inst, &s, &content.body))
                })
                .collect(),
        )
    }

    // ---- modules --------------------------------------------------------------------

    /// The instances a module call makes, created once.
    pub(crate) fn children(&self, inst: usize, call: usize) -> Children {
        if let Some(c) = self.children.borrow().get(&(inst, call)) {
            return c.clone();
        }
        // Marked first: a call reached again while its instances are made is a cycle.
        self.children
            .borrow_mut()
            .insert((inst, call), Children::Skipped);
        let c = self.make_children(inst, call);
        self.children.borrow_mut().insert((inst, call), c.clone());
        c
    }

    fn make_children(&self, inst: usize, call: usize) -> Children {
        let Some(child_def) = self.modules.child(self, inst, call) else {
            return Children::Skipped;
        };
        let def = self.def(inst);
        let c = &def.calls[call];
        let scope = Scope::new(c.at.file, Vec::new());
        let exp = self.expansion(
            inst,
            &scope,
            &c.block.body,
            &format!("`module.{}`", c.name),
            c.at,
        );
        let path = self.path(inst);
        let mut list = Vec::new();
        let keys: Vec<(Option<InstKey>, Bindings)> = match &exp.keys {
            None => vec![(None, Vec::new())],
            Some(k) => k
                .iter()
                .map(|(k, b)| (Some(k.clone()), b.clone()))
                .collect(),
        };
        for (k, bind) in keys {
            let mut p = path.clone();
            p.push((c.name.clone(), k.as_ref().map(InstKey::plain)));
            let mut insts = self.insts.borrow_mut();
            insts.push(Inst {
                def: Rc::clone(&child_def),
                path: p,
                parent: Some((inst, call)),
                bind,
            });
            list.push((k, insts.len() - 1));
        }
        Children::Instances {
            keyed: exp.keyed,
            counted: exp.keys.is_some() && !exp.keyed,
            list,
        }
    }

    /// `module.NAME`: an object of its outputs (a list or map of them with `count` or
    /// `for_each`).
    fn module_value(&self, inst: usize, name: &str) -> Val {
        let def = self.def(inst);
        let Some(call) = def.call(name) else {
            return Val::unknown();
        };
        match self.children(inst, call) {
            Children::Skipped => Val::symbol(&format!("module.{name}")),
            Children::Instances {
                keyed,
                counted,
                list,
            } => {
                let outputs = |child: usize| {
                    let cdef = self.def(child);
                    let m: BTreeMap<String, Val> = cdef
                        .outputs
                        .iter()
                        .map(|(n, (e, at))| {
                            (
                                n.clone(),
                                self.eval(child, &Scope::new(at.file, Vec::new()), e),
                            )
                        })
                        .collect();
                    Val::Object(m)
                };
                if keyed {
                    Val::Object(
                        list.into_iter()
                            .filter_map(|(k, c)| Some((k?.plain(), outputs(c))))
                            .collect(),
                    )
                } else if counted {
                    Val::List(list.into_iter().map(|(_, c)| outputs(c)).collect())
                } else {
                    list.first().map_or(Val::unknown(), |(_, c)| outputs(*c))
                }
            }
        }
    }
}

fn obj<const N: usize>(pairs: [(&str, Val); N]) -> Val {
    Val::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Key/value pairs of a collection for `for` expressions: list indexes or object keys.
fn pairs(v: &Val) -> Option<Vec<(Val, Val)>> {
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
