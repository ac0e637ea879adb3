//! What an attribute the configuration leaves out means, per azurerm resource type: one
//! table for the plan reader and the `.tf` reader alike.
//!
//! A plan shows an attribute the provider computes as "known after apply" whether or not
//! the provider will ever send it. Where it never does (a FHIR service's public network
//! access cannot be set with azurerm), Azure applies its platform default, exactly as for
//! an ARM template that omits the property. Where the value comes from elsewhere (a key
//! vault's access policies may be `azurerm_key_vault_access_policy` resources), it is
//! unknown.

use ahds_model::Known;
use serde_json::Value;

use super::Res;

/// The meaning of an omitted attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Omitted {
    /// The provider sends nothing: Azure's default applies (the reader's "unset").
    PlatformDefault,
    /// Computed from other resources or at apply: unknown.
    Unknown,
}

/// `(azurerm type, attribute, meaning)`: attributes the provider computes when the
/// configuration leaves them out. Attributes with a provider default are not listed: a
/// plan shows their default value.
pub(crate) const COMPUTED: &[(&str, &str, Omitted)] = &[
    (
        "azurerm_healthcare_fhir_service",
        "public_network_access_enabled",
        Omitted::PlatformDefault,
    ),
    ("azurerm_key_vault", "access_policy", Omitted::Unknown),
];

/// What an omitted attribute of a resource type means, if the table says.
pub(crate) fn omitted(rtype: &str, attr: &str) -> Option<Omitted> {
    COMPUTED
        .iter()
        .find(|(t, a, _)| *t == rtype && *a == attr)
        .map(|(_, _, o)| *o)
}

/// True when the resource's configuration writes the attribute (a plan's `configuration`
/// lists an expression for it). Without a configuration section, it may have.
fn configured(res: &Res<'_, '_>, attr: &str) -> bool {
    match res.config.and_then(|c| c.get("expressions")) {
        Some(Value::Object(m)) => m.contains_key(attr),
        _ => true,
    }
}

/// A boolean setting: its planned value, or, when the plan shows it unknown only because
/// the provider computes an attribute the configuration leaves out, what the table says.
/// `None` is "unset": the platform default.
pub(crate) fn bool_setting(res: &Res<'_, '_>, attr: &str) -> Option<Known<bool>> {
    let v = res.attrs.get(attr).bool();
    match (v, omitted(&res.r.rtype, attr)) {
        (Some(Known::Unknown), Some(Omitted::PlatformDefault)) if !configured(res, attr) => None,
        (v, _) => v,
    }
}
