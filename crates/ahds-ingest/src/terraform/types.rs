//! The one table of the Terraform resource types the reader maps: adding an azurerm type
//! is one row here and one mapper function.

use super::{Builder, Mapped, Res};

/// When a type is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// A resource of the model, read first.
    Resource,
    /// A resource that attaches to one read first (a rule set to its account), read after.
    Attach,
    /// An `azapi_resource`: all read together, after the azurerm resources.
    Azapi,
    /// An `azapi_update_resource`: read last, patching what it names.
    Update,
    /// Read only for the links other resources make to it (an event hub's namespace).
    Linked,
}

/// A mapper: reads one plan resource into the estate.
pub(super) type MapFn<'p, 'a> =
    for<'m, 'r, 's> fn(&'m mut Builder<'p, 'a>, &'s Res<'r, 'a>) -> Mapped<()>;

/// Every type the reader knows, with its pass and mapper.
fn types<'p, 'a>() -> [(&'static str, Pass, Option<MapFn<'p, 'a>>); 27] {
    [
        (
            "azurerm_healthcare_workspace",
            Pass::Resource,
            Some(Builder::workspace),
        ),
        (
            "azurerm_healthcare_fhir_service",
            Pass::Resource,
            Some(Builder::fhir),
        ),
        (
            "azurerm_healthcare_dicom_service",
            Pass::Resource,
            Some(Builder::dicom),
        ),
        (
            "azurerm_healthcare_medtech_service",
            Pass::Resource,
            Some(Builder::medtech),
        ),
        (
            "azurerm_healthcare_medtech_service_fhir_destination",
            Pass::Attach,
            Some(Builder::medtech_fhir_destination),
        ),
        (
            "azurerm_storage_account",
            Pass::Resource,
            Some(Builder::storage_account),
        ),
        (
            "azurerm_storage_account_network_rules",
            Pass::Attach,
            Some(Builder::storage_network_rules),
        ),
        (
            "azurerm_container_registry",
            Pass::Resource,
            Some(Builder::container_registry),
        ),
        (
            "azurerm_eventhub_namespace",
            Pass::Resource,
            Some(Builder::eventhub_namespace),
        ),
        (
            "azurerm_key_vault",
            Pass::Resource,
            Some(Builder::key_vault),
        ),
        (
            "azurerm_key_vault_access_policy",
            Pass::Attach,
            Some(Builder::key_vault_access_policy),
        ),
        (
            "azurerm_private_endpoint",
            Pass::Resource,
            Some(Builder::private_endpoint),
        ),
        (
            "azurerm_network_security_group",
            Pass::Resource,
            Some(Builder::network_security_group),
        ),
        (
            "azurerm_network_security_rule",
            Pass::Attach,
            Some(Builder::network_security_rule),
        ),
        ("azurerm_firewall", Pass::Resource, Some(Builder::firewall)),
        (
            "azurerm_firewall_network_rule_collection",
            Pass::Attach,
            Some(Builder::firewall_rule_collection),
        ),
        (
            "azurerm_firewall_policy_rule_collection_group",
            Pass::Resource,
            Some(Builder::firewall_policy_rule_collection_group),
        ),
        (
            "azurerm_role_assignment",
            Pass::Resource,
            Some(Builder::role_assignment),
        ),
        (
            "azurerm_user_assigned_identity",
            Pass::Resource,
            Some(Builder::user_assigned_identity),
        ),
        (
            "azurerm_eventgrid_system_topic",
            Pass::Resource,
            Some(Builder::system_topic),
        ),
        (
            "azurerm_eventgrid_system_topic_event_subscription",
            Pass::Attach,
            Some(Builder::event_subscription),
        ),
        (
            "azurerm_eventgrid_event_subscription",
            Pass::Attach,
            Some(Builder::event_subscription),
        ),
        ("azapi_resource", Pass::Azapi, None),
        ("azapi_update_resource", Pass::Update, None),
        ("azurerm_eventhub", Pass::Linked, None),
        ("azurerm_key_vault_key", Pass::Linked, None),
        ("azurerm_private_dns_zone", Pass::Linked, None),
    ]
}

/// The row of a type, if the reader knows it.
pub(super) fn row<'p, 'a>(rtype: &str) -> Option<(Pass, Option<MapFn<'p, 'a>>)> {
    types()
        .into_iter()
        .find(|(t, _, _)| *t == rtype)
        .map(|(_, p, f)| (p, f))
}
