//! Terraform plan JSON (`terraform show -json PLANFILE`) with the azurerm provider.
//!
//! Resources come from `planned_values` (root and nested modules); values known only after
//! apply come from `resource_changes[].change.after_unknown` and stay unknown. Where such a
//! value links two resources (a role assignment's principal, a private endpoint's target),
//! the link is recovered from the `configuration` section's references, through module
//! variables and outputs. Attribute names follow the azurerm provider, both the 3.x/4.x
//! names and their 5.x renames.

pub(crate) mod address;
mod attrs;
mod azapi;
mod config;
mod dispatch;
mod healthcare;
mod identities;
mod network;
pub(crate) mod omitted;
mod plan;
mod rbac;
mod shapes;
mod targets;
mod types;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use ahds_model::{
    Estate, IdentityType, Known, ManagedIdentity, Place, ResourceId, ResourceRef, SkippedResource,
    UserAssignedIdentityRef,
};
use serde_json::Value;

use crate::error::{IngestError, Position};
use crate::strict_json::Prune;
use crate::util::ResourceIndex;
use attrs::Attr;
pub(crate) use config::ModulePath;
use config::{Config, Target, expression};
use plan::{Plan, PlanResource};

/// The parts of a plan document the reader reads: a plan's `prior_state`, `resource_drift`
/// and each change's `before` (the prior state again) and `after` (the planned values
/// again) are never built.
pub(crate) static PLAN_PARTS: Prune = Prune::Members {
    listed: &[
        ("format_version", Prune::Whole),
        ("planned_values", Prune::Whole),
        ("configuration", Prune::Whole),
        ("resource_changes", Prune::Items(&CHANGE_PARTS)),
    ],
    others: &Prune::Skip,
};

/// The parts of one `resource_changes` entry the reader reads: its address and the
/// markers of its change.
static CHANGE_PARTS: Prune = Prune::Members {
    listed: &[(
        "change",
        Prune::Members {
            listed: &[("before", Prune::Skip), ("after", Prune::Skip)],
            others: &Prune::Whole,
        },
    )],
    others: &Prune::Whole,
};

/// True when the document looks like `terraform show -json` output of a plan.
pub(crate) fn looks_like_plan(doc: &Value) -> bool {
    doc.get("format_version").is_some()
        && (doc.get("planned_values").is_some() || doc.get("resource_changes").is_some())
}

/// Reads a plan. Returns the estate and the problems of single resources (which are left
/// out); a document that is not a plan at all is an error.
pub(crate) fn read_plan(
    doc: &Value,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    read_plan_with_sources(doc, file, &HashMap::new())
}

/// Reads a plan whose resources were written from source files: `sources` gives the file
/// and line of each address, for findings and for problems with single resources.
pub(crate) fn read_plan_with_sources(
    doc: &Value,
    file: &str,
    sources: &HashMap<String, Place>,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let plan = Plan::read(doc).map_err(|e| {
        vec![IngestError::new(
            file,
            Position::pointer(e.pointer),
            e.message,
        )]
    })?;
    let mut b = Builder {
        file,
        plan: &plan,
        config: Config::new(doc),
        estate: Estate::new(),
        index: ResourceIndex::default(),
        problems: Vec::new(),
        sources,
        reference_cycles: RefCell::new(BTreeSet::new()),
        built: RefCell::default(),
    };
    b.read_all();
    let cycles = std::mem::take(&mut *b.reference_cycles.borrow_mut());
    for (pointer, message) in cycles {
        b.problems
            .push(IngestError::new(file, Position::pointer(pointer), message));
    }
    Ok((b.estate, b.problems))
}

/// Maps plan resources onto the model.
pub(crate) struct Builder<'p, 'a> {
    file: &'p str,
    plan: &'p Plan<'a>,
    config: Config<'a>,
    estate: Estate,
    /// The estate's resources by id and address, for the resources that attach to others.
    index: ResourceIndex,
    problems: Vec<IngestError>,
    /// The source file and line of each address, when the plan was written from sources.
    sources: &'p HashMap<String, Place>,
    /// Module reference cycles met while following references: (pointer, message).
    reference_cycles: RefCell<BTreeSet<(String, String)>>,
    /// Ids built for resources created in the same run (azapi resources and their parents).
    built: RefCell<azapi::BuiltIds>,
}

/// One resource being read, with its configuration block.
pub(crate) struct Res<'p, 'a> {
    pub(crate) r: &'p PlanResource<'a>,
    pub(crate) attrs: Attr<'a>,
    pub(crate) config: Option<&'a Value>,
}

/// A problem with one attribute: the resource is left out and reported.
pub(crate) struct Bad {
    pub(crate) attr: String,
    pub(crate) message: String,
}

pub(crate) type Mapped<T> = Result<T, Bad>;

impl<'p, 'a> Builder<'p, 'a> {
    pub(crate) fn source(&self, r: &PlanResource<'_>) -> Place {
        if let Some(src) = self.sources.get(&r.address) {
            return src.clone();
        }
        Place {
            column: None,
            file: self.file.to_string(),
            pointer: Some(r.pointer.clone()),
            address: Some(r.address.clone()),
            line: None,
        }
    }

    /// The common fields: id (when known), address, name, location, tags, subscription.
    pub(crate) fn common(&self, res: &Res<'_, 'a>) -> Mapped<Common> {
        let id = match res.attrs.get("id").str() {
            Some(Known::Value(s)) => Some(parse_id(&s, "id")?),
            _ => None,
        };
        let tags = match res.attrs.get("tags").raw() {
            Some(Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => Default::default(),
        };
        Ok(Common {
            subscription: if id.is_some() {
                None
            } else {
                Some(self.config.subscription_token(res.config))
            },
            id,
            address: res.r.address.clone(),
            name: Known::Value(name_of(res.r)),
            location: res.attrs.get("location").str().unwrap_or(Known::Unknown),
            tags,
            source: self.source(res.r),
        })
    }

    /// Follows the configuration references of an attribute to plan resources.
    pub(crate) fn targets(
        &self,
        res: &Res<'_, 'a>,
        path: &[&str],
        block: usize,
    ) -> Vec<(Target, Option<&'p PlanResource<'a>>)> {
        let Some(expr) = expression(res.config, path, block) else {
            return Vec::new();
        };
        let (targets, cycles) = self.config.resolve(&res.r.module, expr);
        if !cycles.is_empty() {
            self.reference_cycles.borrow_mut().extend(cycles);
        }
        targets
            .into_iter()
            .map(|t| {
                let found = self.plan.find(&t.address, res.r);
                (t, found)
            })
            .collect()
    }

    /// A reference attribute (an id): known ids parse; unknown ones resolve to the
    /// referenced plan resource's address; unset is `None`.
    pub(crate) fn reference(
        &self,
        res: &Res<'_, 'a>,
        attr: Attr<'a>,
        path: &[&str],
        block: usize,
    ) -> Mapped<Option<Known<ResourceRef>>> {
        match attr.str() {
            None => Ok(None),
            Some(Known::Value(s)) => Ok(Some(Known::Value(parse_ref(&s, &path.join("/"))?))),
            Some(Known::Unknown) => Ok(Some(
                self.targets(res, path, block)
                    .into_iter()
                    .find_map(|(t, found)| found.filter(|_| t.is_id()).map(|f| self.ref_of(f)))
                    .map_or(Known::Unknown, Known::Value),
            )),
        }
    }

    /// How other resources refer to a plan resource: its id when known, else its address.
    /// An event hub is not a resource of the model: it is named as a child of its
    /// namespace (`<namespace>/eventhubs/<name>`), the scope role assignments use.
    pub(crate) fn ref_of(&self, r: &PlanResource<'a>) -> ResourceRef {
        if let Some(Known::Value(id)) = r.attrs().get("id").str() {
            return ResourceRef::parse(&id)
                .unwrap_or_else(|_| ResourceRef::Address(r.address.clone()));
        }
        if r.rtype == "azurerm_eventhub" {
            let name = r.attrs().get("name").str().and_then(Known::into_value);
            if let (Some(Known::Value(ns)), Some(name)) = (self.namespace_of_eventhub(r), name) {
                let child = format!("{}/eventhubs/{name}", ns.as_str());
                return ResourceRef::parse(&child).unwrap_or(ResourceRef::Address(child));
            }
        }
        ResourceRef::Address(r.address.clone())
    }

    /// A string attribute that may be unknown because it copies another resource's
    /// attribute (`azurerm_storage_account.x.name`): the referenced planned value, or,
    /// where that is not known yet either, the symbol naming that attribute of that
    /// resource (`{azurerm_storage_account.x.name}`), which the resource's own unknown
    /// name is too: the reference binds to the resource by its address.
    pub(crate) fn copied_string(
        &self,
        res: &Res<'_, 'a>,
        attr: Attr<'a>,
        path: &[&str],
    ) -> Option<Known<String>> {
        self.copied_string_in(res, attr, path, 0)
    }

    /// [`Builder::copied_string`] of the `block`th of repeated nested blocks.
    pub(crate) fn copied_string_in(
        &self,
        res: &Res<'_, 'a>,
        attr: Attr<'a>,
        path: &[&str],
        block: usize,
    ) -> Option<Known<String>> {
        match attr.str()? {
            Known::Value(v) => Some(Known::Value(v)),
            Known::Unknown => Some(
                self.targets(res, path, block)
                    .into_iter()
                    .find_map(|(t, found)| {
                        let f = found?;
                        if t.attr.is_empty() || t.attr == ["name"] {
                            return Some(name_of(f));
                        }
                        let mut a = f.attrs();
                        for step in &t.attr {
                            a = a.get(step);
                        }
                        Some(match a.str() {
                            Some(Known::Value(v)) => v,
                            _ => attribute_symbol(f, &t.attr),
                        })
                    })
                    .map_or(Known::Unknown, Known::Value),
            ),
        }
    }

    /// The address of the `rtype` resource a child (an NSG rule, a firewall rule collection)
    /// belongs to: the one its `attr` refers to in the configuration, else the one with its
    /// name in its resource group. Names repeat across resource groups, so the name alone
    /// is not enough.
    pub(crate) fn parent_address(
        &self,
        res: &Res<'_, 'a>,
        attr: &str,
        rtype: &str,
        name: &Known<String>,
    ) -> Option<String> {
        let referenced = self
            .targets(res, &[attr], 0)
            .into_iter()
            .find_map(|(t, found)| found.filter(|_| t.rtype == rtype));
        if let Some(parent) = referenced {
            return Some(parent.address.clone());
        }
        let name = name.value()?;
        let group_of = |a: Attr<'_>| {
            a.get("resource_group_name")
                .str()
                .and_then(Known::into_value)
        };
        let group = group_of(res.attrs);
        let mut same = self.plan.named(rtype, name).filter(|p| {
            !p.data
                && match (&group, group_of(p.attrs())) {
                    (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b),
                    _ => true,
                }
        });
        let first = same.next()?;
        same.next().is_none().then(|| first.address.clone())
    }

    /// Plan resources of a type with a given name (for attributes that name, not id, a
    /// resource: `network_security_group_name`).
    pub(crate) fn by_name(
        &self,
        rtype: &str,
        name: &Known<String>,
    ) -> Option<&'p PlanResource<'a>> {
        let plan: &'p Plan<'a> = self.plan;
        plan.by_name(rtype, name.value()?)
    }

    pub(crate) fn estate(&mut self) -> &mut Estate {
        &mut self.estate
    }
}

/// A resource's planned name, or the symbol standing for it when it is known only after
/// apply (`{azurerm_storage_account.export.name}`): every reference to the name reads the
/// same symbol, so links to the resource hold whether or not the name is known.
pub(crate) fn name_of(r: &PlanResource<'_>) -> String {
    match r.attrs().get("name").str() {
        Some(Known::Value(n)) => n,
        Some(Known::Unknown) => attribute_symbol(r, &["name".to_string()]),
        None => r.name.clone(),
    }
}

/// The symbol standing for an attribute of a resource that is not known yet.
pub(crate) fn attribute_symbol(r: &PlanResource<'_>, attr: &[String]) -> String {
    format!(
        "{{{}}}",
        ahds_model::symbolic::escape(&format!("{}.{}", r.address, attr.join(".")))
    )
}

/// The fields every model resource has.
pub(crate) struct Common {
    pub(crate) id: Option<ResourceId>,
    pub(crate) address: String,
    pub(crate) name: Known<String>,
    pub(crate) location: Known<String>,
    pub(crate) tags: std::collections::BTreeMap<String, String>,
    pub(crate) subscription: Option<String>,
    pub(crate) source: Place,
}

/// Fills the common fields of a model resource from [`Common`].
macro_rules! resource_from {
    ($t:ident, $c:expr, { $($f:ident : $v:expr),* $(,)? }) => {{
        let c = $c;
        ahds_model::$t {
            id: c.id,
            address: Some(c.address),
            name: c.name,
            location: c.location,
            tags: c.tags,
            subscription: c.subscription,
            place: Some(c.source),
            $($f: $v,)*
        }
    }};
}
pub(crate) use resource_from;

pub(crate) fn parse_id(s: &str, attr: &str) -> Mapped<ResourceId> {
    ResourceId::parse(s).map_err(|e| Bad {
        attr: attr.to_string(),
        message: e.to_string(),
    })
}

pub(crate) fn parse_ref(s: &str, attr: &str) -> Mapped<ResourceRef> {
    if s.starts_with('/') {
        parse_id(s, attr).map(ResourceRef::Id)
    } else {
        Err(Bad {
            attr: attr.to_string(),
            message: format!("`{s}` is not an ARM resource id"),
        })
    }
}

/// `enabled` flags mapped onto public network access: missing means the platform default.
pub(crate) fn public_access(flag: Option<Known<bool>>) -> Known<ahds_model::PublicNetworkAccess> {
    use ahds_model::PublicNetworkAccess::{Disabled, Enabled};
    match flag {
        None => Known::Value(Enabled),
        Some(k) => k.map(|b| if b { Enabled } else { Disabled }),
    }
}

/// Reads the first present of several attribute names (3.x/4.x name, 5.x rename).
pub(crate) fn first_of<'a>(attrs: Attr<'a>, names: &[&'static str]) -> (Attr<'a>, &'static str) {
    for n in names {
        let a = attrs.get(n);
        if !a.is_unset() {
            return (a, n);
        }
    }
    (attrs.get(names[0]), names[0])
}

#[cfg(test)]
mod plan_parts_tests {
    use super::*;

    /// A plan read from its pruned parts reads as the whole document does.
    #[test]
    fn the_parts_kept_are_all_the_reader_reads() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
        for file in [
            "terraform/contoso-plan.json",
            "equivalence/northwind-plan.json",
        ] {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
            let whole = crate::strict_json::from_str(&text).unwrap();
            let parts = crate::strict_json::from_str_pruned(&text, &PLAN_PARTS).unwrap();
            assert!(parts.get("planned_values").is_some(), "{file}");
            let (whole_estate, whole_problems) = read_plan(&whole, file).unwrap();
            let (parts_estate, parts_problems) = read_plan(&parts, file).unwrap();
            assert!(whole_estate.resource_count() > 0, "{file}");
            assert_eq!(whole_estate, parts_estate, "{file}");
            assert_eq!(whole_problems, parts_problems, "{file}");
        }
    }
}
