//! The outbound targets: storage accounts (and their separate network rules), container
//! registries, Event Hubs namespaces, key vaults (and their separate access policies), and
//! user-assigned identities.

use ahds_model::{
    AccessPolicy, AclDefaults, DefaultAction, IpRule, Known, NetworkAcl, NetworkAclSpec,
    ResourceAccessRule, ResourceRef,
};

use super::attrs::Attr;
use super::{Bad, Builder, Mapped, Res, first_of, public_access, resource_from};

/// Reads `default_action`.
fn default_action(a: Attr<'_>, path: &str) -> Mapped<Option<Known<DefaultAction>>> {
    match a.str() {
        None => Ok(None),
        Some(Known::Unknown) => Ok(Some(Known::Unknown)),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Some(Known::Value(DefaultAction::Allow))),
            "deny" => Ok(Some(Known::Value(DefaultAction::Deny))),
            _ => Err(Bad {
                attr: path.into(),
                message: format!("`default_action` is `{s}`, not Allow or Deny"),
            }),
        },
    }
}

/// Parses IP rules, naming the rule that is not an address or range.
fn ip_rules(list: Option<Known<Vec<String>>>, path: &str) -> Mapped<Option<Known<Vec<IpRule>>>> {
    let Some(list) = list else { return Ok(None) };
    let Known::Value(list) = list else {
        return Ok(Some(Known::Unknown));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        out.push(s.parse::<IpRule>().map_err(|e| Bad {
            attr: format!("{path}/{i}"),
            message: e.to_string(),
        })?);
    }
    Ok(Some(Known::Value(out)))
}

fn subnets(list: Option<Known<Vec<String>>>) -> Option<Known<Vec<ResourceRef>>> {
    list.map(|k| {
        k.map(|v| {
            v.iter()
                .map(|s| ResourceRef::parse(s).unwrap_or_else(|_| ResourceRef::Address(s.clone())))
                .collect()
        })
    })
}

impl<'p, 'a> Builder<'p, 'a> {
    /// The storage account network settings of a `network_rules` block (inline, or the
    /// attributes of `azurerm_storage_account_network_rules`).
    fn storage_rules(
        &self,
        res: &Res<'_, 'a>,
        rules: Attr<'a>,
        path: &[&str],
        spec: &mut NetworkAclSpec,
    ) -> Mapped<()> {
        let p = path.join("/");
        if rules.is_unknown() {
            spec.default_action = Some(Known::Unknown);
            spec.trusted_services = Some(Known::Unknown);
            spec.ip_rules = Some(Known::Unknown);
            spec.virtual_network_rules = Some(Known::Unknown);
            spec.resource_access_rules = Some(Known::Unknown);
            return Ok(());
        }
        if let Some(d) =
            default_action(rules.get("default_action"), &format!("{p}/default_action"))?
        {
            spec.default_action = Some(d);
        }
        if let Some(b) = rules.get("bypass").strings() {
            spec.trusted_services =
                Some(b.map(|v| v.iter().any(|s| s.eq_ignore_ascii_case("AzureServices"))));
        }
        if let Some(ips) = ip_rules(rules.get("ip_rules").strings(), &format!("{p}/ip_rules"))? {
            spec.ip_rules = Some(ips);
        }
        if let Some(s) = subnets(rules.get("virtual_network_subnet_ids").strings()) {
            spec.virtual_network_rules = Some(s);
        }
        match rules.blocks("private_link_access") {
            None => spec.resource_access_rules = Some(Known::Unknown),
            Some(blocks) => {
                let mut out = Vec::new();
                for (i, b) in blocks.into_iter().enumerate() {
                    let mut epath: Vec<&str> = path.to_vec();
                    epath.extend(["private_link_access", "endpoint_resource_id"]);
                    let target = match b.get("endpoint_resource_id").str() {
                        None => continue,
                        Some(Known::Value(s)) => Known::Value(s),
                        Some(Known::Unknown) => self
                            .targets(res, &epath, i)
                            .into_iter()
                            .find_map(|(_, f)| f.map(|f| self.ref_of(f).as_str().to_string()))
                            .map_or(Known::Unknown, Known::Value),
                    };
                    out.push(ResourceAccessRule {
                        tenant_id: b
                            .get("endpoint_tenant_id")
                            .str()
                            .and_then(Known::into_value),
                        resource_id: target,
                    });
                }
                spec.resource_access_rules = Some(Known::Value(out));
            }
        }
        Ok(())
    }

    pub(super) fn storage_account(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(
                a.get("public_network_access_enabled").bool(),
            )),
            ..NetworkAclSpec::default()
        };
        match a.block("network_rules") {
            Some(rules) => self.storage_rules(res, rules, &["network_rules"], &mut spec)?,
            None if a.get("network_rules").is_unknown() => {
                self.storage_rules(res, a.get("network_rules"), &["network_rules"], &mut spec)?
            }
            None => {}
        }
        let sa = resource_from!(StorageAccount, c, {
            network: spec.resolve(AclDefaults::STORAGE),
            is_hns_enabled: a.get("is_hns_enabled").bool().unwrap_or(Known::Value(false)),
        });
        self.estate().storage_accounts.push(sa);
        Ok(())
    }

    /// `azurerm_storage_account_network_rules` replaces the account's inline rules.
    pub(super) fn storage_network_rules(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let account = self.reference(
            res,
            res.attrs.get("storage_account_id"),
            &["storage_account_id"],
            0,
        )?;
        let Some(Known::Value(account)) = account else {
            return Err(Bad {
                attr: "storage_account_id".into(),
                message: "the storage account these rules belong to is not known".into(),
            });
        };
        let mut spec = NetworkAclSpec::default();
        self.storage_rules(res, res.attrs, &[], &mut spec)?;
        let Some(i) = self.index.find(&self.estate.storage_accounts, &account) else {
            return Err(Bad {
                attr: "storage_account_id".into(),
                message: format!("storage account `{account}` is not in the plan"),
            });
        };
        let sa = &mut self.estate().storage_accounts[i];
        let pna = sa.network.public_network_access;
        sa.network = NetworkAcl {
            public_network_access: pna,
            ..spec.resolve(AclDefaults::STORAGE)
        };
        Ok(())
    }

    pub(super) fn container_registry(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(
                a.get("public_network_access_enabled").bool(),
            )),
            trusted_services: a
                .get("network_rule_bypass_option")
                .str()
                .map(|k| k.map(|s| s.eq_ignore_ascii_case("AzureServices"))),
            ..NetworkAclSpec::default()
        };
        match a.block("network_rule_set") {
            Some(set) if set.is_unknown() => {
                spec.default_action = Some(Known::Unknown);
                spec.ip_rules = Some(Known::Unknown);
            }
            Some(set) => {
                spec.default_action = default_action(
                    set.get("default_action"),
                    "network_rule_set/0/default_action",
                )?;
                let ranges = set.blocks("ip_rule").map(|rules| {
                    let mut v = Vec::new();
                    for r in rules {
                        match r.get("ip_range").str() {
                            Some(Known::Value(s)) => v.push(s),
                            Some(Known::Unknown) => return Known::Unknown,
                            None => {}
                        }
                    }
                    Known::Value(v)
                });
                spec.ip_rules = ip_rules(
                    Some(ranges.unwrap_or(Known::Unknown)),
                    "network_rule_set/0/ip_rule",
                )?;
            }
            None => {}
        }
        let acr = resource_from!(ContainerRegistry, c, {
            login_server: a.get("login_server").str().unwrap_or(Known::Unknown),
            sku: a.get("sku").str().unwrap_or(Known::Unknown),
            network: spec.resolve(AclDefaults::CONTAINER_REGISTRY),
        });
        self.estate().container_registries.push(acr);
        Ok(())
    }

    pub(super) fn eventhub_namespace(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(
                a.get("public_network_access_enabled").bool(),
            )),
            ..NetworkAclSpec::default()
        };
        match a.block("network_rulesets") {
            Some(set) if set.is_unknown() => {
                spec.default_action = Some(Known::Unknown);
                spec.trusted_services = Some(Known::Unknown);
                spec.ip_rules = Some(Known::Unknown);
            }
            Some(set) => {
                spec.default_action = default_action(
                    set.get("default_action"),
                    "network_rulesets/0/default_action",
                )?;
                spec.trusted_services = set.get("trusted_service_access_enabled").bool();
                // The rule set has its own public-access switch; either one off turns it off.
                if let Some(Known::Value(false)) = set.get("public_network_access_enabled").bool() {
                    spec.public_network_access = Some(public_access(Some(Known::Value(false))));
                }
                let masks = set.blocks("ip_rule").map(|rules| {
                    let mut v = Vec::new();
                    for r in rules {
                        if r.get("action")
                            .str()
                            .and_then(Known::into_value)
                            .is_some_and(|x| !x.eq_ignore_ascii_case("Allow"))
                        {
                            continue;
                        }
                        match r.get("ip_mask").str() {
                            Some(Known::Value(s)) => v.push(s),
                            Some(Known::Unknown) => return Known::Unknown,
                            None => {}
                        }
                    }
                    Known::Value(v)
                });
                spec.ip_rules = ip_rules(
                    Some(masks.unwrap_or(Known::Unknown)),
                    "network_rulesets/0/ip_rule",
                )?;
                spec.virtual_network_rules = set.blocks("virtual_network_rule").map(|rules| {
                    Known::Value(
                        rules
                            .into_iter()
                            .filter_map(|r| r.get("subnet_id").str().and_then(Known::into_value))
                            .map(|s| ResourceRef::parse(&s).unwrap_or(ResourceRef::Address(s)))
                            .collect(),
                    )
                });
            }
            None if a.get("network_rulesets").is_unknown() => {
                spec.default_action = Some(Known::Unknown);
                spec.trusted_services = Some(Known::Unknown);
                spec.ip_rules = Some(Known::Unknown);
            }
            None => {}
        }
        let ns = resource_from!(EventHubNamespace, c, {
            service_bus_endpoint: Known::Unknown,
            network: spec.resolve(AclDefaults::EVENT_HUBS),
        });
        self.estate().eventhub_namespaces.push(ns);
        Ok(())
    }

    fn access_policy(
        &self,
        res: &Res<'_, 'a>,
        p: Attr<'a>,
        path: &[&str],
        block: usize,
    ) -> AccessPolicy {
        let mut object_path = path.to_vec();
        object_path.push("object_id");
        let (object_id, object_of) =
            self.principal_in(res, p.get("object_id"), &object_path, block);
        AccessPolicy {
            tenant_id: p.get("tenant_id").str().and_then(Known::into_value),
            object_id,
            object_of,
            key_permissions: p
                .get("key_permissions")
                .strings()
                .unwrap_or(Known::Value(Vec::new())),
        }
    }

    pub(super) fn key_vault(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let mut spec = NetworkAclSpec {
            public_network_access: Some(public_access(
                a.get("public_network_access_enabled").bool(),
            )),
            ..NetworkAclSpec::default()
        };
        match a.block("network_acls") {
            Some(acls) if acls.is_unknown() => {
                spec.default_action = Some(Known::Unknown);
                spec.trusted_services = Some(Known::Unknown);
                spec.ip_rules = Some(Known::Unknown);
            }
            Some(acls) => {
                spec.default_action =
                    default_action(acls.get("default_action"), "network_acls/0/default_action")?;
                spec.trusted_services = acls
                    .get("bypass")
                    .str()
                    .map(|k| k.map(|s| s.eq_ignore_ascii_case("AzureServices")));
                spec.ip_rules =
                    ip_rules(acls.get("ip_rules").strings(), "network_acls/0/ip_rules")?;
                spec.virtual_network_rules =
                    subnets(acls.get("virtual_network_subnet_ids").strings());
            }
            None => {}
        }
        let (rbac, _) = first_of(
            a,
            &["enable_rbac_authorization", "rbac_authorization_enabled"],
        );
        let policies = match a.blocks("access_policy") {
            Some(blocks) => blocks
                .into_iter()
                .enumerate()
                .map(|(i, p)| self.access_policy(res, p, &["access_policy"], i))
                .collect(),
            None => Vec::new(),
        };
        let kv = resource_from!(KeyVault, c, {
            vault_uri: a.get("vault_uri").str().unwrap_or(Known::Unknown),
            network: spec.resolve(AclDefaults::KEY_VAULT),
            enable_rbac_authorization: rbac.bool().unwrap_or(Known::Value(false)),
            access_policies: policies,
        });
        self.estate().key_vaults.push(kv);
        Ok(())
    }

    pub(super) fn key_vault_access_policy(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let vault = self.reference(res, res.attrs.get("key_vault_id"), &["key_vault_id"], 0)?;
        let policy = self.access_policy(res, res.attrs, &[], 0);
        let Some(Known::Value(vault)) = vault else {
            return Err(Bad {
                attr: "key_vault_id".into(),
                message: "the key vault of this access policy is not known".into(),
            });
        };
        match self.index.find(&self.estate.key_vaults, &vault) {
            Some(i) => {
                self.estate().key_vaults[i].access_policies.push(policy);
                Ok(())
            }
            None => Err(Bad {
                attr: "key_vault_id".into(),
                message: format!("key vault `{vault}` is not in the plan"),
            }),
        }
    }

    pub(super) fn user_assigned_identity(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let uai = resource_from!(UserAssignedIdentity, c, {
            principal_id: res.attrs.get("principal_id").str().unwrap_or(Known::Unknown),
        });
        self.estate().user_assigned_identities.push(uai);
        Ok(())
    }
}
