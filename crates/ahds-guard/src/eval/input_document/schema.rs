//! The JSON Schema of the policy input document, generated from the model's types (their
//! doc comments become the field descriptions) and the entry fields the document adds.

use ahds_model::{
    ContainerRegistry, DicomService, EventHubNamespace, EventSubscription, FhirService, Firewall,
    KeyVault, MedTechService, NetworkFacts, NetworkSecurityGroup, OutboundLink, PrivateEndpoint,
    RoleAssignment, ServiceFacts, StorageAccount, SystemTopic, UserAssignedIdentity, Workspace,
    WorkspaceFacts,
};
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

use super::document::LINK_TARGET_FIELD;

/// The collections outbound links reach.
const TARGET_COLLECTIONS: [&str; 4] = [
    "storage_accounts",
    "container_registries",
    "eventhub_namespaces",
    "key_vaults",
];

/// Adds a resource type's schema to `defs` as an input-document entry: its own fields
/// plus `key`, `resource_id`, `resource_type` and, for some kinds, `facts`.
fn entry<T: JsonSchema>(g: &mut SchemaGenerator, facts: Option<Value>) -> Value {
    let mut s = T::json_schema(g).to_value();
    let Value::Object(m) = &mut s else { return s };
    let props = m
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(p) = props {
        p.insert("key".into(), json!({"type": "string", "description": "The lookup key: the lower-cased ARM id, or the input address where no id is known. The entry's key in its collection."}));
        p.insert("resource_id".into(), json!({"type": "string", "description": "How reports name the resource: the ARM id as written, or the input address."}));
        p.insert(
            "resource_type".into(),
            json!({"type": "string", "description": "The ARM resource type."}),
        );
        if let Some(f) = facts {
            p.insert("facts".into(), f);
        }
    }
    if let Some(Value::Array(req)) = m.get_mut("required") {
        req.extend(["key", "resource_id", "resource_type"].map(|k| json!(k)));
    }
    m.remove("title");
    s
}

/// The JSON Schema of the document every Rego rule sees as `input`.
pub fn input_schema() -> Value {
    let mut g = SchemaSettings::draft2020_12().into_generator();
    let mut props = Map::new();
    props.insert(
        "version".into(),
        json!({"type": "integer", "description": "Layout version of the input document."}),
    );
    let ws_facts = g.subschema_for::<WorkspaceFacts>().to_value();
    let svc_facts = g.subschema_for::<ServiceFacts>().to_value();
    let net_facts = g.subschema_for::<NetworkFacts>().to_value();
    let collections: Vec<(&str, &str, Value)> = vec![
        (
            "workspaces",
            "AHDS workspaces.",
            entry::<Workspace>(&mut g, Some(ws_facts)),
        ),
        (
            "fhir_services",
            "FHIR services.",
            entry::<FhirService>(&mut g, Some(svc_facts.clone())),
        ),
        (
            "dicom_services",
            "DICOM services.",
            entry::<DicomService>(&mut g, Some(svc_facts.clone())),
        ),
        (
            "medtech_services",
            "MedTech services.",
            entry::<MedTechService>(&mut g, Some(svc_facts)),
        ),
        (
            "storage_accounts",
            "Storage accounts.",
            entry::<StorageAccount>(&mut g, Some(net_facts.clone())),
        ),
        (
            "container_registries",
            "Container registries.",
            entry::<ContainerRegistry>(&mut g, Some(net_facts.clone())),
        ),
        (
            "eventhub_namespaces",
            "Event Hubs namespaces.",
            entry::<EventHubNamespace>(&mut g, Some(net_facts.clone())),
        ),
        (
            "key_vaults",
            "Key vaults.",
            entry::<KeyVault>(&mut g, Some(net_facts)),
        ),
        (
            "private_endpoints",
            "Private endpoints.",
            entry::<PrivateEndpoint>(&mut g, None),
        ),
        (
            "user_assigned_identities",
            "User-assigned managed identities.",
            entry::<UserAssignedIdentity>(&mut g, None),
        ),
        (
            "network_security_groups",
            "Network security groups.",
            entry::<NetworkSecurityGroup>(&mut g, None),
        ),
        (
            "firewalls",
            "Azure Firewalls and firewall policy rule collection groups.",
            entry::<Firewall>(&mut g, None),
        ),
        (
            "system_topics",
            "Event Grid system topics.",
            entry::<SystemTopic>(&mut g, None),
        ),
        (
            "event_subscriptions",
            "Event Grid event subscriptions.",
            entry::<EventSubscription>(&mut g, None),
        ),
        (
            "role_assignments",
            "Role assignments (empty when the input has none).",
            entry::<RoleAssignment>(&mut g, None),
        ),
    ];
    let mut required = vec![
        json!("version"),
        json!("links"),
        json!("role_assignments_included"),
    ];
    // A resolved link carries its target's entry; which kind follows from `target_type`.
    let mut link_targets: Vec<Value> = collections
        .iter()
        .filter(|(name, _, _)| TARGET_COLLECTIONS.contains(name))
        .map(|(_, _, schema)| schema.clone())
        .collect();
    link_targets.push(json!({"type": "null"}));
    for (name, description, schema) in collections {
        props.insert(
            name.into(),
            json!({"type": "object", "description": format!("{description} Keyed by each resource's `key`."), "additionalProperties": schema}),
        );
        required.push(json!(name));
    }
    props.insert(
        "role_assignments_included".into(),
        json!({"type": "boolean", "description": "Whether the input carries role assignments at all; role checks are skipped when it does not."}),
    );
    let link = g.subschema_for::<OutboundLink>().to_value();
    props.insert(
        "links".into(),
        json!({"type": "array", "description": "Every outbound connection: a service feature and the target it reaches, with precomputed facts.", "items": link}),
    );
    let mut defs = g.take_definitions(true);
    if let Some(Value::Object(link)) = defs.get_mut("OutboundLink") {
        if let Some(Value::Object(p)) = link.get_mut("properties") {
            p.insert(
                LINK_TARGET_FIELD.into(),
                json!({"description": "The target's entry when resolved (the same object as `input[target_type][target_id]`), else null.", "anyOf": link_targets}),
            );
        }
        if let Some(Value::Array(req)) = link.get_mut("required") {
            req.push(json!(LINK_TARGET_FIELD));
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ahds-guard.dev/schemas/policy-input.schema.json",
        "title": "ahds-guard policy input",
        "description": "The document Rego rules see as `input`: each resource collection keyed by resource key, plus the outbound links.",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
        "$defs": defs,
    })
}
