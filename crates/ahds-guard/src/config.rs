//! Configuration (`.ahds-guard.toml`): which rules run, severity overrides, the default
//! `--fail-on`, and waivers for accepted risks.
//!
//! ```toml
//! fail_on = "medium"
//!
//! [rules]
//! disable = ["AHDS-AC-002"]
//!
//! [severity]
//! "AHDS-TS-006" = "medium"
//!
//! [[waiver]]
//! rule = "AHDS-PL-002"
//! resource = "/subscriptions/*/resourceGroups/rg-legacy/**"
//! justification = "Legacy workspace; private link lands in the Q1 migration"
//! expires = "2027-03-31"
//! ```

use std::collections::BTreeMap;

use ahds_model::Place;
use globset::GlobBuilder;
use jiff::civil::Date;
use serde::Deserialize;

use crate::report::severity::Severity;
use crate::report::waivers::{CompiledWaiver, ResourceMatcher};

/// The file name discovered in the working directory.
pub const CONFIG_FILE_NAME: &str = ".ahds-guard.toml";

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ConfigError {
    /// The configuration file, and the line and column when known.
    pub place: Place,
    /// What is wrong.
    pub message: String,
}

/// Which rules run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    /// When set, only these rules run.
    #[serde(default)]
    pub(crate) enable: Option<Vec<toml::Spanned<String>>>,
    /// These rules do not run.
    #[serde(default)]
    pub(crate) disable: Vec<toml::Spanned<String>>,
}

impl RuleSelection {
    /// The rules enabled, when the configuration names them (only these run).
    pub fn enabled(&self) -> Option<Vec<&str>> {
        self.enable
            .as_ref()
            .map(|ids| ids.iter().map(|id| id.get_ref().as_str()).collect())
    }

    /// The rules disabled.
    pub fn disabled(&self) -> Vec<&str> {
        self.disable
            .iter()
            .map(|id| id.get_ref().as_str())
            .collect()
    }
}

/// An accepted risk: findings of a rule on matching resources are suppressed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule id (`AHDS-PL-002`), or `*` for every rule.
    pub(crate) rule: toml::Spanned<String>,
    /// The resource: an exact ARM id or Terraform address, or a glob (`*` within one
    /// segment, `**` across segments). ARM ids match case-insensitively.
    pub(crate) resource: toml::Spanned<String>,
    /// Why the risk is accepted. Required.
    pub justification: String,
    /// The last day the waiver holds (`2027-03-31`); after it the findings are reported
    /// again.
    #[serde(default)]
    pub(crate) expires: Option<toml::Spanned<String>>,
}

impl Waiver {
    /// The rule id, or `*`.
    pub fn rule(&self) -> &str {
        self.rule.get_ref()
    }

    /// The resource id, address or glob.
    pub fn resource(&self) -> &str {
        self.resource.get_ref()
    }

    /// The last day the waiver holds, as written.
    pub fn expires(&self) -> Option<&str> {
        self.expires.as_ref().map(|e| e.get_ref().as_str())
    }
}

/// Parsed configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The default `--fail-on` threshold.
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Rule selection.
    #[serde(default)]
    pub rules: RuleSelection,
    /// Severity overrides by rule id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Waivers.
    #[serde(default, rename = "waiver")]
    pub waivers: Vec<Waiver>,
    /// The file the configuration came from.
    #[serde(skip)]
    pub file: String,
    /// The file's text, to turn spans into lines.
    #[serde(skip)]
    text: String,
}

impl Config {
    /// Parses configuration text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let place = match e.span() {
                Some(span) => place_at(file, text, span.start),
                None => Place::in_file(file),
            };
            ConfigError {
                place,
                message: e.message().trim().to_string(),
            }
        })?;
        config.file = file.to_string();
        config.text = text.to_string();
        for w in &config.waivers {
            if w.justification.trim().is_empty() {
                return Err(config.error_at(w.rule.span().start, "waiver without a justification"));
            }
        }
        Ok(config)
    }

    /// Reads a configuration file.
    pub fn load(path: &std::path::Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            place: Place::in_file(&file),
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, &file)
    }

    pub(crate) fn error_at(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        ConfigError {
            place: place_at(&self.file, &self.text, offset),
            message: message.into(),
        }
    }

    /// Checks every rule id the configuration names against the catalog.
    pub(crate) fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        let check = |id: &toml::Spanned<String>, what: &str| {
            if known.iter().any(|k| k.eq_ignore_ascii_case(id.get_ref())) {
                Ok(())
            } else {
                Err(self.error_at(
                    id.span().start,
                    format!("{what} names unknown rule `{}`", id.get_ref()),
                ))
            }
        };
        for id in self.rules.enable.iter().flatten() {
            check(id, "`rules.enable`")?;
        }
        for id in &self.rules.disable {
            check(id, "`rules.disable`")?;
        }
        for id in self.severity.keys() {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(id)) {
                let offset = self.text.find(id.as_str()).unwrap_or(0);
                return Err(self.error_at(offset, format!("`severity` names unknown rule `{id}`")));
            }
        }
        for w in &self.waivers {
            if w.rule.get_ref() != "*" {
                check(&w.rule, "waiver")?;
            }
        }
        Ok(())
    }

    /// True when the rule runs under this configuration.
    pub fn runs(&self, rule_id: &str) -> bool {
        let enabled = self.rules.enable.as_ref().is_none_or(|list| {
            list.iter()
                .any(|r| r.get_ref().eq_ignore_ascii_case(rule_id))
        });
        enabled
            && !self
                .rules
                .disable
                .iter()
                .any(|r| r.get_ref().eq_ignore_ascii_case(rule_id))
    }

    /// The severity override of a rule.
    pub fn severity_of(&self, rule_id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(rule_id))
            .map(|(_, s)| *s)
    }

    pub(crate) fn compile_waivers(&self) -> Result<Vec<CompiledWaiver>, ConfigError> {
        let mut out = Vec::with_capacity(self.waivers.len());
        for w in &self.waivers {
            let pattern = w.resource.get_ref().trim();
            if pattern.is_empty() {
                return Err(
                    self.error_at(w.resource.span().start, "waiver with an empty `resource`")
                );
            }
            let matcher = if pattern.contains(['*', '?', '[', '{']) {
                let glob = GlobBuilder::new(pattern)
                    .case_insensitive(pattern.starts_with('/'))
                    .literal_separator(true)
                    .build()
                    .map_err(|e| {
                        self.error_at(w.resource.span().start, format!("bad glob: {e}"))
                    })?;
                ResourceMatcher::Glob(glob.compile_matcher())
            } else {
                ResourceMatcher::Exact(pattern.to_string())
            };
            let expires = match &w.expires {
                None => None,
                Some(e) => Some(e.get_ref().trim().parse::<Date>().map_err(|err| {
                    self.error_at(
                        e.span().start,
                        format!("`expires` is not a date (YYYY-MM-DD): {err}"),
                    )
                })?),
            };
            let at = place_at(&self.file, &self.text, w.rule.span().start);
            out.push(CompiledWaiver {
                rule: w.rule.get_ref().clone(),
                resource: pattern.to_string(),
                matcher,
                justification: w.justification.trim().to_string(),
                expires,
                place: format!("{}:{}", at.file, at.line.unwrap_or(1)),
            });
        }
        Ok(out)
    }
}

/// The line and column of a byte offset in `text`, as a place in `file`.
fn place_at(file: &str, text: &str, offset: usize) -> Place {
    let before = &text[..offset.min(text.len())];
    let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Place::in_file(file).at_line(number(line), Some(number(column)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let c = Config::parse(
            r#"
fail_on = "medium"
[rules]
disable = ["AHDS-AC-002"]
[severity]
"AHDS-TS-006" = "high"
[[waiver]]
rule = "AHDS-PL-002"
resource = "/subscriptions/*/resourceGroups/rg-legacy/**"
justification = "migrating"
expires = "2027-03-31"
"#,
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::Medium));
        assert!(!c.runs("AHDS-AC-002"));
        assert!(c.runs("AHDS-PL-001"));
        assert_eq!(c.severity_of("ahds-ts-006"), Some(Severity::High));
        assert_eq!(c.rules.enabled(), None);
        assert_eq!(c.rules.disabled(), ["AHDS-AC-002"]);
        assert_eq!(c.waivers[0].rule(), "AHDS-PL-002");
        assert_eq!(
            c.waivers[0].resource(),
            "/subscriptions/*/resourceGroups/rg-legacy/**"
        );
        assert_eq!(c.waivers[0].expires(), Some("2027-03-31"));
        let w = c.compile_waivers().unwrap();
        assert_eq!(w[0].place, "c.toml:8");
        assert!(w[0].matcher.matches(
            "/subscriptions/S/resourcegroups/RG-LEGACY/providers/Microsoft.HealthcareApis/workspaces/ws"
        ));
        assert!(!w[0].matcher.matches(
            "/subscriptions/S/resourceGroups/rg-prod/providers/Microsoft.HealthcareApis/workspaces/ws"
        ));
    }

    #[test]
    fn errors_name_the_line() {
        let e = Config::parse(
            "[[waiver]]\nrule = \"AHDS-PL-002\"\nresource = \"x\"\n",
            "c.toml",
        )
        .unwrap_err();
        assert!(e.message.contains("justification"), "{e}");
        let e = Config::parse("fail_on = \"severe\"\n", "c.toml").unwrap_err();
        assert_eq!(e.place.line, Some(1));
        let e = Config::parse("[rules]\ndisabel = []\n", "c.toml").unwrap_err();
        assert_eq!(e.place.line, Some(2), "{e}");
        let c = Config::parse("[[waiver]]\nrule = \"X\"\nresource = \"r\"\njustification = \"j\"\nexpires = \"soon\"\n", "c.toml").unwrap();
        let e = c.compile_waivers().unwrap_err();
        assert_eq!(e.place.line, Some(5), "{e}");
        let c = Config::parse("[rules]\ndisable = [\"AHDS-XX-001\"]\n", "c.toml").unwrap();
        let e = c.check_rule_ids(&["AHDS-PL-001"]).unwrap_err();
        assert_eq!(
            (e.place.line, e.message.contains("AHDS-XX-001")),
            (Some(2), true),
            "{e}"
        );
    }
}
