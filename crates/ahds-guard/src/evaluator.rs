//! The evaluator: a prepared regorus engine with a policy set, turning estates into reports.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ahds_model::{EgressTable, Estate, PolicyInput, Source, analyze, validate};
use regorus::{Engine, Value};

use crate::backend::{EngineChoice, Session, VmProgram};
use crate::catalog::RuleInfo;
use crate::config::{CompiledWaiver, Config, ConfigError};
use crate::error::{EvaluateError, LoadError};
use crate::policy_set::PolicySet;
use crate::report::{Report, RuleError, Undetermined, Violation};

/// Evaluates estates against a policy set.
///
/// Build it once: loading and preparing the policies is the expensive part. `evaluate`
/// takes `&self` and works on a cheap clone of the prepared engine, so one evaluator can
/// serve many threads at once.
#[derive(Debug, Clone)]
pub struct Evaluator {
    engine: Engine,
    /// The bundled rules compiled for the bytecode VM, when they compile.
    vm: Option<VmProgram>,
    /// Why the VM is not used, when it is not.
    vm_unavailable: Option<String>,
    rules: Vec<RuleInfo>,
    egress: EgressTable,
    config: Config,
    waivers: Vec<CompiledWaiver>,
    today: Option<jiff::civil::Date>,
}

/// How long each phase of an evaluation took.
#[derive(Debug, Clone, Default)]
pub struct EvalStats {
    /// Validating the estate and deriving links and facts.
    pub analysis: Duration,
    /// Building the policy input document.
    pub input: Duration,
    /// Evaluating the rules.
    pub rules: Duration,
    /// Waivers, ordering and the summary.
    pub report: Duration,
    /// Time per rule, in evaluation order; the parts of `rules`.
    pub per_rule: Vec<(String, Duration)>,
}

/// Where the FHIR egress table sits in the data document (`policies/data/fhir_egress/data.json`).
const EGRESS_PATH: [&str; 2] = ["data", "fhir_egress"];

impl Evaluator {
    /// An evaluator with the bundled catalog only.
    pub fn bundled() -> Result<Self, LoadError> {
        Evaluator::new(&PolicySet::bundled()?)
    }

    /// An evaluator for a policy set (see [`PolicySet::bundled`] and [`PolicySet::add_dir`]).
    pub fn new(set: &PolicySet) -> Result<Self, LoadError> {
        let mut engine = build_engine(set, false)?;
        // Evaluate once so the engine's analysis is done here and clones start prepared.
        engine
            .eval_query("data.ahds".to_string(), false)
            .map_err(|e| LoadError::Engine(e.to_string()))?;
        let egress = match set
            .data()
            .get(EGRESS_PATH[0])
            .and_then(|d| d.get(EGRESS_PATH[1]))
        {
            Some(v) => EgressTable::from_json(v).map_err(|e| LoadError::Data {
                file: "data.json (data.fhir_egress)".into(),
                message: e.to_string(),
            })?,
            None => EgressTable::default(),
        };
        let data = Value::from(serde_json::Value::Object(set.data().clone()));
        let (vm, vm_unavailable) = match VmProgram::compile(&engine, set.rules(), data) {
            Ok(vm) => (Some(vm), None),
            Err(why) => (None, Some(why)),
        };
        Ok(Evaluator {
            engine,
            vm,
            vm_unavailable,
            rules: set.rules().to_vec(),
            egress,
            config: Config::default(),
            waivers: Vec::new(),
            today: None,
        })
    }

    /// Applies a configuration: rule selection, severity overrides and waivers. Rule ids it
    /// names must exist in the catalog.
    pub fn with_config(mut self, config: Config) -> Result<Self, ConfigError> {
        let ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        config.check_rule_ids(&ids)?;
        self.waivers = config.compile_waivers()?;
        self.config = config;
        Ok(self)
    }

    /// Fixes the date waivers expire against (the current UTC date otherwise).
    pub fn with_today(mut self, today: jiff::civil::Date) -> Self {
        self.today = Some(today);
        self
    }

    /// Chooses the engine for the bundled rules; [`EngineChoice::Interpreter`] is the
    /// escape hatch should the bytecode VM ever disagree with the interpreter.
    pub fn with_engine(mut self, choice: EngineChoice) -> Self {
        if choice == EngineChoice::Interpreter && self.vm.is_some() {
            self.vm = None;
            self.vm_unavailable = Some("the interpreter was chosen".into());
        }
        self
    }

    /// Which engine runs the bundled rules: `"bytecode VM"`, or `"interpreter"` with the
    /// reason the VM is not used.
    pub fn engine_description(&self) -> String {
        match &self.vm_unavailable {
            None => "bytecode VM for bundled rules, interpreter for custom rules".into(),
            Some(why) => format!("interpreter ({why})"),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rules that run under the configuration, with severity overrides applied.
    pub fn active_rules(&self) -> Vec<RuleInfo> {
        self.rules
            .iter()
            .filter(|r| self.config.runs(&r.id))
            .map(|r| {
                let mut r = r.clone();
                if let Some(s) = self.config.severity_of(&r.id) {
                    r.severity = s;
                }
                r
            })
            .collect()
    }

    /// The catalog of rules this evaluator runs.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    /// The FHIR egress table the IP facts are computed with.
    pub fn egress_table(&self) -> &EgressTable {
        &self.egress
    }

    /// Builds the policy input document for an estate: exactly what rules see as `input`.
    pub fn input_document(&self, estate: &Estate) -> Result<serde_json::Value, EvaluateError> {
        let problems = validate(estate);
        if !problems.is_empty() {
            return Err(EvaluateError::InvalidEstate(problems));
        }
        let analysis = analyze(estate, &self.egress);
        serde_json::to_value(PolicyInput {
            estate,
            analysis: &analysis,
        })
        .map_err(|e| EvaluateError::Input(e.to_string()))
    }

    /// Evaluates every rule against an estate.
    ///
    /// A rule that fails to evaluate is reported in [`Report::errors`]; the other rules'
    /// findings are still reported.
    pub fn evaluate(&self, estate: &Estate) -> Result<Report, EvaluateError> {
        self.evaluate_with_stats(estate).map(|(r, _)| r)
    }

    /// Evaluates and reports how long each phase took.
    pub fn evaluate_with_stats(
        &self,
        estate: &Estate,
    ) -> Result<(Report, EvalStats), EvaluateError> {
        let mut stats = EvalStats::default();
        let t = Instant::now();
        let problems = validate(estate);
        if !problems.is_empty() {
            return Err(EvaluateError::InvalidEstate(problems));
        }
        let analysis = analyze(estate, &self.egress);
        stats.analysis = t.elapsed();
        let t = Instant::now();
        let input = serde_json::to_value(PolicyInput {
            estate,
            analysis: &analysis,
        })
        .map_err(|e| EvaluateError::Input(e.to_string()))?;
        let input = Value::from(input);
        stats.input = t.elapsed();
        let t = Instant::now();
        let mut session = Session::new(&self.engine, self.vm.as_ref(), input);
        let sources = sources_by_resource(estate);
        let mut report = Report {
            skipped: estate.skipped.clone(),
            ..Report::default()
        };
        let rules = self.active_rules();
        for rule in &rules {
            let started = Instant::now();
            let outcome = self.run_rule(&mut session, rule, &sources, &mut report);
            stats.per_rule.push((rule.id.clone(), started.elapsed()));
            if let Err(message) = outcome {
                report.errors.push(RuleError {
                    rule_id: rule.id.clone(),
                    message,
                });
            }
        }
        let today = self.today.unwrap_or_else(|| {
            jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
        });
        stats.rules = t.elapsed();
        let t = Instant::now();
        crate::waivers::apply(&mut report, estate, &self.waivers, today);
        report.finish(estate.resource_count(), rules.len());
        stats.report = t.elapsed();
        Ok((report, stats))
    }

    fn run_rule(
        &self,
        session: &mut Session<'_>,
        rule: &RuleInfo,
        sources: &HashMap<String, Source>,
        report: &mut Report,
    ) -> Result<(), String> {
        let source_of = |resource_id: &str| {
            sources
                .get(resource_id)
                .or_else(|| sources.get(&resource_id.to_ascii_lowercase()))
                .cloned()
        };
        // Collect everything first so a failing rule contributes nothing half-way.
        let denies = eval_set(session, rule, "deny")?;
        let undetermined = if rule.has_undetermined {
            eval_set(session, rule, "undetermined")?
        } else {
            Vec::new()
        };
        let notes = if rule.has_notes {
            eval_set(session, rule, "notes")?
        } else {
            Vec::new()
        };
        let mut violations = Vec::with_capacity(denies.len());
        for d in denies {
            let f = Fields::read(&d, "deny")?;
            violations.push(Violation {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                severity: rule.severity,
                title: rule.title.clone(),
                source: source_of(&f.resource_id),
                resource_id: f.resource_id,
                message: f.msg,
                feature: f.feature,
                target_id: f.target_id,
                evidence: d.get("evidence").cloned(),
                remediation: f.remediation.unwrap_or_else(|| rule.remediation.clone()),
                doc_url: rule.doc_url.clone(),
            });
        }
        let mut undet = Vec::with_capacity(undetermined.len());
        for u in undetermined {
            let f = Fields::read(&u, "undetermined")?;
            let missing = match u.get("missing") {
                None => Vec::new(),
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .map(|m| {
                        m.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| m.to_string())
                    })
                    .collect(),
                Some(other) => vec![other.to_string()],
            };
            undet.push(Undetermined {
                rule_id: rule.id.clone(),
                rule_name: rule.name.clone(),
                severity: rule.severity,
                source: source_of(&f.resource_id),
                resource_id: f.resource_id,
                message: f.msg,
                missing,
                feature: f.feature,
                target_id: f.target_id,
            });
        }
        for n in notes {
            let text = n
                .as_str()
                .ok_or_else(|| format!("`notes` entry is not a string: {n}"))?;
            report.notes.push(format!("{}: {text}", rule.id));
        }
        report.violations.extend(violations);
        report.undetermined.extend(undet);
        Ok(())
    }
}

/// The fields every `deny` and `undetermined` entry carries.
struct Fields {
    msg: String,
    resource_id: String,
    feature: Option<String>,
    target_id: Option<String>,
    remediation: Option<String>,
}

impl Fields {
    fn read(v: &serde_json::Value, rule: &str) -> Result<Fields, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("`{rule}` produced {v}, not an object"))?;
        let string = |k: &str| obj.get(k).and_then(|x| x.as_str()).map(str::to_string);
        Ok(Fields {
            msg: string("msg").ok_or_else(|| format!("`{rule}` entry has no `msg` string: {v}"))?,
            resource_id: string("resource_id")
                .ok_or_else(|| format!("`{rule}` entry has no `resource_id` string: {v}"))?,
            feature: string("feature"),
            target_id: string("target_id"),
            remediation: string("remediation"),
        })
    }
}

fn eval_set(
    session: &mut Session<'_>,
    info: &RuleInfo,
    rule: &str,
) -> Result<Vec<serde_json::Value>, String> {
    match session.eval(info, rule)? {
        Value::Undefined => Ok(Vec::new()),
        Value::Set(s) => s
            .iter()
            .map(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
            .collect(),
        other => Err(format!(
            "`{rule}` must be a set (`{rule} contains x if ...`), found {}",
            other.to_json_str().unwrap_or_default()
        )),
    }
}

fn sources_by_resource(estate: &Estate) -> HashMap<String, Source> {
    let mut out = HashMap::new();
    for meta in estate.metas() {
        let Some(src) = meta.source else { continue };
        out.insert(meta.display_id(), src.clone());
        out.insert(meta.key(), src.clone());
    }
    out
}

/// Builds a regorus engine with a policy set's modules and data.
pub(crate) fn build_engine(set: &PolicySet, include_tests: bool) -> Result<Engine, LoadError> {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(false);
    engine
        .add_data(Value::from(serde_json::Value::Object(set.data().clone())))
        .map_err(|e| LoadError::Engine(e.to_string()))?;
    for m in set.modules() {
        if m.is_test_file() && !include_tests {
            continue;
        }
        engine
            .add_policy(m.path.clone(), m.source.clone())
            .map_err(|e| LoadError::Policy {
                file: m.path.clone(),
                line: 0,
                message: e.to_string(),
            })?;
    }
    Ok(engine)
}
