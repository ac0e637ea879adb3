//! The scope expressions of one template read: its parameters, variables (with their
//! `copy` loops), resources by symbolic name, the loop being expanded, the outputs of its
//! nested deployments, and the subscription and resource group it deploys to.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use crate::arm::expr::{CopyIndex, Scope, eval_value, expand_property_copy};
use crate::arm::props::unknown;

/// Parameters, variables and symbolic resources of one (possibly nested) template.
pub(super) struct TemplateScope<'t> {
    pub(super) parameters: HashMap<String, Value>,
    pub(super) variables: Option<&'t Map<String, Value>>,
    pub(super) evaluated: RefCell<HashMap<String, Value>>,
    pub(super) evaluating: RefCell<HashSet<String>>,
    /// Variables found to depend on themselves, which ARM refuses to deploy.
    pub(super) cyclic: RefCell<BTreeSet<String>>,
    pub(super) symbolic_ids: HashMap<String, String>,
    /// The resource loop being expanded: its name and index.
    pub(super) copy: Option<(String, CopyIndex)>,
    /// Evaluated outputs of nested deployments, by lower-cased deployment id.
    pub(super) deployments: RefCell<HashMap<String, Value>>,
    pub(super) subscription: String,
    pub(super) resource_group: String,
}

pub(super) fn lookup<'m>(m: &'m HashMap<String, Value>, name: &str) -> Option<&'m Value> {
    m.get(name).or_else(|| {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

impl Scope for TemplateScope<'_> {
    fn parameter(&self, name: &str) -> Option<Value> {
        lookup(&self.parameters, name).cloned()
    }

    fn variable(&self, name: &str) -> Option<Value> {
        let vars = self.variables?;
        let Some(key) = vars.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned() else {
            return self.copy_variable(vars, name);
        };
        if let Some(v) = self.evaluated.borrow().get(&key) {
            return Some(v.clone());
        }
        if !self.evaluating.borrow_mut().insert(key.clone()) {
            self.cyclic.borrow_mut().insert(key.clone());
            return Some(unknown(format!("variable `{key}` refers to itself")));
        }
        let v = eval_value(&vars[&key], self, 0);
        self.evaluating.borrow_mut().remove(&key);
        self.evaluated.borrow_mut().insert(key, v.clone());
        Some(v)
    }

    fn resource_id(&self, symbolic: &str) -> Option<String> {
        self.symbolic_ids.get(symbolic).cloned()
    }

    fn copy_index(&self, name: Option<&str>) -> Option<CopyIndex> {
        match (&self.copy, name) {
            (Some((_, i)), None) => Some(*i),
            (Some((loop_name, i)), Some(n)) if loop_name.eq_ignore_ascii_case(n) => Some(*i),
            _ => None,
        }
    }

    fn deployment_reference(&self, id: &str) -> Option<Value> {
        self.deployments
            .borrow()
            .get(&id.to_ascii_lowercase())
            .cloned()
    }

    fn subscription_id(&self) -> String {
        self.subscription.clone()
    }

    fn resource_group_name(&self) -> String {
        self.resource_group.clone()
    }
}

impl TemplateScope<'_> {
    /// A variable made by the variables' own `copy` loops.
    fn copy_variable(&self, vars: &Map<String, Value>, name: &str) -> Option<Value> {
        let (_, loops) = vars.iter().find(|(k, _)| k.eq_ignore_ascii_case("copy"))?;
        let (key, v) = expand_property_copy(loops, self, 0)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        self.evaluated.borrow_mut().insert(key, v.clone());
        Some(v)
    }
}
