//! Per-resource facts found again by the resource id a finding names.

use ahds_model::{Estate, Meta};
use foldhash::HashMap;

/// A value per resource, found by the id a finding names: the display id (the ARM id as
/// spelt in the input, or the address) or the key, in any letter case. Keys borrow from
/// the estate: the report's source and waiver tables are built on every evaluation, and
/// owned ids cost 0.3 s on 10,000 workspaces.
pub(crate) struct ByResource<'a, V>(HashMap<&'a str, V>);

impl<'a, V: Copy> ByResource<'a, V> {
    /// The resources `pick` gives a value for.
    pub(crate) fn build(estate: &'a Estate, pick: impl Fn(&Meta<'a>) -> Option<V>) -> Self {
        let picked: Vec<(Meta<'a>, V)> = estate
            .metas()
            .into_iter()
            .filter_map(|m| pick(&m).map(|v| (m, v)))
            .collect();
        let mut map = HashMap::with_capacity_and_hasher(2 * picked.len(), Default::default());
        for (meta, v) in picked {
            map.insert(meta.display_id_str(), v);
            map.insert(meta.key_str(), v);
        }
        ByResource(map)
    }

    /// The value of the resource `resource_id` names.
    pub(crate) fn get(&self, resource_id: &str) -> Option<V> {
        self.0
            .get(resource_id)
            .or_else(|| self.0.get(resource_id.to_ascii_lowercase().as_str()))
            .copied()
    }
}
