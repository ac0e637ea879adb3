//! AHDS workspaces and their FHIR, DICOM and MedTech services.

use ahds_model::{
    DicomStorage, ExportConfig, ImportConfig, Known, MedTechIngestion, ResourceId,
    WorkspaceConnection,
};

use super::fields::{
    cmk, connection_status, cors, id_of, identity, login_server, parent_of, public_access,
    reference, workspace_of,
};
use super::{ArmResource, Common, Mapped, Mapper, Provenance, bad, orphan};
use crate::arm::props::{items, known_bool, known_list, known_str, path, prop, str_at};

/// A FHIR or DICOM service's public access and CORS, unknown when the listing carries no
/// settings.
fn listed_access_and_cors(
    v: &serde_json::Value,
    listed: bool,
) -> Mapped<(Known<ahds_model::PublicNetworkAccess>, ahds_model::Cors)> {
    if listed {
        Ok((public_access(v)?, cors(v)))
    } else {
        Ok((
            Known::Unknown,
            ahds_model::Cors {
                origins: Known::Unknown,
            },
        ))
    }
}

impl Mapper<'_> {
    /// Whether the record carries the service's settings. A live listing without
    /// `properties` does not: what the rules read from them is unknown, and a note says
    /// which export has them (and that features such as export are not visible either).
    fn settings_listed(&mut self, r: &ArmResource<'_>, c: &Common) -> bool {
        if self.provenance != Provenance::Listing || prop(r.value, "properties").is_some() {
            return true;
        }
        let id = c.id.as_ref().map_or("resource", ResourceId::as_str);
        self.estate.notes.push(format!(
            "{}: `{id}`: the listing does not carry its `properties`, so its private link, public access, CORS and encryption settings are unknown (those checks are undetermined) and the outbound features it uses are not visible; an ARM GET of the resource (`az resource show --ids {id}`) includes them",
            r.file
        ));
        false
    }

    pub(super) fn workspace(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let mut connections = Vec::new();
        for conn in items(r.value, &["properties", "privateEndpointConnections"]) {
            connections.push(WorkspaceConnection {
                name: str_at(conn, &["name"]).map(str::to_string),
                private_endpoint: reference(conn, &["properties", "privateEndpoint", "id"])?
                    .unwrap_or(Known::Unknown),
                status: connection_status(
                    conn,
                    &["properties", "privateLinkServiceConnectionState", "status"],
                ),
            });
        }
        let listed = self.settings_listed(r, &c);
        let ws = build!(Workspace, c, {
            public_network_access: if listed { public_access(r.value)? } else { Known::Unknown },
            private_endpoint_connections: connections,
            settings_listed: listed,
        });
        self.estate.workspaces.push(ws);
        Ok(())
    }

    pub(super) fn workspace_connection(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let conn = WorkspaceConnection {
            name: str_at(r.value, &["name"]).map(str::to_string),
            private_endpoint: reference(r.value, &["properties", "privateEndpoint", "id"])?
                .unwrap_or(Known::Unknown),
            status: connection_status(
                r.value,
                &["properties", "privateLinkServiceConnectionState", "status"],
            ),
        };
        let Known::Value(ws) = workspace_of(&id) else {
            return Err(bad(
                "/id",
                "cannot tell which workspace this connection belongs to",
            ));
        };
        let i = self
            .index
            .find(&self.estate.workspaces, &ws)
            .ok_or_else(|| orphan("workspace", &ws))?;
        let list = &mut self.estate.workspaces[i].private_endpoint_connections;
        // Listings repeat connections the workspace already embeds.
        if !list
            .iter()
            .any(|c| c.private_endpoint == conn.private_endpoint)
        {
            list.push(conn);
        }
        Ok(())
    }

    pub(super) fn fhir(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let export = known_str(
            v,
            &["properties", "exportConfiguration", "storageAccountName"],
        )
        .map(|n| ExportConfig {
            storage_account_name: n,
        });
        let import = path(v, &["properties", "importConfiguration"]).and_then(|ic| {
            let store = known_str(ic, &["integrationDataStore"])?;
            Some(ImportConfig {
                enabled: known_bool(ic, &["enabled"]).unwrap_or(Known::Value(false)),
                storage_account_name: store,
                initial_import_mode: known_bool(ic, &["initialImportMode"])
                    .and_then(Known::into_value),
            })
        });
        let servers: Vec<Known<String>> =
            match known_list(v, &["properties", "acrConfiguration", "loginServers"]) {
                None => Vec::new(),
                Some(Known::Unknown) => vec![Known::Unknown],
                Some(Known::Value(l)) => l.iter().map(login_server).collect(),
            };
        let artifacts: Vec<Known<String>> =
            match known_list(v, &["properties", "acrConfiguration", "ociArtifacts"]) {
                None => Vec::new(),
                Some(Known::Unknown) => vec![Known::Unknown],
                Some(Known::Value(l)) => l
                    .iter()
                    .filter_map(|art| known_str(art, &["loginServer"]))
                    .collect(),
            };
        let listed = self.settings_listed(r, &c);
        let (access, cors) = listed_access_and_cors(v, listed)?;
        let fhir = build!(FhirService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            kind: str_at(v, &["kind"]).map(str::to_string),
            identity: identity(v)?,
            public_network_access: access,
            cors: cors,
            export: export,
            import: import,
            acr_login_servers: servers,
            oci_artifact_login_servers: artifacts,
            customer_managed_key: cmk(v),
            settings_listed: listed,
        });
        self.estate.fhir_services.push(fhir);
        Ok(())
    }

    pub(super) fn dicom(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let storage = path(v, &["properties", "storageConfiguration"]).and_then(|sc| {
            let account = reference(sc, &["storageResourceId"]).ok().flatten()?;
            Some(DicomStorage {
                storage_account: account,
                file_system_name: str_at(sc, &["fileSystemName"]).map(str::to_string),
            })
        });
        let listed = self.settings_listed(r, &c);
        let (access, cors) = listed_access_and_cors(v, listed)?;
        let dicom = build!(DicomService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            identity: identity(v)?,
            public_network_access: access,
            cors: cors,
            storage: storage,
            customer_managed_key: cmk(v),
            settings_listed: listed,
        });
        self.estate.dicom_services.push(dicom);
        Ok(())
    }

    pub(super) fn medtech(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let c = self.common(r)?;
        let v = r.value;
        let ingestion =
            path(v, &["properties", "ingestionEndpointConfiguration"]).map(|ie| MedTechIngestion {
                eventhub_namespace: known_str(ie, &["fullyQualifiedEventHubNamespace"])
                    .unwrap_or(Known::Unknown),
                eventhub_name: known_str(ie, &["eventHubName"]).unwrap_or(Known::Unknown),
                consumer_group: known_str(ie, &["consumerGroup"]),
            });
        let mt = build!(MedTechService, c.clone_workspace(), {
            workspace: workspace_of(&c.id),
            identity: identity(v)?,
            ingestion: ingestion,
            fhir_destinations: Vec::new(),
        });
        self.estate.medtech_services.push(mt);
        Ok(())
    }

    pub(super) fn fhir_destination(&mut self, r: &ArmResource<'_>) -> Mapped<()> {
        let id = id_of(r.value)?;
        let fhir =
            reference(r.value, &["properties", "fhirServiceResourceId"])?.unwrap_or(Known::Unknown);
        let parent = parent_of(id.as_ref(), "MedTech service this destination belongs to")?;
        let i = self
            .index
            .find(&self.estate.medtech_services, &parent)
            .ok_or_else(|| orphan("MedTech service", &parent))?;
        self.estate.medtech_services[i].fhir_destinations.push(fhir);
        Ok(())
    }
}
