//! Any text as a custom policy: loaded and, when it loads, evaluated against an empty
//! estate. A load error or a rule error is fine; a panic, a stack overflow or a hang is not.
#![no_main]

use std::time::Duration;

use ahds_guard::{Evaluator, PolicySet, RuleOrigin};
use ahds_ingest::Estate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = PolicySet::empty();
    if set.add_module("fuzz.rego", source, RuleOrigin::Custom).is_err() {
        return;
    }
    if let Ok(evaluator) = Evaluator::new(&set) {
        let _ = evaluator
            .with_rule_timeout(Duration::from_secs(2))
            .evaluate(&Estate::new());
    }
});
