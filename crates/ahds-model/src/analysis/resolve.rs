//! Resolving a link's target reference to a resource in the estate, or saying why not.

use super::*;

impl<'a> Context<'a> {
    pub(super) fn target_meta(&self, t: Target) -> Meta<'a> {
        let e = self.estate;
        match t {
            Target::Storage(i) => e.storage_accounts[i].meta(),
            Target::Registry(i) => e.container_registries[i].meta(),
            Target::Namespace(i) => e.eventhub_namespaces[i].meta(),
            Target::Vault(i) => e.key_vaults[i].meta(),
        }
    }

    pub(super) fn link(
        &self,
        end: &ServiceEnd<'a>,
        feature: Feature,
        reference: TargetReference,
        status: Resolution,
        target: Option<Target>,
        child: Option<ChildScope>,
    ) -> OutboundLink {
        // A name fixed only at deployment may still be one of the input's resources.
        let status = if status == Resolution::NotFound
            && self.may_be_in_input(feature.target_type(), &reference)
        {
            Resolution::Unknown
        } else {
            status
        };
        let target_meta = target.map(|t| self.target_meta(t));
        let service_region = end.meta.location.as_ref().map(|l| normalize_location(l));
        let mut facts = LinkFacts {
            service_region: service_region.clone(),
            same_region: Known::Unknown,
            same_subscription: Known::Unknown,
            instance_rule: Known::Unknown,
            delivery_with_identity: Known::Unknown,
            role: RoleFacts {
                required_role: feature.required_role().name,
                required_role_id: feature.required_role().guid,
                model: "rbac",
                checked: self.estate.role_assignments.is_some(),
                held: Known::Unknown,
            },
            privileged_roles: Vec::new(),
        };
        if let (Some(t), Some(tm)) = (target, target_meta) {
            facts.same_region = match (service_region.value(), tm.location.value()) {
                (Some(a), Some(b)) => symbolic::same(a, &normalize_location(b)),
                _ => Known::Unknown,
            };
            facts.same_subscription = match (end.meta.subscription(), tm.subscription()) {
                (Some(a), Some(b)) => symbolic::same(a, b),
                _ => Known::Unknown,
            };
            if let (Target::Storage(i), Feature::FhirExport | Feature::FhirImport) = (t, feature) {
                facts.instance_rule = self.instance_rule(i, end);
            }
            let scope = self.scope_of(tm, child.as_ref());
            let required = feature.required_role();
            let rbac = self
                .grants
                .holds(&end.identity.principals, &scope, required);
            facts.role.held = rbac;
            if let Target::Vault(i) = t {
                let kv = &self.estate.key_vaults[i];
                let policies = self.access_policies_grant(i, &end.identity.principals);
                match kv.enable_rbac_authorization {
                    Known::Value(true) => {}
                    Known::Value(false) => {
                        facts.role.model = "access_policy";
                        facts.role.checked = true;
                        facts.role.held = policies;
                    }
                    Known::Unknown => {
                        facts.role.model = "unknown";
                        facts.role.checked = true;
                        facts.role.held = if rbac == policies {
                            rbac
                        } else {
                            Known::Unknown
                        };
                    }
                }
            }
            facts.privileged_roles = self.grants.privileged(&end.identity.principals, &scope);
        }
        OutboundLink {
            service_type: end.service_type,
            service_id: end.meta.key(),
            service_resource_id: end.meta.display_id(),
            service_name: end.meta.name.clone(),
            workspace_id: end.workspace.clone(),
            feature,
            target_type: feature.target_type(),
            reference,
            status,
            target_id: target_meta.map(|m| m.key()),
            target_resource_id: target_meta.map(|m| m.display_id()),
            via: None,
            via_resource_id: None,
            identity: end.identity.clone(),
            facts,
        }
    }

    /// Whether a reference that matched nothing exactly could still name a target of the
    /// input once symbolic names are fixed at deployment.
    pub(super) fn may_be_in_input(&self, kind: TargetType, reference: &TargetReference) -> bool {
        let Some(value) = reference.value.value() else {
            return false;
        };
        if !symbolic::is_symbolic(value) && !self.idx.symbolic_targets.contains(&kind) {
            return false;
        }
        let e = self.estate;
        let undecided = |a: &str, b: &str| symbolic::same(a, b).is_unknown();
        // An event hub id names its namespace as its parent.
        let parent = ResourceId::parse(value).ok().and_then(|v| v.parent());
        let host = host_of(value);
        let could_be = |m: Meta<'_>| match reference.by {
            ReferenceKind::ResourceId => m.id.is_some_and(|id| {
                undecided(id.as_str(), value)
                    || parent
                        .as_ref()
                        .is_some_and(|p| undecided(id.as_str(), p.as_str()))
            }),
            ReferenceKind::AccountName => m.name.value().is_some_and(|n| undecided(n, value)),
            ReferenceKind::LoginServer | ReferenceKind::KeyUrl | ReferenceKind::Hostname => m
                .name
                .value()
                .is_some_and(|n| undecided(n, crate::index::name_part(&host))),
        };
        match kind {
            TargetType::StorageAccount => e.storage_accounts.iter().any(|r| could_be(r.meta())),
            TargetType::ContainerRegistry => {
                e.container_registries.iter().any(|r| could_be(r.meta()))
            }
            TargetType::EventHubNamespace => {
                e.eventhub_namespaces.iter().any(|r| could_be(r.meta()))
            }
            TargetType::KeyVault => e.key_vaults.iter().any(|r| could_be(r.meta())),
        }
    }
}

pub(super) fn found(t: Option<Target>) -> (Resolution, Option<Target>) {
    match t {
        Some(t) => (Resolution::Resolved, Some(t)),
        None => (Resolution::NotFound, None),
    }
}

pub(super) fn reference(by: ReferenceKind, value: &Known<String>) -> TargetReference {
    TargetReference {
        by,
        value: value.clone(),
        symbols: value.value().map_or_else(Vec::new, |v| {
            symbolic::symbols(v)
                .into_iter()
                .map(str::to_string)
                .collect()
        }),
    }
}

impl TargetType {
    /// The name of the collection in the policy input.
    pub fn collection(self) -> &'static str {
        match self {
            TargetType::StorageAccount => "storage_accounts",
            TargetType::ContainerRegistry => "container_registries",
            TargetType::EventHubNamespace => "eventhub_namespaces",
            TargetType::KeyVault => "key_vaults",
        }
    }
}
