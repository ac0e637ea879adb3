//! Symbolic values: names and ids that are only fixed when a deployment runs.
//!
//! A template parameter without a value, the deployment's subscription and resource group,
//! or `uniqueString(...)` stand in names as *symbols*, written `{name}` inside the string
//! (`{workspaceName}-fhir`, `/subscriptions/{subscriptionId}/...`). Two values built the same
//! way from the same symbols are the same string, so references between resources still
//! resolve; two different symbolic values may or may not be equal once deployed, so a
//! comparison that involves a symbol and does not match exactly is undecided, never `false`.
//!
//! A symbol is `{`, a letter, then anything but `{`, `}` and `/`, then `}`: Azure resource
//! names cannot hold braces, so a real name never reads as one.

use crate::known::Known;

/// One piece of a possibly symbolic string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Literal text.
    Text(&'a str),
    /// A symbol, without its braces (`workspaceName`).
    Symbol(&'a str),
}

/// The length of a symbol starting at `s[0] == '{'`, braces included, if one starts there.
fn symbol_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('{')?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let end = rest.find(['{', '}', '/'])?;
    (rest.as_bytes()[end] == b'}').then_some(end + 2)
}

/// Splits a string into literal text and symbols.
///
/// ```
/// use ahds_model::symbolic::{segments, Segment};
/// assert_eq!(
///     segments("st{uniqueString:4a8c}x"),
///     vec![Segment::Text("st"), Segment::Symbol("uniqueString:4a8c"), Segment::Text("x")]
/// );
/// ```
pub fn segments(s: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find('{') {
        let at = i + off;
        match symbol_len(&s[at..]) {
            Some(len) => {
                if at > text_start {
                    out.push(Segment::Text(&s[text_start..at]));
                }
                out.push(Segment::Symbol(&s[at + 1..at + len - 1]));
                i = at + len;
                text_start = i;
            }
            None => i = at + 1,
        }
    }
    if text_start < s.len() {
        out.push(Segment::Text(&s[text_start..]));
    }
    out
}

/// True when the string holds a symbol.
pub fn is_symbolic(s: &str) -> bool {
    s.match_indices('{')
        .any(|(at, _)| symbol_len(&s[at..]).is_some())
}

/// The symbols a string holds, in order, without braces.
pub fn symbols(s: &str) -> Vec<&str> {
    if !s.contains('{') {
        return Vec::new();
    }
    segments(s)
        .into_iter()
        .filter_map(|seg| match seg {
            Segment::Symbol(x) => Some(x),
            Segment::Text(_) => None,
        })
        .collect()
}

/// Whether two names or ids are the same resource, as ARM compares them (ignoring case):
/// `Some(true)` when they match, `Some(false)` when they cannot match, `None` when a symbol
/// makes it undecidable before deployment.
///
/// ```
/// use ahds_model::{Known, symbolic::same};
/// assert_eq!(same("{ws}-fhir", "{WS}-FHIR"), Known::Value(true));
/// assert_eq!(same("fhir", "dicom"), Known::Value(false));
/// assert_eq!(same("{ws}-fhir", "contoso-fhir"), Known::Unknown);
/// ```
pub fn same(a: &str, b: &str) -> Known<bool> {
    if a.eq_ignore_ascii_case(b) {
        Known::Value(true)
    } else if is_symbolic(a) || is_symbolic(b) {
        Known::Unknown
    } else {
        Known::Value(false)
    }
}

/// Makes text safe to stand inside a symbol: braces and `/` would end or split it.
pub fn escape(text: &str) -> String {
    text.replace('{', "(").replace('}', ")").replace('/', "%2F")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_brace_words_without_slashes_are_symbols() {
        assert!(is_symbolic("{subscriptionId}"));
        assert!(is_symbolic(
            "/subscriptions/{subscriptionId}/resourceGroups/rg"
        ));
        assert!(
            !is_symbolic("{0}-{1}"),
            "format placeholders are not symbols"
        );
        assert!(!is_symbolic("{ \"json\": 1 }"));
        assert!(!is_symbolic("{a/b}"));
        assert!(!is_symbolic("{unclosed"));
        assert_eq!(symbols("{a}-{b}x{"), vec!["a", "b"]);
        assert_eq!(
            segments("{a}{b}"),
            vec![Segment::Symbol("a"), Segment::Symbol("b")]
        );
    }

    #[test]
    fn symbols_decide_equality_only_when_identical() {
        assert_eq!(same("/x/{a}", "/X/{A}"), Known::Value(true));
        assert_eq!(same("{a}", "{b}"), Known::Unknown);
        assert_eq!(same("{a}", "a"), Known::Unknown);
        assert_eq!(same("a", "b"), Known::Value(false));
        assert_eq!(escape("{a}/b"), "(a)%2Fb");
    }
}
