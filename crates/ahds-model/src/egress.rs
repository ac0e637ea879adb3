//! The published egress addresses of the FHIR service per region.
//!
//! The table itself is policy data (`policies/ahds/fhir_egress/data.json`, loaded as
//! `data.ahds.fhir_egress`), not code: the evaluator hands it to the model so IP facts can
//! be computed with `ipnet`.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// Region name → the FHIR service's egress address there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressTable {
    by_region: BTreeMap<String, IpAddr>,
}

/// Why an egress table could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressTableError {
    /// The table is not a JSON object of strings.
    #[error("egress table must be an object of region name to address, found {0}")]
    NotAnObject(&'static str),
    /// An address does not parse.
    #[error("egress address `{address}` of region `{region}` is not an IP address")]
    BadAddress {
        /// The region.
        region: String,
        /// The address as given.
        address: String,
    },
}

impl EgressTable {
    /// Builds the table from pairs; region names are normalised like locations.
    pub fn new(entries: impl IntoIterator<Item = (String, IpAddr)>) -> Self {
        EgressTable {
            by_region: entries
                .into_iter()
                .map(|(r, a)| (normalize_location(&r), a))
                .collect(),
        }
    }

    /// Reads the table from its JSON form (`{"eastus": "20.62.128.148", ...}`).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, EgressTableError> {
        let obj = value
            .as_object()
            .ok_or(EgressTableError::NotAnObject(json_kind(value)))?;
        let mut entries = Vec::with_capacity(obj.len());
        for (region, v) in obj {
            let s = v
                .as_str()
                .ok_or(EgressTableError::NotAnObject(json_kind(v)))?;
            let addr = s.parse().map_err(|_| EgressTableError::BadAddress {
                region: region.clone(),
                address: s.to_string(),
            })?;
            entries.push((region.clone(), addr));
        }
        Ok(EgressTable::new(entries))
    }

    /// The egress address of a region.
    pub fn get(&self, region: &str) -> Option<IpAddr> {
        self.by_region.get(&normalize_location(region)).copied()
    }

    /// All entries, by normalised region name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, IpAddr)> {
        self.by_region.iter().map(|(r, a)| (r.as_str(), *a))
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Normalises an Azure location: `East US` and `eastus` are the same region.
pub fn normalize_location(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}
