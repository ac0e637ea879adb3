//! Azure role assignments and the built-in roles the outbound features need.

use crate::known::Known;
use crate::resource::resource;
use crate::resource_id::ResourceRef;

/// A built-in Azure role, identified by the same definition GUID in every tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltInRole {
    /// The role name as Azure shows it.
    pub name: &'static str,
    /// The role definition GUID.
    pub guid: &'static str,
}

/// The built-in roles the rules refer to.
pub mod roles {
    use super::BuiltInRole;
    /// Storage Blob Data Contributor: FHIR export/import and DICOM storage.
    pub const STORAGE_BLOB_DATA_CONTRIBUTOR: BuiltInRole = BuiltInRole {
        name: "Storage Blob Data Contributor",
        guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    };
    /// AcrPull: FHIR `$convert-data` templates.
    pub const ACR_PULL: BuiltInRole = BuiltInRole {
        name: "AcrPull",
        guid: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    };
    /// Key Vault Crypto Service Encryption User: customer-managed keys.
    pub const KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: BuiltInRole = BuiltInRole {
        name: "Key Vault Crypto Service Encryption User",
        guid: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    };
    /// Azure Event Hubs Data Receiver: MedTech ingestion.
    pub const EVENT_HUBS_DATA_RECEIVER: BuiltInRole = BuiltInRole {
        name: "Azure Event Hubs Data Receiver",
        guid: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    };
    /// Azure Event Hubs Data Sender: event delivery by the Event Grid system topic.
    pub const EVENT_HUBS_DATA_SENDER: BuiltInRole = BuiltInRole {
        name: "Azure Event Hubs Data Sender",
        guid: "2b629674-e913-4c01-ae53-ef4638d8f975",
    };
    /// Owner.
    pub const OWNER: BuiltInRole = BuiltInRole {
        name: "Owner",
        guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    };
    /// Contributor.
    pub const CONTRIBUTOR: BuiltInRole = BuiltInRole {
        name: "Contributor",
        guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    };
    /// User Access Administrator.
    pub const USER_ACCESS_ADMINISTRATOR: BuiltInRole = BuiltInRole {
        name: "User Access Administrator",
        guid: "18d7d88d-d35e-4fb5-a5c3-7773c4a72abc",
    };

    /// Every role above.
    pub const ALL: &[BuiltInRole] = &[
        STORAGE_BLOB_DATA_CONTRIBUTOR,
        ACR_PULL,
        KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
        EVENT_HUBS_DATA_RECEIVER,
        EVENT_HUBS_DATA_SENDER,
        OWNER,
        CONTRIBUTOR,
        USER_ACCESS_ADMINISTRATOR,
    ];
}

/// Finds the built-in role a role definition id or name stands for.
///
/// Accepts a bare GUID, a full role definition id
/// (`/subscriptions/.../providers/Microsoft.Authorization/roleDefinitions/<guid>`) or a role
/// name, all case-insensitively.
pub(crate) fn builtin_role(definition_id: Option<&str>, name: Option<&str>) -> Option<BuiltInRole> {
    if let Some(id) = definition_id {
        let guid = id.rsplit('/').next().unwrap_or(id);
        if let Some(r) = roles::ALL
            .iter()
            .find(|r| r.guid.eq_ignore_ascii_case(guid))
        {
            return Some(*r);
        }
    }
    let name = name?;
    roles::ALL
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
        .copied()
}

resource! {
    /// A role assignment (`Microsoft.Authorization/roleAssignments`).
    pub struct RoleAssignment : "Microsoft.Authorization/roleAssignments" in "role_assignments" {
        /// Where the role applies: a resource, resource group or subscription.
        pub scope: Known<ResourceRef>,
        /// The role definition id (full id or GUID), when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub role_definition_id: Option<Known<String>>,
        /// The role name, when given instead of (or as well as) the definition id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub role_definition_name: Option<Known<String>>,
        /// The principal's object id.
        #[serde(default)]
        pub principal_id: Known<String>,
        /// When the principal id comes from a resource's managed identity that is not known
        /// yet: that resource (its system-assigned identity, or a user-assigned identity resource).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub principal_of: Option<ResourceRef>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_match_by_guid_full_id_or_name() {
        assert_eq!(
            builtin_role(
                Some(
                    "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/BA92F5B4-2D11-453D-A403-E96B0029C9FE"
                ),
                None
            ),
            Some(roles::STORAGE_BLOB_DATA_CONTRIBUTOR)
        );
        assert_eq!(builtin_role(None, Some("acrpull")), Some(roles::ACR_PULL));
        assert_eq!(builtin_role(Some("nope"), Some("Reader")), None);
    }
}
