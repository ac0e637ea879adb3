//! Who may reach what: role assignments, user-assigned identities, and Event Grid system
//! topics with the event subscriptions that deliver through them.

use ahds_model::{
    DeliveryIdentity, DeliveryIdentityType, EventDestination, Known, ResourceId, ResourceRef,
};

use super::fields::{identity, principal_of, reference, scope_of_plain_assignment, strings};
use super::{ArmResource, Mapped, Mapper};
use crate::arm::props::{known_str, prop, setting_str, str_at};

impl Mapper<'_> {
    pub(super) fn role_assignment(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        // ARM carries the fields under `properties`; `az role assignment list` flattens
        // them onto the record (with `roleDefinitionName` beside the id).
        let p = prop(v, "properties").filter(|p| p.is_object()).unwrap_or(v);
        // A listing carries the scope; a template places the assignment with the `scope`
        // property or in the id.
        let scope = match reference(p, &["scope"])? {
            Some(s) => s,
            None => match reference(v, &["scope"])? {
                Some(s) => s,
                None => {
                    c.id.as_ref()
                        .and_then(|id| {
                            id.extension_scope()
                                .or_else(|| scope_of_plain_assignment(id))
                        })
                        .map_or(Known::Unknown, |s| Known::Value(ResourceRef::Id(s)))
                }
            },
        };
        let ra = build!(RoleAssignment, c, {
            scope: scope,
            role_definition_id: known_str(p, &["roleDefinitionId"]),
            role_definition_name: known_str(p, &["roleDefinitionName"]),
            principal_id: known_str(p, &["principalId"]).unwrap_or(Known::Unknown),
            principal_of: principal_of(p, &["principalId"]),
        });
        let room = &mut self.role_assignment_room;
        self.role_assignments
            .get_or_insert_with(|| std::mem::take(room))
            .push(ra);
        Ok(())
    }

    pub(super) fn user_identity(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let uai = build!(UserAssignedIdentity, c, {
            principal_id: known_str(r.value, &["properties", "principalId"]).unwrap_or(Known::Unknown),
        });
        self.estate.user_assigned_identities.push(uai);
        Ok(())
    }

    pub(super) fn system_topic(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let topic = build!(SystemTopic, c, {
            source: reference(v, &["properties", "source"])?.unwrap_or(Known::Unknown),
            topic_type: str_at(v, &["properties", "topicType"]).map(str::to_string),
            identity: identity(v)?,
        });
        self.estate.system_topics.push(topic);
        Ok(())
    }

    pub(super) fn event_subscription(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let p = prop(v, "properties").unwrap_or(v);
        let with_identity = prop(p, "deliveryWithResourceIdentity");
        let destination = with_identity
            .and_then(|d| prop(d, "destination"))
            .or_else(|| prop(p, "destination"));
        let delivery_identity = with_identity.map(|d| DeliveryIdentity {
            kind: match setting_str(d, &["identity", "type"]) {
                Some(Known::Value(t)) if t.eq_ignore_ascii_case("UserAssigned") => {
                    Known::Value(DeliveryIdentityType::UserAssigned)
                }
                Some(Known::Value(t)) if t.eq_ignore_ascii_case("SystemAssigned") => {
                    Known::Value(DeliveryIdentityType::SystemAssigned)
                }
                _ => Known::Unknown,
            },
            user_assigned_identity: str_at(d, &["identity", "userAssignedIdentity"])
                .and_then(|s| ResourceRef::parse(s).ok()),
        });
        let topic =
            c.id.as_ref()
                .and_then(ResourceId::parent)
                .map(ResourceRef::Id);
        let es = build!(EventSubscription, c, {
            topic: topic.map_or(Known::Unknown, Known::Value),
            destination: EventDestination {
                endpoint_type: destination.and_then(|d| setting_str(d, &["endpointType"])).unwrap_or(Known::Unknown),
                resource_id: match destination {
                    Some(d) => reference(d, &["properties", "resourceId"])?,
                    None => None,
                },
                eventhub_namespace: None,
            },
            delivery_identity: delivery_identity,
            included_event_types: strings(p, &["filter", "includedEventTypes"]).into_value().unwrap_or_default(),
        });
        self.estate.event_subscriptions.push(es);
        Ok(())
    }
}
