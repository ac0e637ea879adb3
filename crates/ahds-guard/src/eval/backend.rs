//! The two ways rules run: regorus's bytecode VM (RVM) for the bundled catalog and the
//! tree-walking interpreter for everything else.
//!
//! The VM runs the bundled rules two to three times faster than the interpreter. It is
//! newer, so it only runs rules whose results are proven equal to the interpreter's: the
//! bundled catalog, checked on every fixture and on generated estates by
//! `tests/backends.rs`. Custom rules always run on the interpreter, and so does everything
//! when the VM cannot compile the policy set.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::{RegoVM, VmError};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{CompiledPolicy, Engine, LimitError, Value};

use crate::policy::catalog::{RuleInfo, RuleOrigin};
use crate::policy::error::{LoadError, policy_place};
use crate::policy::policy_set::PolicySet;

/// Which engine runs the bundled rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EngineChoice {
    /// The bytecode VM when the policy set compiles for it, else the interpreter.
    #[default]
    Auto,
    /// The interpreter for every rule.
    Interpreter,
}

/// The bundled rules compiled for the VM.
#[derive(Clone)]
pub(crate) struct VmProgram {
    policy: CompiledPolicy,
    program: Arc<Program>,
    /// The entry points `program` was compiled for, to compile it again.
    entries: Arc<[String]>,
    data: Value,
}

impl std::fmt::Debug for VmProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VmProgram")
            .field("entry_points", &self.program.entry_points.len())
            .finish_non_exhaustive()
    }
}

/// The rule sets (`deny`, `undetermined`, `notes`) a rule exposes, as full paths.
pub(crate) fn entry_points(rule: &RuleInfo) -> Vec<String> {
    let mut out = vec![format!("data.{}.deny", rule.package)];
    if rule.has_undetermined {
        out.push(format!("data.{}.undetermined", rule.package));
    }
    if rule.has_notes {
        out.push(format!("data.{}.notes", rule.package));
    }
    out
}

impl VmProgram {
    /// Compiles the bundled rules of an engine, preparing the engine on the way. `Err`
    /// says why the VM cannot run them; the caller falls back to the interpreter.
    pub(crate) fn compile(
        engine: &mut Engine,
        rules: &[RuleInfo],
        data: Value,
    ) -> Result<Self, String> {
        let entries: Vec<String> = rules
            .iter()
            .filter(|r| r.origin == RuleOrigin::Bundled)
            .flat_map(entry_points)
            .collect();
        let Some(first) = entries.first() else {
            return Err("no bundled rules".into());
        };
        let policy = engine
            .compile_with_entrypoint(&first.as_str().into())
            .map_err(|e| e.to_string())?;
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let program = Compiler::compile_from_policy(&policy, &refs).map_err(|e| e.to_string())?;
        Ok(VmProgram {
            policy,
            program,
            entries: entries.into(),
            data,
        })
    }

    /// Whether the program has a rule's entry points.
    pub(crate) fn runs(&self, rule: &RuleInfo) -> bool {
        rule.origin == RuleOrigin::Bundled
    }

    /// A VM loaded with the program, the data document and an input. With `private`, the
    /// VM gets a program compiled for it alone: the VM bumps reference counts inside its
    /// program at every call and jump, and two threads sharing one program slowed every
    /// rule by half (10,000 workspaces: rules 6.3 s shared, 5.1 s private; compiling costs
    /// about 2 ms).
    pub(crate) fn session(
        &self,
        input: Value,
        timeout: Duration,
        private: bool,
    ) -> Result<RegoVM, String> {
        let mut vm = RegoVM::new_with_policy(self.policy.clone());
        if private {
            let refs: Vec<&str> = self.entries.iter().map(String::as_str).collect();
            let own =
                Compiler::compile_from_policy(&self.policy, &refs).map_err(|e| e.to_string())?;
            vm.load_program(own);
        } else {
            vm.load_program(self.program.clone());
        }
        // The default budget (25,000 instructions) is for small admission-control
        // policies; a whole estate takes millions.
        vm.set_max_instructions(usize::MAX);
        vm.set_execution_timer_config(Some(timer(timeout)));
        vm.set_data(self.data.clone()).map_err(|e| e.to_string())?;
        vm.set_input(input);
        Ok(vm)
    }
}

/// The regorus time limit of one evaluation call.
fn timer(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit,
        // Work units between clock reads: often enough to stop within milliseconds of
        // the limit, rarely enough not to show in profiles.
        check_interval: NonZeroU32::MIN.saturating_add(999),
    }
}

/// One evaluation's engines, created on first use.
pub(crate) struct Session<'a> {
    interpreter: &'a Engine,
    vm: Option<&'a VmProgram>,
    input: Value,
    timeout: Duration,
    /// Whether other sessions run beside this one, on other threads.
    concurrent: bool,
    interp_session: Option<Engine>,
    vm_session: Option<RegoVM>,
}

impl<'a> Session<'a> {
    pub(crate) fn new(
        interpreter: &'a Engine,
        vm: Option<&'a VmProgram>,
        input: Value,
        timeout: Duration,
        concurrent: bool,
    ) -> Self {
        Session {
            interpreter,
            vm,
            input,
            timeout,
            concurrent,
            interp_session: None,
            vm_session: None,
        }
    }

    /// Evaluates one of a rule's sets (`deny`, `undetermined`, `notes`).
    pub(crate) fn eval(&mut self, rule: &RuleInfo, set: &str) -> Result<Value, String> {
        let path = format!("data.{}.{set}", rule.package);
        match self.vm {
            Some(vm) if vm.runs(rule) => {
                if self.vm_session.is_none() {
                    self.vm_session =
                        Some(vm.session(self.input.clone(), self.timeout, self.concurrent)?);
                }
                let Some(session) = self.vm_session.as_mut() else {
                    return Err("internal error: no VM session".into());
                };
                session.execute_entry_point_by_name(&path).map_err(|e| {
                    let timed_out = matches!(e, VmError::TimeLimitExceeded { .. });
                    self.failure(set, &e, timed_out)
                })
            }
            _ => {
                let session = self.interp_session.get_or_insert_with(|| {
                    let mut engine = self.interpreter.clone();
                    engine.set_input(self.input.clone());
                    engine.set_execution_timer_config(timer(self.timeout));
                    engine
                });
                session.eval_rule(path).map_err(|e| {
                    let timed_out = e.chain().any(|cause| {
                        matches!(
                            cause.downcast_ref::<LimitError>(),
                            Some(LimitError::TimeLimitExceeded { .. })
                        )
                    });
                    self.failure(set, &e, timed_out)
                })
            }
        }
    }

    /// Drops the engines, which a panic may have left mid-evaluation.
    pub(crate) fn reset(&mut self) {
        self.interp_session = None;
        self.vm_session = None;
    }

    /// The message of a failed evaluation; running over the time limit (told by the
    /// engine's error type) says so plainly.
    fn failure(&self, set: &str, error: &dyn std::fmt::Display, timed_out: bool) -> String {
        let text = error.to_string();
        if timed_out {
            format!(
                "`{set}` ran longer than the rule time limit of {:?} and was stopped",
                self.timeout
            )
        } else {
            format!("`{set}` failed: {text}")
        }
    }
}

/// Builds a regorus engine with a policy set's modules and data.
pub(crate) fn build_engine(set: &PolicySet, include_tests: bool) -> Result<Engine, LoadError> {
    crate::policy::sandbox::check_set(&set.summaries())?;
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
                place: policy_place(m.path.clone(), None),
                message: e.to_string(),
            })?;
    }
    Ok(engine)
}
