//! Lookup tables over an estate, built once so every derived fact is a keyed lookup.

use foldhash::HashMap;

use crate::estate::Estate;
use crate::links::TargetType;
use crate::resource::{Meta, Resource};
use crate::resource_id::ResourceRef;
use crate::symbolic::is_symbolic;

/// Where a resource sits in its collection.
pub(crate) type Slot = usize;

/// Maps from every way the input names a resource to that resource.
#[derive(Debug, Default)]
pub(crate) struct EstateIndex {
    /// Every id key and address → the resource's canonical key.
    canonical: HashMap<String, String>,
    pub(crate) workspaces: HashMap<String, Slot>,
    pub(crate) storage_by_key: HashMap<String, Slot>,
    pub(crate) storage_by_name: HashMap<String, Slot>,
    pub(crate) registry_by_key: HashMap<String, Slot>,
    pub(crate) registry_by_host: HashMap<String, Slot>,
    pub(crate) registry_by_name: HashMap<String, Slot>,
    pub(crate) namespace_by_key: HashMap<String, Slot>,
    pub(crate) namespace_by_host: HashMap<String, Slot>,
    pub(crate) namespace_by_name: HashMap<String, Slot>,
    pub(crate) vault_by_key: HashMap<String, Slot>,
    pub(crate) vault_by_host: HashMap<String, Slot>,
    pub(crate) vault_by_name: HashMap<String, Slot>,
    pub(crate) topics: HashMap<String, Slot>,
    pub(crate) user_identities: HashMap<String, Slot>,
    /// The kinds of target of which some resource has a symbolic name or id.
    pub(crate) symbolic_targets: Vec<TargetType>,
}

fn symbolic_meta(meta: Meta<'_>) -> bool {
    meta.name.value().is_some_and(|n| is_symbolic(n))
        || meta.id.is_some_and(|id| is_symbolic(id.as_str()))
}

fn add_keys(map: &mut HashMap<String, Slot>, meta: Meta<'_>, slot: Slot) {
    if let Some(id) = meta.id {
        map.entry(id.key().to_string()).or_insert(slot);
    }
    if let Some(a) = meta.address {
        map.entry(a.to_string()).or_insert(slot);
    }
}

fn add_name(map: &mut HashMap<String, Slot>, meta: Meta<'_>, slot: Slot) {
    if let Some(n) = meta.name.value() {
        map.entry(n.to_ascii_lowercase()).or_insert(slot);
    }
}

/// The host of a URL or host name, lower-cased, without scheme, port or path.
pub(crate) fn host_of(s: &str) -> String {
    let s = s.trim();
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.split(['/', '?', '#']).next().unwrap_or(s);
    let s = s.rsplit_once('@').map_or(s, |(_, h)| h);
    // A port follows the last `:` outside a symbol (`{uniqueString:4a8c}` holds one).
    let s = match first_outside_symbols(s, ':') {
        Some(i) => &s[..i],
        None => s,
    };
    s.trim_end_matches('.').to_ascii_lowercase()
}

/// The first label of a host name: Azure forms service hosts as `<name>.<service suffix>`,
/// and the suffix differs between clouds.
pub(crate) fn name_part(host: &str) -> &str {
    // A symbol may hold dots (`{azurerm_container_registry.acr.name}`): the first label
    // ends at the first dot outside one.
    match first_outside_symbols(host, '.') {
        Some(i) => &host[..i],
        None => host,
    }
}

/// The first `c` of `s` that is not inside a `{symbol}`.
fn first_outside_symbols(s: &str, c: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, x) in s.char_indices() {
        match x {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            x if x == c && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

impl EstateIndex {
    pub(crate) fn build(estate: &Estate) -> Self {
        let mut idx = EstateIndex::default();
        for meta in estate.metas() {
            let key = meta.key();
            if let Some(id) = meta.id {
                idx.canonical
                    .entry(id.key().to_string())
                    .or_insert_with(|| key.clone());
            }
            if let Some(a) = meta.address {
                idx.canonical.entry(a.to_string()).or_insert(key);
            }
        }
        for (i, r) in estate.workspaces.iter().enumerate() {
            add_keys(&mut idx.workspaces, r.meta(), i);
        }
        for (i, r) in estate.storage_accounts.iter().enumerate() {
            add_keys(&mut idx.storage_by_key, r.meta(), i);
            add_name(&mut idx.storage_by_name, r.meta(), i);
        }
        for (i, r) in estate.container_registries.iter().enumerate() {
            add_keys(&mut idx.registry_by_key, r.meta(), i);
            add_name(&mut idx.registry_by_name, r.meta(), i);
            if let Some(h) = r.login_server.value() {
                idx.registry_by_host.entry(host_of(h)).or_insert(i);
            }
        }
        for (i, r) in estate.eventhub_namespaces.iter().enumerate() {
            add_keys(&mut idx.namespace_by_key, r.meta(), i);
            add_name(&mut idx.namespace_by_name, r.meta(), i);
            if let Some(h) = r.service_bus_endpoint.value() {
                idx.namespace_by_host.entry(host_of(h)).or_insert(i);
            }
        }
        for (i, r) in estate.key_vaults.iter().enumerate() {
            add_keys(&mut idx.vault_by_key, r.meta(), i);
            add_name(&mut idx.vault_by_name, r.meta(), i);
            if let Some(h) = r.vault_uri.value() {
                idx.vault_by_host.entry(host_of(h)).or_insert(i);
            }
        }
        let kinds = [
            (
                TargetType::StorageAccount,
                estate
                    .storage_accounts
                    .iter()
                    .any(|r| symbolic_meta(r.meta())),
            ),
            (
                TargetType::ContainerRegistry,
                estate
                    .container_registries
                    .iter()
                    .any(|r| symbolic_meta(r.meta())),
            ),
            (
                TargetType::EventHubNamespace,
                estate
                    .eventhub_namespaces
                    .iter()
                    .any(|r| symbolic_meta(r.meta())),
            ),
            (
                TargetType::KeyVault,
                estate.key_vaults.iter().any(|r| symbolic_meta(r.meta())),
            ),
        ];
        idx.symbolic_targets = kinds
            .into_iter()
            .filter(|(_, s)| *s)
            .map(|(k, _)| k)
            .collect();
        for (i, r) in estate.system_topics.iter().enumerate() {
            add_keys(&mut idx.topics, r.meta(), i);
        }
        for (i, r) in estate.user_assigned_identities.iter().enumerate() {
            add_keys(&mut idx.user_identities, r.meta(), i);
        }
        idx
    }

    /// The canonical key of whatever `r` names: the key of the resource in the input, or
    /// the reference's own key when it is not in the input.
    pub(crate) fn canonical(&self, r: &ResourceRef) -> String {
        self.canonical_key(r.key())
    }

    pub(crate) fn canonical_key(&self, key: &str) -> String {
        self.canonical
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// True when the key names a resource in the input.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.canonical.contains_key(key)
    }

    /// Looks a host name up by exact host, then by its name part.
    pub(crate) fn by_host(
        by_host: &HashMap<String, Slot>,
        by_name: &HashMap<String, Slot>,
        value: &str,
    ) -> Option<Slot> {
        let host = host_of(value);
        by_host
            .get(&host)
            .or_else(|| by_name.get(name_part(&host)))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            host_of("https://KV1.vault.azure.net/keys/k/123"),
            "kv1.vault.azure.net"
        );
        assert_eq!(
            host_of("https://ns.servicebus.windows.net:443/"),
            "ns.servicebus.windows.net"
        );
        assert_eq!(host_of("acr1.azurecr.io"), "acr1.azurecr.io");
        assert_eq!(name_part("kv1.vault.usgovcloudapi.net"), "kv1");
        assert_eq!(
            name_part("acr{azurerm_container_registry.acr.name}.azurecr.io"),
            "acr{azurerm_container_registry.acr.name}"
        );
    }
}
