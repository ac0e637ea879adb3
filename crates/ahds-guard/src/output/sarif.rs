//! SARIF 2.1.0 (`--format sarif`), as GitHub code scanning and Azure DevOps accept it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{RuleInfo, Severity, Violation, WaiverKind};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Invocation, Location,
    LogicalLocation, Message, MultiformatMessageString, Notification, PhysicalLocation,
    PropertyBag, Region, Replacement, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::Context;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/ahds-guard/ahds-guard";
/// The fingerprint key: stable across runs, independent of lines and messages.
pub(crate) const FINGERPRINT: &str = "ahdsGuardFinding/v1";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's scale: 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn area_tag(id: &str) -> Option<&'static str> {
    match id.split('-').nth(1)? {
        "PL" => Some("private-link"),
        "TS" => Some("trusted-services"),
        "ID" => Some("identity"),
        "ST" => Some("service-tags"),
        "AC" => Some("access"),
        _ => None,
    }
}

fn descriptor(r: &RuleInfo) -> ReportingDescriptor {
    let mut tags = vec![
        "security".to_string(),
        "azure".to_string(),
        "ahds".to_string(),
    ];
    tags.extend(area_tag(&r.id).map(str::to_string));
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_string(),
        json!(security_severity(r.severity)),
    );
    extra.insert("precision".to_string(), json!("high"));
    let help_markdown = match &r.doc_url {
        Some(u) => format!(
            "{}\n\n**Remediation.** {}\n\n[Documentation]({u})",
            r.description, r.remediation
        ),
        None => format!("{}\n\n**Remediation.** {}", r.description, r.remediation),
    };
    ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(r.name.clone())
        .short_description(
            MultiformatMessageString::builder()
                .text(r.title.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(r.description.clone())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!("{} Remediation: {}", r.description, r.remediation))
                .markdown(help_markdown)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(r.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .help_uri(
            r.doc_url
                .clone()
                .unwrap_or_else(|| INFORMATION_URI.to_string()),
        )
        .build()
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// A stable fingerprint: rule, resource, feature and target (case-insensitive), nothing
/// that moves when unrelated resources are added (lines, messages, order).
pub(crate) fn fingerprint(
    rule: &str,
    resource: &str,
    feature: Option<&str>,
    target: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        rule,
        &resource.to_ascii_lowercase(),
        feature.unwrap_or(""),
        &target.unwrap_or("").to_ascii_lowercase(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `uriBaseId` of the SARIF root, which `originalUriBaseIds` maps to a `file:` URI.
const SRCROOT: &str = "%SRCROOT%";

/// Characters a URI path segment cannot hold as they are.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A path as a URI path, segment by segment.
fn uri_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => {
                Some(utf8_percent_encode(&s.to_string_lossy(), SEGMENT).to_string())
            }
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where an input file is: relative to the SARIF root (as code scanning maps results to the
/// repository), or an absolute `file:` URI for a file outside it.
fn artifact(file: &str, root: &Path) -> ArtifactLocation {
    let path = Path::new(file);
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    match absolute.strip_prefix(root) {
        Ok(relative) => ArtifactLocation::builder()
            .uri(uri_path(relative))
            .uri_base_id(SRCROOT.to_string())
            .build(),
        Err(_) => ArtifactLocation::builder()
            .uri(format!("file:///{}", uri_path(&absolute)))
            .build(),
    }
}

/// `originalUriBaseIds`: the SARIF root as an absolute `file:` URI ending in `/`.
fn base_ids(root: &Path) -> BTreeMap<String, ArtifactLocation> {
    let mut uri = format!("file:///{}", uri_path(root));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    BTreeMap::from([(
        SRCROOT.to_string(),
        ArtifactLocation::builder().uri(uri).build(),
    )])
}

fn locations(resource_id: &str, source: Option<&ahds_model::Place>, root: &Path) -> Vec<Location> {
    let logical = LogicalLocation::builder()
        .fully_qualified_name(resource_id.to_string())
        .name(
            resource_id
                .rsplit('/')
                .next()
                .unwrap_or(resource_id)
                .to_string(),
        )
        .kind("resource".to_string())
        .build();
    let mut loc = Location::builder().logical_locations(vec![logical]).build();
    if let Some(src) = source.filter(|s| s.file != "-") {
        let artifact = artifact(&src.file, root);
        let physical = match src.line {
            // Only files people edit (native JSON, ARM templates) carry lines.
            Some(line) => PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(Region::builder().start_line(i64::from(line)).build())
                .build(),
            None => PhysicalLocation::builder()
                .artifact_location(artifact)
                .build(),
        };
        loc.physical_location = Some(physical);
    }
    vec![loc]
}

/// The `partialFingerprints` of a finding: ours, under [`FINGERPRINT`].
fn fingerprints(
    rule_id: &str,
    resource_id: &str,
    feature: Option<&str>,
    target_id: Option<&str>,
) -> BTreeMap<String, String> {
    BTreeMap::from([(
        FINGERPRINT.to_string(),
        fingerprint(rule_id, resource_id, feature, target_id),
    )])
}

fn result_for(v: &Violation, index: Option<i64>, root: &Path, files: &FileTexts) -> SarifResult {
    let fp = fingerprints(
        &v.rule_id,
        &v.resource_id,
        v.feature.as_deref(),
        v.target_id.as_deref(),
    );
    let mut props = BTreeMap::new();
    props.insert("severity".to_string(), json!(v.severity));
    if let Some(f) = &v.feature {
        props.insert("feature".to_string(), json!(f));
    }
    if let Some(t) = &v.target_id {
        props.insert("targetId".to_string(), json!(t));
    }
    if let Some(t) = &v.resource_type {
        props.insert("resourceType".to_string(), json!(t));
    }
    if let Some(e) = &v.evidence {
        props.insert("evidence".to_string(), e.clone());
    }
    props.insert("remediation".to_string(), json!(v.remediation));
    let mut r = SarifResult::builder()
        .rule_id(v.rule_id.clone())
        .level(level(v.severity))
        .kind(ResultKind::Fail)
        .message(
            Message::builder()
                .text(format!("{} Fix: {}", v.message, v.remediation))
                .build(),
        )
        .locations(locations(&v.resource_id, v.source.as_ref(), root))
        .partial_fingerprints(fp)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    // `ruleId` with `ruleIndex` names the rule; a `rule` reference would repeat it.
    r.rule_index = index;
    r.fixes = sarif_fix(v, root, files).map(|f| vec![f]);
    r
}

/// The `.tf` files findings' fixes apply to, each read once per report.
#[derive(Default)]
struct FileTexts(std::cell::RefCell<std::collections::HashMap<String, Option<std::rc::Rc<str>>>>);

impl FileTexts {
    fn get(&self, file: &str) -> Option<std::rc::Rc<str>> {
        self.0
            .borrow_mut()
            .entry(file.to_string())
            .or_insert_with(|| std::fs::read_to_string(file).ok().map(Into::into))
            .clone()
    }
}

/// A `.tf` finding's automatic fix as SARIF `fixes`: the lines of its file the change
/// replaces, so code-scanning tools can offer it.
fn sarif_fix(v: &Violation, root: &Path, files: &FileTexts) -> Option<SarifFix> {
    let fix = v
        .fix
        .as_ref()
        .filter(|f| f.automatic && f.language == crate::FixLanguage::Terraform)?;
    let place = v.source.as_ref()?;
    let text = files.get(&place.file)?;
    let replacements = crate::fix::file_replacements(&text, fix.terraform.as_ref()?)?;
    if replacements.is_empty() {
        return None;
    }
    let region = |start: usize, end: usize| {
        let line = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        Region::builder()
            .start_line(line(start))
            .start_column(1)
            .end_line(line(end))
            .end_column(1)
            .build()
    };
    let change = ArtifactChange::builder()
        .artifact_location(artifact(&place.file, root))
        .replacements(
            replacements
                .into_iter()
                .map(|r| {
                    Replacement::builder()
                        .deleted_region(region(r.start_line, r.end_line))
                        .inserted_content(ArtifactContent::builder().text(r.insert).build())
                        .build()
                })
                .collect::<Vec<_>>(),
        )
        .build();
    Some(
        SarifFix::builder()
            .description(
                Message::builder()
                    .text(crate::fix::lines(fix, &v.resource_id).join("; "))
                    .build(),
            )
            .artifact_changes(vec![change])
            .build(),
    )
}

pub(crate) fn render(cx: &Context<'_>) -> Result<String, serde_json::Error> {
    let index = |id: &str| {
        cx.rules
            .iter()
            .position(|r| r.id == id)
            .and_then(|i| i64::try_from(i).ok())
    };
    let files = FileTexts::default();
    let mut results: Vec<SarifResult> = cx
        .report
        .violations
        .iter()
        .map(|v| result_for(v, index(&v.rule_id), cx.sarif_root, &files))
        .collect();
    for s in &cx.report.suppressed {
        let mut r = result_for(
            &s.violation,
            index(&s.violation.rule_id),
            cx.sarif_root,
            &files,
        );
        let kind = match s.waiver_kind {
            WaiverKind::Tag | WaiverKind::Inline => "inSource",
            _ => "external",
        };
        r.suppressions = Some(vec![
            Suppression::builder()
                .kind(json!(kind))
                .status(json!("accepted"))
                .justification(s.justification.clone())
                .build(),
        ]);
        results.push(r);
    }
    for u in &cx.report.undetermined {
        let fp = fingerprints(
            &u.rule_id,
            &u.resource_id,
            u.feature.as_deref(),
            u.target_id.as_deref(),
        );
        let mut r = SarifResult::builder()
            .rule_id(u.rule_id.clone())
            .level(ResultLevel::Note)
            .kind(ResultKind::Review)
            .message(
                Message::builder()
                    .text(format!(
                        "{} (not known: {})",
                        u.message,
                        u.missing.join(", ")
                    ))
                    .build(),
            )
            .locations(locations(&u.resource_id, u.source.as_ref(), cx.sarif_root))
            .partial_fingerprints(fp)
            .build();
        if let Some(t) = &u.resource_type {
            let props = BTreeMap::from([("resourceType".to_string(), json!(t))]);
            r.properties = Some(PropertyBag::builder().additional_properties(props).build());
        }
        if let Some(i) = index(&u.rule_id) {
            r.rule_index = Some(i);
        }
        results.push(r);
    }
    let notifications: Vec<Notification> = cx
        .report
        .errors
        .iter()
        .map(|e| {
            Notification::builder()
                .message(
                    Message::builder()
                        .text(format!("rule {} failed: {}", e.rule_id, e.message))
                        .build(),
                )
                .level(json!("error"))
                .build()
        })
        .chain(
            cx.report
                .input_errors
                .iter()
                .map(|e| input_notification(e, cx.sarif_root)),
        )
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(!cx.report.is_incomplete())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name("ahds-guard".to_string())
        .version(cx.report.tool.version.clone())
        .semantic_version(cx.report.tool.version.clone())
        .information_uri(INFORMATION_URI.to_string())
        .rules(cx.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .original_uri_base_ids(base_ids(cx.sarif_root))
        .results(results)
        .invocations(vec![invocation])
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA.to_string())
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&sarif).map(|s| s + "\n")
}

/// A notification for a part of the input that was not read, placed in its file.
fn input_notification(e: &crate::InputError, root: &Path) -> Notification {
    let mut region = Region::builder().build();
    region.start_line = e.place.line.map(i64::from);
    region.start_column = e.place.column.map(i64::from);
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(&e.place.file, root))
        .region(region)
        .build();
    let text = match &e.place.pointer {
        Some(p) => format!("input not read at `{p}`: {}", e.message),
        None => format!("input not read: {}", e.message),
    };
    Notification::builder()
        .message(Message::builder().text(text).build())
        .level(json!("error"))
        .locations(vec![
            Location::builder().physical_location(physical).build(),
        ])
        .build()
}
