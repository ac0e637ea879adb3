//! Azure Resource Manager ids and references between resources.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not an ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResourceIdError {
    /// The id does not start with `/`.
    #[error("resource id `{0}` does not start with `/`")]
    NotAbsolute(String),
    /// A segment is empty (`//`) or the id ends with `/`.
    #[error("resource id `{0}` has an empty segment")]
    EmptySegment(String),
    /// The segments do not form the `/subscriptions/{id}/resourceGroups/{name}/providers/...` shape.
    #[error("resource id `{id}` is malformed: {why}")]
    Malformed {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// A parsed Azure Resource Manager resource id.
///
/// ARM treats ids case-insensitively, and so does this type: equality, ordering and hashing
/// use the lower-cased id, while [`ResourceId::as_str`] keeps the spelling it was given.
/// Ids at every scope parse: tenant (`/providers/...`), management group, subscription,
/// resource group, resources and nested child resources.
#[derive(Clone)]
#[non_exhaustive]
pub struct ResourceId {
    /// The id as given, then its lower-cased form (ASCII lower-casing keeps the length), in
    /// one allocation: an estate holds several ids per resource, hundreds of thousands in a
    /// large one, and two `String`s and `usize` spans made each id about twice its text.
    text: Box<str>,
    subscription: Option<Span>,
    resource_group: Option<Span>,
    /// The provider namespace, e.g. `Microsoft.Storage`.
    provider: Option<Span>,
    /// `(type, name)` pairs after the provider namespace, outermost first.
    types: Box<[(Span, Span)]>,
    /// For an extension resource, where its scope ends in the id as given.
    extension_scope: Option<u32>,
}

/// A byte range of the id as given.
type Span = (u32, u32);

impl ResourceId {
    /// Parses an ARM resource id.
    ///
    /// ```
    /// use ahds_model::ResourceId;
    /// let id: ResourceId = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.HealthcareApis/workspaces/ws/fhirservices/fhir".parse()?;
    /// assert_eq!(id.resource_type().as_deref(), Some("Microsoft.HealthcareApis/workspaces/fhirservices"));
    /// assert_eq!(id.name(), Some("fhir"));
    /// assert_eq!(id.parent().unwrap().name(), Some("ws"));
    /// # Ok::<(), ahds_model::ResourceIdError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Self, ResourceIdError> {
        if !s.starts_with('/') {
            return Err(ResourceIdError::NotAbsolute(s.to_string()));
        }
        let trimmed = s.strip_suffix('/').unwrap_or(s);
        if trimmed.is_empty() {
            return Err(ResourceIdError::EmptySegment(s.to_string()));
        }
        // Segment spans into `raw`. Ids are parsed by the hundred thousand: the slashes
        // are found with memchr, and an id has fewer than 16 segments as a rule.
        let mut spans = Vec::with_capacity(16);
        let mut start = 1;
        for i in memchr::memchr_iter(b'/', &trimmed.as_bytes()[1..]) {
            spans.push((start, i + 1));
            start = i + 2;
        }
        spans.push((start, trimmed.len()));
        if spans.iter().any(|(a, b)| a == b) {
            return Err(ResourceIdError::EmptySegment(s.to_string()));
        }
        let raw = trimmed;
        if u32::try_from(raw.len()).is_err() {
            return Err(ResourceIdError::Malformed {
                id: s.chars().take(200).collect(),
                why: "longer than 4 GiB",
            });
        }
        let seg = |i: usize| &raw[spans[i].0..spans[i].1];
        let malformed = |why| ResourceIdError::Malformed {
            id: s.to_string(),
            why,
        };
        // Every offset is at most the id's length, which fits in a u32.
        let span = |(a, b): (usize, usize)| (a as u32, b as u32);

        let mut subscription = None;
        let mut resource_group = None;
        let mut provider = None;
        let mut types = Vec::new();
        let mut extension_scope = None;
        let mut i = 0;
        if seg(0).eq_ignore_ascii_case("subscriptions") {
            let sub = spans
                .get(1)
                .ok_or_else(|| malformed("`subscriptions` without an id"))?;
            subscription = Some(span(*sub));
            i = 2;
            if spans.len() > i && seg(i).eq_ignore_ascii_case("resourceGroups") {
                let rg = spans
                    .get(i + 1)
                    .ok_or_else(|| malformed("`resourceGroups` without a name"))?;
                resource_group = Some(span(*rg));
                i += 2;
            }
        }
        if spans.len() > i {
            if !seg(i).eq_ignore_ascii_case("providers") {
                return Err(malformed("expected `providers` after the scope"));
            }
            let ns = spans
                .get(i + 1)
                .ok_or_else(|| malformed("`providers` without a namespace"))?;
            provider = Some(span(*ns));
            i += 2;
            let rest = &spans[i..];
            // One (type, name) pair per two segments: boxed without a reallocation.
            types.reserve_exact(rest.len() / 2);
            if rest.is_empty() {
                return Err(malformed("provider namespace without a resource type"));
            }
            // Extension resources (role assignments, locks) live under another resource:
            // `<scope>/providers/<namespace>/<type>/<name>`. The last namespace names the type.
            let mut j = 0;
            while j < rest.len() {
                let ty = rest[j];
                if raw[ty.0..ty.1].eq_ignore_ascii_case("providers") {
                    if j + 2 >= rest.len() {
                        return Err(malformed("extension provider without a resource type"));
                    }
                    extension_scope = Some(span(ty).0 - 1);
                    provider = Some(span(rest[j + 1]));
                    types.clear();
                    j += 2;
                    continue;
                }
                let name = *rest
                    .get(j + 1)
                    .ok_or_else(|| malformed("a resource type without a name"))?;
                types.push((span(ty), span(name)));
                j += 2;
            }
        }
        let mut text = String::with_capacity(raw.len() * 2);
        text.push_str(raw);
        text.push_str(raw);
        text[raw.len()..].make_ascii_lowercase();
        Ok(ResourceId {
            text: text.into_boxed_str(),
            subscription,
            resource_group,
            provider,
            types: types.into_boxed_slice(),
            extension_scope,
        })
    }

    fn span(&self, span: Span) -> &str {
        &self.as_str()[span.0 as usize..span.1 as usize]
    }

    /// The id as given (without a trailing `/`).
    pub fn as_str(&self) -> &str {
        &self.text[..self.text.len() / 2]
    }

    /// The lower-cased id: the key used to compare and look up resources.
    pub fn key(&self) -> &str {
        &self.text[self.text.len() / 2..]
    }

    /// The subscription id, if the id is at or below a subscription.
    pub fn subscription(&self) -> Option<&str> {
        self.subscription.map(|s| self.span(s))
    }

    /// The resource group name, if the id is at or below a resource group.
    pub fn resource_group(&self) -> Option<&str> {
        self.resource_group.map(|s| self.span(s))
    }

    /// The provider namespace, e.g. `Microsoft.Storage`.
    pub fn provider(&self) -> Option<&str> {
        self.provider.map(|s| self.span(s))
    }

    /// The full resource type, e.g. `Microsoft.HealthcareApis/workspaces/fhirservices`.
    pub fn resource_type(&self) -> Option<String> {
        let ns = self.provider()?;
        let mut t = ns.to_string();
        for (ty, _) in self.types.iter() {
            t.push('/');
            t.push_str(self.span(*ty));
        }
        Some(t)
    }

    /// Whether [`ResourceId::resource_type`] is `ty`, compared ASCII case-insensitively as
    /// ARM compares types, without building the type: false when the id has no provider.
    ///
    /// ```
    /// use ahds_model::ResourceId;
    /// let id = ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st").unwrap();
    /// assert!(id.is_type("microsoft.storage/STORAGEACCOUNTS"));
    /// assert!(!id.is_type("Microsoft.Storage"));
    /// ```
    pub fn is_type(&self, ty: &str) -> bool {
        let Some(ns) = self.provider() else {
            return false;
        };
        let mut segments = ty.split('/');
        segments.next().is_some_and(|s| s.eq_ignore_ascii_case(ns))
            && self.types.iter().all(|(t, _)| {
                segments
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case(self.span(*t)))
            })
            && segments.next().is_none()
    }

    /// The name of the resource (the last name segment), if the id names a resource.
    pub fn name(&self) -> Option<&str> {
        self.types.last().map(|(_, n)| self.span(*n))
    }

    /// True when the id names a resource (as opposed to a subscription or resource group scope).
    pub fn is_resource(&self) -> bool {
        !self.types.is_empty()
    }

    /// For an extension resource (`<scope>/providers/Microsoft.Authorization/roleAssignments/<n>`),
    /// the resource or scope it extends.
    pub fn extension_scope(&self) -> Option<ResourceId> {
        self.extension_scope
            .and_then(|end| ResourceId::parse(&self.as_str()[..end as usize]).ok())
    }

    /// The parent resource of a child resource (e.g. the workspace of a FHIR service).
    /// `None` for top-level resources, extension resources and scopes.
    pub fn parent(&self) -> Option<ResourceId> {
        if self.types.len() < 2 {
            return None;
        }
        let (last_type, _) = *self.types.last()?;
        // Cut just before the `/` that starts the last type segment.
        ResourceId::parse(&self.as_str()[..last_type.0 as usize - 1]).ok()
    }

    /// True when `self` is `other` or a scope that contains it (a parent resource, its
    /// resource group or its subscription). Comparison is case-insensitive.
    pub fn contains(&self, other: &ResourceId) -> bool {
        let (a, b) = (self.key(), other.key());
        b == a || (b.starts_with(a) && b.as_bytes().get(a.len()) == Some(&b'/'))
    }
}

impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceId({:?})", self.as_str())
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceId {
    type Err = ResourceIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceId::parse(s)
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for ResourceId {}
impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}
impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        ResourceId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A reference from one resource to another: an ARM resource id, or — where the id is not
/// known yet, as in a Terraform plan — the address of the resource in its input
/// (`module.net.azurerm_storage_account.export`).
///
/// References compare by [`ResourceRef::key`]: ARM ids case-insensitively, addresses exactly.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceRef {
    /// An ARM resource id.
    Id(ResourceId),
    /// The address of a resource in its input (Terraform address or template symbolic name).
    Address(String),
}

impl ResourceRef {
    /// Parses a reference: a string starting with `/` must be a valid ARM id, anything else
    /// is an address.
    pub fn parse(s: &str) -> Result<Self, ResourceIdError> {
        if s.starts_with('/') {
            ResourceId::parse(s).map(ResourceRef::Id)
        } else if s.trim().is_empty() {
            Err(ResourceIdError::Malformed {
                id: s.to_string(),
                why: "empty reference",
            })
        } else {
            Ok(ResourceRef::Address(s.to_string()))
        }
    }

    /// The lookup key: the lower-cased ARM id, or the address as written.
    pub fn key(&self) -> &str {
        match self {
            ResourceRef::Id(id) => id.key(),
            ResourceRef::Address(a) => a,
        }
    }

    /// The ARM id, if this reference is one.
    pub fn id(&self) -> Option<&ResourceId> {
        match self {
            ResourceRef::Id(id) => Some(id),
            ResourceRef::Address(_) => None,
        }
    }

    /// The reference as written.
    pub fn as_str(&self) -> &str {
        match self {
            ResourceRef::Id(id) => id.as_str(),
            ResourceRef::Address(a) => a,
        }
    }
}

impl From<ResourceId> for ResourceRef {
    fn from(id: ResourceId) -> Self {
        ResourceRef::Id(id)
    }
}

impl fmt::Debug for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceRef({:?})", self.as_str())
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceRef {
    type Err = ResourceIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceRef::parse(s)
    }
}

impl Serialize for ResourceRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResourceRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        ResourceRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for ResourceId {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResourceId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^/",
            "description": "An Azure Resource Manager id (compared case-insensitively)."
        })
    }
}

impl schemars::JsonSchema for ResourceRef {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResourceRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "An ARM id (starting with `/`) or the input address of a resource not created yet."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FHIR: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/RG-Health/providers/Microsoft.HealthcareApis/workspaces/ws1/fhirservices/fhir1";

    #[test]
    fn an_id_is_its_text_twice_and_a_few_spans() {
        // A large estate holds hundreds of thousands of ids: two `String`s and `usize` spans
        // made each 160 bytes before its text.
        assert!(std::mem::size_of::<ResourceId>() <= 80);
        let id = ResourceId::parse(FHIR).unwrap();
        assert_eq!(id.as_str(), FHIR);
        assert_eq!(id.key(), FHIR.to_ascii_lowercase());
        assert_eq!(id.text.len(), 2 * FHIR.len());
    }

    #[test]
    fn is_type_agrees_with_the_built_type() {
        let ids = [
            FHIR,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
            "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/ra",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/providers/Microsoft.Authorization/roleAssignments/ra",
            "/subscriptions/s/resourceGroups/rg",
            "/subscriptions/s",
        ];
        let types = [
            "Microsoft.HealthcareApis/workspaces/fhirservices",
            "microsoft.healthcareapis/WORKSPACES/FhirServices",
            "Microsoft.HealthcareApis/workspaces",
            "Microsoft.HealthcareApis/workspaces/fhirservices/x",
            "Microsoft.HealthcareApis",
            "Microsoft.Storage/storageAccounts",
            "Microsoft.Authorization/roleAssignments",
            "Microsoft.Authorization/roleAssignments/",
            "",
        ];
        for id in ids {
            let id = ResourceId::parse(id).unwrap();
            for ty in types {
                let built = id
                    .resource_type()
                    .is_some_and(|t| t.eq_ignore_ascii_case(ty));
                assert_eq!(id.is_type(ty), built, "{id:?} {ty}");
            }
        }
        assert!(
            ResourceId::parse(FHIR)
                .unwrap()
                .is_type("MICROSOFT.HEALTHCAREAPIS/workspaces/fhirservices")
        );
    }

    #[test]
    fn parses_parts_of_a_child_resource() {
        let id = ResourceId::parse(FHIR).unwrap();
        assert_eq!(
            id.subscription(),
            Some("11111111-1111-1111-1111-111111111111")
        );
        assert_eq!(id.resource_group(), Some("RG-Health"));
        assert_eq!(id.provider(), Some("Microsoft.HealthcareApis"));
        assert_eq!(
            id.resource_type().unwrap(),
            "Microsoft.HealthcareApis/workspaces/fhirservices"
        );
        assert_eq!(id.name(), Some("fhir1"));
        let parent = id.parent().unwrap();
        assert_eq!(parent.name(), Some("ws1"));
        assert!(parent.parent().is_none());
    }

    #[test]
    fn equality_ignores_case_but_spelling_is_kept() {
        let a = ResourceId::parse(FHIR).unwrap();
        let b = ResourceId::parse(&FHIR.to_uppercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), FHIR);
        assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn scopes_contain_their_resources_on_segment_boundaries() {
        let id = ResourceId::parse(FHIR).unwrap();
        let rg = ResourceId::parse(
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/rg-health",
        )
        .unwrap();
        let other_rg = ResourceId::parse(
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-health2",
        )
        .unwrap();
        let sub = ResourceId::parse("/subscriptions/11111111-1111-1111-1111-111111111111").unwrap();
        assert!(rg.contains(&id));
        assert!(sub.contains(&id));
        assert!(id.contains(&id));
        assert!(!other_rg.contains(&id));
        assert!(!id.contains(&rg));
        assert!(!rg.is_resource());
    }

    #[test]
    fn extension_resources_take_the_last_provider() {
        let id = ResourceId::parse(&format!(
            "{FHIR}/providers/Microsoft.Authorization/roleAssignments/ra1"
        ))
        .unwrap();
        assert_eq!(
            id.resource_type().unwrap(),
            "Microsoft.Authorization/roleAssignments"
        );
        assert_eq!(id.name(), Some("ra1"));
        assert_eq!(id.extension_scope().unwrap().as_str(), FHIR);
        assert!(id.parent().is_none());
        assert!(ResourceId::parse(&format!("{FHIR}/providers/Microsoft.Authorization")).is_err());
    }

    #[test]
    fn tenant_level_ids_parse() {
        let id = ResourceId::parse("/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe").unwrap();
        assert_eq!(id.subscription(), None);
        assert_eq!(id.name(), Some("ba92f5b4-2d11-453d-a403-e96b0029c9fe"));
    }

    #[test]
    fn malformed_ids_are_rejected_with_the_reason() {
        for bad in [
            "subscriptions/x",
            "/subscriptions",
            "/subscriptions/x/resourceGroups",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts",
            "/subscriptions//resourceGroups/rg",
            "/subscriptions/x/foo/bar",
            "/",
        ] {
            assert!(ResourceId::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn references_are_ids_or_addresses() {
        let r = ResourceRef::parse("module.a.azurerm_storage_account.x").unwrap();
        assert!(r.id().is_none());
        assert_eq!(r.key(), "module.a.azurerm_storage_account.x");
        let r = ResourceRef::parse(&FHIR.to_uppercase()).unwrap();
        assert_eq!(r.key(), FHIR.to_lowercase());
        assert!(ResourceRef::parse("/subscriptions").is_err());
        assert!(ResourceRef::parse(" ").is_err());
    }
}
