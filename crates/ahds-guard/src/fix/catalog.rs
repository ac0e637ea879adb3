//! What each fix action changes on each kind of resource: the ARM properties, and the
//! azurerm arguments that write them. One table, so a new action or resource kind is one
//! entry here and nothing else.

use serde_json::{Value, json};

use crate::report::fix::HclEdit;

/// The ARM side of a change: a property of the resource (or of one of its children).
pub(super) struct ArmSet {
    /// A child resource the property lives on (`networkRuleSets/default`), if any.
    pub(super) child: Option<(&'static str, &'static str)>,
    pub(super) path: &'static str,
    pub(super) value: Value,
    pub(super) add: bool,
}

/// What an action changes on one kind of resource.
pub(super) struct Recipe {
    pub(super) arm: Vec<ArmSet>,
    /// The azurerm resource type the edits apply to, and the edits.
    pub(super) azurerm: Option<(&'static str, Vec<HclEdit>)>,
}

/// The parameters an action may carry: the resource a rule admits, as a Terraform
/// expression (a reference when the resource is in the same module) and as an ARM id.
pub(super) struct Param {
    pub(super) hcl: String,
    pub(super) arm_id: String,
}

fn set(block: &[&str], argument: &str, value: &str) -> HclEdit {
    HclEdit::Set {
        block: block.iter().map(ToString::to_string).collect(),
        argument: argument.into(),
        value: value.into(),
        with: Vec::new(),
    }
}

/// A `set` whose block, when it has to be created, must also hold `with` (arguments the
/// provider requires in it).
pub(super) fn set_with(
    block: &[&str],
    argument: &str,
    value: &str,
    with: &[(&str, &str)],
) -> HclEdit {
    HclEdit::Set {
        block: block.iter().map(ToString::to_string).collect(),
        argument: argument.into(),
        value: value.into(),
        with: with
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn prop(path: &'static str, value: Value) -> ArmSet {
    ArmSet {
        child: None,
        path,
        value,
        add: false,
    }
}

const STORAGE: &str = "Microsoft.Storage/storageAccounts";
const REGISTRY: &str = "Microsoft.ContainerRegistry/registries";
const NAMESPACE: &str = "Microsoft.EventHub/namespaces";
const VAULT: &str = "Microsoft.KeyVault/vaults";
const SERVICES: [(&str, &str); 3] = [
    (
        "Microsoft.HealthcareApis/workspaces/fhirservices",
        "azurerm_healthcare_fhir_service",
    ),
    (
        "Microsoft.HealthcareApis/workspaces/dicomservices",
        "azurerm_healthcare_dicom_service",
    ),
    (
        "Microsoft.HealthcareApis/workspaces/iotconnectors",
        "azurerm_healthcare_medtech_service",
    ),
];

/// An Event Hubs namespace's firewall lives on its `networkRuleSets/default` child.
fn namespace_rule(path: &'static str, value: Value) -> ArmSet {
    ArmSet {
        child: Some(("networkRuleSets", "default")),
        path,
        value,
        add: false,
    }
}

fn trusted(arm_type: &str) -> Option<Recipe> {
    Some(match arm_type {
        STORAGE => Recipe {
            arm: vec![prop(
                "properties.networkAcls.bypass",
                json!("AzureServices"),
            )],
            azurerm: Some((
                "azurerm_storage_account",
                vec![set_with(
                    &["network_rules"],
                    "bypass",
                    r#"["AzureServices"]"#,
                    &[("default_action", r#""Deny""#)],
                )],
            )),
        },
        VAULT => Recipe {
            arm: vec![prop(
                "properties.networkAcls.bypass",
                json!("AzureServices"),
            )],
            azurerm: Some((
                "azurerm_key_vault",
                vec![set_with(
                    &["network_acls"],
                    "bypass",
                    r#""AzureServices""#,
                    &[("default_action", r#""Deny""#)],
                )],
            )),
        },
        REGISTRY => Recipe {
            arm: vec![prop(
                "properties.networkRuleBypassOptions",
                json!("AzureServices"),
            )],
            azurerm: Some((
                "azurerm_container_registry",
                vec![set(&[], "network_rule_bypass_option", r#""AzureServices""#)],
            )),
        },
        NAMESPACE => Recipe {
            arm: vec![namespace_rule(
                "properties.trustedServiceAccessEnabled",
                json!(true),
            )],
            azurerm: Some((
                "azurerm_eventhub_namespace",
                vec![set_with(
                    &["network_rulesets"],
                    "trusted_service_access_enabled",
                    "true",
                    &[("default_action", r#""Deny""#)],
                )],
            )),
        },
        _ => return None,
    })
}

/// Deny by default, and let trusted services through so the AHDS feature keeps working.
fn restrict(arm_type: &str) -> Option<Recipe> {
    let mut r = trusted(arm_type)?;
    let (deny, edit) = match arm_type {
        STORAGE => (
            prop("properties.networkAcls.defaultAction", json!("Deny")),
            set(&["network_rules"], "default_action", r#""Deny""#),
        ),
        VAULT => (
            prop("properties.networkAcls.defaultAction", json!("Deny")),
            set_with(
                &["network_acls"],
                "default_action",
                r#""Deny""#,
                &[("bypass", r#""AzureServices""#)],
            ),
        ),
        REGISTRY => (
            prop("properties.networkRuleSet.defaultAction", json!("Deny")),
            set(&["network_rule_set"], "default_action", r#""Deny""#),
        ),
        NAMESPACE => (
            namespace_rule("properties.defaultAction", json!("Deny")),
            set(&["network_rulesets"], "default_action", r#""Deny""#),
        ),
        _ => return None,
    };
    r.arm.insert(0, deny);
    if let Some((_, edits)) = &mut r.azurerm {
        edits.insert(0, edit);
    }
    Some(r)
}

/// The recipe of `action` on a resource of `arm_type`; `None` when the action does not
/// apply to that kind (the finding then needs a decision).
pub(super) fn recipe(action: &str, arm_type: &str, param: Option<&Param>) -> Option<Recipe> {
    match action {
        "allow_trusted_services" | "restrict_network" => {
            let mut r = if action == "restrict_network" {
                restrict(arm_type)?
            } else {
                trusted(arm_type)?
            };
            // With the resource a resource-instance rule must admit, the rule comes too:
            // trusted access to FHIR export and import storage needs it (AHDS-TS-003).
            if let (Some(param), STORAGE) = (param, arm_type) {
                let rule = recipe("add_instance_rule", arm_type, Some(param))?;
                r.arm.extend(rule.arm);
                if let (Some((_, edits)), Some((_, more))) = (&mut r.azurerm, rule.azurerm) {
                    edits.extend(more);
                }
            }
            Some(r)
        }
        "add_instance_rule" if arm_type == STORAGE => {
            let param = param?;
            Some(Recipe {
                arm: vec![ArmSet {
                    child: None,
                    path: "properties.networkAcls.resourceAccessRules",
                    value: json!({"tenantId": "[subscription().tenantId]", "resourceId": param.arm_id}),
                    add: true,
                }],
                azurerm: Some((
                    "azurerm_storage_account",
                    vec![HclEdit::AddBlock {
                        block: vec!["network_rules".into()],
                        name: "private_link_access".into(),
                        arguments: vec![("endpoint_resource_id".into(), param.hcl.clone())],
                    }],
                )),
            })
        }
        "enable_system_identity" => {
            let (_, azurerm) = SERVICES.iter().find(|(t, _)| *t == arm_type)?;
            Some(Recipe {
                arm: vec![prop("identity.type", json!("SystemAssigned"))],
                azurerm: Some((
                    azurerm,
                    vec![set(&["identity"], "type", r#""SystemAssigned""#)],
                )),
            })
        }
        // azurerm has no argument for it on the workspace or a FHIR service: an
        // azapi_update_resource sets it.
        "disable_public_network_access"
            if arm_type == "Microsoft.HealthcareApis/workspaces"
                || SERVICES.iter().any(|(t, _)| *t == arm_type) =>
        {
            // A DICOM service is the exception: azurerm has the argument there.
            let azurerm =
                (arm_type == "Microsoft.HealthcareApis/workspaces/dicomservices").then(|| {
                    (
                        "azurerm_healthcare_dicom_service",
                        vec![set(&[], "public_network_access_enabled", "false")],
                    )
                });
            Some(Recipe {
                arm: vec![prop("properties.publicNetworkAccess", json!("Disabled"))],
                azurerm,
            })
        }
        _ => None,
    }
}
