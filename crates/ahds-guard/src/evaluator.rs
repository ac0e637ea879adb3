//! The evaluator: a prepared regorus engine with a policy set, turning estates into reports.

use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ahds_model::{EgressTable, Estate, PolicyInput, Source, analyze, analyze_on_threads, validate};
use regorus::{Engine, Value};

use crate::backend::{EngineChoice, Session, VmProgram};
use crate::by_resource::ByResource;
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
    /// Rule-evaluation threads; `None` decides by estate size and cores.
    threads: Option<usize>,
    /// How long one rule set (`deny`, `undetermined`, `notes`) may run.
    rule_timeout: Duration,
}

/// How long each phase of an evaluation took.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EvalStats {
    /// Validating the estate and deriving links and facts.
    pub analysis: Duration,
    /// Building the policy input document.
    pub input: Duration,
    /// Evaluating the rules.
    pub rules: Duration,
    /// Waivers, ordering and the summary.
    pub report: Duration,
    /// Time per rule, in catalog order. With several threads these overlap, so they add
    /// up to more than `rules`.
    pub per_rule: Vec<(String, Duration)>,
    /// How many threads evaluated the rules.
    pub threads: usize,
}

/// Estates smaller than this are evaluated on the calling thread unless
/// [`Evaluator::with_threads`] says otherwise.
const PARALLEL_FROM_RESOURCES: usize = 500;

/// How long one of a rule's sets may take by default. The slowest bundled rule takes about
/// 3 s on 10,000 workspaces; a minute leaves room for larger estates and slower machines
/// while still ending a runaway custom rule.
pub const DEFAULT_RULE_TIMEOUT: Duration = Duration::from_secs(60);

/// The stack rules are evaluated on (a spawned thread's, or a segment the calling thread
/// switches to). regorus evaluates recursively, a few KiB per link of a chain of dependent
/// rules; recursion and chains over `MAX_RULE_CHAIN` (4,000) are refused at load, and this
/// holds about 10,000 links. Only touched pages are committed.
const RULE_STACK_BYTES: usize = 64 << 20;

/// Where the FHIR egress table sits in the data document: `data.ahds.fhir_egress`, from
/// `policies/ahds/fhir_egress/data.json`.
const EGRESS_PATH: [&str; 2] = ["ahds", "fhir_egress"];

impl Evaluator {
    /// An evaluator with the bundled catalog only.
    pub fn bundled() -> Result<Self, LoadError> {
        Evaluator::new(&PolicySet::bundled_without_tests()?)
    }

    /// An evaluator for a policy set (see [`PolicySet::bundled`] and [`PolicySet::add_dir`]).
    pub fn new(set: &PolicySet) -> Result<Self, LoadError> {
        let mut engine = build_engine(set, false)?;
        let data = Value::from(serde_json::Value::Object(set.data().clone()));
        // Compiling for the VM also prepares the engine (analysis, loop hoisting), so its
        // clones start prepared. Without the VM, evaluate once to the same end; that also
        // reports a policy set the engine rejects as a whole while loading.
        let (vm, vm_unavailable) = match VmProgram::compile(&mut engine, set.rules(), data) {
            Ok(vm) => (Some(vm), None),
            Err(why) => {
                engine
                    .eval_query("data.ahds".to_string(), false)
                    .map_err(|e| LoadError::Engine(e.to_string()))?;
                (None, Some(why))
            }
        };
        let egress = match set
            .data()
            .get(EGRESS_PATH[0])
            .and_then(|d| d.get(EGRESS_PATH[1]))
        {
            Some(v) => EgressTable::from_json(v).map_err(|e| LoadError::Data {
                file: "ahds/fhir_egress/data.json (data.ahds.fhir_egress)".into(),
                message: e.to_string(),
            })?,
            None => EgressTable::default(),
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
            threads: None,
            rule_timeout: DEFAULT_RULE_TIMEOUT,
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

    /// Evaluates rules on `n` threads (at least one). By default small estates are
    /// evaluated on the calling thread and large ones on one thread per core. Reports do
    /// not depend on the number.
    pub fn with_threads(mut self, n: usize) -> Self {
        self.threads = Some(n.max(1));
        self
    }

    /// Bounds how long each of a rule's sets may evaluate ([`DEFAULT_RULE_TIMEOUT`]
    /// otherwise). A rule that runs over is reported in [`Report::errors`] with the limit.
    pub fn with_rule_timeout(mut self, limit: Duration) -> Self {
        self.rule_timeout = limit;
        self
    }

    /// The time limit of one rule set.
    pub fn rule_timeout(&self) -> Duration {
        self.rule_timeout
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
        let rules = self.active_rules();
        let threads = self.threads_for(estate, rules.len());
        let analysis = analyze_on_threads(estate, &self.egress, threads);
        stats.analysis = t.elapsed();
        let t = Instant::now();
        let parts = PolicyInput {
            estate,
            analysis: &analysis,
        }
        .without_link_targets()
        .parts();
        let mut input = crate::to_value::parts_to_value(parts, threads)
            .map_err(|e| EvaluateError::Input(e.to_string()))?;
        crate::to_value::attach_link_targets(&mut input)
            .map_err(|e| EvaluateError::Input(e.to_string()))?;
        // Rules see only the document: free the analysis before they allocate.
        drop(analysis);
        stats.input = t.elapsed();
        let t = Instant::now();
        let sources: Sources<'_> = ByResource::build(estate, |m| m.source);
        let mut report = Report {
            skipped: estate.skipped.clone(),
            notes: estate.notes.clone(),
            ..Report::default()
        };
        let outcomes = self.run_rules(&rules, &input, &sources, threads);
        // The input document is the largest thing alive; free it before the report grows.
        // (Freeing it on another thread during the report was no faster: the two passes
        // contended, and the peak grew by 0.1 GB.)
        drop(input);
        // Merge in catalog order, whichever thread ran a rule: the report is the same for
        // any number of threads.
        for (rule, (outcome, took)) in rules.iter().zip(outcomes) {
            stats.per_rule.push((rule.id.clone(), took));
            match outcome {
                Ok(found) => {
                    report.violations.extend(found.violations);
                    report.undetermined.extend(found.undetermined);
                    report.notes.extend(found.notes);
                }
                Err(message) => report.errors.push(RuleError {
                    rule_id: rule.id.clone(),
                    message,
                }),
            }
        }
        stats.threads = threads;
        let today = self.today.unwrap_or_else(|| {
            jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date()
        });
        stats.rules = t.elapsed();
        let t = Instant::now();
        let known: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        crate::waivers::apply(&mut report, estate, &self.waivers, today);
        crate::waivers::apply_inline(&mut report, estate, &known, today);
        report.finish(estate.resource_count(), rules.len());
        stats.report = t.elapsed();
        Ok((report, stats))
    }

    /// How many threads evaluate rules: one for small estates, where starting threads
    /// costs more than it saves; otherwise the configured number or one per core.
    fn threads_for(&self, estate: &Estate, rules: usize) -> usize {
        let wanted = match self.threads {
            Some(n) => n,
            None if estate.resource_count() < PARALLEL_FROM_RESOURCES => 1,
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        wanted.clamp(1, rules.max(1))
    }

    /// Runs every rule, on `threads` threads pulling rules in catalog order; each thread
    /// has its own engine session over the shared input and a stack of
    /// [`RULE_STACK_BYTES`]. A panic inside a rule becomes that rule's error.
    fn run_rules(
        &self,
        rules: &[RuleInfo],
        input: &Value,
        sources: &Sources<'_>,
        threads: usize,
    ) -> Vec<(Result<Found, String>, Duration)> {
        let run_one = |session: &mut Session<'_>, rule: &RuleInfo| {
            let started = Instant::now();
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.run_rule(session, rule, sources)
            }))
            .unwrap_or_else(|panic| {
                // The session may be half-way through an evaluation: start afresh.
                session.reset();
                Err(format!(
                    "internal error while evaluating: {}",
                    panic_message(panic.as_ref())
                ))
            });
            (outcome, started.elapsed())
        };
        if threads <= 1 {
            // On the calling thread, whose caches are warm (a fresh thread per call cost
            // a third of a small evaluation), on a stack of our size switched to in place.
            return stacker::maybe_grow(RULE_STACK_BYTES, RULE_STACK_BYTES, || {
                let mut session = Session::new(
                    &self.engine,
                    self.vm.as_ref(),
                    input.clone(),
                    self.rule_timeout,
                );
                rules.iter().map(|r| run_one(&mut session, r)).collect()
            });
        }
        let next = AtomicUsize::new(0);
        let mut slots: Vec<Option<(Result<Found, String>, Duration)>> = Vec::new();
        slots.resize_with(rules.len(), || None);
        let done = Mutex::new(slots);
        let spawned = std::thread::scope(|scope| {
            let mut spawned = Ok(());
            for _ in 0..threads {
                let worker = || {
                    let mut session = Session::new(
                        &self.engine,
                        self.vm.as_ref(),
                        input.clone(),
                        self.rule_timeout,
                    );
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rule) = rules.get(i) else { break };
                        let result = run_one(&mut session, rule);
                        if let Ok(mut slots) = done.lock() {
                            slots[i] = Some(result);
                        }
                    }
                };
                if let Err(e) = std::thread::Builder::new()
                    .name("ahds-guard-rules".into())
                    .stack_size(RULE_STACK_BYTES)
                    .spawn_scoped(scope, worker)
                {
                    spawned = Err(e.to_string());
                }
            }
            spawned
        });
        let unfinished = match spawned {
            Ok(()) => "internal error: the rule's thread stopped".to_string(),
            Err(e) => format!("cannot start a rule-evaluation thread: {e}"),
        };
        done.into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|slot| slot.unwrap_or_else(|| (Err(unfinished.clone()), Duration::ZERO)))
            .collect()
    }

    fn run_rule(
        &self,
        session: &mut Session<'_>,
        rule: &RuleInfo,
        sources: &Sources<'_>,
    ) -> Result<Found, String> {
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
        self.found(rule, sources, denies, undetermined, notes)
    }

    /// Turns a rule's `deny`, `undetermined` and `notes` entries into report entries.
    fn found(
        &self,
        rule: &RuleInfo,
        sources: &Sources<'_>,
        denies: Vec<Value>,
        undetermined: Vec<Value>,
        notes: Vec<Value>,
    ) -> Result<Found, String> {
        let source_of = |resource_id: &str| sources.get(resource_id).cloned();
        let keys = EntryKeys::default();
        let mut violations = Vec::with_capacity(denies.len());
        for d in denies {
            let f = Fields::read(&d, &keys, "deny")?;
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

/// What one rule found.
struct Found {
    violations: Vec<Violation>,
    undetermined: Vec<Undetermined>,
    notes: Vec<String>,
}

/// The fields every `deny` and `undetermined` entry carries, read straight from the
/// engine's value: only the evidence becomes JSON.
struct Fields {
    msg: String,
    resource_id: String,
    feature: Option<String>,
    target_id: Option<String>,
    remediation: Option<String>,
    evidence: Option<serde_json::Value>,
    missing: Option<Value>,
}

/// The keys [`Fields::read`] looks up, made once per rule rather than once per entry.
struct EntryKeys {
    msg: Value,
    resource_id: Value,
    feature: Value,
    target_id: Value,
    remediation: Value,
    evidence: Value,
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
        Ok(Fields {
            msg: string(&keys.msg)
                .ok_or_else(|| format!("`{rule}` entry has no `msg` string: {v}"))?,
            resource_id: string(&keys.resource_id)
                .ok_or_else(|| format!("`{rule}` entry has no `resource_id` string: {v}"))?,
            feature: string(&keys.feature),
            target_id: string(&keys.target_id),
            remediation: string(&keys.remediation),
            evidence,
            missing: obj.get(&keys.missing).cloned(),
        })
    }
}

/// A string as itself, anything else as its JSON text.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

fn eval_set(session: &mut Session<'_>, info: &RuleInfo, rule: &str) -> Result<Vec<Value>, String> {
    set_entries(session.eval(info, rule)?, rule)
}

/// The entries of a rule's set.
fn set_entries(value: Value, rule: &str) -> Result<Vec<Value>, String> {
    match value {
        Value::Undefined => Ok(Vec::new()),
        Value::Set(s) => Ok(s.iter().cloned().collect()),
        other => Err(format!(
            "`{rule}` must be a set (`{rule} contains x if ...`), found {}",
            other.to_json_str().unwrap_or_default()
        )),
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

/// Where each resource was read from.
type Sources<'a> = ByResource<'a, &'a Source>;

/// Builds a regorus engine with a policy set's modules and data.
pub(crate) fn build_engine(set: &PolicySet, include_tests: bool) -> Result<Engine, LoadError> {
    crate::sandbox::check_set(&set.summaries())?;
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
                line: None,
                message: e.to_string(),
            })?;
    }
    Ok(engine)
}
