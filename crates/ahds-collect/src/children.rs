//! Children of collected resources that Resource Graph does not index, read with ARM GETs.

use serde_json::Value;

use crate::http::{Client, HttpError};

/// One GET to make: a single resource or a collection (`value` with `nextLink`).
#[derive(Debug, Clone)]
pub(crate) struct Child {
    pub(crate) path: String,
    api: &'static str,
    collection: bool,
}

/// The children a Resource Graph row needs, with what each is for progress messages.
pub(crate) fn of(row: &Value) -> Vec<(Child, &'static str)> {
    let (Some(id), Some(ty)) = (
        row.get("id").and_then(Value::as_str),
        row.get("type").and_then(Value::as_str),
    ) else {
        return Vec::new();
    };
    let child = |suffix: &str, api, collection| Child {
        path: format!("{id}/{suffix}"),
        api,
        collection,
    };
    match ty.to_ascii_lowercase().as_str() {
        "microsoft.eventhub/namespaces" => vec![(
            child("networkRuleSets/default", "2024-01-01", false),
            "Event Hubs network rule sets",
        )],
        "microsoft.eventgrid/systemtopics" => vec![(
            child("eventSubscriptions", "2022-06-15", true),
            "Event Grid event subscriptions",
        )],
        "microsoft.network/privateendpoints" => vec![(
            child("privateDnsZoneGroups", "2023-09-01", true),
            "private DNS zone groups",
        )],
        "microsoft.network/firewallpolicies" => vec![(
            child("ruleCollectionGroups", "2023-09-01", true),
            "firewall rule collection groups",
        )],
        _ => Vec::new(),
    }
}

/// The child resources; a single child that does not exist (`404`) is none.
pub(crate) async fn get(client: &Client, child: &Child) -> Result<Vec<Value>, HttpError> {
    let mut url = client.url(&format!("{}?api-version={}", child.path, child.api));
    if !child.collection {
        return match client.send(&url, None).await {
            Ok(v) => Ok(vec![v]),
            Err(e) if e.status == Some(404) => Ok(Vec::new()),
            Err(e) => Err(e),
        };
    }
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let page = client.send(&url, None).await?;
        if let Some(Value::Array(items)) = page.get("value") {
            out.extend(items.iter().cloned());
        }
        match page.get("nextLink").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => url = client.url(next),
            _ => return Ok(out),
        }
    }
    Ok(out)
}
