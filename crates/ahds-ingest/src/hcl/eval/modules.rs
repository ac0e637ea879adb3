//! Module calls: the instances a call makes and the outputs they give.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::super::value::Val;
use super::{Bindings, Children, Inst, InstKey, Scope, Session, Slot};

impl Session<'_> {
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

    /// One output of a module instance, evaluated once; an output that reads itself back
    /// (through the module's inputs) is unknown.
    fn output(&self, child: usize, name: &str) -> Val {
        let key = (child, name.to_string());
        match self.outputs.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::Busy) => return Val::unknown(),
            None => {}
        }
        let def = self.def(child);
        let Some((e, at)) = def.outputs.get(name) else {
            return Val::unknown();
        };
        self.outputs.borrow_mut().insert(key.clone(), Slot::Busy);
        let v = self.eval(child, &Scope::new(at.file, Vec::new()), e);
        self.outputs.borrow_mut().insert(key, Slot::Done(v.clone()));
        v
    }

    /// `module.NAME`: an object of its outputs (a list or map of them with `count` or
    /// `for_each`).
    pub(super) fn module_value(&self, inst: usize, name: &str) -> Val {
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
                        .keys()
                        .map(|n| (n.clone(), self.output(child, n)))
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
