//! `# METADATA` blocks, parsed as Open Policy Agent defines them.
//!
//! regorus drops comments, so annotations are read from the source text: a block starts with
//! a `# METADATA` line at column 1, continues over the comment lines that follow, holds YAML,
//! and applies to the `package` or rule statement after it.

use ahds_model::Place;
use serde::Deserialize;

/// What an annotation block applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AnnotationTarget {
    /// The `package` statement (scope `package` or `subpackages`).
    Package,
    /// A rule or function, by name.
    Rule(String),
}

/// A related resource: a link with an optional description.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum RelatedResource {
    /// Just a URL.
    Url(String),
    /// A URL with a description.
    Described {
        /// The URL.
        #[serde(rename = "ref")]
        url: String,
        /// What it is.
        #[serde(default)]
        description: Option<String>,
    },
}

impl RelatedResource {
    /// The URL.
    pub(crate) fn url(&self) -> &str {
        match self {
            RelatedResource::Url(u) | RelatedResource::Described { url: u, .. } => u,
        }
    }
}

/// One `# METADATA` block.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Annotations {
    /// `rule`, `document`, `package` or `subpackages`.
    #[serde(default)]
    pub(crate) scope: Option<String>,
    /// A short human-readable title.
    #[serde(default)]
    pub(crate) title: Option<String>,
    /// A longer description.
    #[serde(default)]
    pub(crate) description: Option<String>,
    /// Links to read more.
    #[serde(default)]
    pub(crate) related_resources: Vec<RelatedResource>,
    /// Authors (free form, as OPA allows names or objects).
    #[serde(default)]
    pub(crate) authors: Vec<serde_json::Value>,
    /// Organizations.
    #[serde(default)]
    pub(crate) organizations: Vec<String>,
    /// Input schemas (OPA type checking; accepted and ignored here).
    #[serde(default)]
    pub(crate) schemas: Vec<serde_json::Value>,
    /// Whether the rule is an entrypoint.
    #[serde(default)]
    pub(crate) entrypoint: Option<bool>,
    /// OPA compile directives (accepted and ignored).
    #[serde(default)]
    pub(crate) compile: Option<serde_json::Value>,
    /// Anything else: ahds-guard reads `id`, `name`, `severity`, `remediation` from here.
    #[serde(default)]
    pub(crate) custom: serde_json::Map<String, serde_json::Value>,
}

/// An annotation block with where it is and what it applies to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AnnotationBlock {
    /// 1-based line of the `# METADATA` comment.
    pub(crate) line: u32,
    /// The statement the block applies to.
    pub(crate) target: AnnotationTarget,
    /// The parsed annotations.
    pub(crate) annotations: Annotations,
}

/// A `# METADATA` block that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct MetadataError {
    /// The policy file and the line of the problem.
    pub place: Place,
    /// What is wrong.
    pub message: String,
}

/// Reads every `# METADATA` block of a Rego source file.
pub(crate) fn parse_annotations(
    file: &str,
    source: &str,
) -> Result<Vec<AnnotationBlock>, MetadataError> {
    let lines: Vec<&str> = source.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "# METADATA" {
            i += 1;
            continue;
        }
        let start = i;
        let mut yaml = String::new();
        i += 1;
        while i < lines.len() && lines[i].starts_with('#') {
            let body = &lines[i][1..];
            yaml.push_str(body.strip_prefix(' ').unwrap_or(body));
            yaml.push('\n');
            i += 1;
        }
        let err = |line: usize, message: String| MetadataError {
            place: Place::in_file(file).at_line(u32::try_from(line + 1).unwrap_or(u32::MAX), None),
            message,
        };
        // The statement the block applies to: the next line that is neither blank nor a comment.
        let mut j = i;
        while j < lines.len() && {
            let t = lines[j].trim();
            t.is_empty() || t.starts_with('#')
        } {
            j += 1;
        }
        let Some(statement) = lines.get(j).map(|l| l.trim()) else {
            return Err(err(
                start,
                "`# METADATA` block is not followed by a package or rule".into(),
            ));
        };
        let annotations: Annotations = if yaml.trim().is_empty() {
            Annotations::default()
        } else {
            yaml_serde::from_str(&yaml).map_err(|e| {
                let offset = e.location().map_or(0, |l| l.line());
                err(start + offset, format!("malformed `# METADATA` block: {e}"))
            })?
        };
        let target = if let Some(rest) = statement.strip_prefix("package") {
            if !rest.starts_with(char::is_whitespace) {
                return Err(err(j, format!("cannot tell what `{statement}` declares")));
            }
            AnnotationTarget::Package
        } else {
            let name: String = statement
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.is_empty() {
                return Err(err(
                    j,
                    format!("`# METADATA` block is followed by `{statement}`, not a rule"),
                ));
            }
            AnnotationTarget::Rule(name)
        };
        if let Some(scope) = &annotations.scope {
            let ok = match target {
                AnnotationTarget::Package => scope == "package" || scope == "subpackages",
                AnnotationTarget::Rule(_) => scope == "rule" || scope == "document",
            };
            if !ok {
                return Err(err(
                    start,
                    format!(
                        "scope `{scope}` does not fit the statement that follows (`{statement}`)"
                    ),
                ));
            }
        }
        blocks.push(AnnotationBlock {
            line: u32::try_from(start + 1).unwrap_or(u32::MAX),
            target,
            annotations,
        });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"# METADATA
# title: Workspace has no private link
# description: |
#   Two lines
#   of text.
# related_resources:
#   - ref: https://example.com/doc
#     description: the page
#   - https://example.com/other
# custom:
#   id: AHDS-PL-001
#   severity: high
package ahds.rules.x

# METADATA
# title: helper
deny contains v if { v := 1 }
"#;

    #[test]
    fn blocks_attach_to_the_statement_that_follows() {
        let blocks = parse_annotations("x.rego", SRC).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].target, AnnotationTarget::Package);
        assert_eq!(blocks[0].line, 1);
        let a = &blocks[0].annotations;
        assert_eq!(a.title.as_deref(), Some("Workspace has no private link"));
        assert_eq!(a.description.as_deref(), Some("Two lines\nof text.\n"));
        assert_eq!(a.related_resources[0].url(), "https://example.com/doc");
        assert_eq!(a.related_resources[1].url(), "https://example.com/other");
        assert_eq!(a.custom["id"], "AHDS-PL-001");
        assert_eq!(blocks[1].target, AnnotationTarget::Rule("deny".into()));
        assert_eq!(blocks[1].line, 15);
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let src = "# METADATA\n# title: ok\n# custom: [unclosed\npackage x\n";
        let e = parse_annotations("p.rego", src).unwrap_err();
        assert_eq!(e.place.file, "p.rego");
        let line = e.place.line.expect("a line");
        assert!((2..=4).contains(&line), "line {line}");
        assert!(e.message.contains("malformed"), "{}", e.message);
    }

    #[test]
    fn unknown_keys_and_wrong_scopes_are_errors() {
        let e = parse_annotations("p.rego", "# METADATA\n# titel: typo\npackage x\n").unwrap_err();
        assert!(e.message.contains("titel"), "{}", e.message);
        let e = parse_annotations("p.rego", "# METADATA\n# scope: rule\npackage x\n").unwrap_err();
        assert!(e.message.contains("scope"), "{}", e.message);
    }
}
