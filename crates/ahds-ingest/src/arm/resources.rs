//! Azure Resource Manager resource JSON (as Azure returns it, and as template evaluation
//! produces it) mapped onto the model. Property names match case-insensitively.

use std::collections::BTreeMap;

use ahds_model::{
    AccessPolicy, AclDefaults, ConnectionStatus, CustomerManagedKey, DefaultAction,
    DeliveryIdentity, DeliveryIdentityType, DicomStorage, Direction, DnsZoneConfig, DnsZoneGroup,
    EndpointConnection, Estate, EventDestination, ExportConfig, FirewallRule,
    FirewallRuleCollection, IdentityType, ImportConfig, IpRule, Known, ManagedIdentity,
    MedTechIngestion, NetworkAclSpec, PublicNetworkAccess, ResourceAccessRule, ResourceId,
    ResourceRef, RuleAccess, SecurityRule, SkippedResource, Source, UserAssignedIdentityRef,
    WorkspaceConnection,
};
use serde_json::Value;

use super::expr::{PATH_KEY, REFERENCE_KEY};
use super::props::{
    is_unknown, items, known_bool, known_list, known_str, path, prop, setting_str, str_at,
};
use crate::error::{IngestError, Location};
use crate::util::find_resource;

/// One resource to map, with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct ArmResource<'a> {
    pub(crate) value: &'a Value,
    pub(crate) pointer: String,
    pub(crate) line: Option<u32>,
    /// The template's symbolic name, for templates.
    pub(crate) address: Option<String>,
}

struct Bad {
    at: String,
    message: String,
}

type Mapped<T> = Result<T, Bad>;

/// Moves a problem found inside a sub-object (`ipRules/0`) under that object's pointer.
fn under(prefix: &'static str) -> impl Fn(Bad) -> Bad {
    move |b| Bad {
        at: format!("{prefix}{}", b.at),
        message: b.message,
    }
}

fn bad(at: &str, message: impl Into<String>) -> Bad {
    Bad {
        at: at.to_string(),
        message: message.into(),
    }
}

/// The fields every model resource has.
struct Common {
    id: Option<ResourceId>,
    address: Option<String>,
    name: Known<String>,
    location: Known<String>,
    tags: BTreeMap<String, String>,
    source: Source,
}

macro_rules! build {
    ($t:ident, $c:expr, { $($f:ident : $v:expr),* $(,)? }) => {{
        let c = $c;
        ahds_model::$t {
            id: c.id,
            address: c.address,
            name: c.name,
            location: c.location,
            tags: c.tags,
            subscription: None,
            origin: Some(c.source),
            $($f: $v,)*
        }
    }};
}

/// Maps a list of ARM resources. Children (FHIR services of a workspace, a namespace's
/// network rule set, an endpoint's DNS zone groups, NSG rules...) attach to their parents
/// in a second pass, so the order of the list does not matter.
/// The types read into the model (lower case), whose property kinds are checked first.
const MODELLED: &[&str] = &[
    "microsoft.healthcareapis/workspaces",
    "microsoft.healthcareapis/workspaces/fhirservices",
    "microsoft.healthcareapis/workspaces/dicomservices",
    "microsoft.healthcareapis/workspaces/iotconnectors",
    "microsoft.healthcareapis/workspaces/privateendpointconnections",
    "microsoft.healthcareapis/workspaces/iotconnectors/fhirdestinations",
    "microsoft.storage/storageaccounts",
    "microsoft.containerregistry/registries",
    "microsoft.eventhub/namespaces",
    "microsoft.eventhub/namespaces/networkrulesets",
    "microsoft.keyvault/vaults",
    "microsoft.network/privateendpoints",
    "microsoft.network/privateendpoints/privatednszonegroups",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/networksecuritygroups/securityrules",
    "microsoft.network/azurefirewalls",
    "microsoft.network/firewallpolicies/rulecollectiongroups",
    "microsoft.authorization/roleassignments",
    "microsoft.managedidentity/userassignedidentities",
    "microsoft.eventgrid/systemtopics",
    "microsoft.eventgrid/systemtopics/eventsubscriptions",
];

/// Where resource JSON comes from, which decides what an absent setting means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A template (or Bicep) declares it: an absent setting is the platform default.
    Template,
    /// A live listing (an export, `az resource list`, Resource Graph rows): an absent
    /// setting, or a child the listing does not carry, is unknown.
    Listing,
}

pub(crate) fn map_resources(
    resources: &[ArmResource<'_>],
    file: &str,
    origin: Origin,
) -> (Estate, Vec<IngestError>) {
    let mut m = Mapper {
        file,
        estate: Estate::new(),
        problems: Vec::new(),
        role_assignments: None,
        origin,
        namespaces_with_rules: Vec::new(),
    };
    let mut children = Vec::new();
    for r in resources {
        let ty = str_at(r.value, &["type"])
            .unwrap_or("")
            .to_ascii_lowercase();
        if MODELLED.contains(&ty.as_str()) {
            if let Err((at, message)) = super::shapes::check(r.value) {
                m.report(r, Err(bad(&at, message)));
                continue;
            }
        }
        let result = match ty.as_str() {
            "microsoft.healthcareapis/workspaces" => m.workspace(r),
            "microsoft.healthcareapis/workspaces/fhirservices" => m.fhir(r),
            "microsoft.healthcareapis/workspaces/dicomservices" => m.dicom(r),
            "microsoft.healthcareapis/workspaces/iotconnectors" => m.medtech(r),
            "microsoft.storage/storageaccounts" => m.storage(r),
            "microsoft.containerregistry/registries" => m.registry(r),
            "microsoft.eventhub/namespaces" => m.namespace(r),
            "microsoft.keyvault/vaults" => m.vault(r),
            "microsoft.network/privateendpoints" => m.private_endpoint(r),
            "microsoft.network/networksecuritygroups" => m.nsg(r),
            "microsoft.network/azurefirewalls" => m.firewall(r),
            "microsoft.network/firewallpolicies/rulecollectiongroups" => m.rule_collection_group(r),
            "microsoft.authorization/roleassignments" => m.role_assignment(r),
            "microsoft.managedidentity/userassignedidentities" => m.user_identity(r),
            "microsoft.eventgrid/systemtopics" => m.system_topic(r),
            "microsoft.healthcareapis/workspaces/privateendpointconnections"
            | "microsoft.healthcareapis/workspaces/iotconnectors/fhirdestinations"
            | "microsoft.eventhub/namespaces/networkrulesets"
            | "microsoft.network/privateendpoints/privatednszonegroups"
            | "microsoft.network/networksecuritygroups/securityrules"
            | "microsoft.eventgrid/systemtopics/eventsubscriptions" => {
                children.push((ty.clone(), r));
                Ok(())
            }
            // Read for the links they provide, not checked on their own.
            "microsoft.eventhub/namespaces/eventhubs" | "microsoft.network/privatednszones" => {
                Ok(())
            }
            _ => {
                m.estate.skipped.push(SkippedResource {
                    resource_type: str_at(r.value, &["type"])
                        .unwrap_or("(no type)")
                        .to_string(),
                    resource: str_at(r.value, &["id"])
                        .or(r.address.as_deref())
                        .or(str_at(r.value, &["name"]))
                        .unwrap_or("(unnamed)")
                        .to_string(),
                    reason: "resource type not modelled: no network-access rule reads it".into(),
                    source: Some(m.source(r)),
                });
                Ok(())
            }
        };
        m.report(r, result);
    }
    for (ty, r) in children {
        let result = match ty.as_str() {
            "microsoft.healthcareapis/workspaces/privateendpointconnections" => {
                m.workspace_connection(r)
            }
            "microsoft.healthcareapis/workspaces/iotconnectors/fhirdestinations" => {
                m.fhir_destination(r)
            }
            "microsoft.eventhub/namespaces/networkrulesets" => m.network_rule_set(r),
            "microsoft.network/privateendpoints/privatednszonegroups" => m.dns_zone_group(r),
            "microsoft.network/networksecuritygroups/securityrules" => m.security_rule_resource(r),
            _ => m.event_subscription(r),
        };
        m.report(r, result);
    }
    m.note_namespaces_without_rules();
    m.estate.role_assignments = m.role_assignments;
    (m.estate, m.problems)
}

struct Mapper<'f> {
    file: &'f str,
    estate: Estate,
    problems: Vec<IngestError>,
    role_assignments: Option<Vec<ahds_model::RoleAssignment>>,
    origin: Origin,
    /// Event Hubs namespaces (by slot) whose `networkRuleSets/default` child was read.
    namespaces_with_rules: Vec<usize>,
}

/// A network spec of which nothing is known.
fn unknown_network() -> NetworkAclSpec {
    NetworkAclSpec {
        public_network_access: Some(Known::Unknown),
        default_action: Some(Known::Unknown),
        trusted_services: Some(Known::Unknown),
        ip_rules: Some(Known::Unknown),
        virtual_network_rules: Some(Known::Unknown),
        resource_access_rules: Some(Known::Unknown),
    }
}

/// The firewall part of a spec unknown, public access kept.
fn firewall_unknown(spec: NetworkAclSpec) -> NetworkAclSpec {
    NetworkAclSpec {
        public_network_access: spec.public_network_access,
        ..unknown_network()
    }
}

fn id_of(v: &Value) -> Mapped<Option<ResourceId>> {
    match known_str(v, &["id"]) {
        Some(Known::Value(s)) => ResourceId::parse(&s)
            .map(Some)
            .map_err(|e| bad("/id", e.to_string())),
        _ => Ok(None),
    }
}

fn reference(v: &Value, names: &[&str]) -> Mapped<Option<Known<ResourceRef>>> {
    match known_str(v, names) {
        None => Ok(None),
        Some(Known::Unknown) => Ok(Some(Known::Unknown)),
        Some(Known::Value(s)) => ResourceRef::parse(&s)
            .map(|r| Some(Known::Value(r)))
            .map_err(|e| bad(&format!("/{}", names.join("/")), e.to_string())),
    }
}

fn public_access(v: &Value) -> Mapped<Known<PublicNetworkAccess>> {
    match setting_str(v, &["properties", "publicNetworkAccess"]) {
        None => Ok(Known::Value(PublicNetworkAccess::Enabled)),
        Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "enabled" => Ok(Known::Value(PublicNetworkAccess::Enabled)),
            "disabled" => Ok(Known::Value(PublicNetworkAccess::Disabled)),
            "securedbyperimeter" => Ok(Known::Value(PublicNetworkAccess::SecuredByPerimeter)),
            _ => Err(bad(
                "/properties/publicNetworkAccess",
                format!("unknown value `{s}`"),
            )),
        },
    }
}

fn default_action(v: &Value, names: &[&str]) -> Mapped<Option<Known<DefaultAction>>> {
    match setting_str(v, names) {
        None => Ok(None),
        Some(Known::Unknown) => Ok(Some(Known::Unknown)),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Some(Known::Value(DefaultAction::Allow))),
            "deny" => Ok(Some(Known::Value(DefaultAction::Deny))),
            _ => Err(bad(
                &format!("/{}", names.join("/")),
                format!("`{s}` is not Allow or Deny"),
            )),
        },
    }
}

/// IP rules given as objects with a field (`value`, `ipMask`), skipping `Deny` entries.
fn ip_rules(v: &Value, names: &[&str], field: &str) -> Mapped<Option<Known<Vec<IpRule>>>> {
    let Some(list) = known_list(v, names) else {
        return Ok(None);
    };
    let Known::Value(list) = list else {
        return Ok(Some(Known::Unknown));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, rule) in list.iter().enumerate() {
        if str_at(rule, &["action"]).is_some_and(|a| !a.eq_ignore_ascii_case("Allow")) {
            continue;
        }
        let text = match rule {
            Value::String(s) => Known::Value(s.clone()),
            other => setting_str(other, &[field]).unwrap_or(Known::Unknown),
        };
        let Known::Value(text) = text else {
            return Ok(Some(Known::Unknown));
        };
        out.push(
            text.parse::<IpRule>()
                .map_err(|e| bad(&format!("/{}/{i}", names.join("/")), e.to_string()))?,
        );
    }
    Ok(Some(Known::Value(out)))
}

fn subnet_refs(v: &Value, names: &[&str], id_path: &[&str]) -> Option<Known<Vec<ResourceRef>>> {
    let list = known_list(v, names)?;
    Some(list.map(|l| {
        l.iter()
            .filter_map(|r| str_at(r, id_path))
            .filter_map(|s| ResourceRef::parse(s).ok())
            .collect()
    }))
}

fn identity(v: &Value) -> Mapped<ManagedIdentity> {
    let Some(ident) = prop(v, "identity") else {
        return Ok(ManagedIdentity::default());
    };
    if is_unknown(ident) {
        return Ok(ManagedIdentity {
            kind: Known::Unknown,
            ..ManagedIdentity::default()
        });
    }
    let kind = match setting_str(ident, &["type"]) {
        None => Known::Value(IdentityType::None),
        Some(Known::Unknown) => Known::Unknown,
        Some(Known::Value(t)) => Known::Value(
            crate::util::identity_type(&t)
                .ok_or_else(|| bad("/identity/type", format!("unknown identity type `{t}`")))?,
        ),
    };
    let mut user_assigned = Vec::new();
    if let Some(Value::Object(uais)) = prop(ident, "userAssignedIdentities") {
        for (id, details) in uais {
            user_assigned.push(UserAssignedIdentityRef {
                id: ResourceRef::parse(id)
                    .map_err(|e| bad("/identity/userAssignedIdentities", e.to_string()))?,
                principal_id: known_str(details, &["principalId"]).unwrap_or(Known::Unknown),
            });
        }
    }
    Ok(ManagedIdentity {
        kind,
        principal_id: known_str(ident, &["principalId"]).unwrap_or(Known::Unknown),
        user_assigned,
    })
}

fn cors(v: &Value) -> ahds_model::Cors {
    ahds_model::Cors {
        origins: match known_list(v, &["properties", "corsConfiguration", "origins"]) {
            None => Known::Value(Vec::new()),
            Some(k) => k.map(|l| {
                l.iter()
                    .filter_map(|o| o.as_str().map(str::to_string))
                    .collect()
            }),
        },
    }
}

fn cmk(v: &Value) -> Option<CustomerManagedKey> {
    known_str(
        v,
        &[
            "properties",
            "encryption",
            "customerManagedKeyEncryption",
            "keyEncryptionKeyUrl",
        ],
    )
    .map(|k| CustomerManagedKey { key_url: k })
}

/// The workspace a workspace child belongs to: the parent of its id.
fn workspace_of(id: &Option<ResourceId>) -> Known<ResourceRef> {
    id.as_ref()
        .and_then(ResourceId::parent)
        .map_or(Known::Unknown, |p| Known::Value(ResourceRef::Id(p)))
}

fn connection_status(v: &Value, names: &[&str]) -> Known<ConnectionStatus> {
    match setting_str(v, names) {
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "approved" => Known::Value(ConnectionStatus::Approved),
            "pending" => Known::Value(ConnectionStatus::Pending),
            "rejected" => Known::Value(ConnectionStatus::Rejected),
            "disconnected" => Known::Value(ConnectionStatus::Disconnected),
            _ => Known::Unknown,
        },
        _ => Known::Unknown,
    }
}

fn rule_access(s: Option<Known<String>>, at: &str) -> Mapped<Known<RuleAccess>> {
    match s {
        None | Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Known::Value(RuleAccess::Allow)),
            "deny" => Ok(Known::Value(RuleAccess::Deny)),
            _ => Err(bad(at, format!("`{s}` is not Allow or Deny"))),
        },
    }
}

fn strings(v: &Value, names: &[&str]) -> Known<Vec<String>> {
    match known_list(v, names) {
        None => Known::Value(Vec::new()),
        Some(k) => k.map(|l| {
            l.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        }),
    }
}

/// An NSG rule's single and plural prefix fields merged.
fn prefixes(props: &Value, single: &str, plural: &str) -> Known<Vec<String>> {
    let mut out = Vec::new();
    match setting_str(props, &[single]) {
        Some(Known::Value(s)) if !s.is_empty() => out.push(s),
        Some(Known::Unknown) => return Known::Unknown,
        _ => {}
    }
    match strings(props, &[plural]) {
        Known::Value(v) => out.extend(v),
        Known::Unknown => return Known::Unknown,
    }
    Known::Value(out)
}

fn security_rule(rule: &Value, address: Option<String>, at: &str) -> Mapped<SecurityRule> {
    let p = prop(rule, "properties").unwrap_or(rule);
    Ok(SecurityRule {
        name: known_str(rule, &["name"]).unwrap_or(Known::Unknown),
        address,
        direction: match setting_str(p, &["direction"]) {
            Some(Known::Value(d)) if d.eq_ignore_ascii_case("Inbound") => {
                Known::Value(Direction::Inbound)
            }
            Some(Known::Value(d)) if d.eq_ignore_ascii_case("Outbound") => {
                Known::Value(Direction::Outbound)
            }
            Some(Known::Value(d)) => {
                return Err(bad(
                    &format!("{at}/direction"),
                    format!("`{d}` is not Inbound or Outbound"),
                ));
            }
            _ => Known::Unknown,
        },
        access: rule_access(setting_str(p, &["access"]), &format!("{at}/access"))?,
        priority: path(p, &["priority"])
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .map(Known::Value),
        source_address_prefixes: prefixes(p, "sourceAddressPrefix", "sourceAddressPrefixes"),
        destination_address_prefixes: prefixes(
            p,
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
        ),
        destination_port_ranges: prefixes(p, "destinationPortRange", "destinationPortRanges")
            .into_value()
            .unwrap_or_default(),
    })
}

fn firewall_rules(rules: &[Value]) -> Vec<FirewallRule> {
    rules
        .iter()
        .filter(|r| str_at(r, &["ruleType"]).is_none_or(|t| t.eq_ignore_ascii_case("NetworkRule")))
        .map(|r| FirewallRule {
            name: known_str(r, &["name"]).unwrap_or(Known::Unknown),
            source_addresses: strings(r, &["sourceAddresses"]),
            destination_addresses: strings(r, &["destinationAddresses"]),
            destination_ports: strings(r, &["destinationPorts"])
                .into_value()
                .unwrap_or_default(),
        })
        .collect()
}

impl Mapper<'_> {
    fn source(&self, r: &ArmResource<'_>) -> Source {
        Source {
            file: self.file.to_string(),
            pointer: Some(r.pointer.clone()),
            address: r.address.clone(),
            line: r.line,
        }
    }

    /// Notes that a live listing lacks what a resource's network settings are read from.
    fn note_missing(&mut self, c: &Common, what: &str) {
        let id = c.id.as_ref().map_or("resource", ResourceId::as_str);
        self.estate.notes.push(format!(
            "{}: `{id}`: the listing does not carry {what}, so its network settings are unknown (checks that need them are undetermined); an ARM GET of the resource (`az resource show --ids {id}`) includes them",
            self.file
        ));
    }

    /// Event Hubs namespaces of a listing without their `networkRuleSets/default` child,
    /// which Azure Resource Graph does not index.
    fn note_namespaces_without_rules(&mut self) {
        if self.origin != Origin::Listing {
            return;
        }
        for (i, ns) in self.estate.eventhub_namespaces.iter().enumerate() {
            if self.namespaces_with_rules.contains(&i) {
                continue;
            }
            let id = ns.id.as_ref().map_or("namespace", ResourceId::as_str);
            self.estate.notes.push(format!(
                "{}: `{id}`: the listing does not carry its firewall (the `networkRuleSets/default` child, which Azure Resource Graph does not index), so its default action, trusted-service access and IP rules are unknown; add `az rest --method get --url {id}/networkRuleSets/default?api-version=2024-01-01` output to the input",
                self.file
            ));
        }
    }

    /// A reference the resource is still useful without: a malformed one is unknown, with
    /// a note, rather than a reason to leave the whole resource out.
    fn lenient_reference(
        &mut self,
        r: &ArmResource<'_>,
        v: &Value,
        names: &[&str],
        what: &str,
    ) -> Option<Known<ResourceRef>> {
        match reference(v, names) {
            Ok(found) => found,
            Err(b) => {
                let resource = str_at(r.value, &["id"])
                    .or(r.address.as_deref())
                    .unwrap_or("resource");
                self.estate.notes.push(format!(
                    "{}: `{resource}` kept with {what} unknown ({}): {}",
                    self.file, b.at, b.message
                ));
                Some(Known::Unknown)
            }
        }
    }

    fn report(&mut self, r: &ArmResource<'_>, result: Mapped<()>) {
        if let Err(b) = result {
            let what = str_at(r.value, &["id"])
                .or(r.address.as_deref())
                .or(str_at(r.value, &["name"]))
                .unwrap_or("resource");
            self.problems.push(IngestError::new(
                self.file,
                Location {
                    line: r.line.map(|l| l as usize),
                    column: None,
                    pointer: Some(format!("{}{}", r.pointer, b.at)),
                },
                format!("`{what}` left out: {}", b.message),
            ));
        }
    }

    fn common(&self, r: &ArmResource<'_>) -> Mapped<Common> {
        let id = id_of(r.value)?;
        let tags = match prop(r.value, "tags") {
            Some(Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => BTreeMap::new(),
        };
        // A child's `name` in a listing is the last segment; in a template it may be the
        // full `parent/child` path. The id's last name segment is authoritative.
        let name = match (&id, known_str(r.value, &["name"])) {
            (Some(id), _) if id.name().is_some() => {
                Known::Value(id.name().unwrap_or_default().to_string())
            }
            (_, Some(Known::Value(n))) => {
                Known::Value(n.rsplit('/').next().unwrap_or(&n).to_string())
            }
            (_, other) => other.unwrap_or(Known::Unknown),
        };
        Ok(Common {
            address: if id.is_none() {
                r.address.clone()
            } else {
                None
            },
            id,
            name,
            location: known_str(r.value, &["location"]).unwrap_or(Known::Unknown),
            tags,
            source: self.source(r),
        })
    }

    fn workspace(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut connections = Vec::new();
        for conn in items(r.value, &["properties", "privateEndpointConnections"]) {
            connections.push(WorkspaceConnection {
                name: str_at(conn, &["name"]).map(str::to_string),
                private_endpoint: reference(conn, &["properties", "privateEndpoint", "id"])?
                    .unwrap_or(Known::Unknown),
                status: connection_status(
                    conn,
                    &["properties", "privateLinkServiceConnectionState", "status"],
                ),
            });
        }
        let ws = build!(Workspace, c, {
            public_network_access: public_access(r.value)?,
            private_endpoint_connections: connections,
        });
        self.estate.workspaces.push(ws);
        Ok(())
    }

    fn workspace_connection(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let conn = WorkspaceConnection {
            name: str_at(r.value, &["name"]).map(str::to_string),
            private_endpoint: reference(r.value, &["properties", "privateEndpoint", "id"])?
                .unwrap_or(Known::Unknown),
            status: connection_status(
                r.value,
                &["properties", "privateLinkServiceConnectionState", "status"],
            ),
        };
        let Known::Value(ws) = workspace_of(&id) else {
            return Err(bad(
                "/id",
                "cannot tell which workspace this connection belongs to",
            ));
        };
        let i = find_resource(&self.estate.workspaces, &ws)
            .ok_or_else(|| bad("/id", format!("workspace `{ws}` is not in the input")))?;
        let list = &mut self.estate.workspaces[i].private_endpoint_connections;
        // Listings repeat connections the workspace already embeds.
        if !list
            .iter()
            .any(|c| c.private_endpoint == conn.private_endpoint)
        {
            list.push(conn);
        }
        Ok(())
    }

    fn fhir(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let export = known_str(
            v,
            &["properties", "exportConfiguration", "storageAccountName"],
        )
        .map(|n| ExportConfig {
            storage_account_name: n,
        });
        let import = path(v, &["properties", "importConfiguration"]).and_then(|ic| {
            let store = known_str(ic, &["integrationDataStore"])?;
            Some(ImportConfig {
                enabled: known_bool(ic, &["enabled"]).unwrap_or(Known::Value(false)),
                storage_account_name: store,
                initial_import_mode: known_bool(ic, &["initialImportMode"])
                    .and_then(Known::into_value),
            })
        });
        let mut servers: Vec<Known<String>> =
            match known_list(v, &["properties", "acrConfiguration", "loginServers"]) {
                None => Vec::new(),
                Some(Known::Unknown) => vec![Known::Unknown],
                Some(Known::Value(l)) => l.iter().map(login_server).collect(),
            };
        for art in items(v, &["properties", "acrConfiguration", "ociArtifacts"]) {
            if let Some(s) = known_str(art, &["loginServer"]) {
                servers.push(s);
            }
        }
        let fhir = build!(FhirService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            kind: str_at(v, &["kind"]).map(str::to_string),
            identity: identity(v)?,
            public_network_access: public_access(v)?,
            cors: cors(v),
            export: export,
            import: import,
            acr_login_servers: servers,
            customer_managed_key: cmk(v),
        });
        self.estate.fhir_services.push(fhir);
        Ok(())
    }

    fn dicom(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let storage = path(v, &["properties", "storageConfiguration"]).and_then(|sc| {
            let account = reference(sc, &["storageResourceId"]).ok().flatten()?;
            Some(DicomStorage {
                storage_account: account,
                file_system_name: str_at(sc, &["fileSystemName"]).map(str::to_string),
            })
        });
        let dicom = build!(DicomService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            identity: identity(v)?,
            public_network_access: public_access(v)?,
            cors: cors(v),
            storage: storage,
            customer_managed_key: cmk(v),
        });
        self.estate.dicom_services.push(dicom);
        Ok(())
    }

    fn medtech(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let ingestion =
            path(v, &["properties", "ingestionEndpointConfiguration"]).map(|ie| MedTechIngestion {
                eventhub_namespace: known_str(ie, &["fullyQualifiedEventHubNamespace"])
                    .unwrap_or(Known::Unknown),
                eventhub_name: known_str(ie, &["eventHubName"]).unwrap_or(Known::Unknown),
                consumer_group: known_str(ie, &["consumerGroup"]),
            });
        let mt = build!(MedTechService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            identity: identity(v)?,
            ingestion: ingestion,
            fhir_destinations: Vec::new(),
        });
        self.estate.medtech_services.push(mt);
        Ok(())
    }

    fn fhir_destination(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let fhir =
            reference(r.value, &["properties", "fhirServiceResourceId"])?.unwrap_or(Known::Unknown);
        let parent = id
            .as_ref()
            .and_then(ResourceId::parent)
            .map(ResourceRef::Id);
        let Some(parent) = parent else {
            return Err(bad(
                "/id",
                "cannot tell which MedTech service this destination belongs to",
            ));
        };
        let i = find_resource(&self.estate.medtech_services, &parent).ok_or_else(|| {
            bad(
                "/id",
                format!("MedTech service `{parent}` is not in the input"),
            )
        })?;
        self.estate.medtech_services[i].fhir_destinations.push(fhir);
        Ok(())
    }

    fn storage(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let acls = ["properties", "networkAcls"];
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(v)?),
            ..NetworkAclSpec::default()
        };
        if let Some(a) = path(v, &acls) {
            if is_unknown(a) {
                spec.default_action = Some(Known::Unknown);
                spec.trusted_services = Some(Known::Unknown);
                spec.ip_rules = Some(Known::Unknown);
            } else {
                spec.default_action = default_action(a, &["defaultAction"])?;
                spec.trusted_services = setting_str(a, &["bypass"]).map(|k| {
                    k.map(|b| {
                        b.split(',')
                            .any(|p| p.trim().eq_ignore_ascii_case("AzureServices"))
                    })
                });
                spec.ip_rules =
                    ip_rules(a, &["ipRules"], "value").map_err(under("/properties/networkAcls"))?;
                spec.virtual_network_rules = subnet_refs(a, &["virtualNetworkRules"], &["id"]);
                spec.resource_access_rules = known_list(a, &["resourceAccessRules"]).map(|k| {
                    k.map(|l| {
                        l.iter()
                            .map(|rule| ResourceAccessRule {
                                tenant_id: str_at(rule, &["tenantId"]).map(str::to_string),
                                resource_id: known_str(rule, &["resourceId"])
                                    .unwrap_or(Known::Unknown),
                            })
                            .collect()
                    })
                });
            }
        }
        if self.origin == Origin::Listing {
            if prop(v, "properties").is_none() {
                self.note_missing(&c, "its `properties`");
                spec = unknown_network();
            } else if path(v, &acls).is_none() {
                self.note_missing(&c, "`properties.networkAcls`");
                spec = firewall_unknown(spec);
            }
        }
        let sa = build!(StorageAccount, c, {
            network: spec.resolve(AclDefaults::STORAGE),
            is_hns_enabled: known_bool(v, &["properties", "isHnsEnabled"]).unwrap_or(Known::Value(false)),
        });
        self.estate.storage_accounts.push(sa);
        Ok(())
    }

    fn registry(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(v)?),
            trusted_services: setting_str(v, &["properties", "networkRuleBypassOptions"])
                .map(|k| k.map(|s| s.eq_ignore_ascii_case("AzureServices"))),
            ..NetworkAclSpec::default()
        };
        if let Some(set) = path(v, &["properties", "networkRuleSet"]) {
            spec.default_action = default_action(set, &["defaultAction"])?;
            spec.ip_rules = ip_rules(set, &["ipRules"], "value")
                .map_err(under("/properties/networkRuleSet"))?;
        }
        if self.origin == Origin::Listing && prop(v, "properties").is_none() {
            self.note_missing(&c, "its `properties`");
            spec = unknown_network();
        }
        let acr = build!(ContainerRegistry, c, {
            login_server: known_str(v, &["properties", "loginServer"]).unwrap_or(Known::Unknown),
            sku: setting_str(v, &["sku", "name"]).unwrap_or(Known::Unknown),
            network: spec.resolve(AclDefaults::CONTAINER_REGISTRY),
        });
        self.estate.container_registries.push(acr);
        Ok(())
    }

    fn namespace(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(v)?),
            ..NetworkAclSpec::default()
        };
        if self.origin == Origin::Listing {
            // The firewall lives in the `networkRuleSets/default` child: unknown unless the
            // listing carries it (noted once the children are read).
            spec = if prop(v, "properties").is_none() {
                self.note_missing(&c, "its `properties`");
                unknown_network()
            } else {
                firewall_unknown(spec)
            };
        }
        let ns = build!(EventHubNamespace, c, {
            service_bus_endpoint: known_str(v, &["properties", "serviceBusEndpoint"]).unwrap_or(Known::Unknown),
            network: spec.resolve(AclDefaults::EVENT_HUBS),
        });
        self.estate.eventhub_namespaces.push(ns);
        Ok(())
    }

    /// `Microsoft.EventHub/namespaces/networkRuleSets` (`default`): the namespace firewall.
    fn network_rule_set(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let (p, p_at) = match prop(r.value, "properties") {
            Some(p) => (p, "/properties"),
            None => (r.value, ""),
        };
        let parent = id
            .as_ref()
            .and_then(ResourceId::parent)
            .map(ResourceRef::Id)
            .ok_or_else(|| {
                bad(
                    "/id",
                    "cannot tell which namespace this rule set belongs to",
                )
            })?;
        let i = find_resource(&self.estate.eventhub_namespaces, &parent).ok_or_else(|| {
            bad(
                "/id",
                format!("Event Hubs namespace `{parent}` is not in the input"),
            )
        })?;
        let mut spec = NetworkAclSpec {
            default_action: default_action(p, &["defaultAction"])?,
            trusted_services: known_bool(p, &["trustedServiceAccessEnabled"]),
            ip_rules: ip_rules(p, &["ipRules"], "ipMask").map_err(under(p_at))?,
            virtual_network_rules: subnet_refs(p, &["virtualNetworkRules"], &["subnet", "id"]),
            ..NetworkAclSpec::default()
        };
        self.namespaces_with_rules.push(i);
        let ns = &mut self.estate.eventhub_namespaces[i];
        // The rule set's own switch and the namespace's: either one off turns access off.
        spec.public_network_access = Some(
            match (ns.network.public_network_access, public_access(r.value)?) {
                (Known::Value(PublicNetworkAccess::Disabled), _)
                | (_, Known::Value(PublicNetworkAccess::Disabled)) => {
                    Known::Value(PublicNetworkAccess::Disabled)
                }
                (a, _) => a,
            },
        );
        ns.network = spec.resolve(AclDefaults::EVENT_HUBS);
        Ok(())
    }

    fn vault(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(v)?),
            ..NetworkAclSpec::default()
        };
        if let Some(a) = path(v, &["properties", "networkAcls"]) {
            spec.default_action = default_action(a, &["defaultAction"])?;
            spec.trusted_services = setting_str(a, &["bypass"])
                .map(|k| k.map(|b| b.eq_ignore_ascii_case("AzureServices")));
            spec.ip_rules =
                ip_rules(a, &["ipRules"], "value").map_err(under("/properties/networkAcls"))?;
            spec.virtual_network_rules = subnet_refs(a, &["virtualNetworkRules"], &["id"]);
        }
        if self.origin == Origin::Listing && prop(v, "properties").is_none() {
            self.note_missing(&c, "its `properties`");
            spec = unknown_network();
        }
        let policies = items(v, &["properties", "accessPolicies"])
            .iter()
            .map(|p| AccessPolicy {
                tenant_id: str_at(p, &["tenantId"]).map(str::to_string),
                object_id: known_str(p, &["objectId"]).unwrap_or(Known::Unknown),
                object_of: principal_of(p, &["objectId"]),
                key_permissions: strings(p, &["permissions", "keys"]),
            })
            .collect();
        let kv = build!(KeyVault, c, {
            vault_uri: known_str(v, &["properties", "vaultUri"]).unwrap_or(Known::Unknown),
            network: spec.resolve(AclDefaults::KEY_VAULT),
            enable_rbac_authorization: known_bool(v, &["properties", "enableRbacAuthorization"]).unwrap_or(Known::Value(false)),
            access_policies: policies,
        });
        self.estate.key_vaults.push(kv);
        Ok(())
    }

    fn private_endpoint(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut connections = Vec::new();
        for (list, manual) in [
            ("privateLinkServiceConnections", false),
            ("manualPrivateLinkServiceConnections", true),
        ] {
            for conn in items(v, &["properties", list]) {
                let status = connection_status(
                    conn,
                    &["properties", "privateLinkServiceConnectionState", "status"],
                );
                let target = self.lenient_reference(
                    r,
                    conn,
                    &["properties", "privateLinkServiceId"],
                    "its connection's target",
                );
                connections.push(EndpointConnection {
                    name: str_at(conn, &["name"]).map(str::to_string),
                    target: target.unwrap_or(Known::Unknown),
                    group_ids: strings(conn, &["properties", "groupIds"])
                        .into_value()
                        .unwrap_or_default(),
                    // A template declares the connection, Azure reports its state: an
                    // automatic connection is approved on creation, a manual one waits.
                    status: match status {
                        Known::Unknown => Known::Value(if manual {
                            ConnectionStatus::Pending
                        } else {
                            ConnectionStatus::Approved
                        }),
                        s => s,
                    },
                    manual,
                });
            }
        }
        let subnet = self.lenient_reference(r, v, &["properties", "subnet", "id"], "its subnet");
        let pe = build!(PrivateEndpoint, c, {
            subnet: subnet,
            connections: connections,
            dns_zone_groups: Known::Value(Vec::new()),
        });
        self.estate.private_endpoints.push(pe);
        Ok(())
    }

    fn dns_zone_group(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let parent = id
            .as_ref()
            .and_then(ResourceId::parent)
            .map(ResourceRef::Id)
            .ok_or_else(|| {
                bad(
                    "/id",
                    "cannot tell which private endpoint this zone group belongs to",
                )
            })?;
        let zones = items(r.value, &["properties", "privateDnsZoneConfigs"])
            .iter()
            .map(|z| {
                let zone_id = known_str(z, &["properties", "privateDnsZoneId"]);
                DnsZoneConfig {
                    // The zone resource's name is the zone.
                    zone_name: match &zone_id {
                        Some(Known::Value(id)) => {
                            Known::Value(id.rsplit('/').next().unwrap_or(id).to_string())
                        }
                        _ => Known::Unknown,
                    },
                    zone_id: zone_id
                        .and_then(Known::into_value)
                        .and_then(|s| ResourceRef::parse(&s).ok()),
                }
            })
            .collect();
        let i = find_resource(&self.estate.private_endpoints, &parent).ok_or_else(|| {
            bad(
                "/id",
                format!("private endpoint `{parent}` is not in the input"),
            )
        })?;
        if let Known::Value(groups) = &mut self.estate.private_endpoints[i].dns_zone_groups {
            groups.push(DnsZoneGroup {
                name: id.as_ref().and_then(ResourceId::name).map(str::to_string),
                zones,
            });
        }
        Ok(())
    }

    fn nsg(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut rules = Vec::new();
        for (i, rule) in items(r.value, &["properties", "securityRules"])
            .iter()
            .enumerate()
        {
            rules.push(security_rule(
                rule,
                None,
                &format!("/properties/securityRules/{i}/properties"),
            )?);
        }
        let nsg = build!(NetworkSecurityGroup, c, { security_rules: rules });
        self.estate.network_security_groups.push(nsg);
        Ok(())
    }

    fn security_rule_resource(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let rule = security_rule(
            r.value,
            id.as_ref().map(|i| i.as_str().to_string()),
            "/properties",
        )?;
        let parent = id
            .as_ref()
            .and_then(ResourceId::parent)
            .map(ResourceRef::Id)
            .ok_or_else(|| bad("/id", "cannot tell which NSG this rule belongs to"))?;
        let i = find_resource(&self.estate.network_security_groups, &parent)
            .ok_or_else(|| bad("/id", format!("NSG `{parent}` is not in the input")))?;
        let rules = &mut self.estate.network_security_groups[i].security_rules;
        if !rules.iter().any(|x| x.name == rule.name) {
            rules.push(rule);
        }
        Ok(())
    }

    fn firewall(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut collections = Vec::new();
        for (i, col) in items(r.value, &["properties", "networkRuleCollections"])
            .iter()
            .enumerate()
        {
            let p = prop(col, "properties").unwrap_or(col);
            collections.push(FirewallRuleCollection {
                name: known_str(col, &["name"]).unwrap_or(Known::Unknown),
                address: None,
                action: rule_access(
                    setting_str(p, &["action", "type"]),
                    &format!("/properties/networkRuleCollections/{i}/properties/action/type"),
                )?,
                rules: firewall_rules(items(p, &["rules"])),
            });
        }
        let fw = build!(Firewall, c, { network_rule_collections: collections });
        self.estate.firewalls.push(fw);
        Ok(())
    }

    fn rule_collection_group(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut collections = Vec::new();
        for (i, col) in items(r.value, &["properties", "ruleCollections"])
            .iter()
            .enumerate()
        {
            collections.push(FirewallRuleCollection {
                name: known_str(col, &["name"]).unwrap_or(Known::Unknown),
                address: None,
                action: rule_access(
                    setting_str(col, &["action", "type"]),
                    &format!("/properties/ruleCollections/{i}/action/type"),
                )?,
                rules: firewall_rules(items(col, &["rules"])),
            });
        }
        let fw = build!(Firewall, c, { network_rule_collections: collections });
        self.estate.firewalls.push(fw);
        Ok(())
    }

    fn role_assignment(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        // A listing carries `properties.scope`; a template places the assignment with the
        // `scope` property or in the id.
        let scope = match reference(v, &["properties", "scope"])? {
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
            role_definition_id: known_str(v, &["properties", "roleDefinitionId"]),
            role_definition_name: None,
            principal_id: known_str(v, &["properties", "principalId"]).unwrap_or(Known::Unknown),
            principal_of: principal_of(v, &["properties", "principalId"]),
        });
        self.role_assignments.get_or_insert_with(Vec::new).push(ra);
        Ok(())
    }

    fn user_identity(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let uai = build!(UserAssignedIdentity, c, {
            principal_id: known_str(r.value, &["properties", "principalId"]).unwrap_or(Known::Unknown),
        });
        self.estate.user_assigned_identities.push(uai);
        Ok(())
    }

    fn system_topic(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
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

    fn event_subscription(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
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

/// The resource whose managed identity an unevaluated principal id comes from:
/// `reference(<resource>).identity.principalId` in a template.
fn principal_of(v: &Value, names: &[&str]) -> Option<ResourceRef> {
    let x = path(v, names).filter(|x| is_unknown(x))?;
    let reads_principal = x
        .get(PATH_KEY)
        .and_then(Value::as_array)
        .and_then(|p| p.last())
        .and_then(Value::as_str)
        .is_some_and(|last| {
            last.eq_ignore_ascii_case("principalId") || last.eq_ignore_ascii_case("objectId")
        });
    if !reads_principal {
        return None;
    }
    ResourceRef::parse(x.get(REFERENCE_KEY)?.as_str()?).ok()
}

/// A login server; in a template, `reference(<registry>).loginServer` names the registry,
/// whose name the model matches (`<name>.azurecr.io`).
fn login_server(v: &Value) -> Known<String> {
    if let Some(s) = v.as_str() {
        return Known::Value(s.to_string());
    }
    let registry = v
        .get(REFERENCE_KEY)
        .and_then(Value::as_str)
        .and_then(|r| ResourceId::parse(r).ok())
        .filter(|id| {
            id.resource_type()
                .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerRegistry/registries"))
        });
    registry
        .and_then(|id| id.name().map(str::to_string))
        .map_or(Known::Unknown, Known::Value)
}

/// `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x`
/// applies to the resource group (or subscription) it sits under.
fn scope_of_plain_assignment(id: &ResourceId) -> Option<ResourceId> {
    let s = id.as_str();
    let cut = s
        .to_ascii_lowercase()
        .rfind("/providers/microsoft.authorization/")?;
    ResourceId::parse(&s[..cut]).ok()
}

impl Common {
    /// A copy for resources that also need the id afterwards.
    fn clone_workspace(&self) -> Common {
        Common {
            id: self.id.clone(),
            address: self.address.clone(),
            name: self.name.clone(),
            location: self.location.clone(),
            tags: self.tags.clone(),
            source: self.source.clone(),
        }
    }
}
