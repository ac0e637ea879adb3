//! The evaluation budget of one template: how much the values its expressions build may
//! weigh, and the first reason evaluation had to stop. A template whose variables double
//! with `concat` forty times, or that pads a name to two billion characters, ends in an
//! input error naming the expression, never in minutes of work or gigabytes of memory.
//!
//! The budget is per thread: a template is read on one thread, and [`reset`] starts each.

use std::cell::RefCell;

use serde_json::Value;

/// The longest string one function builds: names and settings are short.
pub(crate) const MAX_TEXT: usize = 1 << 20;

/// What the values built for one template may weigh: one per element, one per 32 bytes
/// of text. Real templates build a few thousand.
pub(crate) const MAX_WEIGHT: u64 = 4_000_000;

#[derive(Default)]
struct State {
    used: u64,
    /// The first reason evaluation stopped, and the expression it stopped at.
    stopped: Option<(String, String)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Starts the budget of a new template.
pub(crate) fn reset() {
    STATE.with(|s| *s.borrow_mut() = State::default());
}

/// True once evaluation has stopped: everything left evaluates to the unknown marker.
pub(super) fn stopped() -> bool {
    STATE.with(|s| s.borrow().stopped.is_some())
}

/// Stops evaluation with a reason, at an expression (the first stop is kept).
pub(super) fn stop(reason: impl Into<String>, expression: &str) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.stopped.is_none() {
            let expression: String = expression.chars().take(200).collect();
            s.stopped = Some((reason.into(), expression));
        }
    });
}

/// Names the whole template expression evaluation stopped in, when the stop did not.
pub(super) fn note_expression(expression: &str) {
    STATE.with(|s| {
        if let Some((_, e)) = s.borrow_mut().stopped.as_mut() {
            if e.is_empty() {
                *e = expression.chars().take(200).collect();
            }
        }
    });
}

/// The reason evaluation stopped and the expression, if it did.
pub(crate) fn take_stop() -> Option<(String, String)> {
    STATE.with(|s| s.borrow_mut().stopped.take())
}

/// Counts `units` against the budget; false (and stopped) when they do not fit.
pub(super) fn charge(units: u64, expression: &str) -> bool {
    let over = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.used = s.used.saturating_add(units);
        s.used > MAX_WEIGHT
    });
    if over {
        stop(
            format!(
                "the values this template builds exceed {MAX_WEIGHT} elements (a doubling `concat`, a huge `padLeft` or `range`?); evaluation stopped"
            ),
            expression,
        );
    }
    !over
}

/// What a value weighs, counting no further than the budget.
pub(super) fn weight(v: &Value) -> u64 {
    fn walk(v: &Value, total: &mut u64) {
        if *total > MAX_WEIGHT {
            return;
        }
        *total += 1;
        match v {
            Value::String(s) => *total += (s.len() / 32) as u64,
            Value::Array(a) => a.iter().for_each(|x| walk(x, total)),
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                *total += (k.len() / 32) as u64;
                walk(x, total);
            }),
            _ => {}
        }
    }
    let mut total = 0;
    walk(v, &mut total);
    total
}
