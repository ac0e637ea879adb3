//! Reading every resource of a plan: each to its mapper, a failure to its place, the
//! rest listed as skipped with the reason.

use super::*;

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn read_all(&mut self) {
        let plan = self.plan;
        let mut role_assignments = Vec::new();
        let mut saw_role_assignments = false;
        // Resources whose attributes have the wrong kinds are reported once and not read.
        let mut misshapen = vec![false; plan.resources.len()];
        for (i, r) in plan.resources.iter().enumerate() {
            if !r.data && MODELLED.contains(&r.rtype.as_str()) {
                if let Err(bad) = shapes::check(r.values) {
                    misshapen[i] = true;
                    self.report(r, Err(bad));
                }
            }
        }
        for (i, r) in plan.resources.iter().enumerate() {
            if misshapen[i] {
                continue;
            }
            if r.data {
                self.estate.skipped.push(SkippedResource {
                    resource_type: format!("data.{}", r.rtype),
                    resource: r.address.clone(),
                    reason: "data source: read-only lookups are not checked".into(),
                    source: Some(self.source(r)),
                });
                continue;
            }
            let res = Res {
                r,
                attrs: r.attrs(),
                config: self.config.resource(&r.module, false, &r.rtype, &r.name),
            };
            let result = match r.rtype.as_str() {
                "azurerm_healthcare_workspace" => self.workspace(&res),
                "azurerm_healthcare_fhir_service" => self.fhir(&res),
                "azurerm_healthcare_dicom_service" => self.dicom(&res),
                "azurerm_healthcare_medtech_service" => self.medtech(&res),
                "azurerm_healthcare_medtech_service_fhir_destination" => Ok(()), // after the services
                "azurerm_storage_account" => self.storage_account(&res),
                "azurerm_storage_account_network_rules" => Ok(()), // after the accounts
                "azurerm_container_registry" => self.container_registry(&res),
                "azurerm_eventhub_namespace" => self.eventhub_namespace(&res),
                "azurerm_key_vault" => self.key_vault(&res),
                "azurerm_key_vault_access_policy" => Ok(()), // after the vaults
                "azurerm_private_endpoint" => self.private_endpoint(&res),
                "azurerm_network_security_group" => self.network_security_group(&res),
                "azurerm_network_security_rule" => Ok(()), // after the groups
                "azurerm_firewall" => self.firewall(&res),
                "azurerm_firewall_network_rule_collection" => Ok(()), // after the firewalls
                "azurerm_firewall_policy_rule_collection_group" => {
                    self.firewall_policy_rule_collection_group(&res)
                }
                "azurerm_role_assignment" => {
                    saw_role_assignments = true;
                    self.role_assignment(&res)
                        .map(|ra| role_assignments.push(ra))
                }
                "azurerm_user_assigned_identity" => self.user_assigned_identity(&res),
                "azapi_resource" | "azapi_update_resource" => Ok(()), // after the resources they sit under or change
                "azurerm_eventgrid_system_topic" => self.system_topic(&res),
                "azurerm_eventgrid_system_topic_event_subscription"
                | "azurerm_eventgrid_event_subscription" => Ok(()), // after the topics
                t if AUXILIARY.contains(&t) => Ok(()),
                other => {
                    let reason = if other.starts_with("azapi_") {
                        // Settings azurerm cannot make (FHIR import, workspace public
                        // access) are set this way; saying so beats a silent "not modelled".
                        let arm_type = r.values.get("type").and_then(Value::as_str).unwrap_or("?");
                        format!(
                            "azapi resource of ARM type `{arm_type}`: its `body` is not read yet; check the deployed resource from an ARM export"
                        )
                    } else {
                        "resource type not modelled: no network-access rule reads it".into()
                    };
                    self.estate.skipped.push(SkippedResource {
                        resource_type: other.to_string(),
                        resource: r.address.clone(),
                        reason,
                        source: Some(self.source(r)),
                    });
                    Ok(())
                }
            };
            self.report(r, result);
        }
        // azapi resources, together: children attach to azapi parents.
        let azapi: Vec<&PlanResource<'_>> = plan
            .resources
            .iter()
            .enumerate()
            .filter(|(i, r)| !r.data && !misshapen[*i] && r.rtype == "azapi_resource")
            .map(|(_, r)| r)
            .collect();
        self.azapi_resources(&azapi);
        // Resources that attach to others read after them.
        for (i, r) in plan.resources.iter().enumerate() {
            if r.data || misshapen[i] {
                continue;
            }
            let res = Res {
                r,
                attrs: r.attrs(),
                config: self.config.resource(&r.module, false, &r.rtype, &r.name),
            };
            let result = match r.rtype.as_str() {
                "azurerm_healthcare_medtech_service_fhir_destination" => {
                    self.medtech_fhir_destination(&res)
                }
                "azurerm_storage_account_network_rules" => self.storage_network_rules(&res),
                "azurerm_key_vault_access_policy" => self.key_vault_access_policy(&res),
                "azurerm_network_security_rule" => self.network_security_rule(&res),
                "azurerm_firewall_network_rule_collection" => self.firewall_rule_collection(&res),
                "azurerm_eventgrid_system_topic_event_subscription"
                | "azurerm_eventgrid_event_subscription" => self.event_subscription(&res),
                _ => Ok(()),
            };
            self.report(r, result);
        }
        // Updates apply to resources read above, azapi-created ones included.
        for (i, r) in plan.resources.iter().enumerate() {
            if r.data || misshapen[i] || r.rtype != "azapi_update_resource" {
                continue;
            }
            let res = Res {
                r,
                attrs: r.attrs(),
                config: self.config.resource(&r.module, false, &r.rtype, &r.name),
            };
            let result = self.azapi_update(&res);
            self.report(r, result);
        }
        if saw_role_assignments {
            self.estate.role_assignments = Some(role_assignments);
        }
        // References to ids built for resources of this run name their addresses.
        let built = std::mem::take(&mut *self.built.borrow_mut());
        built.rewrite(&mut self.estate);
    }

    pub(super) fn report(&mut self, r: &PlanResource<'_>, result: Mapped<()>) {
        let Err(bad) = result else { return };
        if let Some(src) = self.sources.get(&r.address) {
            let attr = bad.attr.replace('/', ".");
            self.problems.push(IngestError::new(
                &src.file,
                Location::at(src.line.map_or(1, |l| l as usize), 1),
                format!("{} `{}`: `{attr}`: {}", r.rtype, r.address, bad.message),
            ));
            return;
        }
        {
            self.problems.push(IngestError::new(
                self.file,
                Location::pointer(format!("{}/values/{}", r.pointer, bad.attr)),
                format!("{} `{}`: {}", r.rtype, r.address, bad.message),
            ));
        }
    }
}
