//! Signing in: the credential chain Azure tools use, through `azure_identity` — a service
//! principal from the environment, workload identity, the Azure CLI login, then managed
//! identity. A token already in `AHDS_GUARD_ACCESS_TOKEN` (from `az account
//! get-access-token`, or a test) is used as it is. Never a secret on the command line.

use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential,
    WorkloadIdentityCredential,
};

use crate::CollectError;

/// The variable holding a ready access token.
pub const TOKEN_VARIABLE: &str = "AHDS_GUARD_ACCESS_TOKEN";

/// Where the access token comes from.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A token given as it is.
    Token(String),
    /// The first credential of the chain that signs in.
    Chain,
}

/// [`Credential::Token`] when `AHDS_GUARD_ACCESS_TOKEN` is set, else the chain.
pub fn credential_from_environment() -> Credential {
    match std::env::var(TOKEN_VARIABLE) {
        Ok(t) if !t.trim().is_empty() => Credential::Token(t.trim().to_string()),
        _ => Credential::Chain,
    }
}

impl Credential {
    pub(crate) async fn token(&self, endpoint: &str) -> Result<String, CollectError> {
        match self {
            Credential::Token(t) => Ok(t.clone()),
            Credential::Chain => chain(&format!("{endpoint}/.default")).await,
        }
    }
}

async fn chain(scope: &str) -> Result<String, CollectError> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    let mut tried: Vec<String> = Vec::new();
    let mut candidates: Vec<(&str, Arc<dyn TokenCredential>)> = Vec::new();
    if let (Some(tenant), Some(client), Some(secret)) = (
        var("AZURE_TENANT_ID"),
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET"),
    ) {
        match ClientSecretCredential::new(&tenant, client, Secret::new(secret), None) {
            Ok(c) => candidates.push(("environment service principal", c)),
            Err(e) => tried.push(format!("environment service principal: {e}")),
        }
    }
    if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        match WorkloadIdentityCredential::new(None) {
            Ok(c) => candidates.push(("workload identity", c)),
            Err(e) => tried.push(format!("workload identity: {e}")),
        }
    }
    match AzureCliCredential::new(None) {
        Ok(c) => candidates.push(("Azure CLI", c)),
        Err(e) => tried.push(format!("Azure CLI: {e}")),
    }
    match ManagedIdentityCredential::new(None) {
        Ok(c) => candidates.push(("managed identity", c)),
        Err(e) => tried.push(format!("managed identity: {e}")),
    }
    for (name, c) in candidates {
        match c.get_token(&[scope], None).await {
            Ok(t) => return Ok(t.token.secret().to_string()),
            Err(e) => tried.push(format!("{name}: {e}")),
        }
    }
    Err(CollectError::Auth(format!(
        "no credential signed in ({}); run `az login`, or set AZURE_TENANT_ID/AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE, or {TOKEN_VARIABLE}",
        tried.join("; ")
    )))
}
