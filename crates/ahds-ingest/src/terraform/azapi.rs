//! `azapi_resource`: an ARM resource written in Terraform (`type = "Microsoft.…@api"` and a
//! `body`), read through the ARM mapping, so settings the azurerm provider cannot make (FHIR
//! import, customer-managed keys) are checked as in a template.
//!
//! `azapi_update_resource` on a workspace, FHIR or DICOM service of the configuration
//! applies the settings its `body` names (public network access, import, encryption) to
//! that resource, read through the same ARM mapping.
//!
//! A resource created in the same run has no id yet; it gets a stand-in id under its
//! parent so the ARM mapping can read it, then takes its Terraform address, and a link to a
//! parent created in the same run (`parent_id = azurerm_healthcare_workspace.ws.id`) is
//! pointed at that resource.

use ahds_model::{Known, ResourceRef};
use serde_json::{Map, Value, json};

use super::{Builder, Mapped, Res};
use crate::arm::{ArmResource, Origin, map_resources};

/// Parents created in the same run are named this way in stand-in ids.
const PENDING: &str = "/subscriptions/{pending}/resourceGroups/{pending}";

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn azapi_resource(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let a = res.attrs;
        let Some(Known::Value(full_type)) = a.get("type").str() else {
            return Err(super::Bad {
                attr: "type".into(),
                message: "an azapi resource needs a known `type` (`Microsoft.X/y@version`)".into(),
            });
        };
        let arm_type = full_type
            .split('@')
            .next()
            .unwrap_or(&full_type)
            .to_string();
        let name = match a.get("name").str() {
            Some(Known::Value(n)) => n,
            _ => format!("{{{}.name}}", res.r.address),
        };
        // The parent: an id in the values, or the plan resource the configuration names.
        let (parent_id, parent_ref) = match a.get("parent_id").str() {
            Some(Known::Value(p)) => (p, None),
            _ => {
                let found = self
                    .targets(res, &["parent_id"], 0)
                    .into_iter()
                    .find_map(|(t, f)| f.filter(|_| t.is_id()));
                match found {
                    Some(p) => match self.ref_of(p) {
                        ResourceRef::Id(id) => (id.as_str().to_string(), None),
                        other => {
                            let parent_type = parent_type(&arm_type);
                            let pname = p
                                .attrs()
                                .get("name")
                                .str()
                                .and_then(Known::into_value)
                                .unwrap_or_else(|| p.name.clone());
                            (
                                format!("{PENDING}/providers/{parent_type}/{pname}"),
                                Some(other),
                            )
                        }
                    },
                    None => (PENDING.to_string(), None),
                }
            }
        };
        let id = match a.get("id").str() {
            Some(Known::Value(id)) if id.starts_with('/') => id,
            _ => child_id(&parent_id, &arm_type, &name),
        };
        let synthetic = a.get("id").str().and_then(Known::into_value).is_none();
        let body = body_of(res)?;
        if a.get("body").is_unknown() {
            self.estate.notes.push(format!(
                "{}: the `body` of `{}` is not known before apply; its settings are the platform defaults as far as they are read",
                self.source(res.r).file,
                res.r.address
            ));
        }
        let mut value = match body {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        value.insert("id".into(), json!(id));
        value.insert("type".into(), json!(arm_type));
        value.insert("name".into(), json!(name));
        if let Some(Known::Value(l)) = a.get("location").str() {
            value.entry("location").or_insert(json!(l));
        }
        if let Some(identity) = self.azapi_identity(res) {
            value.entry("identity").or_insert(identity);
        }
        let value = Value::Object(value);
        let source = self.source(res.r);
        let mut estate = self.map_as_arm(res, &value);
        // Read as the Terraform resource it is: its address, its file and line.
        let pending_parent = parent_ref.map(|p| (parent_id.clone(), p));
        macro_rules! adopt {
            ($f:ident, $t:ty) => {
                for r in &mut estate.$f {
                    if synthetic {
                        r.id = None;
                    }
                    r.address = Some(res.r.address.clone());
                    r.origin = Some(source.clone());
                    if r.subscription.is_none() && synthetic {
                        r.subscription = Some(self.config.subscription_token(res.config));
                    }
                }
            };
        }
        ahds_model::for_each_collection!(adopt);
        if let Some((pending, parent)) = pending_parent {
            for w in estate
                .fhir_services
                .iter_mut()
                .map(|s| &mut s.workspace)
                .chain(estate.dicom_services.iter_mut().map(|s| &mut s.workspace))
                .chain(estate.medtech_services.iter_mut().map(|s| &mut s.workspace))
            {
                if w.value()
                    .is_some_and(|r| r.key().eq_ignore_ascii_case(&pending))
                {
                    *w = Known::Value(parent.clone());
                }
            }
        }
        self.estate.merge(estate);
        Ok(())
    }

    // `clone` in `apply!` copies `Copy` and non-`Copy` fields alike.
    #[allow(clippy::clone_on_copy)]
    pub(super) fn azapi_update(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let a = res.attrs;
        let arm_type = match a.get("type").str() {
            Some(Known::Value(t)) => t.split('@').next().unwrap_or(&t).to_ascii_lowercase(),
            _ => return Ok(()),
        };
        // The resource it updates: by id, or the plan resource the configuration names.
        let target_key = match a.get("resource_id").str() {
            Some(Known::Value(id)) => Some(id),
            _ => self
                .targets(res, &["resource_id"], 0)
                .into_iter()
                .find_map(|(t, f)| f.filter(|_| t.is_id()))
                .map(|p| self.ref_of(p).key().to_string()),
        };
        let body = body_of(res)?;
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
        let stand_in = format!("{PENDING}/providers/{arm_type}/update");
        let stand_in = if arm_type.matches('/').count() > 1 {
            format!(
                "{PENDING}/providers/{}/update/{}/update",
                parent_type(&arm_type),
                arm_type.rsplit('/').next().unwrap_or("")
            )
        } else {
            stand_in
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
            ($coll:ident, { $($prop:literal => $field:ident),* $(,)? }) => {{
                let to = self.estate.$coll.iter_mut().find(|r| matches(&r.id, &r.address));
                match (read.$coll.first(), to) {
                    (Some(from), Some(to)) => {
                        $(if sets($prop) {
                            to.$field = from.$field.clone();
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
                "encryption" => customer_managed_key,
            }),
            "microsoft.healthcareapis/workspaces/dicomservices" => apply!(dicom_services, {
                "publicNetworkAccess" => public_network_access,
                "encryption" => customer_managed_key,
            }),
            _ => false,
        };
        if !applied {
            self.estate.skipped.push(ahds_model::SkippedResource {
                resource_type: "azapi_update_resource".into(),
                resource: res.r.address.clone(),
                reason: format!(
                    "updates `{target_key}` ({arm_type}); only updates of workspaces, FHIR and DICOM services in the input are read"
                ),
                source: Some(source),
            });
        }
        Ok(())
    }

    /// One resource's ARM JSON read by the ARM mapping, with the Terraform resource's place.
    fn map_as_arm(&mut self, res: &Res<'_, 'a>, value: &Value) -> ahds_model::Estate {
        let source = self.source(res.r);
        let arm = ArmResource {
            file: &source.file,
            value,
            pointer: source.pointer.clone().unwrap_or_default(),
            line: source.line,
            address: Some(res.r.address.clone()),
        };
        let (estate, problems) =
            map_resources(std::slice::from_ref(&arm), &source.file, Origin::Template);
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
}

/// The `body`: an object (azapi 2.x) or a JSON string (azapi 1.x).
fn body_of(res: &Res<'_, '_>) -> Mapped<Value> {
    match res.attrs.get("body").raw() {
        Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| super::Bad {
            attr: "body".into(),
            message: format!("`body` is a string but not JSON: {e}"),
        }),
        Some(v) => Ok(v.clone()),
        None => Ok(Value::Null),
    }
}

/// `Microsoft.HealthcareApis/workspaces` for `Microsoft.HealthcareApis/workspaces/fhirservices`.
fn parent_type(arm_type: &str) -> &str {
    arm_type.rsplit_once('/').map_or(arm_type, |(p, _)| p)
}

/// The id of `name` of `arm_type` under `parent_id`: a child type under its parent
/// resource, a top-level type under its resource group.
fn child_id(parent_id: &str, arm_type: &str, name: &str) -> String {
    let segments = arm_type.split('/').count();
    let last = arm_type.rsplit('/').next().unwrap_or(arm_type);
    if segments > 2 {
        format!("{}/{last}/{name}", parent_id.trim_end_matches('/'))
    } else {
        format!(
            "{}/providers/{arm_type}/{name}",
            parent_id.trim_end_matches('/')
        )
    }
}
