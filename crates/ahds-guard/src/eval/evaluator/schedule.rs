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

    /// About how much work evaluating `rule` is, for [`largest_first`]: the records of the
    /// input members its package names itself (every member when it reaches `input` as a
    /// whole), once for each of its sets. Helpers the rule calls are not counted; the
    /// estimate only orders rules, it never changes what they report.
    pub(super) fn estimated_work(&self, rule: &RuleInfo, sizes: &HashMap<&str, usize>) -> usize {
        let sets = 1 + usize::from(rule.has_undetermined) + usize::from(rule.has_notes);
        let records: usize = match self.package_input_use.get(&rule.package) {
            Some(used) if !used.whole => used
                .members
                .iter()
                .map(|m| sizes.get(m.as_str()).copied().unwrap_or(1))
                .sum(),
            _ => sizes.values().sum(),
        };
        sets.saturating_mul(records.saturating_add(1))
    }

    /// Evaluates every rule's sets, on `threads` threads pulling rules in `order` (indices
    /// into `rules`; a single thread takes them as listed); each thread has its own engine
    /// session over the shared input. A panic inside a rule becomes that rule's error.
    /// Results come back in the order of `rules`, whichever order they ran in.
    pub(super) fn run_rules(
        &self,
        rules: &[RuleInfo],
        order: &[usize],
        input: &Value,
        threads: usize,
    ) -> Vec<(Result<Entries, String>, Duration)> {
        let session = |private: bool| {
            Session::new(
                &self.engine,
                self.vm.as_ref(),
                input.clone(),
                self.rule_timeout,
                private,
            )
        };
        let run_one = |session: &mut Session<'_>, i: usize| {
            let started = Instant::now();
            let outcome =
                std::panic::catch_unwind(AssertUnwindSafe(|| self.run_rule(session, &rules[i])))
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
        on_threads(rules.len(), order, threads, session, run_one, |why| {
            (Err(why.to_string()), Duration::ZERO)
        })
    }

    /// Evaluates a rule's `deny`, `undetermined` and `notes` sets.
    pub(super) fn run_rule(
        &self,
        session: &mut Session<'_>,
        rule: &RuleInfo,
    ) -> Result<Entries, String> {
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
        Ok(Entries {
            denies,
            undetermined,
            notes,
        })
    }

    /// Turns each rule's entries into report entries, on `threads` threads, in the order
    /// of `rules`. The evaluator does this after it has freed the input document, so that
    /// the report entries (which copy each finding's rule, place and fix, and take a little
    /// more than the engine's values) are never alive beside it. A rule whose entries
    /// cannot be read is that rule's error.
    pub(super) fn read_entries(
        &self,
        rules: &[RuleInfo],
        entries: Vec<Result<Entries, String>>,
        sources: &Sources<'_>,
        threads: usize,
    ) -> Vec<(Result<Found, String>, Duration)> {
        let entries: Vec<Mutex<Option<Result<Entries, String>>>> =
            entries.into_iter().map(|e| Mutex::new(Some(e))).collect();
        let read_one = |_: &mut (), i: usize| {
            let started = Instant::now();
            let taken = entries[i].lock().ok().and_then(|mut e| e.take());
            let outcome = match taken {
                None => Err("internal error: the rule's entries were read twice".to_string()),
                Some(Err(message)) => Err(message),
                Some(Ok(e)) => std::panic::catch_unwind(AssertUnwindSafe(|| {
                    self.found(&rules[i], sources, e.denies, e.undetermined, e.notes)
                }))
                .unwrap_or_else(|panic| {
                    Err(format!(
                        "internal error while reading its entries: {}",
                        panic_message(panic.as_ref())
                    ))
                }),
            };
            (outcome, started.elapsed())
        };
        let order: Vec<usize> = (0..rules.len()).collect();
        on_threads(
            rules.len(),
            &order,
            threads,
            |_| (),
            read_one,
            |why| (Err(why.to_string()), Duration::ZERO),
        )
    }
}

/// Runs `work` for each index of `order` (a permutation of `0..count`), on `threads`
/// threads pulling indices in that order, each on a stack of [`RULE_STACK_BYTES`] with a
/// state of its own made by `state` (told whether it is one of several threads). With one
/// thread the work runs on the calling thread, whose caches are warm (a fresh thread per
/// call cost a third of a small evaluation), on a stack of that size switched to in place.
/// Results come back by index; an index no thread reached gets `unreached` of why.
fn on_threads<S, R: Send>(
    count: usize,
    order: &[usize],
    threads: usize,
    state: impl Fn(bool) -> S + Sync,
    work: impl Fn(&mut S, usize) -> R + Sync,
    unreached: impl Fn(&str) -> R,
) -> Vec<R> {
    let fill = |slots: Vec<Option<R>>, why: &str| -> Vec<R> {
        slots
            .into_iter()
            .map(|slot| slot.unwrap_or_else(|| unreached(why)))
            .collect()
    };
    let mut slots: Vec<Option<R>> = Vec::new();
    slots.resize_with(count, || None);
    if threads <= 1 {
        stacker::maybe_grow(RULE_STACK_BYTES, RULE_STACK_BYTES, || {
            let mut own = state(false);
            for &i in order {
                let result = work(&mut own, i);
                if let Some(slot) = slots.get_mut(i) {
                    *slot = Some(result);
                }
            }
        });
        return fill(slots, "internal error: not run");
    }
    let next = AtomicUsize::new(0);
    let done = Mutex::new(slots);
    let spawned = std::thread::scope(|scope| {
        let mut spawned = Ok(());
        for _ in 0..threads {
            let worker = || {
                let mut own = state(true);
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = work(&mut own, i);
                    if let Ok(mut slots) = done.lock()
                        && let Some(slot) = slots.get_mut(i)
                    {
                        *slot = Some(result);
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
    fill(done.into_inner().unwrap_or_default(), &unfinished)
}

/// The order threads take rules in: the largest estimated work first, equal estimates in
/// catalog order. Pulled in catalog order, the outbound rules (the largest, and last in
/// the bundled catalog) started last, and one thread ran on alone for up to a rule's time
/// after the other had finished.
pub(super) fn largest_first(work: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(work[i]));
    order
}

/// The text of a panic payload.
pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_start_first_and_equals_keep_their_order() {
        assert_eq!(largest_first(&[3, 10, 3, 7, 10]), vec![1, 4, 3, 0, 2]);
        assert_eq!(largest_first(&[]), Vec::<usize>::new());
    }

    #[test]
    fn results_come_back_by_index_whatever_the_order_and_threads() {
        let order = [3, 0, 4, 1, 2];
        for threads in [1, 2, 3] {
            let states = AtomicUsize::new(0);
            let got: Vec<(usize, bool)> = on_threads(
                5,
                &order,
                threads,
                |private| {
                    states.fetch_add(1, Ordering::Relaxed);
                    (private, 0usize)
                },
                |(private, done), i| {
                    *done += 1;
                    (i * 10, *private)
                },
                // An index no thread reached: a value no item yields.
                |_| (usize::MAX, false),
            );
            let expected: Vec<(usize, bool)> = (0..5).map(|i| (i * 10, threads > 1)).collect();
            assert_eq!(got, expected, "{threads} thread(s)");
            // One state per thread, made once, not once per item.
            assert_eq!(states.load(Ordering::Relaxed), threads);
        }
    }

    #[test]
    fn work_is_the_records_a_package_names_once_per_set() {
        let evaluator = Evaluator::bundled().unwrap();
        let sizes: HashMap<&str, usize> = HashMap::from([
            ("links", 8000),
            ("workspaces", 1000),
            ("fhir_services", 900),
        ]);
        let work = |id: &str| {
            let rule = evaluator.rules.iter().find(|r| r.id == id).unwrap();
            evaluator.estimated_work(rule, &sizes)
        };
        // `deny` and `undetermined` over `input.links`.
        assert_eq!(work("AHDS-TS-002"), 2 * 8001);
        // `deny`, `undetermined` and `notes` over `input.links` and
        // `input.role_assignments_included` (not a collection: one record).
        assert_eq!(work("AHDS-ID-002"), 3 * (8000 + 1 + 1));
        // `deny` and `undetermined` over `input.workspaces` (the services through a helper,
        // which the estimate does not follow).
        assert_eq!(work("AHDS-PL-001"), 2 * 1001);
        // Names no member itself: it reads the NSG rules through `lib.service_tags`.
        assert_eq!(work("AHDS-ST-001"), 2);
    }
}
