//! azurerm_healthcare_* resources and the Event Grid resources that carry their events.

use ahds_model::{
    Cors, CustomerManagedKey, DeliveryIdentity, DeliveryIdentityType, DicomStorage,
    EventDestination, ExportConfig, Known, MedTechIngestion, PublicNetworkAccess, ResourceRef,
};

use super::{Bad, Builder, Mapped, Res, first_of, public_access, resource_from};

impl<'p, 'a> Builder<'p, 'a> {
    pub(super) fn workspace(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        // azurerm cannot set a workspace's public network access, so it keeps the platform
        // default. The computed `private_endpoint_connection` list carries neither the
        // endpoint nor the state; the plan's azurerm_private_endpoint resources do.
        let ws = resource_from!(Workspace, c, {
            public_network_access: Known::Value(PublicNetworkAccess::Enabled),
            private_endpoint_connections: Vec::new(),
            settings_listed: true,
        });
        self.estate().workspaces.push(ws);
        Ok(())
    }

    fn workspace_of(&self, res: &Res<'_, 'a>) -> Mapped<Known<ResourceRef>> {
        Ok(self
            .reference(res, res.attrs.get("workspace_id"), &["workspace_id"], 0)?
            .unwrap_or(Known::Unknown))
    }

    fn cors(res: &Res<'_, 'a>) -> Cors {
        match res.attrs.block("cors") {
            None => Cors::default(),
            Some(b) if b.is_unknown() => Cors {
                origins: Known::Unknown,
            },
            Some(b) => Cors {
                origins: b
                    .get("allowed_origins")
                    .strings()
                    .unwrap_or(Known::Value(Vec::new())),
            },
        }
    }

    /// A customer-managed key URL; when it is unknown because it reads an
    /// `azurerm_key_vault_key`, the URL is formed from that key's vault and name.
    fn key_url(&self, res: &Res<'_, 'a>, attr: &str) -> Option<CustomerManagedKey> {
        let value = res.attrs.get(attr);
        match value.str()? {
            Known::Value(url) => Some(CustomerManagedKey {
                key_url: Known::Value(url),
            }),
            Known::Unknown => {
                let url = self
                    .targets(res, &[attr], 0)
                    .into_iter()
                    .find_map(|(_, found)| {
                        let key = found?;
                        if key.rtype != "azurerm_key_vault_key" {
                            return None;
                        }
                        let key_name = super::name_of(key);
                        let vault = super::name_of(self.key_vault_of_key(key)?);
                        Some(format!("https://{vault}.vault.azure.net/keys/{key_name}"))
                    });
                Some(CustomerManagedKey {
                    key_url: url.map_or(Known::Unknown, Known::Value),
                })
            }
        }
    }

    fn key_vault_of_key(
        &self,
        key: &'p super::plan::PlanResource<'a>,
    ) -> Option<&'p super::plan::PlanResource<'a>> {
        let config = self
            .config
            .resource(&key.module, false, &key.rtype, &key.name);
        let res = Res {
            r: key,
            attrs: key.attrs(),
            config,
        };
        match key.attrs().get("key_vault_id").str()? {
            Known::Value(id) => self.plan.by_id("azurerm_key_vault", &id),
            Known::Unknown => self
                .targets(&res, &["key_vault_id"], 0)
                .into_iter()
                .find_map(|(_, f)| f.filter(|f| f.rtype == "azurerm_key_vault")),
        }
    }

    pub(super) fn fhir(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let export = self
            .copied_string(
                res,
                a.get("configuration_export_storage_account_name"),
                &["configuration_export_storage_account_name"],
            )
            .map(|name| ExportConfig {
                storage_account_name: name,
            });
        let mut servers: Vec<Known<String>> = Vec::new();
        match a.get("container_registry_login_server_url").strings() {
            Some(Known::Value(list)) => servers.extend(list.into_iter().map(Known::Value)),
            Some(Known::Unknown) => {
                servers.extend(self.registries_named_by(
                    res,
                    &["container_registry_login_server_url"],
                    0,
                ));
            }
            None => {}
        }
        let mut artifacts: Vec<Known<String>> = Vec::new();
        if let Some(blocks) = a.blocks("oci_artifact") {
            for (i, art) in blocks.into_iter().enumerate() {
                match art.get("login_server").str() {
                    Some(Known::Value(s)) => artifacts.push(Known::Value(s)),
                    Some(Known::Unknown) => {
                        artifacts.extend(self.registries_named_by(
                            res,
                            &["oci_artifact", "login_server"],
                            i,
                        ));
                    }
                    None => {}
                }
            }
        } else {
            artifacts.push(Known::Unknown);
        }
        let fhir = resource_from!(FhirService, c, {
            workspace: self.workspace_of(res)?,
            kind: a.get("kind").str().and_then(Known::into_value),
            identity: self.identity(res)?,
            // Computed in azurerm, which never sends it: the platform default applies.
            public_network_access: public_access(super::omitted::bool_setting(
                res,
                "public_network_access_enabled",
            )),
            cors: Self::cors(res),
            export: export,
            import: None,
            acr_login_servers: servers,
            oci_artifact_login_servers: artifacts,
            customer_managed_key: self.key_url(res, "encryption_key_url"),
            settings_listed: true,
        });
        self.estate().fhir_services.push(fhir);
        Ok(())
    }

    /// Login servers not known yet (`azurerm_container_registry.x.login_server` of a new
    /// registry): the registries the configuration reads them from, by name, which the
    /// model matches as `<name>.azurecr.io`; unknown when it reads none.
    fn registries_named_by(
        &self,
        res: &Res<'_, 'a>,
        path: &[&str],
        block: usize,
    ) -> Vec<Known<String>> {
        let targets = self.targets(res, path, block);
        if targets.is_empty() {
            return vec![Known::Unknown];
        }
        targets
            .into_iter()
            .map(|(_, found)| found.map_or(Known::Unknown, |f| Known::Value(super::name_of(f))))
            .collect()
    }

    pub(super) fn dicom(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let storage = match a.block("storage") {
            None => None,
            Some(b) if b.is_unknown() => None,
            Some(b) => Some(DicomStorage {
                storage_account: self
                    .reference(
                        res,
                        b.get("storage_account_id"),
                        &["storage", "storage_account_id"],
                        0,
                    )?
                    .unwrap_or(Known::Unknown),
                file_system_name: b.get("file_system_name").str().and_then(Known::into_value),
            }),
        };
        let dicom = resource_from!(DicomService, c, {
            workspace: self.workspace_of(res)?,
            identity: self.identity(res)?,
            public_network_access: public_access(a.get("public_network_access_enabled").bool()),
            cors: Self::cors(res),
            storage: storage,
            customer_managed_key: self.key_url(res, "encryption_key_url"),
            settings_listed: true,
        });
        self.estate().dicom_services.push(dicom);
        Ok(())
    }

    pub(super) fn medtech(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        let namespace = self.copied_string(
            res,
            a.get("eventhub_namespace_name"),
            &["eventhub_namespace_name"],
        );
        let ingestion = namespace.map(|ns| MedTechIngestion {
            eventhub_namespace: ns,
            eventhub_name: self
                .copied_string(res, a.get("eventhub_name"), &["eventhub_name"])
                .unwrap_or(Known::Unknown),
            consumer_group: self.copied_string(
                res,
                a.get("eventhub_consumer_group_name"),
                &["eventhub_consumer_group_name"],
            ),
        });
        let mt = resource_from!(MedTechService, c, {
            workspace: self.workspace_of(res)?,
            identity: self.identity(res)?,
            ingestion: ingestion,
            fhir_destinations: Vec::new(),
        });
        self.estate().medtech_services.push(mt);
        Ok(())
    }

    pub(super) fn medtech_fhir_destination(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let service = self.reference(
            res,
            res.attrs.get("medtech_service_id"),
            &["medtech_service_id"],
            0,
        )?;
        let fhir = self
            .reference(
                res,
                res.attrs.get("destination_fhir_service_id"),
                &["destination_fhir_service_id"],
                0,
            )?
            .unwrap_or(Known::Unknown);
        let Some(Known::Value(service)) = service else {
            return Ok(());
        };
        if let Some(i) = self.index.find(&self.estate.medtech_services, &service) {
            self.estate().medtech_services[i]
                .fhir_destinations
                .push(fhir);
        }
        Ok(())
    }

    pub(super) fn system_topic(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let (src, name) = first_of(res.attrs, &["source_arm_resource_id", "source_resource_id"]);
        let topic = resource_from!(SystemTopic, c, {
            source: self.reference(res, src, &[name], 0)?.unwrap_or(Known::Unknown),
            topic_type: res.attrs.get("topic_type").str().and_then(Known::into_value),
            identity: self.identity(res)?,
        });
        self.estate().system_topics.push(topic);
        Ok(())
    }

    pub(super) fn event_subscription(&mut self, res: &Res<'_, 'a>) -> Mapped<()> {
        let c = self.common(res)?;
        let a = res.attrs;
        // A system topic subscription names its topic; a generic one is scoped to the
        // workspace, whose implicit system topic raises the events.
        let topic = if res.r.rtype == "azurerm_eventgrid_system_topic_event_subscription" {
            let name = self
                .copied_string(res, a.get("system_topic"), &["system_topic"])
                .unwrap_or(Known::Unknown);
            match self.by_name("azurerm_eventgrid_system_topic", &name) {
                Some(t) => Known::Value(self.ref_of(t)),
                None => Known::Unknown,
            }
        } else {
            self.reference(res, a.get("scope"), &["scope"], 0)?
                .unwrap_or(Known::Unknown)
        };
        let (hub_attr, hub_name) = first_of(a, &["eventhub_endpoint_id", "eventhub_id"]);
        let (endpoint_type, resource_id, namespace) = if !hub_attr.is_unset() {
            let hub = self.reference(res, hub_attr, &[hub_name], 0)?;
            let namespace = self
                .targets(res, &[hub_name], 0)
                .into_iter()
                .find_map(|(_, f)| f.filter(|f| f.rtype == "azurerm_eventhub"))
                .and_then(|f| self.namespace_of_eventhub(f));
            (Known::Value("EventHub".to_string()), hub, namespace)
        } else {
            let other = [
                ("webhook_endpoint", "WebHook"),
                ("storage_queue_endpoint", "StorageQueue"),
                ("azure_function_endpoint", "AzureFunction"),
                ("service_bus_queue_endpoint_id", "ServiceBusQueue"),
                ("service_bus_topic_endpoint_id", "ServiceBusTopic"),
                ("hybrid_connection_endpoint_id", "HybridConnection"),
            ]
            .iter()
            .find(|(k, _)| !a.get(k).is_unset())
            .map(|(_, t)| t.to_string());
            (other.map_or(Known::Unknown, Known::Value), None, None)
        };
        let delivery_identity = match a.block("delivery_identity") {
            None => None,
            Some(b) if b.is_unknown() => Some(DeliveryIdentity {
                kind: Known::Unknown,
                user_assigned_identity: None,
            }),
            Some(b) => Some(DeliveryIdentity {
                kind: match b.get("type").str() {
                    Some(Known::Value(t)) if t.eq_ignore_ascii_case("UserAssigned") => {
                        Known::Value(DeliveryIdentityType::UserAssigned)
                    }
                    Some(Known::Value(t)) if t.eq_ignore_ascii_case("SystemAssigned") => {
                        Known::Value(DeliveryIdentityType::SystemAssigned)
                    }
                    Some(Known::Value(t)) => {
                        return Err(Bad {
                            attr: "delivery_identity/0/type".into(),
                            message: format!("unknown delivery identity type `{t}`"),
                        });
                    }
                    _ => Known::Unknown,
                },
                user_assigned_identity: self
                    .reference(
                        res,
                        b.get("user_assigned_identity"),
                        &["delivery_identity", "user_assigned_identity"],
                        0,
                    )?
                    .and_then(Known::into_value),
            }),
        };
        let es = resource_from!(EventSubscription, c, {
            topic: topic,
            destination: EventDestination {
                endpoint_type,
                resource_id,
                eventhub_namespace: namespace,
            },
            delivery_identity: delivery_identity,
            included_event_types: a.get("included_event_types").strings().and_then(Known::into_value).unwrap_or_default(),
        });
        self.estate().event_subscriptions.push(es);
        Ok(())
    }

    /// The namespace of an `azurerm_eventhub` of the plan (`namespace_name` in 3.x/4.x,
    /// `namespace_id` in 5.x).
    pub(super) fn namespace_of_eventhub(
        &self,
        hub: &super::plan::PlanResource<'a>,
    ) -> Option<Known<ResourceRef>> {
        let config = self
            .config
            .resource(&hub.module, false, &hub.rtype, &hub.name);
        let res = Res {
            r: hub,
            attrs: hub.attrs(),
            config,
        };
        let ns_id = res.attrs.get("namespace_id");
        let configured = super::config::expression(config, &["namespace_id"], 0).is_some();
        if ns_id.str().is_some_and(|k| !k.is_unknown()) || configured {
            return self
                .reference(&res, ns_id, &["namespace_id"], 0)
                .ok()
                .flatten();
        }
        let name =
            self.copied_string(&res, res.attrs.get("namespace_name"), &["namespace_name"])?;
        Some(
            self.by_name("azurerm_eventhub_namespace", &name)
                .map_or(Known::Unknown, |ns| Known::Value(self.ref_of(ns))),
        )
    }
}
