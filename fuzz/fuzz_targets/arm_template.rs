//! Template-shaped documents: the fuzzer's bytes become the `variables`, `parameters` and
//! resource `name` of a deployment template, where the expression evaluator runs.
#![no_main]

use ahds_ingest::{InputFormat, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let q = |s: &str| serde_json_escape(s);
    let doc = format!(
        r#"{{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#","contentVersion":"1.0.0.0","parameters":{{"p":{{"type":"string","defaultValue":"{}"}}}},"variables":{{"v":"{}"}},"resources":[{{"type":"Microsoft.Storage/storageAccounts","apiVersion":"2023-01-01","name":"{}","location":"westeurope","properties":{{}}}}]}}"#,
        q(a),
        q(b),
        q(c)
    );
    if let Err(errors) = read(doc.as_bytes(), "fuzz.json", InputFormat::Arm) {
        assert!(!errors.is_empty());
    }
});

fn serde_json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
