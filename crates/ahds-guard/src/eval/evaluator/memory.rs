//! The memory limit of custom rules. regorus counts what is allocated through its
//! allocator (which the CLI installs as the global allocator) and stops an evaluation that
//! passes the process-wide limit. Custom rules run one at a time after the bundled ones,
//! with the limit set to what the process holds plus the budget, so a rule that passes it
//! is the one reported; evaluations in other threads wait meanwhile (the limit is the
//! process's).
//!
//! Where regorus's allocator is not the global allocator (an embedder with its own), the
//! counts stay at zero and only the time limit applies.

#[cfg(feature = "rule-memory-limit")]
use std::sync::Mutex;

/// One memory-limited section at a time: the limit is process-wide.
#[cfg(feature = "rule-memory-limit")]
static SECTION: Mutex<()> = Mutex::new(());

/// Runs `f` with the process's allocations limited to what they are now plus `budget`
/// bytes (none: no limit).
#[cfg(feature = "rule-memory-limit")]
pub(super) fn limited<T>(budget: Option<u64>, f: impl FnOnce() -> T) -> T {
    let Some(budget) = budget else {
        return f();
    };
    let _section = SECTION
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = heap_in_use().map_or(0, |(now, _)| now);
    regorus::set_global_memory_limit(Some(now.saturating_add(budget)));
    let out = f();
    regorus::set_global_memory_limit(None);
    out
}

/// Without the `rule-memory-limit` feature there is no count to limit: only the time
/// limit applies.
#[cfg(not(feature = "rule-memory-limit"))]
pub(super) fn limited<T>(_budget: Option<u64>, f: impl FnOnce() -> T) -> T {
    f()
}

/// The heap in use and the most it has held since the process started, in bytes, as
/// regorus's allocator counts them; `None` where that allocator is not the global one
/// (its counts would be zero) or the feature is off.
#[cfg(feature = "rule-memory-limit")]
pub(super) fn heap_in_use() -> Option<(u64, u64)> {
    mimalloc::limits::flush_thread_counters();
    let (global, _) = mimalloc::allocation_stats_snapshot();
    (global.peak > 0).then_some((global.allocated, global.peak))
}

/// Without the `rule-memory-limit` feature nothing counts the heap.
#[cfg(not(feature = "rule-memory-limit"))]
pub(super) fn heap_in_use() -> Option<(u64, u64)> {
    None
}
