//! Private endpoints, network security groups and Azure Firewall rules.

use ahds_model::{
    ConnectionStatus, Direction, DnsZoneConfig, DnsZoneGroup, EndpointConnection, Firewall,
    FirewallRule, FirewallRuleCollection, Known, NetworkSecurityGroup, ResourceRef, RuleAccess,
    SecurityRule,
};

use super::attrs::Attr;
use super::{Bad, Builder, Mapped, Res, resource_from};

fn access(a: Attr<'_>, path: &str) -> Mapped<Known<RuleAccess>> {
    match a.str() {
        None | Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "allow" => Ok(Known::Value(RuleAccess::Allow)),
            "deny" => Ok(Known::Value(RuleAccess::Deny)),
            _ => Err(Bad {
                attr: path.into(),
                message: format!("`{s}` is not Allow or Deny"),
            }),
        },
    }
}

fn direction(a: Attr<'_>, path: &str) -> Mapped<Known<Direction>> {
    match a.str() {
        None | Some(Known::Unknown) => Ok(Known::Unknown),
        Some(Known::Value(s)) => match s.to_ascii_lowercase().as_str() {
            "inbound" => Ok(Known::Value(Direction::Inbound)),
            "outbound" => Ok(Known::Value(Direction::Outbound)),
            _ => Err(Bad {
                attr: path.into(),
                message: format!("`{s}` is not Inbound or Outbound"),
            }),
        },
    }
}

/// The single and plural prefix attributes merged (`source_address_prefix` and
/// `source_address_prefixes`).
fn prefixes(rule: Attr<'_>, single: &str, plural: &str) -> Known<Vec<String>> {
    let mut out = Vec::new();
    for a in [rule.get(single), rule.get(plural)] {
        match a.strings() {
            Some(Known::Value(v)) => out.extend(v.into_iter().filter(|s| !s.is_empty())),
            Some(Known::Unknown) => return Known::Unknown,
            None => {}
        }
    }
    Known::Value(out)
}

fn security_rule(rule: Attr<'_>, path: &str, address: Option<String>) -> Mapped<SecurityRule> {
    let ports = prefixes(rule, "destination_port_range", "destination_port_ranges");
    Ok(SecurityRule {
        name: rule.get("name").str().unwrap_or(Known::Unknown),
        address,
        direction: direction(rule.get("direction"), &format!("{path}direction"))?,
        access: access(rule.get("access"), &format!("{path}access"))?,
        priority: rule
            .get("priority")
            .raw()
            .and_then(|v| v.as_u64())
            .and_then(|p| u32::try_from(p).ok())
            .map(Known::Value),
        source_address_prefixes: prefixes(rule, "source_address_prefix", "source_address_prefixes"),
        destination_address_prefixes: prefixes(
            rule,
            "destination_address_prefix",
            "destination_address_prefixes",
        ),
        destination_port_ranges: ports.into_value().unwrap_or_default(),
    })
}

fn firewall_rules(collection: Attr<'_>) -> Vec<FirewallRule> {
    collection
        .blocks("rule")
        .unwrap_or_default()
        .into_iter()
        .map(|r| FirewallRule {
            name: r.get("name").str().unwrap_or(Known::Unknown),
            source_addresses: r
                .get("source_addresses")
                .strings()
                .unwrap_or(Known::Value(Vec::new())),
            destination_addresses: r
                .get("destination_addresses")
                .strings()
                .unwrap_or(Known::Value(Vec::new())),
            destination_ports: r
                .get("destination_ports")
                .strings()
                .and_then(Known::into_value)
                .unwrap_or_default(),
        })
        .collect()
}

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn private_endpoint(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let mut connections = Vec::new();
        for (i, psc) in a
            .blocks("private_service_connection")
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let target = self
                .reference(
                    res,
                    psc.get("private_connection_resource_id"),
                    &[
                        "private_service_connection",
                        "private_connection_resource_id",
                    ],
                    i,
                )?
                .unwrap_or(Known::Unknown);
            let manual = psc
                .get("is_manual_connection")
                .bool()
                .and_then(Known::into_value)
                .unwrap_or(false);
            connections.push(EndpointConnection {
                name: psc.get("name").str().and_then(Known::into_value),
                target,
                group_ids: psc
                    .get("subresource_names")
                    .strings()
                    .and_then(Known::into_value)
                    .unwrap_or_default(),
                // A manual connection waits for approval; an automatic one is approved on
                // creation (the plan cannot know the state, but it declares the intent).
                status: Known::Value(if manual {
                    ConnectionStatus::Pending
                } else {
                    ConnectionStatus::Approved
                }),
                manual,
            });
        }
        let dns_zone_groups = match a.blocks("private_dns_zone_group") {
            None => Known::Unknown,
            Some(groups) => {
                let mut out = Vec::new();
                for (i, g) in groups.into_iter().enumerate() {
                    let ids = g.get("private_dns_zone_ids");
                    let zones = match ids.strings() {
                        Some(Known::Value(list)) => list
                            .into_iter()
                            .map(|id| DnsZoneConfig {
                                zone_name: DnsZoneConfig::zone_of_id(&id),
                                zone_id: ResourceRef::parse(&id).ok(),
                            })
                            .collect(),
                        Some(Known::Unknown) => {
                            let targets = self.targets(
                                res,
                                &["private_dns_zone_group", "private_dns_zone_ids"],
                                i,
                            );
                            if targets.is_empty() {
                                vec![DnsZoneConfig {
                                    zone_name: Known::Unknown,
                                    zone_id: None,
                                }]
                            } else {
                                targets
                                    .into_iter()
                                    .map(|(_, f)| DnsZoneConfig {
                                        zone_name: match f.and_then(|f| f.attrs().get("name").str())
                                        {
                                            Some(Known::Value(n)) => DnsZoneConfig::zone_named(&n),
                                            _ => Known::Unknown,
                                        },
                                        zone_id: f.map(|f| self.ref_of(f)),
                                    })
                                    .collect()
                            }
                        }
                        None => Vec::new(),
                    };
                    out.push(DnsZoneGroup {
                        name: g.get("name").str().and_then(Known::into_value),
                        zones,
                    });
                }
                Known::Value(out)
            }
        };
        let subnet = self.reference(res, a.get("subnet_id"), &["subnet_id"], 0)?;
        let pe = resource_from!(PrivateEndpoint, c, {
            subnet: subnet,
            connections: connections,
            dns_zone_groups: dns_zone_groups,
        });
        self.estate().private_endpoints.push(pe);
        Ok(())
    }

    pub(super) fn network_security_group(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let mut rules = Vec::new();
        // Inline rules; when they are computed (rules kept in azurerm_network_security_rule
        // resources), those resources add them below.
        if let Some(blocks) = res.attrs.blocks("security_rule") {
            for (i, r) in blocks.into_iter().enumerate() {
                rules.push(security_rule(r, &format!("security_rule/{i}/"), None)?);
            }
        }
        let nsg = resource_from!(NetworkSecurityGroup, c, { security_rules: rules });
        self.estate().network_security_groups.push(nsg);
        Ok(())
    }

    pub(super) fn network_security_rule(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let rule = security_rule(res.attrs, "", Some(res.r.address.clone()))?;
        let group = self
            .copied_string(
                res,
                res.attrs.get("network_security_group_name"),
                &["network_security_group_name"],
            )
            .unwrap_or(Known::Unknown);
        let parent = self.parent_address(
            res,
            "network_security_group_name",
            "azurerm_network_security_group",
            &group,
        );
        let nsgs = &mut self.estate().network_security_groups;
        let at = match &parent {
            Some(address) => nsgs
                .iter()
                .position(|n| n.address.as_deref() == Some(address.as_str())),
            None => only_one(nsgs.iter().map(|n| &n.name), &group),
        };
        match at.and_then(|i| nsgs.get_mut(i)) {
            Some(nsg) => nsg.security_rules.push(rule),
            None => {
                // The group is not in the plan: keep the rule under a group of that name.
                let c = self.common(res)?;
                let nsg = NetworkSecurityGroup {
                    id: None,
                    address: Some(c.address),
                    name: group,
                    location: c.location,
                    tags: Default::default(),
                    subscription: c.subscription,
                    place: Some(c.source),
                    security_rules: vec![rule],
                };
                self.estate().network_security_groups.push(nsg);
            }
        }
        Ok(())
    }

    pub(super) fn firewall(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let fw = resource_from!(Firewall, c, { network_rule_collections: Vec::new() });
        self.estate().firewalls.push(fw);
        Ok(())
    }

    pub(super) fn firewall_rule_collection(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let collection = FirewallRuleCollection {
            name: res.attrs.get("name").str().unwrap_or(Known::Unknown),
            address: Some(res.r.address.clone()),
            action: access(res.attrs.get("action"), "action")?,
            rules: firewall_rules(res.attrs),
        };
        let name = self
            .copied_string(
                res,
                res.attrs.get("azure_firewall_name"),
                &["azure_firewall_name"],
            )
            .unwrap_or(Known::Unknown);
        let parent = self.parent_address(res, "azure_firewall_name", "azurerm_firewall", &name);
        let fws = &mut self.estate().firewalls;
        let at = match &parent {
            Some(address) => fws
                .iter()
                .position(|f| f.address.as_deref() == Some(address.as_str())),
            None => only_one(fws.iter().map(|f| &f.name), &name),
        };
        match at.and_then(|i| fws.get_mut(i)) {
            Some(fw) => fw.network_rule_collections.push(collection),
            None => {
                let c = self.common(res)?;
                self.estate().firewalls.push(Firewall {
                    id: None,
                    address: Some(c.address),
                    name,
                    location: c.location,
                    tags: Default::default(),
                    subscription: c.subscription,
                    place: Some(c.source),
                    network_rule_collections: vec![collection],
                });
            }
        }
        Ok(())
    }

    pub(super) fn firewall_policy_rule_collection_group(
        &mut self,
        res: &Res<'_, 'a>,
    ) -> Mapped<()> {
        let c = self.common(res)?;
        let mut collections = Vec::new();
        for (i, col) in res
            .attrs
            .blocks("network_rule_collection")
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            collections.push(FirewallRuleCollection {
                name: col.get("name").str().unwrap_or(Known::Unknown),
                address: None,
                action: access(
                    col.get("action"),
                    &format!("network_rule_collection/{i}/action"),
                )?,
                rules: firewall_rules(col),
            });
        }
        let fw = resource_from!(Firewall, c, { network_rule_collections: collections });
        self.estate().firewalls.push(fw);
        Ok(())
    }
}

/// The index of the one resource named `name`; none when the name is unknown or shared
/// (attaching to the wrong one of two same-named groups would be worse than to none).
fn only_one<'n>(
    names: impl Iterator<Item = &'n Known<String>>,
    name: &Known<String>,
) -> Option<usize> {
    name.value()?;
    let mut found = None;
    for (i, n) in names.enumerate() {
        if n == name {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}
