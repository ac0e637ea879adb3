//! Waivers: accepted risks recorded in the configuration or on the resource itself
//! (`ahds-guard-ignore` tags, as Checkov and trivy users expect), applied to a report.

use std::collections::BTreeMap;

use ahds_model::Estate;
use globset::GlobMatcher;
use jiff::civil::Date;

use crate::report::by_resource::ByResource;
use crate::report::{Report, Suppressed, WaiverKind};

/// A waiver ready to match findings.
#[derive(Debug, Clone)]
pub(crate) struct CompiledWaiver {
    pub(crate) rule: String,
    pub(crate) resource: String,
    pub(crate) matcher: ResourceMatcher,
    pub(crate) justification: String,
    pub(crate) expires: Option<Date>,
    /// `file:line` of the waiver, for notes.
    pub(crate) place: String,
}

/// How a waiver's `resource` matches.
#[derive(Debug, Clone)]
pub(crate) enum ResourceMatcher {
    Exact(String),
    Glob(GlobMatcher),
}

impl ResourceMatcher {
    pub(crate) fn matches(&self, resource: &str) -> bool {
        match self {
            ResourceMatcher::Exact(e) => {
                if e.starts_with('/') {
                    e.eq_ignore_ascii_case(resource)
                } else {
                    e == resource
                }
            }
            ResourceMatcher::Glob(g) => g.is_match(resource),
        }
    }
}

/// The tag that lists rule ids to ignore on a resource (comma-separated).
pub const IGNORE_TAG: &str = "ahds-guard-ignore";
/// The tag that justifies an `ahds-guard-ignore` tag. Required.
pub const JUSTIFICATION_TAG: &str = "ahds-guard-justification";
/// The optional tag with the last day a tag waiver holds (`2027-03-31`).
pub const EXPIRES_TAG: &str = "ahds-guard-expires";

fn tag<'t>(tags: &'t BTreeMap<String, String>, name: &str) -> Option<&'t str> {
    tags.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Moves waived violations to `suppressed` and notes expired, unused and unjustified
/// waivers.
pub(crate) fn apply(report: &mut Report, estate: &Estate, waivers: &[CompiledWaiver], today: Date) {
    // Only resources with an ignore tag can waive anything. Indexing every tagged resource
    // was most of the report phase on 10,000 workspaces (0.4-0.65 s, now 0.1 s).
    let tags = ByResource::build(estate, |m| tag(m.tags, IGNORE_TAG).map(|_| m.tags));
    let mut used = vec![false; waivers.len()];
    let mut noted_tags: Vec<String> = Vec::new();
    let violations = std::mem::take(&mut report.violations);
    for v in violations {
        // Configuration waivers first: they are reviewed in one place.
        let from_config = waivers.iter().enumerate().find(|(_, w)| {
            (w.rule == "*" || w.rule.eq_ignore_ascii_case(&v.rule_id))
                && w.matcher.matches(&v.resource_id)
        });
        if let Some((i, w)) = from_config {
            used[i] = true;
            if w.expires.is_none_or(|e| e >= today) {
                report.suppressed.push(Suppressed {
                    justification: w.justification.clone(),
                    waiver: format!("config ({})", w.place),
                    waiver_kind: WaiverKind::Config,
                    expires: w.expires.map(|d| d.to_string()),
                    violation: v,
                });
                continue;
            }
        }
        let resource_tags = tags.get(&v.resource_id);
        if let Some(t) = resource_tags {
            let listed = tag(t, IGNORE_TAG).is_some_and(|ids| {
                ids.split(',')
                    .any(|id| id.trim().eq_ignore_ascii_case(&v.rule_id))
            });
            if listed {
                let justification = tag(t, JUSTIFICATION_TAG)
                    .map(str::trim)
                    .filter(|j| !j.is_empty());
                let expires = tag(t, EXPIRES_TAG).map(|e| e.trim().parse::<Date>());
                match (justification, expires) {
                    (None, _) => {
                        let note = format!(
                            "`{}` carries an {IGNORE_TAG} tag for {} without an {JUSTIFICATION_TAG} tag; the finding is reported",
                            v.resource_id, v.rule_id
                        );
                        if !noted_tags.contains(&note) {
                            noted_tags.push(note);
                        }
                    }
                    (Some(_), Some(Err(_))) => noted_tags.push(format!(
                        "`{}`: the {EXPIRES_TAG} tag is not a date (YYYY-MM-DD); the finding is reported",
                        v.resource_id
                    )),
                    (Some(_), Some(Ok(e))) if e < today => noted_tags.push(format!(
                        "the tag waiver for {} on `{}` expired on {e}; the finding is reported again",
                        v.rule_id, v.resource_id
                    )),
                    (Some(j), expires) => {
                        report.suppressed.push(Suppressed {
                            justification: j.to_string(),
                            waiver: format!("tag ({IGNORE_TAG})"),
                            waiver_kind: WaiverKind::Tag,
                            expires: expires.and_then(Result::ok).map(|d| d.to_string()),
                            violation: v,
                        });
                        continue;
                    }
                }
            }
        }
        report.violations.push(v);
    }
    report.notes.extend(noted_tags);
    for (w, used) in waivers.iter().zip(used) {
        match w.expires {
            Some(e) if e < today => report.notes.push(format!(
                "waiver for {} on `{}` ({}) expired on {e}; its findings are reported again",
                w.rule, w.resource, w.place
            )),
            _ if !used => report.notes.push(format!(
                "waiver for {} on `{}` ({}) matched no finding; remove it if the risk is gone",
                w.rule, w.resource, w.place
            )),
            _ => {}
        }
    }
}

/// Applies the suppression comments of source files (`# ahds-guard:ignore RULE -- why`).
/// A comment without a justification, with a rule id the catalog does not have or with an
/// expiry that is not a date never suppresses anything and is noted, as is one that
/// matches no finding.
pub(crate) fn apply_inline(
    report: &mut Report,
    estate: &Estate,
    known_rules: &[&str],
    today: Date,
) {
    if estate.inline_waivers.is_empty() {
        return;
    }
    let mut usable = Vec::with_capacity(estate.inline_waivers.len());
    for w in &estate.inline_waivers {
        let at = format!("{}:{}", w.file, w.line);
        let problem = if w.rule.is_empty() {
            Some("names no rule id".to_string())
        } else if !known_rules.iter().any(|k| k.eq_ignore_ascii_case(&w.rule)) {
            Some(format!(
                "names `{}`, which is not a rule of the catalog",
                w.rule
            ))
        } else if w.justification.is_none() {
            Some(format!("for {} has no justification after `--`", w.rule))
        } else {
            None
        };
        let expires = match w.expires.as_deref().map(str::parse::<Date>) {
            Some(Err(_)) => {
                report.notes.push(format!(
                    "suppression comment at {at}: `expires=` is not a date (YYYY-MM-DD); it suppresses nothing"
                ));
                usable.push(None);
                continue;
            }
            Some(Ok(d)) => Some(d),
            None => None,
        };
        if let Some(p) = problem {
            report.notes.push(format!(
                "suppression comment at {at} {p}; it suppresses nothing"
            ));
            usable.push(None);
            continue;
        }
        usable.push(Some((at, expires)));
    }
    let mut used = vec![false; usable.len()];
    let violations = std::mem::take(&mut report.violations);
    for v in violations {
        let address = v.source.as_ref().and_then(|s| s.address.as_deref());
        let found = estate
            .inline_waivers
            .iter()
            .zip(&usable)
            .enumerate()
            .find(|(_, (w, ok))| {
                ok.is_some()
                    && w.rule.eq_ignore_ascii_case(&v.rule_id)
                    && w.resources
                        .iter()
                        .any(|r| *r == v.resource_id || Some(r.as_str()) == address)
            });
        if let Some((i, (w, Some((at, expires))))) = found {
            used[i] = true;
            if expires.is_none_or(|e| e >= today) {
                report.suppressed.push(Suppressed {
                    justification: w.justification.clone().unwrap_or_default(),
                    waiver: format!("inline ({at})"),
                    waiver_kind: WaiverKind::Inline,
                    expires: expires.map(|d| d.to_string()),
                    violation: v,
                });
                continue;
            }
        }
        report.violations.push(v);
    }
    for ((w, ok), used) in estate.inline_waivers.iter().zip(&usable).zip(used) {
        let Some((at, expires)) = ok else { continue };
        match expires {
            Some(e) if *e < today => report.notes.push(format!(
                "suppression comment for {} at {at} expired on {e}; its findings are reported again",
                w.rule
            )),
            _ if !used => report.notes.push(format!(
                "suppression comment for {} at {at} matched no finding; remove it if the risk is gone",
                w.rule
            )),
            _ => {}
        }
    }
}
