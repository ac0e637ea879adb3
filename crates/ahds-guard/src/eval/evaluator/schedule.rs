//! Running a set of rules over threads, each on its own stack, a panic kept to its rule.

use super::*;

impl Evaluator {
    /// How many threads evaluate rules: one for small estates, where starting threads
    /// costs more than it saves; otherwise the configured number or one per core.
    pub(super) fn threads_for(&self, estate: &Estate, rules: usize) -> usize {
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
    pub(super) fn run_rules(
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
                    false,
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
                        true,
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

    pub(super) fn run_rule(
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
}

/// The text of a panic payload.
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}
