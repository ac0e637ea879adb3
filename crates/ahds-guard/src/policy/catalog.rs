//! Catalog entries: what a rule is, read from its package's `# METADATA` block.

use serde::Serialize;

use crate::policy::metadata::{AnnotationBlock, AnnotationTarget};
use crate::report::severity::Severity;

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RuleOrigin {
    /// Shipped inside the evaluator.
    Bundled,
    /// Loaded from a user's policy directory.
    Custom,
}

/// One rule of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    /// Catalog id (`AHDS-PL-001`).
    pub id: String,
    /// Kebab-case name of the bad pattern.
    pub name: String,
    /// Short title.
    pub title: String,
    /// What the rule checks and why it matters.
    pub description: String,
    /// Severity from the metadata (before configuration overrides).
    pub severity: Severity,
    /// What to change.
    pub remediation: String,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// The Rego package (`ahds.rules.private_link.workspace_without_private_link`).
    pub package: String,
    /// The policy file.
    pub file: String,
    /// Line of the `# METADATA` block.
    pub line: u32,
    /// Bundled or custom.
    pub origin: RuleOrigin,
    /// The input collections whose resources the rule checks (`custom.applies_to`); empty
    /// means every resource. Reports that list checked resources (JUnit) use it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<String>,
    /// True when the package also declares `undetermined`.
    #[serde(skip)]
    pub has_undetermined: bool,
    /// True when the package also declares `notes`.
    #[serde(skip)]
    pub has_notes: bool,
}

/// The resource collections of the policy input.
pub(crate) const COLLECTIONS: &[&str] = &[
    "workspaces",
    "fhir_services",
    "dicom_services",
    "medtech_services",
    "storage_accounts",
    "container_registries",
    "eventhub_namespaces",
    "key_vaults",
    "private_endpoints",
    "role_assignments",
    "user_assigned_identities",
    "network_security_groups",
    "firewalls",
    "system_topics",
    "event_subscriptions",
];

/// Why a package's metadata does not make a catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogProblem {
    pub(crate) line: u32,
    pub(crate) message: String,
}

fn custom_str(block: &AnnotationBlock, key: &str) -> Option<String> {
    block
        .annotations
        .custom
        .get(key)
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Builds the catalog entry of a rule package from its package-scoped annotation block.
pub(crate) fn rule_info(
    block: &AnnotationBlock,
    package: &str,
    file: &str,
    origin: RuleOrigin,
) -> Result<RuleInfo, CatalogProblem> {
    debug_assert_eq!(block.target, AnnotationTarget::Package);
    let problem = |message: String| CatalogProblem {
        line: block.line,
        message,
    };
    let a = &block.annotations;
    let id = custom_str(block, "id").ok_or_else(|| problem("metadata lacks `custom.id`".into()))?;
    let title = a
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| problem(format!("metadata of `{id}` lacks `title`")))?;
    let severity = custom_str(block, "severity")
        .ok_or_else(|| problem(format!("metadata of `{id}` lacks `custom.severity`")))?
        .parse::<Severity>()
        .map_err(|e| problem(format!("metadata of `{id}`: {e}")))?;
    let name = custom_str(block, "name").unwrap_or_else(|| {
        package
            .rsplit('.')
            .next()
            .unwrap_or(package)
            .replace('_', "-")
    });
    let applies_to = match block.annotations.custom.get("applies_to") {
        None => Vec::new(),
        Some(serde_json::Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let name = item
                    .as_str()
                    .filter(|n| COLLECTIONS.contains(n))
                    .ok_or_else(|| {
                        problem(format!(
                            "`custom.applies_to` of `{id}` lists {item}, not one of {}",
                            COLLECTIONS.join(", ")
                        ))
                    })?;
                out.push(name.to_string());
            }
            out
        }
        Some(other) => {
            return Err(problem(format!(
                "`custom.applies_to` of `{id}` must be a list of input collections, found {other}"
            )));
        }
    };
    Ok(RuleInfo {
        applies_to,
        id,
        name,
        title: title.trim().to_string(),
        description: a.description.clone().unwrap_or_default().trim().to_string(),
        severity,
        remediation: custom_str(block, "remediation").unwrap_or_default(),
        doc_url: a.related_resources.first().map(|r| r.url().to_string()),
        package: package.to_string(),
        file: file.to_string(),
        line: block.line,
        origin,
        has_undetermined: false,
        has_notes: false,
    })
}
