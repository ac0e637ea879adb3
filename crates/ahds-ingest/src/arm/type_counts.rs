//! How many entries of each resource type a listing holds, estimated from a sample of
//! its entries' text: a hint that lets the reader allocate the estate's collections once.
//!
//! Grown by doubling, a collection of a million role assignments (half a gigabyte) is
//! copied twenty times into fresh memory, and the last copy briefly holds both halves.
//! Counting every entry would cost a second pass over the text (`type` is the last member
//! when keys are sorted, as `az` and `collect` write them: a second of a 10,000-workspace
//! listing); a sample of [`SAMPLE`] entries costs milliseconds. The estimate is a hint
//! only: an entry whose `type` is not a plain string is not counted, and a collection that
//! needs more room than estimated still grows.

use std::collections::HashMap;
use std::fmt;

use std::ops::Range;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

/// How many entries are read to estimate the counts of a longer listing.
pub(super) const SAMPLE: usize = 4096;

/// Entries per `type` as spelt in the listing (spellings are folded by the caller): exact
/// up to [`SAMPLE`] entries, beyond that estimated from [`SAMPLE`] entries picked at
/// pseudo-random (an even stride would alias with a listing that repeats a pattern of
/// types, and miss a type or count one for all), with a margin for what a sample misses.
pub(super) fn estimate<'t>(text: &'t str, entries: &[Range<usize>]) -> HashMap<&'t str, usize> {
    let mut counts = HashMap::new();
    let mut count = |range: &Range<usize>| {
        if let Some(ty) = text.get(range.clone()).and_then(type_of) {
            *counts.entry(ty).or_insert(0usize) += 1;
        }
    };
    if entries.len() <= SAMPLE {
        entries.iter().for_each(count);
        return counts;
    }
    (0..SAMPLE as u64)
        .map(|k| sample_index(k, entries.len()))
        .for_each(|i| count(&entries[i]));
    let (len, sample) = (entries.len() as f64, SAMPLE as f64);
    for n in counts.values_mut() {
        // Three standard deviations of the sampled count over: under 0.2 % of estimates
        // fall short, and a type that is most of the listing gets a margin of a few %.
        let k = *n as f64;
        let high = k + 3.0 * (k * (1.0 - k / sample)).sqrt() + 1.0;
        // A float in 0..=len, which is a usize.
        *n = (high * len / sample).min(len) as usize;
    }
    counts
}

/// The `k`-th index of a fixed pseudo-random sample of `0..n` (splitmix64).
fn sample_index(k: u64, n: usize) -> usize {
    let mut z = k.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The remainder of a division by n is below n, which is a usize.
    (z % n as u64) as usize
}

/// The entry's `type`, reading only up to it.
fn type_of(entry: &str) -> Option<&str> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(entry);
    // The visitor stops at `type`, so serde_json reports the object unfinished: whatever
    // was found before that is the answer.
    let _ = de.deserialize_map(TypeOf(&mut found));
    found
}

struct TypeOf<'a, 't>(&'a mut Option<&'t str>);

impl<'t> Visitor<'t> for TypeOf<'_, 't> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a resource")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<&'t str>()? {
            if key == "type" {
                *self.0 = map.next_value::<&'t str>().ok();
                return Ok(());
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where each element of the array `text` stands, as the scan records it.
    fn entries(text: &str) -> Vec<Range<usize>> {
        crate::top_level::TopLevel::read(text).unwrap().parts.array
    }

    #[test]
    fn counts_each_spelling_of_a_type_wherever_it_stands_in_the_entry() {
        let text = r#"[
              {"id": "/a", "type": "Microsoft.Storage/storageAccounts", "properties": {"type": "x"}},
              {"properties": {"type": "x"}, "tags": {}, "type": "Microsoft.Storage/storageAccounts"},
              {"type": "microsoft.storage/storageaccounts"},
              {"type": "Microsoft.KeyVault/vaults", "type": "ignored"}
            ]"#;
        let counts = estimate(text, &entries(text));
        assert_eq!(counts.get("Microsoft.Storage/storageAccounts"), Some(&2));
        assert_eq!(counts.get("microsoft.storage/storageaccounts"), Some(&1));
        assert_eq!(counts.get("Microsoft.KeyVault/vaults"), Some(&1));
        assert_eq!(counts.len(), 3);
    }

    #[test]
    fn entries_without_a_plain_string_type_are_not_counted() {
        let text = r#"[
              {"type": 3},
              {"name": "no type"},
              "not an object",
              {"type": "Microsoft.Storage/storage\u0041ccounts"},
              {"typ\u0065": "Microsoft.Storage/storageAccounts"}
            ]"#;
        let counts = estimate(text, &entries(text));
        assert!(counts.is_empty(), "{counts:?}");
    }

    #[test]
    fn a_long_listing_is_estimated_from_a_sample_with_a_margin() {
        let text = format!(
            "[{}]",
            (0..SAMPLE * 5 / 2)
                // A pattern that repeats: a stride of 5 would see only one of the types.
                .map(|i| if i % 5 == 0 {
                    r#"{"type": "a/b"}"#
                } else {
                    r#"{"type": "c/d"}"#
                })
                .collect::<Vec<_>>()
                .join(",")
        );
        let counts = estimate(&text, &entries(&text));
        // A fifth and four fifths of 10,240 entries, and a margin that keeps the estimate
        // above them but not far (the fixed sample gives the same figures every run).
        let (a, c) = (counts["a/b"], counts["c/d"]);
        assert!((2_048..=2_048 + 2_048 / 8).contains(&a), "{a}");
        assert!((8_192..=8_192 + 8_192 / 16).contains(&c), "{c}");
    }
}
