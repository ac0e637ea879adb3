//! `azapi_resource`: an ARM resource written in Terraform (`type = "Microsoft.…@api"` and a
//! `body`), read through the ARM mapping, so settings the azurerm provider cannot make (FHIR
//! import, customer-managed keys) are checked as in a template. azapi 1.x (a `body` JSON
//! string, `jsonencode(...)`) and 2.x (an HCL object) are both read.
//!
//! A resource created in the same run has no id yet. Its id is built the way Azure will
//! build it, from its `parent_id` chain: through azapi resource groups, subscriptions and
//! parents of any depth, and through azurerm resources (a resource group, a workspace).
//! All azapi resources are mapped together, so children (`iotConnectors/fhirDestinations`,
//! `networkRuleSets`) attach to their azapi parents; each then takes its Terraform address,
//! and every reference to a built id is pointed at the address of the resource it names.
//!
//! `azapi_update_resource` patches the resource it names (by `resource_id`, or `parent_id`
//! and `name`): the settings its `body` sets replace those read for that resource.

use std::collections::HashMap;

use ahds_model::{Estate, Known, Place, ResourceRef};
use serde_json::{Map, Value, json};

use super::plan::PlanResource;
use super::{Builder, Mapped, Res, attribute_symbol, name_of};
use crate::arm::{ArmResource, Provenance, map_resources};

/// How deep `parent_id` chains are followed.
const MAX_PARENTS: usize = 16;

/// ARM types of the azurerm resources an azapi resource may sit under.
const AZURERM_PARENTS: &[(&str, &str)] = &[
    (
        "azurerm_healthcare_workspace",
        "Microsoft.HealthcareApis/workspaces",
    ),
    (
        "azurerm_storage_account",
        "Microsoft.Storage/storageAccounts",
    ),
    (
        "azurerm_eventhub_namespace",
        "Microsoft.EventHub/namespaces",
    ),
    ("azurerm_key_vault", "Microsoft.KeyVault/vaults"),
    (
        "azurerm_container_registry",
        "Microsoft.ContainerRegistry/registries",
    ),
    (
        "azurerm_virtual_network",
        "Microsoft.Network/virtualNetworks",
    ),
];

/// The ids built for resources created in the same run, by lower-case id, with the
/// address of the resource each names.
#[derive(Debug, Default)]
pub(crate) struct BuiltIds {
    by_address: HashMap<String, String>,
    aliases: HashMap<String, String>,
}

impl BuiltIds {
    fn remember(&mut self, address: &str, id: &str) {
        self.by_address.insert(address.to_string(), id.to_string());
        self.aliases
            .insert(id.to_ascii_lowercase(), address.to_string());
    }

    /// Points every reference to a built id at the address of the resource it names.
    pub(crate) fn rewrite(&self, estate: &mut Estate) {
        if self.aliases.is_empty() {
            return;
        }
        estate.for_each_reference_mut(&mut |r| {
            if let ResourceRef::Id(id) = r {
                if let Some(a) = self.aliases.get(id.key()) {
                    *r = ResourceRef::Address(a.clone());
                }
            }
        });
        for s in &mut estate.skipped {
            if let Some(a) = self.aliases.get(&s.resource.to_ascii_lowercase()) {
                s.resource = a.clone();
            }
        }
    }
}

/// `Microsoft.HealthcareApis/workspaces` of `Microsoft.HealthcareApis/workspaces@2023-11-01`.
fn arm_type(r: &PlanResource<'_>) -> Option<String> {
    let t = r.attrs().get("type").str()?.into_value()?;
    Some(t.split('@').next().unwrap_or(&t).to_string())
}

/// The id of `name` of `arm_type` under `parent`: a resource group under its subscription,
/// a child type under its parent resource, a top-level type under its resource group.
fn child_id(parent: &str, arm_type: &str, name: &str) -> String {
    let parent = parent.trim_end_matches('/');
    if arm_type.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        let sub = parent
            .split('/')
            .nth(2)
            .filter(|_| parent.to_ascii_lowercase().starts_with("/subscriptions/"))
            .unwrap_or("{terraform.subscription}");
        return format!("/subscriptions/{sub}/resourceGroups/{name}");
    }
    if arm_type.eq_ignore_ascii_case("Microsoft.Resources/subscriptions") {
        return format!("/subscriptions/{name}");
    }
    let segments = arm_type.split('/').count();
    let last = arm_type.rsplit('/').next().unwrap_or(arm_type);
    if segments > 2 {
        format!("{parent}/{last}/{name}")
    } else {
        format!("{parent}/providers/{arm_type}/{name}")
    }
}

impl<'p, 'a> Builder<'p, 'a> {
    fn subscription_of(&self, r: &PlanResource<'_>) -> String {
        let config = self.config.resource(&r.module, r.data, &r.rtype, &r.name);
        self.config.subscription_token(config)
    }

    pub(super) fn res_of(&self, r: &'p PlanResource<'a>) -> Res<'p, 'a> {
        Res {
            r,
            attrs: r.attrs(),
            config: self.config.resource(&r.module, r.data, &r.rtype, &r.name),
        }
    }

    /// The id of a resource of the plan: its planned id, or the one Azure will give it.
    fn arm_id_of(&self, r: &'p PlanResource<'a>, depth: usize) -> String {
        if let Some(Known::Value(id)) = r.attrs().get("id").str() {
            if id.starts_with('/') {
                return id;
            }
        }
        if let Some(id) = self.built.borrow().by_address.get(&r.address) {
            return id.clone();
        }
        let sub = self.subscription_of(r);
        let id = match r.rtype.as_str() {
            "azapi_resource" if depth < MAX_PARENTS => {
                let parent = self.parent_of(r, depth + 1);
                let ty = arm_type(r).unwrap_or_else(|| "Unknown/unknown".into());
                child_id(&parent, &ty, &name_of(r))
            }
            "azurerm_resource_group" => {
                format!("/subscriptions/{sub}/resourceGroups/{}", name_of(r))
            }
            "azurerm_subscription" => {
                let s = r
                    .attrs()
                    .get("subscription_id")
                    .str()
                    .and_then(Known::into_value)
                    .unwrap_or(sub);
                format!("/subscriptions/{s}")
            }
            t => match AZURERM_PARENTS.iter().find(|(rt, _)| *rt == t) {
                Some((_, ty)) => {
                    let group = r
                        .attrs()
                        .get("resource_group_name")
                        .str()
                        .and_then(Known::into_value)
                        .unwrap_or_else(|| {
                            attribute_symbol(r, &["resource_group_name".to_string()])
                        });
                    format!(
                        "/subscriptions/{sub}/resourceGroups/{group}/providers/{ty}/{}",
                        name_of(r)
                    )
                }
                // A parent of a kind not modelled: a resource group named after the
                // reference, so the child's id is still ARM-shaped.
                None => format!(
                    "/subscriptions/{sub}/resourceGroups/{}",
                    attribute_symbol(r, &["id".to_string()])
                ),
            },
        };
        if r.data {
            return id;
        }
        self.built.borrow_mut().remember(&r.address, &id);
        id
    }

    /// The id of an azapi resource's parent: `parent_id` as written, or the id of the
    /// resource it refers to.
    fn parent_of(&self, r: &'p PlanResource<'a>, depth: usize) -> String {
        let attrs = r.attrs();
        if let Some(Known::Value(p)) = attrs.get("parent_id").str() {
            return p;
        }
        let res = self.res_of(r);
        let referenced = self
            .targets(&res, &["parent_id"], 0)
            .into_iter()
            .find_map(|(t, f)| f.filter(|_| t.is_id()));
        match referenced {
            Some(p) => self.arm_id_of(p, depth),
            // azapi 2.x places a resource group under the provider's subscription.
            None if attrs.get("parent_id").is_unset() => {
                format!("/subscriptions/{}", self.subscription_of(r))
            }
            None => format!(
                "/subscriptions/{}/resourceGroups/{}",
                self.subscription_of(r),
                attribute_symbol(r, &["parent_id".to_string()])
            ),
        }
    }

    /// Every `azapi_resource`, mapped together through the ARM mapping.
    pub(super) fn azapi_resources(&mut self, list: &[&'p PlanResource<'a>]) {
        struct Built {
            address: String,
            synthetic: bool,
            source: Place,
            subscription: String,
        }
        let mut values = Vec::new();
        let mut built: HashMap<String, Built> = HashMap::new();
        for r in list {
            let res = self.res_of(r);
            let Some(ty) = arm_type(r) else {
                self.report(
                    r,
                    Err(super::Bad {
                        attr: "type".into(),
                        message: "an azapi resource needs a known `type` (`Microsoft.X/y@version`)"
                            .into(),
                    }),
                );
                continue;
            };
            let planned = r
                .attrs()
                .get("id")
                .str()
                .and_then(Known::into_value)
                .filter(|id| id.starts_with('/'));
            let id = self.arm_id_of(r, 0);
            let body = match self.body_of(&res) {
                Ok(b) => b,
                Err(bad) => {
                    self.report(r, Err(bad));
                    continue;
                }
            };
            if res.attrs.get("body").is_unknown() {
                self.estate.notes.push(format!(
                    "{}: the `body` of `{}` is not known before apply; its settings are unknown",
                    self.source(r).file,
                    r.address
                ));
            }
            let mut value = match body {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            value.insert("id".into(), json!(id));
            value.insert("type".into(), json!(ty));
            value.insert("name".into(), json!(name_of(r)));
            if let Some(Known::Value(l)) = r.attrs().get("location").str() {
                value.entry("location").or_insert(json!(l));
            }
            if let Some(identity) = self.azapi_identity(&res) {
                value.entry("identity").or_insert(identity);
            }
            built.insert(
                r.address.clone(),
                Built {
                    address: r.address.clone(),
                    synthetic: planned.is_none(),
                    source: self.source(r),
                    subscription: self.subscription_of(r),
                },
            );
            values.push((Value::Object(value), self.source(r)));
        }
        if values.is_empty() {
            return;
        }
        let arms: Vec<ArmResource<'_>> = values
            .iter()
            .map(|(v, s)| ArmResource {
                file: &s.file,
                value: v,
                pointer: s.pointer.clone().unwrap_or_default(),
                line: s.line,
                address: s.address.clone(),
            })
            .collect();
        let (mut estate, problems) = map_resources(&arms, self.file, Provenance::Template);
        self.problems.extend(problems);
        // Read as the Terraform resources they are: their addresses, files and lines.
        macro_rules! adopt {
            ($f:ident, $t:ty) => {
                for r in &mut estate.$f {
                    // By the address the source carries: two azapi resources may build
                    // the same id (the same name under the same parent).
                    let key = r.place.as_ref().and_then(|o| o.address.clone());
                    if let Some(b) = key.and_then(|k| built.get(&k)) {
                        if b.synthetic {
                            r.id = None;
                            r.subscription = Some(b.subscription.clone());
                        }
                        r.address = Some(b.address.clone());
                        r.place = Some(b.source.clone());
                    }
                }
            };
        }
        ahds_model::for_each_collection!(adopt);
        self.estate.merge(estate);
    }

    // `clone` in `apply!` copies `Copy` and non-`Copy` fields alike.
    #[allow(clippy::clone_on_copy)]
    pub(super) fn azapi_update(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let Some(arm_type) = arm_type(res.r) else {
            return Ok(());
        };
        let arm_type = arm_type.to_ascii_lowercase();
        // The resource it updates: by id, by the plan resource the configuration names, or
        // by its parent and name.
        let target_key = match res.attrs.get("resource_id").str() {
            Some(Known::Value(id)) => Some(id),
            Some(Known::Unknown) => self
                .targets(res, &["resource_id"], 0)
                .into_iter()
                .find_map(|(t, f)| f.filter(|_| t.is_id()))
                .map(|p| self.ref_of(p).key().to_string()),
            None => match res.attrs.get("name").str() {
                Some(Known::Value(name)) => {
                    let parent = self.parent_of(res.r, 1);
                    Some(child_id(&parent, &arm_type, &name))
                }
                _ => None,
            },
        };
        let target_key = target_key.map(|k| {
            self.built
                .borrow()
                .aliases
                .get(&k.to_ascii_lowercase())
                .cloned()
                .unwrap_or(k)
        });
        let body = self.body_of(res)?;
        let props = body.get("properties").cloned().unwrap_or(Value::Null);
        let sets = |name: &str| {
            props
                .as_object()
                .is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case(name)))
        };
        let Some(target_key) = target_key else {
            self.estate.notes.push(format!(
                "{}: `{}` updates a resource that is not in the input; its settings are not applied",
                self.source(res.r).file,
                res.r.address
            ));
            return Ok(());
        };
        // The body read as a resource of the target's type, under a stand-in id.
        let mut value = match body.clone() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let stand_in = child_id(
            "/subscriptions/{update}/resourceGroups/{update}/providers/Microsoft.Update/update/update",
            &arm_type,
            "update",
        );
        let stand_in = if arm_type.matches('/').count() > 1 {
            stand_in
        } else {
            format!(
                "/subscriptions/{{update}}/resourceGroups/{{update}}/providers/{arm_type}/update"
            )
        };
        value.insert("id".into(), json!(stand_in));
        value.insert("type".into(), json!(arm_type));
        value.insert("name".into(), json!("update"));
        let value = Value::Object(value);
        let source = self.source(res.r);
        let read = self.map_as_arm(res, &value);
        let matches = |id: &Option<ahds_model::ResourceId>, address: &Option<String>| {
            id.as_ref()
                .is_some_and(|i| i.as_str().eq_ignore_ascii_case(&target_key))
                || address.as_deref() == Some(target_key.as_str())
        };
        // The settings an update body may carry, per type, copied when the body names them.
        macro_rules! apply {
            ($coll:ident, { $($prop:literal => $($field:ident).+),* $(,)? }) => {{
                let to = self.estate.$coll.iter_mut().find(|r| matches(&r.id, &r.address));
                match (read.$coll.first(), to) {
                    (Some(from), Some(to)) => {
                        $(if sets($prop) {
                            to.$($field).+ = from.$($field).+.clone();
                        })*
                        true
                    }
                    _ => false,
                }
            }};
        }
        let applied = match arm_type.as_str() {
            "microsoft.healthcareapis/workspaces" => apply!(workspaces, {
                "publicNetworkAccess" => public_network_access,
            }),
            "microsoft.healthcareapis/workspaces/fhirservices" => apply!(fhir_services, {
                "publicNetworkAccess" => public_network_access,
                "importConfiguration" => import,
                "exportConfiguration" => export,
                "encryption" => customer_managed_key,
                "acrConfiguration" => acr_login_servers,
                "acrConfiguration" => oci_artifact_login_servers,
                "corsConfiguration" => cors,
            }),
            "microsoft.healthcareapis/workspaces/dicomservices" => apply!(dicom_services, {
                "publicNetworkAccess" => public_network_access,
                "encryption" => customer_managed_key,
                "storageConfiguration" => storage,
                "corsConfiguration" => cors,
            }),
            "microsoft.storage/storageaccounts" => apply!(storage_accounts, {
                "publicNetworkAccess" => network.public_network_access,
                "networkAcls" => network,
            }),
            "microsoft.containerregistry/registries" => apply!(container_registries, {
                "publicNetworkAccess" => network.public_network_access,
                "networkRuleSet" => network,
                "networkRuleBypassOptions" => network.trusted_services,
            }),
            "microsoft.keyvault/vaults" => apply!(key_vaults, {
                "publicNetworkAccess" => network.public_network_access,
                "networkAcls" => network,
            }),
            "microsoft.eventhub/namespaces" => apply!(eventhub_namespaces, {
                "publicNetworkAccess" => network.public_network_access,
            }),
            _ => false,
        };
        if !applied {
            self.estate.skipped.push(ahds_model::SkippedResource {
                resource_type: "azapi_update_resource".into(),
                resource: res.r.address.clone(),
                reason: format!(
                    "updates `{target_key}` ({arm_type}), which is not in the input or whose type's updates are not read"
                ),
                source: Some(source),
            });
        }
        Ok(())
    }

    /// One resource's ARM JSON read by the ARM mapping, with the Terraform resource's place.
    fn map_as_arm(&mut self, res: &Res<'_, 'a>, value: &Value) -> Estate {
        let source = self.source(res.r);
        let arm = ArmResource {
            file: &source.file,
            value,
            pointer: source.pointer.clone().unwrap_or_default(),
            line: source.line,
            address: Some(res.r.address.clone()),
        };
        let (estate, problems) = map_resources(
            std::slice::from_ref(&arm),
            &source.file,
            Provenance::Template,
        );
        self.problems.extend(problems);
        estate
    }

    /// The azapi `identity` block as ARM writes it.
    fn azapi_identity(&self, res: &Res<'_, 'a>) -> Option<Value> {
        let block = res.attrs.block("identity")?;
        let Some(Known::Value(kind)) = block.get("type").str() else {
            return None;
        };
        let mut identity = json!({ "type": kind });
        if let Some(Known::Value(ids)) = block.get("identity_ids").strings() {
            identity["userAssignedIdentities"] =
                Value::Object(ids.into_iter().map(|i| (i, json!({}))).collect());
        }
        Some(identity)
    }

    /// The `body`: an object (azapi 2.x) or a JSON string (azapi 1.x). What the plan does
    /// not know yet is the unknown marker, never absent (absent is the platform default);
    /// a string that is exactly a reference to another resource's id or name (as the
    /// `.tf` reader writes them) names that resource.
    fn body_of(&self, res: &Res<'_, 'a>) -> Mapped<Value> {
        let attr = res.attrs.get("body");
        if attr.is_unknown() {
            return Ok(Value::Null);
        }
        let mut body = match attr.raw() {
            Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| super::Bad {
                attr: "body".into(),
                message: format!("`body` is a string but not JSON: {e}"),
            })?,
            Some(v) => with_unknowns(v, res.r.unknown.and_then(|u| u.get("body"))),
            None => Value::Null,
        };
        self.resolve_references(res.r, &mut body, 0);
        Ok(body)
    }

    /// Replaces strings that are exactly `{<address>.id}` or `{<address>.name}` of a
    /// resource of the plan with that resource's reference or name.
    fn resolve_references(&self, from: &PlanResource<'_>, v: &mut Value, depth: usize) {
        if depth > 64 {
            return;
        }
        match v {
            Value::String(s) => {
                let Some(inner) = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) else {
                    return;
                };
                if inner.contains(['{', '}']) {
                    return;
                }
                let Some((address, attr)) = inner.rsplit_once('.') else {
                    return;
                };
                let Some(target) = self.plan.find(address, from) else {
                    return;
                };
                match attr {
                    "id" => *s = self.ref_of(target).key().to_string(),
                    "name" => *s = name_of(target),
                    _ => {}
                }
            }
            Value::Array(a) => a
                .iter_mut()
                .for_each(|x| self.resolve_references(from, x, depth + 1)),
            Value::Object(m) => m
                .values_mut()
                .for_each(|x| self.resolve_references(from, x, depth + 1)),
            _ => {}
        }
    }
}

/// A planned value with the parts `after_unknown` marks replaced by the unknown marker.
fn with_unknowns(v: &Value, unknown: Option<&Value>) -> Value {
    match (v, unknown) {
        (_, Some(Value::Bool(true))) => crate::arm::props::unknown("known only after apply"),
        (Value::Object(m), Some(Value::Object(u))) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), with_unknowns(x, u.get(k))))
                .chain(
                    u.iter()
                        .filter(|(k, x)| **x == Value::Bool(true) && !m.contains_key(*k))
                        .map(|(k, _)| {
                            (
                                k.clone(),
                                crate::arm::props::unknown("known only after apply"),
                            )
                        }),
                )
                .collect(),
        ),
        (Value::Array(a), Some(Value::Array(u))) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| with_unknowns(x, u.get(i)))
                .collect(),
        ),
        (Value::Null, Some(_)) => crate::arm::props::unknown("known only after apply"),
        _ => v.clone(),
    }
}
