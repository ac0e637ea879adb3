//! A rule's `deny`, `undetermined` and `notes` entries read straight from engine values into
//! report entries.

use super::*;

impl Evaluator {
    /// Turns a rule's `deny`, `undetermined` and `notes` entries into report entries.
    pub(super) fn found(
        &self,
        rule: &RuleInfo,
        sources: &Sources<'_>,
        denies: Vec<Value>,
        undetermined: Vec<Value>,
        notes: Vec<Value>,
    ) -> Result<Found, String> {
        let source_of =
            |resource_id: &str| sources.get(resource_id).and_then(|f| f.source.cloned());
        let type_of = |resource_id: &str| {
            sources
                .get(resource_id)
                .map(|f| f.resource_type.to_string())
        };
        let keys = EntryKeys::default();
        let mut violations = Vec::with_capacity(denies.len());
        for d in denies {
            let f = Fields::read(&d, &keys, "deny")?;
            let source = source_of(&f.resource_id);
            let resource_type = type_of(&f.resource_id);
            let fix = crate::fix::build(
                f.fix.as_ref(),
                &crate::fix::Subject {
                    resource_id: &f.resource_id,
                    resource_type: resource_type.as_deref(),
                    place: source.as_ref(),
                },
                |id| sources.get(id).and_then(|r| r.source),
            )
            .map_err(|e| format!("`deny` entry for {}: {e}", f.resource_id))?;
            violations.push(Violation {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                severity: rule.severity,
                title: rule.title.clone(),
                source,
                resource_type,
                fix,
                resource_id: f.resource_id,
                message: f.msg,
                feature: f.feature,
                target_id: f.target_id,
                evidence: f.evidence,
                remediation: f.remediation.unwrap_or_else(|| rule.remediation.clone()),
                doc_url: rule.doc_url.clone(),
            });
        }
        let mut undet = Vec::with_capacity(undetermined.len());
        for u in undetermined {
            let f = Fields::read(&u, &keys, "undetermined")?;
            let missing = match f.missing {
                None => Vec::new(),
                Some(Value::Array(a)) => a.iter().map(text_of).collect(),
                Some(other) => vec![text_of(&other)],
            };
            undet.push(Undetermined {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                severity: rule.severity,
                source: source_of(&f.resource_id),
                resource_type: type_of(&f.resource_id),
                resource_id: f.resource_id,
                message: f.msg,
                missing,
                feature: f.feature,
                target_id: f.target_id,
            });
        }
        let mut texts = Vec::with_capacity(notes.len());
        for n in notes {
            let text = n
                .as_string()
                .map_err(|_| format!("`notes` entry is not a string: {n}"))?;
            texts.push(format!("{}: {text}", rule.id));
        }
        Ok(Found {
            violations,
            undetermined: undet,
            notes: texts,
        })
    }
}

/// A rule's sets as the engine returned them: kept in this form until every rule has run
/// and the input document is freed (see [`Evaluator::read_entries`]).
pub(super) struct Entries {
    pub(super) denies: Vec<Value>,
    pub(super) undetermined: Vec<Value>,
    pub(super) notes: Vec<Value>,
}

/// What one rule found.
pub(super) struct Found {
    pub(super) violations: Vec<Violation>,
    pub(super) undetermined: Vec<Undetermined>,
    pub(super) notes: Vec<String>,
}

/// The fields every `deny` and `undetermined` entry carries, read straight from the
/// engine's value: only the evidence becomes JSON.
pub(super) struct Fields {
    msg: String,
    resource_id: String,
    feature: Option<String>,
    target_id: Option<String>,
    remediation: Option<String>,
    evidence: Option<serde_json::Value>,
    fix: Option<serde_json::Value>,
    missing: Option<Value>,
}

/// The keys [`Fields::read`] looks up, made once per rule rather than once per entry.
pub(super) struct EntryKeys {
    msg: Value,
    resource_id: Value,
    feature: Value,
    target_id: Value,
    remediation: Value,
    evidence: Value,
    fix: Value,
    missing: Value,
}

impl Default for EntryKeys {
    fn default() -> Self {
        EntryKeys {
            msg: Value::from("msg"),
            resource_id: Value::from("resource_id"),
            feature: Value::from("feature"),
            target_id: Value::from("target_id"),
            remediation: Value::from("remediation"),
            evidence: Value::from("evidence"),
            fix: Value::from("fix"),
            missing: Value::from("missing"),
        }
    }
}

impl Fields {
    fn read(v: &Value, keys: &EntryKeys, rule: &str) -> Result<Fields, String> {
        let obj = v
            .as_object()
            .map_err(|_| format!("`{rule}` produced {v}, not an object"))?;
        let string = |k: &Value| match obj.get(k) {
            Some(Value::String(s)) => Some(s.to_string()),
            _ => None,
        };
        let evidence = obj
            .get(&keys.evidence)
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| format!("`{rule}` entry has evidence that is not JSON: {e}"))?;
        let fix = obj
            .get(&keys.fix)
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| format!("`{rule}` entry has a fix that is not JSON: {e}"))?;
        Ok(Fields {
            msg: string(&keys.msg)
                .ok_or_else(|| format!("`{rule}` entry has no `msg` string: {v}"))?,
            resource_id: string(&keys.resource_id)
                .ok_or_else(|| format!("`{rule}` entry has no `resource_id` string: {v}"))?,
            feature: string(&keys.feature),
            target_id: string(&keys.target_id),
            remediation: string(&keys.remediation),
            evidence,
            fix,
            missing: obj.get(&keys.missing).cloned(),
        })
    }
}

/// A string as itself, anything else as its JSON text.
pub(super) fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

pub(super) fn eval_set(
    session: &mut Session<'_>,
    info: &RuleInfo,
    rule: &str,
) -> Result<Vec<Value>, String> {
    set_entries(session.eval(info, rule)?, rule)
}

/// The entries of a rule's set.
pub(super) fn set_entries(value: Value, rule: &str) -> Result<Vec<Value>, String> {
    match value {
        Value::Undefined => Ok(Vec::new()),
        Value::Set(s) => Ok(s.iter().cloned().collect()),
        other => Err(format!(
            "`{rule}` must be a set (`{rule} contains x if ...`), found {}",
            other.to_json_str().unwrap_or_default()
        )),
    }
}
