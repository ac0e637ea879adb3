//! Managed identities: what outbound features authenticate with.

use serde::{Deserialize, Serialize};

use crate::known::Known;
use crate::resource::resource;
use crate::resource_id::ResourceRef;

/// The kinds of managed identity a resource has.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum IdentityType {
    /// No managed identity.
    #[default]
    None,
    /// A system-assigned identity.
    SystemAssigned,
    /// One or more user-assigned identities.
    UserAssigned,
    /// Both a system-assigned and user-assigned identities.
    #[serde(
        rename = "SystemAssigned,UserAssigned",
        alias = "SystemAssigned, UserAssigned"
    )]
    SystemAndUserAssigned,
}

impl IdentityType {
    /// True when a system-assigned identity exists.
    pub fn has_system(self) -> bool {
        matches!(
            self,
            IdentityType::SystemAssigned | IdentityType::SystemAndUserAssigned
        )
    }
    /// True when user-assigned identities may be attached.
    pub fn has_user(self) -> bool {
        matches!(
            self,
            IdentityType::UserAssigned | IdentityType::SystemAndUserAssigned
        )
    }
}

/// A user-assigned identity attached to a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAssignedIdentityRef {
    /// The identity resource.
    pub id: ResourceRef,
    /// Its principal (object) id, when known.
    #[serde(default)]
    pub principal_id: Known<String>,
}

/// The managed identity block of a resource. Absent means no managed identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedIdentity {
    /// Which identities exist.
    #[serde(rename = "type", default = "known_none")]
    pub kind: Known<IdentityType>,
    /// Principal id of the system-assigned identity (unknown until a plan is applied).
    #[serde(default)]
    pub principal_id: Known<String>,
    /// Attached user-assigned identities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_assigned: Vec<UserAssignedIdentityRef>,
}

impl Default for ManagedIdentity {
    fn default() -> Self {
        ManagedIdentity {
            kind: known_none(),
            principal_id: Known::Unknown,
            user_assigned: Vec::new(),
        }
    }
}

fn known_none() -> Known<IdentityType> {
    Known::Value(IdentityType::None)
}

resource! {
    /// A user-assigned managed identity resource (`Microsoft.ManagedIdentity/userAssignedIdentities`).
    pub struct UserAssignedIdentity : "Microsoft.ManagedIdentity/userAssignedIdentities" in "user_assigned_identities" {
        /// Its principal (object) id, when known.
        #[serde(default)]
        pub principal_id: Known<String>,
    }
}
