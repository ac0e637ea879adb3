//! Collects a live Azure estate into one export `ahds-guard check` reads.
//!
//! Azure Resource Graph gives the resources the rules read and the role assignments
//! (`authorizationresources`), one query per subscription so a subscription without access
//! is reported and the others still collected; ARM GETs add the children Resource Graph
//! does not index. [`http`] handles paging, throttling and retries.
//!
//! ```no_run
//! use ahds_collect::{CollectOptions, Scope, collect, credential_from_environment};
//!
//! let options = CollectOptions::new(Scope::Subscriptions(vec![
//!     "3d5f8a21-6b4c-4e9d-8f2a-7c1e0b9d4a65".into(),
//! ]));
//! let export = collect(&options, &credential_from_environment(), &|_: &str| {})?;
//! println!("{}", export.to_json());
//! # Ok::<(), ahds_collect::CollectError>(())
//! ```

mod auth;
mod children;
mod graph;
pub mod http;

use std::collections::BTreeMap;

use serde_json::{Value, json};

pub use auth::{Credential, TOKEN_VARIABLE, credential_from_environment};
pub use http::RetryPolicy;

/// Azure Resource Manager in the public cloud.
pub const PUBLIC_CLOUD: &str = "https://management.azure.com";

/// What to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// These subscriptions, each queried on its own.
    Subscriptions(Vec<String>),
    /// Every subscription under a management group.
    ManagementGroup(String),
}

/// How to collect.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The subscriptions or management group.
    pub scope: Scope,
    /// The Resource Manager endpoint (another cloud, or a test server).
    pub endpoint: String,
    /// Retries and waits.
    pub retry: RetryPolicy,
    /// Rows per Resource Graph page (at most 1000).
    pub page_size: u32,
}

impl CollectOptions {
    /// Options for the public cloud with the default retry policy.
    pub fn new(scope: Scope) -> Self {
        CollectOptions {
            scope,
            endpoint: PUBLIC_CLOUD.into(),
            retry: RetryPolicy::default(),
            page_size: 1000,
        }
    }
}

/// A scope or resource that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The subscription, management group or resource id.
    pub scope: String,
    /// The HTTP status, when the service answered.
    pub status: Option<u16>,
    /// What went wrong (the service's own message where it gave one).
    pub message: String,
}

/// What a collection gathered.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// Resources, role assignments and children, as Azure returns them.
    pub resources: Vec<Value>,
    /// Scopes and resources that could not be read.
    pub failures: Vec<Failure>,
    /// How many of each type (lower case) were collected per scope.
    pub counts: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Export {
    /// The export as a `{"value": [...]}` listing (what `check` reads), with the scopes
    /// and resources that could not be read under `ahdsGuardCollect.failures`: `check`
    /// reports each as an input error, so a partial audit never passes as complete.
    pub fn to_json(&self) -> Value {
        let failures: Vec<Value> = self
            .failures
            .iter()
            .map(|f| json!({ "scope": f.scope, "status": f.status, "message": f.message }))
            .collect();
        json!({
            "value": self.resources,
            "ahdsGuardCollect": { "failures": failures },
        })
    }

    fn add(&mut self, scope: &str, item: Value) {
        let ty = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("(no type)")
            .to_ascii_lowercase();
        *self
            .counts
            .entry(scope.to_string())
            .or_default()
            .entry(ty)
            .or_default() += 1;
        self.resources.push(item);
    }
}

/// Why nothing could be collected.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No credential of the chain gave a token.
    #[error("cannot sign in to Azure: {0}")]
    Auth(String),
    /// The HTTP client or runtime could not start.
    #[error("cannot start the HTTP client: {0}")]
    Setup(String),
}

/// Where a collection reports progress (a progress bar on a terminal).
pub trait Progress {
    /// One step done: what it was.
    fn step(&self, what: &str);
}

impl<F: Fn(&str)> Progress for F {
    fn step(&self, what: &str) {
        self(what)
    }
}

/// Collects the scope. A scope or child that cannot be read is listed in
/// [`Export::failures`]; only a failure to sign in or start is an error.
pub fn collect(
    options: &CollectOptions,
    credential: &Credential,
    progress: &dyn Progress,
) -> Result<Export, CollectError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .map_err(|e| CollectError::Setup(e.to_string()))?;
    runtime.block_on(collect_async(options, credential, progress))
}

async fn collect_async(
    options: &CollectOptions,
    credential: &Credential,
    progress: &dyn Progress,
) -> Result<Export, CollectError> {
    let endpoint = options.endpoint.trim_end_matches('/').to_string();
    let token = credential.token(&endpoint).await?;
    let client = http::Client::new(&endpoint, token, options.retry.clone())
        .map_err(|e| CollectError::Setup(e.to_string()))?;
    let mut export = Export::default();
    let scopes: Vec<graph::GraphScope> = match &options.scope {
        Scope::Subscriptions(subs) => subs
            .iter()
            .map(|s| graph::GraphScope::Subscription(s.clone()))
            .collect(),
        Scope::ManagementGroup(mg) => vec![graph::GraphScope::ManagementGroup(mg.clone())],
    };
    let resources_query = graph::resources_query();
    for scope in &scopes {
        let name = scope.name();
        progress.step(&format!("{name}: resources"));
        let rows = match graph::query(&client, scope, &resources_query, options.page_size).await {
            Ok(rows) => rows,
            Err(e) => {
                export.failures.push(Failure {
                    scope: name.clone(),
                    status: e.status,
                    message: e.message,
                });
                continue;
            }
        };
        progress.step(&format!("{name}: role assignments"));
        match graph::query(
            &client,
            scope,
            graph::ROLE_ASSIGNMENTS_QUERY,
            options.page_size,
        )
        .await
        {
            Ok(ras) => {
                for ra in ras {
                    export.add(&name, ra);
                }
            }
            Err(e) => export.failures.push(Failure {
                scope: format!("{name} (role assignments)"),
                status: e.status,
                message: e.message,
            }),
        }
        for row in &rows {
            for (child, what) in children::of(row) {
                progress.step(&format!("{name}: {what}"));
                match children::get(&client, &child).await {
                    Ok(items) => {
                        for item in items {
                            export.add(&name, item);
                        }
                    }
                    Err(e) => export.failures.push(Failure {
                        scope: child.path.clone(),
                        status: e.status,
                        message: e.message,
                    }),
                }
            }
        }
        for row in rows {
            export.add(&name, row);
        }
    }
    Ok(export)
}
