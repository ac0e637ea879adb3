//! Azure Resource Graph queries, paged with `$skipToken`.

use serde_json::{Value, json};

use crate::http::{Client, HttpError};

const API: &str = "2022-10-01";

/// Role assignments, as Resource Graph indexes them.
pub(crate) const ROLE_ASSIGNMENTS_QUERY: &str =
    "authorizationresources | where type =~ 'microsoft.authorization/roleassignments'";

/// The resources the rules read: every type the readers map, from one list.
pub(crate) fn resources_query() -> String {
    let types: Vec<String> = ahds_ingest::arm_types_read()
        .into_iter()
        .map(|t| format!("'{t}'"))
        .collect();
    format!("resources | where type in~ ({})", types.join(", "))
}

/// Where a query runs.
#[derive(Debug, Clone)]
pub(crate) enum GraphScope {
    Subscription(String),
    ManagementGroup(String),
}

impl GraphScope {
    pub(crate) fn name(&self) -> String {
        match self {
            GraphScope::Subscription(s) => format!("subscription {s}"),
            GraphScope::ManagementGroup(m) => format!("management group {m}"),
        }
    }
}

/// Every row of a query, page after page.
pub(crate) async fn query(
    client: &Client,
    scope: &GraphScope,
    query: &str,
    page_size: u32,
) -> Result<Vec<Value>, HttpError> {
    let url = client.url(&format!(
        "/providers/Microsoft.ResourceGraph/resources?api-version={API}"
    ));
    let mut rows = Vec::new();
    let mut skip_token: Option<String> = None;
    // A service that keeps handing out tokens must not keep us forever.
    for _ in 0..100_000 {
        let mut options = json!({ "$top": page_size.min(1000), "resultFormat": "objectArray" });
        if let Some(t) = &skip_token {
            options["$skipToken"] = json!(t);
        }
        let mut body = json!({ "query": query, "options": options });
        match scope {
            GraphScope::Subscription(s) => body["subscriptions"] = json!([s]),
            GraphScope::ManagementGroup(m) => body["managementGroups"] = json!([m]),
        }
        let page = client.send(&url, Some(&body)).await?;
        match page.get("data") {
            Some(Value::Array(data)) => rows.extend(data.iter().cloned()),
            _ => {
                return Err(HttpError {
                    status: None,
                    message: "Resource Graph answered without a `data` array".into(),
                });
            }
        }
        skip_token = page
            .get("$skipToken")
            .and_then(Value::as_str)
            .map(str::to_string);
        if skip_token.is_none() {
            return Ok(rows);
        }
    }
    Err(HttpError {
        status: None,
        message: "Resource Graph kept paging past 100,000 pages".into(),
    })
}
