//! Property tests: whatever the bytes, every reader returns an estate or errors that name
//! a place, and never panics. Seeds are the real documents of `testdata/`, mutated.
//!
//! The number of cases is bounded so `cargo test` stays quick; raise it with
//! `PROPTEST_CASES=10000 cargo test -p ahds-ingest --test properties`.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use ahds_ingest::{IngestError, InputFormat, read};
use proptest::prelude::*;
use serde_json::Value;

const FORMATS: [InputFormat; 4] = [
    InputFormat::Auto,
    InputFormat::Native,
    InputFormat::TerraformPlan,
    InputFormat::Arm,
];

/// One document of each kind the readers take.
const SEEDS: [&str; 5] = [
    "testdata/examples/contoso-clinical.json",
    "testdata/terraform/contoso-plan.json",
    "testdata/arm/contoso-clinical-resources.json",
    "testdata/arm/contoso-clinical-graph.json",
    "testdata/arm/contoso-bicep.json",
];

fn seed(i: usize) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(SEEDS[i % SEEDS.len()]);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn placed(e: &IngestError) -> bool {
    e.place.line.is_some() || e.place.pointer.is_some()
}

/// Reads in every format; checks the outcome is an estate or errors with places.
fn read_everywhere(bytes: &[u8]) -> Result<(), TestCaseError> {
    for format in FORMATS {
        match read(bytes, "prop.json", format) {
            Ok(ingested) => {
                for p in &ingested.problems {
                    prop_assert!(placed(p), "problem without a place: {p}");
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty(), "a failed read names no problem");
                for e in &errors {
                    prop_assert!(placed(e), "error without a place: {e}");
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }
    Ok(())
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::String),
        Just(Value::String("10.0.0.0/33".into())),
        Just(Value::String("/subscriptions//resourceGroups".into())),
        Just(Value::String("[variables('x')]".into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the node reached by following `path` (each step picks a child by index modulo
/// the number of children) with `with`.
fn replace_at(node: &mut Value, path: &[usize], with: Value) {
    match (path.split_first(), node) {
        (Some((&step, rest)), Value::Array(a)) if !a.is_empty() => {
            let i = step % a.len();
            replace_at(&mut a[i], rest, with);
        }
        (Some((&step, rest)), Value::Object(m)) if !m.is_empty() => {
            let i = step % m.len();
            replace_at(m.values_mut().nth(i).unwrap(), rest, with);
        }
        (_, node) => *node = with,
    }
}

/// Removes the node reached by `path` from its parent, when it has one.
fn remove_at(doc: &mut Value, path: &[usize]) {
    let Some((&last, parents)) = path.split_last() else {
        return;
    };
    let mut node = doc;
    for &step in parents {
        let next = match node {
            Value::Array(a) if !a.is_empty() => {
                let i = step % a.len();
                &mut a[i]
            }
            Value::Object(m) if !m.is_empty() => {
                let i = step % m.len();
                m.values_mut().nth(i).unwrap()
            }
            _ => return,
        };
        node = next;
    }
    match node {
        Value::Array(a) if !a.is_empty() => {
            a.remove(last % a.len());
        }
        Value::Object(m) if !m.is_empty() => {
            let key = m.keys().nth(last % m.len()).unwrap().clone();
            m.remove(&key);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_are_read_or_refused_with_a_place(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        read_everywhere(&bytes)?;
    }

    #[test]
    fn arbitrary_json_is_read_or_refused_with_a_place(value in json_value()) {
        read_everywhere(value.to_string().as_bytes())?;
    }

    #[test]
    fn real_documents_with_one_value_replaced_are_read_or_refused_with_a_place(
        which in 0usize..SEEDS.len(),
        path in prop::collection::vec(any::<usize>(), 0..8),
        with in json_value(),
    ) {
        let mut doc = seed(which);
        replace_at(&mut doc, &path, with);
        read_everywhere(doc.to_string().as_bytes())?;
    }

    #[test]
    fn real_documents_with_one_member_removed_are_read_or_refused_with_a_place(
        which in 0usize..SEEDS.len(),
        path in prop::collection::vec(any::<usize>(), 1..8),
    ) {
        let mut doc = seed(which);
        remove_at(&mut doc, &path);
        read_everywhere(doc.to_string().as_bytes())?;
    }

    #[test]
    fn truncated_documents_are_refused_with_line_and_column(
        which in 0usize..SEEDS.len(),
        cut in any::<prop::sample::Index>(),
    ) {
        let text = serde_json::to_string_pretty(&seed(which)).unwrap();
        // Cut anywhere before the closing bracket, on a character boundary.
        let end = text.trim_end().len() - 1;
        let mut at = cut.index(end.max(1));
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let errors = read(&text.as_bytes()[..at], "cut.json", InputFormat::Auto)
            .expect_err("a truncated document is never read");
        prop_assert!(errors.iter().all(|e| e.place.line.is_some() && e.place.column.is_some()), "{errors:?}");
    }
}
