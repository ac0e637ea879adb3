//! Any bytes given to the native reader: an estate or errors, never a panic or a hang.
#![no_main]

use ahds_ingest::{InputFormat, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(errors) = read(data, "fuzz.json", InputFormat::Native) {
        assert!(!errors.is_empty(), "a failed read names at least one problem");
    }
});
