//! Named values: module variables, locals, and the instances of resource blocks
//! (`count`, `for_each`, `dynamic` blocks), each computed once.

use std::collections::BTreeMap;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};

use super::super::load::FileLine;
use super::super::value::Val;
use super::expr::pairs;
use super::{
    ADDRESS, Expansion, InstKey, Instances, MAX_INSTANCES, META, Scope, Session, Slot, obj,
};

/// A `count` as Terraform takes it: a whole number, not negative (a numeric string too).
fn count_of(v: &Val) -> Result<usize, String> {
    let n = match v {
        Val::Number(n) => *n,
        Val::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("is the string `{s}`, not a number"))?,
        Val::Null => return Err("is null".into()),
        other => return Err(format!("is {}, not a number", kind_of(other))),
    };
    if n.fract() != 0.0 || !n.is_finite() {
        return Err(format!(
            "is {}, not a whole number",
            super::super::value::number_text(n)
        ));
    }
    if n < 0.0 {
        return Err(format!(
            "is {}, a negative number",
            super::super::value::number_text(n)
        ));
    }
    Ok(if n > 1e12 { usize::MAX } else { n as usize })
}

fn kind_of(v: &Val) -> &'static str {
    match v {
        Val::Null => "null",
        Val::Bool(_) => "a bool",
        Val::Number(_) => "a number",
        Val::String(_) => "a string",
        Val::List(_) => "a list",
        Val::Object(_) => "an object",
        Val::Unknown(_) => "unknown",
    }
}

impl Session<'_> {
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
        place: FileLine,
    ) -> Expansion {
        if let (Some(c), Some(_)) = (body.get_attribute("count"), body.get_attribute("for_each")) {
            self.error_at(
                inst,
                scope.file,
                c.value.span(),
                format!("{what} sets both `count` and `for_each`, which Terraform refuses"),
            );
            return Expansion {
                keys: Some(Vec::new()),
                keyed: false,
            };
        }
        if let Some(c) = body.get_attribute("count") {
            let n = self.eval(inst, scope, &c.value);
            let symbolic_one = || {
                vec![(
                    InstKey::Index(0),
                    vec![("count".into(), obj([("index", Val::symbol("count.index"))]))],
                )]
            };
            let keys = match &n {
                Val::Unknown(_) => {
                    self.note(format!(
                        "{}: the `count` of {what} is not known before apply; it is checked as one instance",
                        self.place_text(inst, place)
                    ));
                    symbolic_one()
                }
                Val::String(s) if ahds_model::symbolic::is_symbolic(s) => {
                    self.note(format!(
                        "{}: the `count` of {what} is not known before apply; it is checked as one instance",
                        self.place_text(inst, place)
                    ));
                    symbolic_one()
                }
                other => match count_of(other) {
                    Ok(n) if n <= MAX_INSTANCES => (0..n)
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
                    Ok(n) => {
                        self.error_at(
                            inst,
                            scope.file,
                            c.value.span(),
                            format!("the `count` of {what} is {n}: ahds-guard reads at most {MAX_INSTANCES} instances of one block"),
                        );
                        Vec::new()
                    }
                    Err(why) => {
                        self.error_at(
                            inst,
                            scope.file,
                            c.value.span(),
                            format!("the `count` of {what} {why}, which Terraform refuses"),
                        );
                        Vec::new()
                    }
                },
            };
            return Expansion {
                keys: Some(keys),
                keyed: false,
            };
        }
        if let Some(f) = body.get_attribute("for_each") {
            let coll = self.eval(inst, scope, &f.value);
            let entries: Option<Vec<(String, Val)>> = match &coll {
                Val::Object(m) => Some(
                    m.iter()
                        .filter(|(k, _)| !k.starts_with('\u{0}'))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                Val::List(l) if l.iter().all(|v| matches!(v, Val::String(_))) => Some(
                    l.iter()
                        .filter_map(|v| v.as_str().map(|s| (s.to_string(), v.clone())))
                        .collect(),
                ),
                Val::List(l) if !l.iter().any(Val::is_unknown) => {
                    self.error_at(
                        inst,
                        scope.file,
                        f.value.span(),
                        format!("the `for_each` of {what} is a list of values that are not all strings: Terraform takes a map or a set of strings"),
                    );
                    Some(Vec::new())
                }
                Val::Null | Val::Bool(_) | Val::Number(_) | Val::String(_) => {
                    self.error_at(
                        inst,
                        scope.file,
                        f.value.span(),
                        format!("the `for_each` of {what} is {}: Terraform takes a map or a set of strings", kind_of(&coll)),
                    );
                    Some(Vec::new())
                }
                _ => None,
            };
            if let Some(e) = &entries {
                if e.len() > MAX_INSTANCES {
                    self.error_at(
                        inst,
                        scope.file,
                        f.value.span(),
                        format!("the `for_each` of {what} has {} entries: ahds-guard reads at most {MAX_INSTANCES} instances of one block", e.len()),
                    );
                    return Expansion {
                        keys: Some(Vec::new()),
                        keyed: true,
                    };
                }
            }
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
            super::super::synth::module_prefix(&self.path(inst)),
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
    pub(super) fn resource_value(&self, inst: usize, data: bool, rtype: &str, name: &str) -> Val {
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
                        // An azapi 1.x `body = jsonencode({...})` is read as the object it
                        // encodes, so a part known only at apply leaves the rest readable.
                        let expr = match (&a.value, k) {
                            (Expression::FuncCall(f), "body")
                                if f.name.namespace.is_empty()
                                    && f.name.name.as_str() == "jsonencode"
                                    && f.args.len() == 1 =>
                            {
                                f.args.iter().next().unwrap_or(&a.value)
                            }
                            _ => &a.value,
                        };
                        let v = self.eval(inst, scope, expr);
                        // Charged again: a large value referenced from many instances is
                        // copied into each.
                        self.charge(inst, scope.file, a.value.span(), &v);
                        m.insert(k.to_string(), v);
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
}
