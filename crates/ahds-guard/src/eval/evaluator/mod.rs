//! The evaluator: a prepared regorus engine with a policy set, turning estates into reports.

// Scheduling rules over threads and reading their entries into findings have files of
// their own; they share this module's imports through `use super::*`.
mod entries;
mod memory;
mod schedule;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ahds_model::{Estate, Place, analyze, analyze_on_threads, validate};

use crate::eval::input_document::PolicyInput;
use regorus::{Engine, Value};

use crate::config::{Config, ConfigError};
use crate::eval::backend::{EngineChoice, Session, VmProgram, build_engine};
use crate::eval::error::EvaluateError;
use crate::policy::catalog::{RuleInfo, RuleOrigin};
use crate::policy::error::LoadError;
use crate::policy::module_summary::InputUse;
use crate::policy::policy_set::PolicySet;
use crate::report::by_resource::ByResource;
use crate::report::waivers::CompiledWaiver;
use crate::report::{Report, RuleError, Undetermined, Violation};

use entries::{Entries, Found, eval_set};

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
    config: Config,
    waivers: Vec<CompiledWaiver>,
    today: Option<jiff::civil::Date>,
    /// Rule-evaluation threads; `None` decides by estate size and cores.
    threads: Option<usize>,
    /// How long one rule set (`deny`, `undetermined`, `notes`) may run.
    rule_timeout: Duration,
    /// What custom rules may allocate beyond what the process holds when they start.
    rule_memory: Option<u64>,
    /// The members of the input document the policy set can read: the others are not
    /// built (a tenant's million role assignments, when no rule reads them).
    input_use: InputUse,
    /// What each rule package's modules name of the input, to estimate which rules are the
    /// largest and start them first.
    package_input_use: HashMap<String, InputUse>,
}

/// How long each phase of an evaluation took, and what the heap held as each ended.
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
    /// What the heap held as the phases ended, where the allocator counts it (the CLI's
    /// does; an embedder's own allocator leaves this `None`).
    pub heap: Option<HeapUse>,
}

/// Heap in use, in bytes, at the end of each phase of an evaluation: where the memory of a
/// large run goes. These are the allocator's counts of live allocations; the process's
/// resident size is higher by the allocator's free pages, stacks and the program itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeapUse {
    /// Before the evaluation: the estate as read, with whatever else the caller holds.
    pub estate: u64,
    /// With the analysis (links and facts) derived.
    pub analysis: u64,
    /// With the policy input document built and the analysis freed.
    pub input: u64,
    /// With every rule's entries collected as the engine returned them, the input document
    /// still held (they become report entries after it is freed, counted in `report`).
    pub rules: u64,
    /// At the end: the report finished, the input document freed.
    pub report: u64,
    /// The most the heap held at any moment up to the end, reading included.
    pub peak: u64,
}

/// Estates smaller than this are evaluated on the calling thread unless
/// [`Evaluator::with_threads`] says otherwise.
const PARALLEL_FROM_RESOURCES: usize = 500;

/// How long one of a rule's sets may take by default. The slowest bundled rule takes about
/// 3 s on 10,000 workspaces; a minute leaves room for larger estates and slower machines
/// while still ending a runaway custom rule.
pub const DEFAULT_RULE_TIMEOUT: Duration = Duration::from_secs(60);

/// What custom rules may allocate by default: 1 GiB beyond what the process holds.
pub const DEFAULT_RULE_MEMORY: u64 = 1 << 30;

/// The stack rules are evaluated on (a spawned thread's, or a segment the calling thread
/// switches to). regorus evaluates recursively, a few KiB per link of a chain of dependent
/// rules; recursion and chains over `MAX_RULE_CHAIN` (4,000) are refused at load, and this
/// holds about 10,000 links. Only touched pages are committed.
const RULE_STACK_BYTES: usize = 64 << 20;

/// Where a rule is written: bundled rules by their path in the repository's `policies/`.
fn rule_place(rule: &RuleInfo) -> Place {
    let file = match rule.origin {
        crate::policy::catalog::RuleOrigin::Bundled => format!("policies/{}", rule.file),
        _ => rule.file.clone(),
    };
    Place::in_file(file).at_line(rule.line, None)
}

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
        Ok(Evaluator {
            engine,
            vm,
            vm_unavailable,
            rules: set.rules().to_vec(),
            config: Config::default(),
            waivers: Vec::new(),
            today: None,
            threads: None,
            rule_timeout: DEFAULT_RULE_TIMEOUT,
            rule_memory: Some(DEFAULT_RULE_MEMORY),
            input_use: set.input_use(),
            package_input_use: set.input_use_by_package(),
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

    /// Bounds what custom rules may allocate, in bytes ([`DEFAULT_RULE_MEMORY`]
    /// otherwise; `None` for no bound). A custom rule that passes it stops with an error in
    /// [`Report::errors`]; the others still report. The count is regorus's allocator's, so
    /// the bound holds where it is the global allocator (as in the `ahds-guard` CLI).
    pub fn with_rule_memory_limit(mut self, bytes: Option<u64>) -> Self {
        self.rule_memory = bytes;
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

    /// Builds the policy input document for an estate: exactly what rules see as `input`.
    pub fn input_document(&self, estate: &Estate) -> Result<serde_json::Value, EvaluateError> {
        let problems = validate(estate);
        if !problems.is_empty() {
            return Err(EvaluateError::InvalidEstate(problems));
        }
        let analysis = analyze(estate);
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

    /// Whether the evaluation builds the input document's member `name`: when a rule can
    /// read it, or when it is a collection links take their targets from and a rule reads
    /// the links.
    fn builds(&self, name: &str) -> bool {
        // The collections `ahds_model::TargetType` names (its serde names).
        const LINK_TARGETS: [&str; 4] = [
            "storage_accounts",
            "container_registries",
            "eventhub_namespaces",
            "key_vaults",
        ];
        name == "version"
            || self.input_use.reads(name)
            || (LINK_TARGETS.contains(&name) && self.input_use.reads("links"))
    }

    /// Evaluates and reports how long each phase took and what the heap held after it.
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
        let mut heap = memory::heap_in_use().map(|(now, _)| HeapUse {
            estate: now,
            ..HeapUse::default()
        });
        let mut mark = |field: fn(&mut HeapUse) -> &mut u64| {
            if let (Some(heap), Some((now, peak))) = (heap.as_mut(), memory::heap_in_use()) {
                *field(heap) = now;
                heap.peak = peak;
            }
        };
        let analysis = analyze_on_threads(estate, threads);
        mark(|h| &mut h.analysis);
        stats.analysis = t.elapsed();
        let t = Instant::now();
        let document = PolicyInput {
            estate,
            analysis: &analysis,
        }
        .without_link_targets();
        let sizes: HashMap<&str, usize> =
            document.parts().map(|p| (p.name(), p.weight())).collect();
        let parts = document.parts().filter(|p| self.builds(p.name()));
        let mut input = crate::eval::input_document::parts_to_value(parts, threads)
            .map_err(|e| EvaluateError::Input(e.to_string()))?;
        crate::eval::input_document::attach_link_targets(&mut input)
            .map_err(|e| EvaluateError::Input(e.to_string()))?;
        // Rules see only the document: free the analysis before they allocate.
        drop(analysis);
        mark(|h| &mut h.input);
        stats.input = t.elapsed();
        let t = Instant::now();
        let mut report = Report {
            skipped: estate.skipped.clone(),
            notes: estate.notes.clone(),
            unset_variables: estate.unset_variables.clone(),
            ..Report::default()
        };
        // Bundled rules on every thread; custom rules after them, one at a time under the
        // memory limit, so a rule that passes it is the one reported.
        let (custom, bundled): (Vec<usize>, Vec<usize>) =
            (0..rules.len()).partition(|&i| rules[i].origin == RuleOrigin::Custom);
        let pick = |idx: &[usize]| idx.iter().map(|&i| rules[i].clone()).collect::<Vec<_>>();
        let mut slots: Vec<Option<(Result<Entries, String>, Duration)>> = Vec::new();
        slots.resize_with(rules.len(), || None);
        let bundled_rules = pick(&bundled);
        let work: Vec<usize> = bundled_rules
            .iter()
            .map(|r| self.estimated_work(r, &sizes))
            .collect();
        let ran = self.run_rules(
            &bundled_rules,
            &schedule::largest_first(&work),
            &input,
            threads,
        );
        for (i, o) in bundled.iter().zip(ran) {
            slots[*i] = Some(o);
        }
        if !custom.is_empty() {
            let custom_rules = pick(&custom);
            let in_catalog_order: Vec<usize> = (0..custom_rules.len()).collect();
            let ran = memory::limited(self.rule_memory, || {
                self.run_rules(&custom_rules, &in_catalog_order, &input, 1)
            });
            for (i, o) in custom.iter().zip(ran) {
                slots[*i] = Some(o);
            }
        }
        let outcomes: Vec<(Result<Entries, String>, Duration)> = slots
            .into_iter()
            .map(|s| s.unwrap_or_else(|| (Err("internal error: not run".into()), Duration::ZERO)))
            .collect();
        mark(|h| &mut h.rules);
        // The input document is the largest thing alive; free it before the findings become
        // report entries, which take about as much again. (Freeing it on another thread
        // during the report was no faster: the two passes contended, and the peak grew by
        // 0.1 GB.)
        drop(input);
        let sources: Sources<'_> = ByResource::build(estate, |m| {
            Some(ResourceFacts {
                source: m.place,
                resource_type: m.resource_type,
            })
        });
        let (entries, took): (Vec<_>, Vec<_>) = outcomes.into_iter().unzip();
        let found = self.read_entries(&rules, entries, &sources, threads);
        // Merge in catalog order, whichever thread ran a rule: the report is the same for
        // any number of threads.
        for ((rule, took), (outcome, reading)) in rules.iter().zip(took).zip(found) {
            stats.per_rule.push((rule.id.clone(), took + reading));
            match outcome {
                Ok(found) => {
                    report.violations.extend(found.violations);
                    report.undetermined.extend(found.undetermined);
                    report.notes.extend(found.notes);
                }
                Err(message) => report.errors.push(RuleError {
                    rule_id: rule.id.clone(),
                    place: Some(rule_place(rule)),
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
        crate::report::waivers::apply(&mut report, estate, &self.waivers, today);
        crate::report::waivers::apply_inline(&mut report, estate, &known, today);
        report.finish(estate.resource_count(), rules.len());
        mark(|h| &mut h.report);
        stats.heap = heap;
        stats.report = t.elapsed();
        Ok((report, stats))
    }
}

/// What a finding carries of its resource: where it was read from, and its ARM type.
#[derive(Clone, Copy)]
struct ResourceFacts<'a> {
    source: Option<&'a Place>,
    resource_type: &'static str,
}

/// The facts of each resource, by the id findings name.
type Sources<'a> = ByResource<'a, ResourceFacts<'a>>;
