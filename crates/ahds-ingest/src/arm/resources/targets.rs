//! Outbound targets: storage accounts, container registries, Event Hubs namespaces (with
//! their `networkRuleSets` child) and key vaults; in live listings, what is not carried is unknown.

use ahds_model::{
    AccessPolicy, AclDefaults, Known, NetworkAclSpec, PublicNetworkAccess, ResourceAccessRule,
    ResourceId,
};

use super::fields::{
    default_action, id_of, ip_rules, parent_of, principal_of, public_access, strings, subnet_refs,
};
use super::{ArmResource, Common, Mapped, Mapper, Provenance, orphan, under};
use crate::arm::props::{
    is_unknown, items, known_bool, known_list, known_str, path, prop, setting_str, str_at,
};

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

impl Mapper<'_> {
    pub(super) fn storage(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
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
        if self.provenance == Provenance::Listing {
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

    pub(super) fn registry(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
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
        if self.provenance == Provenance::Listing && prop(v, "properties").is_none() {
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

    pub(super) fn namespace(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(v)?),
            ..NetworkAclSpec::default()
        };
        if self.provenance == Provenance::Listing {
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
    pub(super) fn network_rule_set(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let (p, p_at) = match prop(r.value, "properties") {
            Some(p) => (p, "/properties"),
            None => (r.value, ""),
        };
        let parent = parent_of(id.as_ref(), "namespace this rule set belongs to")?;
        let i = self
            .index
            .find(&self.estate.eventhub_namespaces, &parent)
            .ok_or_else(|| orphan("Event Hubs namespace", &parent))?;
        let mut spec = NetworkAclSpec {
            default_action: default_action(p, &["defaultAction"])?,
            trusted_services: known_bool(p, &["trustedServiceAccessEnabled"]),
            ip_rules: ip_rules(p, &["ipRules"], "ipMask").map_err(under(p_at))?,
            virtual_network_rules: subnet_refs(p, &["virtualNetworkRules"], &["subnet", "id"]),
            ..NetworkAclSpec::default()
        };
        self.namespaces_with_rules.insert(i);
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

    pub(super) fn vault(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
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
        if self.provenance == Provenance::Listing && prop(v, "properties").is_none() {
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

    /// Notes that a live listing lacks what a resource's network settings are read from.
    pub(super) fn note_missing(&mut self, c: &Common, what: &str) {
        let id = c.id.as_ref().map_or("resource", ResourceId::as_str);
        self.estate.notes.push(format!(
            "{}: `{id}`: the listing does not carry {what}, so its network settings are unknown (checks that need them are undetermined); an ARM GET of the resource (`az resource show --ids {id}`) includes them",
            c.source.file
        ));
    }

    /// Event Hubs namespaces of a listing without their `networkRuleSets/default` child,
    /// which Azure Resource Graph does not index.
    pub(super) fn note_namespaces_without_rules(&mut self) {
        if self.provenance != Provenance::Listing {
            return;
        }
        for (i, ns) in self.estate.eventhub_namespaces.iter().enumerate() {
            if self.namespaces_with_rules.contains(&i) {
                continue;
            }
            let id = ns.id.as_ref().map_or("namespace", ResourceId::as_str);
            let file = ns.place.as_ref().map_or(self.file, |s| s.file.as_str());
            self.estate.notes.push(format!(
                "{}: `{id}`: the listing does not carry its firewall (the `networkRuleSets/default` child, which Azure Resource Graph does not index), so its default action, trusted-service access and IP rules are unknown; add the output of `az rest --method get --url {id}/networkRuleSets/default?api-version=2024-01-01` to the input",
                file
            ));
        }
    }
}
