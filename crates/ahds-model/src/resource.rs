//! What every resource in an estate has: an identity (ARM id and/or input address), a name,
//! a location, tags, and where it came from.

use std::collections::BTreeMap;

use crate::known::Known;
use crate::resource_id::ResourceId;

use crate::place::Place;

/// The common fields of a resource, borrowed from any resource type.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Meta<'a> {
    /// The ARM id, when known.
    pub id: Option<&'a ResourceId>,
    /// The input address, when the input has one.
    pub address: Option<&'a str>,
    /// The resource name.
    pub name: &'a Known<String>,
    /// The Azure region.
    pub location: &'a Known<String>,
    /// Resource tags.
    pub tags: &'a BTreeMap<String, String>,
    /// Where the resource was read from.
    pub place: Option<&'a Place>,
    /// The subscription given without an ARM id.
    pub subscription_hint: Option<&'a str>,
    /// The ARM resource type (`Microsoft.HealthcareApis/workspaces`), whatever the input
    /// language.
    pub resource_type: &'static str,
}

impl<'a> Meta<'a> {
    /// The lookup key: the lower-cased ARM id when known, otherwise the input address,
    /// otherwise the name.
    pub fn key(&self) -> String {
        self.key_str().to_string()
    }

    /// [`Meta::key`], borrowed from the resource.
    pub fn key_str(&self) -> &'a str {
        match (self.id, self.address) {
            (Some(id), _) => id.key(),
            (None, Some(a)) => a,
            (None, None) => self.name.value().map_or("", String::as_str),
        }
    }

    /// How reports name the resource: the ARM id as spelt in the input, or the address.
    pub fn display_id(&self) -> String {
        self.display_id_str().to_string()
    }

    /// [`Meta::display_id`], borrowed from the resource.
    pub fn display_id_str(&self) -> &'a str {
        match (self.id, self.address) {
            (Some(id), _) => id.as_str(),
            (None, Some(a)) => a,
            (None, None) => self.name.value().map_or("", String::as_str),
        }
    }

    /// The subscription: from the ARM id, or as the input states it for a resource whose id
    /// is not known yet.
    pub fn subscription(&self) -> Option<&str> {
        self.id
            .and_then(ResourceId::subscription)
            .or(self.subscription_hint)
    }
}

/// Implemented by every resource type of the model.
pub trait Resource {
    /// The ARM resource type this model type stands for.
    const ARM_TYPE: &'static str;
    /// The name of the collection in the native format and the policy input document.
    const COLLECTION: &'static str;
    /// The common fields.
    fn meta(&self) -> Meta<'_>;
    /// Sets where the resource was read from.
    fn set_place(&mut self, place: Place);
}

/// Declares a resource struct with the common fields (`id`, `address`, `name`, `location`,
/// `tags`, `subscription`, `place`) followed by its own.
macro_rules! resource {
    (
        $(#[$m:meta])*
        pub struct $name:ident : $arm_type:literal in $collection:literal {
            $( $(#[$fm:meta])* pub $f:ident : $t:ty, )*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The ARM resource id; absent where it is not known yet (a resource a plan creates).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub id: Option<$crate::ResourceId>,
            /// The address of the resource in its input (Terraform address), when it has one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub address: Option<String>,
            /// The resource name.
            pub name: $crate::Known<String>,
            /// The Azure region (`eastus`); `null` when unknown.
            #[serde(default)]
            pub location: $crate::Known<String>,
            /// Resource tags.
            #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            pub tags: std::collections::BTreeMap<String, String>,
            /// The subscription the resource is deployed to, for a resource without an `id`.
            /// Readers of plans set an opaque token that is equal for resources deployed
            /// through the same provider configuration.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub subscription: Option<String>,
            /// Where the resource was read from (set by the readers, not part of the format).
            #[serde(skip)]
            pub place: Option<$crate::Place>,
            $( $(#[$fm])* pub $f: $t, )*
        }

        impl $crate::resource::Resource for $name {
            const ARM_TYPE: &'static str = $arm_type;
            const COLLECTION: &'static str = $collection;
            fn meta(&self) -> $crate::resource::Meta<'_> {
                $crate::resource::Meta {
                    id: self.id.as_ref(),
                    address: self.address.as_deref(),
                    name: &self.name,
                    location: &self.location,
                    tags: &self.tags,
                    place: self.place.as_ref(),
                    subscription_hint: self.subscription.as_deref(),
                    resource_type: $arm_type,
                }
            }
            fn set_place(&mut self, place: $crate::Place) {
                self.place = Some(place);
            }
        }
    };
}
pub(crate) use resource;
