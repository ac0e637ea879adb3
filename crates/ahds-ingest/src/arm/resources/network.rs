//! Private endpoints and their DNS zone groups, network security groups, Azure Firewalls and
//! firewall policy rule collection groups.

use ahds_model::{
    ConnectionStatus, DnsZoneConfig, DnsZoneGroup, EndpointConnection, FirewallRuleCollection,
    Known, ResourceId, ResourceRef,
};

use super::fields::{
    connection_status, firewall_rules, id_of, parent_of, rule_access, security_rule, strings,
};
use super::{ArmResource, Mapped, Mapper, orphan};
use crate::arm::props::{items, known_str, prop, setting_str, str_at};

impl Mapper<'_> {
    pub(super) fn private_endpoint(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let mut connections = Vec::new();
        for (list, manual) in [
            ("privateLinkServiceConnections", false),
            ("manualPrivateLinkServiceConnections", true),
        ] {
            for conn in items(v, &["properties", list]) {
                let status = connection_status(
                    conn,
                    &["properties", "privateLinkServiceConnectionState", "status"],
                );
                let target = self.lenient_reference(
                    r,
                    conn,
                    &["properties", "privateLinkServiceId"],
                    "its connection's target",
                );
                connections.push(EndpointConnection {
                    name: str_at(conn, &["name"]).map(str::to_string),
                    target: target.unwrap_or(Known::Unknown),
                    group_ids: strings(conn, &["properties", "groupIds"])
                        .into_value()
                        .unwrap_or_default(),
                    // A template declares the connection, Azure reports its state: an
                    // automatic connection is approved on creation, a manual one waits.
                    status: match status {
                        Known::Unknown => Known::Value(if manual {
                            ConnectionStatus::Pending
                        } else {
                            ConnectionStatus::Approved
                        }),
                        s => s,
                    },
                    manual,
                });
            }
        }
        let subnet = self.lenient_reference(r, v, &["properties", "subnet", "id"], "its subnet");
        let pe = build!(PrivateEndpoint, c, {
            subnet: subnet,
            connections: connections,
            dns_zone_groups: Known::Value(Vec::new()),
        });
        self.estate.private_endpoints.push(pe);
        Ok(())
    }

    pub(super) fn dns_zone_group(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let parent = parent_of(id.as_ref(), "private endpoint this zone group belongs to")?;
        let zones = items(r.value, &["properties", "privateDnsZoneConfigs"])
            .iter()
            .map(|z| {
                let zone_id = known_str(z, &["properties", "privateDnsZoneId"]);
                DnsZoneConfig {
                    // The zone resource's name is the zone.
                    zone_name: match &zone_id {
                        Some(Known::Value(id)) => DnsZoneConfig::zone_of_id(id),
                        _ => Known::Unknown,
                    },
                    zone_id: zone_id
                        .and_then(Known::into_value)
                        .and_then(|s| ResourceRef::parse(&s).ok()),
                }
            })
            .collect();
        let i = self
            .index
            .find(&self.estate.private_endpoints, &parent)
            .ok_or_else(|| orphan("private endpoint", &parent))?;
        if let Known::Value(groups) = &mut self.estate.private_endpoints[i].dns_zone_groups {
            groups.push(DnsZoneGroup {
                name: id.as_ref().and_then(ResourceId::name).map(str::to_string),
                zones,
            });
        }
        Ok(())
    }

    pub(super) fn nsg(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut rules = Vec::new();
        for (i, rule) in items(r.value, &["properties", "securityRules"])
            .iter()
            .enumerate()
        {
            rules.push(security_rule(
                rule,
                None,
                &format!("/properties/securityRules/{i}/properties"),
            )?);
        }
        let nsg = build!(NetworkSecurityGroup, c, { security_rules: rules });
        self.estate.network_security_groups.push(nsg);
        Ok(())
    }

    pub(super) fn security_rule_resource(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let rule = security_rule(
            r.value,
            id.as_ref().map(|i| i.as_str().to_string()),
            "/properties",
        )?;
        let parent = parent_of(id.as_ref(), "NSG this rule belongs to")?;
        let i = self
            .index
            .find(&self.estate.network_security_groups, &parent)
            .ok_or_else(|| orphan("NSG", &parent))?;
        let rules = &mut self.estate.network_security_groups[i].security_rules;
        if !rules.iter().any(|x| x.name == rule.name) {
            rules.push(rule);
        }
        Ok(())
    }

    pub(super) fn firewall(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut collections = Vec::new();
        for (i, col) in items(r.value, &["properties", "networkRuleCollections"])
            .iter()
            .enumerate()
        {
            let p = prop(col, "properties").unwrap_or(col);
            collections.push(FirewallRuleCollection {
                name: known_str(col, &["name"]).unwrap_or(Known::Unknown),
                address: None,
                action: rule_access(
                    setting_str(p, &["action", "type"]),
                    &format!("/properties/networkRuleCollections/{i}/properties/action/type"),
                )?,
                rules: firewall_rules(items(p, &["rules"])),
            });
        }
        let fw = build!(Firewall, c, { network_rule_collections: collections });
        self.estate.firewalls.push(fw);
        Ok(())
    }

    pub(super) fn rule_collection_group(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut collections = Vec::new();
        for (i, col) in items(r.value, &["properties", "ruleCollections"])
            .iter()
            .enumerate()
        {
            collections.push(FirewallRuleCollection {
                name: known_str(col, &["name"]).unwrap_or(Known::Unknown),
                address: None,
                action: rule_access(
                    setting_str(col, &["action", "type"]),
                    &format!("/properties/ruleCollections/{i}/action/type"),
                )?,
                rules: firewall_rules(items(col, &["rules"])),
            });
        }
        let fw = build!(Firewall, c, { network_rule_collections: collections });
        self.estate.firewalls.push(fw);
        Ok(())
    }
}
