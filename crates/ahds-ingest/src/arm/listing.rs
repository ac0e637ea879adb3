//! Listings (an array of resources, a `value` list, Azure Resource Graph `data` rows) read
//! one resource at a time. A tenant's export runs to a gigabyte; as one `serde_json::Value`
//! it took six times that, so the list is first split into its entries' text, and each
//! entry is parsed, mapped and freed in turn. Only children (rule sets, DNS zone groups,
//! ...) are kept until every parent is in.
//!
//! What this reads is what [`super::read_arm`] reads from the parsed document, with the
//! same places and problems in the same order; the tests below hold the two to that.

use std::fmt;

use ahds_model::Estate;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::resources::{ArmResource, ChildMap, Mapping, Provenance};
use crate::error::{IngestError, Position};
use crate::positions::Positions;
use crate::top_level::{Kind, TopLevel};

/// Whether a document with this top level is a listing [`read_listing`] reads. A single
/// resource, a template and a parameters file are read whole.
pub(crate) fn is_streamed(top: &TopLevel) -> bool {
    let schema = top.schema.as_deref().unwrap_or("");
    let template = super::names_template(schema)
        || (top.has("resources") && top.has("contentVersion"))
        || super::names_parameters(schema);
    !template
        && match top.kind {
            Kind::Array => true,
            Kind::Object => top.value_is_array || top.data_is_array,
            Kind::Scalar(_) => false,
        }
}

/// Reads a listing [`is_streamed`] accepts; `top` is its scanned top level.
pub(crate) fn read_listing(
    text: &str,
    top: &TopLevel,
    file: &str,
) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
    let lines = Lines::new(text);
    let parse_error = |e: serde_json::Error| vec![lines.error(file, &e, 0)];
    // The scan said which member holds the list, so it is split into its entries in the
    // same pass that splits the members (a second pass over the list was a quarter of the
    // JSON scanning of a tenant export).
    let chosen = if top.value_is_array { "value" } else { "data" };
    let mut de = serde_json::Deserializer::from_str(text);
    let top = (&mut de)
        .deserialize_any(TopVisitor { list_key: chosen })
        .and_then(|t| de.end().map(|()| t))
        .map_err(parse_error)?;
    let (list, base, collect) = match top {
        Top::Array(entries) => (entries, "", None),
        Top::Object { list, members } => {
            let mut collect = None;
            for (key, raw) in members {
                // Parsed for what the whole-document reader refused in them (a key named
                // twice), and kept where the reader uses them.
                let value = lines.parse(raw, file)?;
                if key == super::COLLECT_KEY {
                    collect = Some(value);
                }
            }
            let Some(list) = list else {
                return Err(vec![IngestError::new(
                    file,
                    Position::pointer(""),
                    "internal error: a listing without its list",
                )]);
            };
            let base = if chosen == "value" { "/value" } else { "/data" };
            (list, base, collect)
        }
    };
    let mut doc = serde_json::Map::new();
    if let Some(c) = collect {
        doc.insert(super::COLLECT_KEY.to_string(), c);
    }
    // The whole-document reader records no line this deep.
    let mut problems = super::collection_failures(&Value::Object(doc), file, &Positions::default());
    if list.is_empty() {
        problems.push(IngestError::new(
            file,
            Position::pointer(base),
            "the listing holds no resources: nothing was checked",
        ));
    }
    let mut mapping = Mapping::new(file, Provenance::Listing);
    if list.len() >= super::resources::RESERVE_FROM {
        mapping.reserve(super::type_counts::estimate(&list));
    }
    let mut children: Vec<(ChildMap<'_>, Value, String, Option<u32>)> = Vec::new();
    let mut cursor = lines.cursor();
    for_each_parsed(&list, &lines, file, |i, raw, value| {
        let pointer = format!("{base}/{i}");
        // Lines are recorded for objects and arrays, as the whole-document reader's are.
        let line = match raw.get().as_bytes().first() {
            Some(b'{' | b'[') => Some(cursor.line_at(lines.offset(raw))),
            _ => None,
        };
        if !value.is_object() || super::props::str_at(&value, &["type"]).is_none() {
            problems.push(IngestError::new(
                file,
                Position {
                    line,
                    column: None,
                    pointer: Some(pointer),
                },
                "entry left out: not a resource (no string `type`)",
            ));
            return;
        }
        let line = line.and_then(|l| u32::try_from(l).ok());
        let resource = ArmResource {
            file,
            value: &value,
            line,
            pointer,
            address: None,
        };
        if let Some(map) = mapping.add(&resource) {
            let ArmResource { pointer, .. } = resource;
            children.push((map, value, pointer, line));
        }
    })?;
    for (map, value, pointer, line) in &children {
        let resource = ArmResource {
            file,
            value,
            line: *line,
            pointer: pointer.clone(),
            address: None,
        };
        mapping.add_child(*map, &resource);
    }
    let (estate, mut mapped) = mapping.finish();
    problems.append(&mut mapped);
    Ok((estate, problems))
}

/// Listings with fewer entries are parsed on the reading thread: a second thread costs
/// more than it saves.
const PARALLEL_FROM_ENTRIES: usize = 4096;

/// Entries handed from the parsing thread to the mapping one at a time.
const BATCH: usize = 256;

/// Parses each entry and hands it, in order, to `each`. A large listing is parsed on a
/// second thread while this one maps what is parsed: parsing is about a third of reading.
fn for_each_parsed(
    list: &[&RawValue],
    lines: &Lines<'_>,
    file: &str,
    mut each: impl FnMut(usize, &RawValue, Value),
) -> Result<(), Vec<IngestError>> {
    let sequential = |each: &mut dyn FnMut(usize, &RawValue, Value)| {
        for (i, raw) in list.iter().enumerate() {
            each(i, raw, lines.parse(raw, file)?);
        }
        Ok(())
    };
    if list.len() < PARALLEL_FROM_ENTRIES {
        return sequential(&mut each);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Value>, Vec<IngestError>>>(4);
        let parser = std::thread::Builder::new()
            .name("ahds-guard-listing".into())
            .spawn_scoped(scope, move || {
                for chunk in list.chunks(BATCH) {
                    let parsed: Result<Vec<Value>, _> =
                        chunk.iter().map(|raw| lines.parse(raw, file)).collect();
                    let failed = parsed.is_err();
                    // A closed channel: the reader stopped.
                    if tx.send(parsed).is_err() || failed {
                        break;
                    }
                }
            });
        if parser.is_err() {
            return sequential(&mut each);
        }
        let mut entries = list.iter().enumerate();
        for batch in rx {
            for value in batch? {
                let Some((i, raw)) = entries.next() else {
                    break;
                };
                each(i, raw, value);
            }
        }
        if entries.next().is_some() {
            // The parser stopped without saying why (it panicked).
            return Err(vec![IngestError::new(
                file,
                Position::pointer(""),
                "internal error: the listing was not read to its end",
            )]);
        }
        Ok(())
    })
}

/// A listing's top level, its members left as text and its list split into entries.
enum Top<'t> {
    Array(Vec<&'t RawValue>),
    Object {
        /// The entries of the member named by [`TopVisitor::list_key`].
        list: Option<Vec<&'t RawValue>>,
        /// The other members.
        members: Vec<(String, &'t RawValue)>,
    },
}

struct TopVisitor {
    /// The member of a top-level object that holds the list (`value` or `data`).
    list_key: &'static str,
}

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of resources")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top<'de>, A::Error> {
        entries(seq).map(Top::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut members: Vec<(String, &RawValue)> = Vec::new();
        let mut list = None;
        while let Some(key) = map.next_key::<String>()? {
            let seen = if key == self.list_key {
                list.is_some()
            } else {
                members.iter().any(|(k, _)| *k == key)
            };
            if seen {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{key}`: JSON readers disagree on which value counts"
                )));
            }
            if key == self.list_key {
                list = Some(map.next_value::<Entries<'de>>()?.0);
            } else {
                members.push((key, map.next_value::<&RawValue>()?));
            }
        }
        Ok(Top::Object { list, members })
    }
}

/// A list's entries, left as text.
struct Entries<'t>(Vec<&'t RawValue>);

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of resources")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Entries<'de>, A::Error> {
                entries(seq).map(Entries)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The elements of a sequence, left as text.
fn entries<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<&'de RawValue>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
    while let Some(raw) = seq.next_element::<&RawValue>()? {
        out.push(raw);
    }
    Ok(out)
}

/// Positions in the document text of slices taken from it.
struct Lines<'t> {
    text: &'t str,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines { text }
    }

    /// Where a slice of the text starts, in bytes.
    fn offset(&self, raw: &RawValue) -> usize {
        (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    /// Parses a member or entry strictly, its errors placed in the whole document.
    fn parse(&self, raw: &RawValue, file: &str) -> Result<Value, Vec<IngestError>> {
        crate::strict_json::from_str(raw.get())
            .map_err(|e| vec![self.error(file, &e, self.offset(raw))])
    }

    /// A JSON error in the slice starting at `offset`, at its line and column in the file.
    fn error(&self, file: &str, e: &serde_json::Error, offset: usize) -> IngestError {
        let before = &self.text.as_bytes()[..offset.min(self.text.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        let (line, column) = if e.line() <= 1 {
            (line, column + e.column().saturating_sub(1))
        } else {
            (line + e.line() - 1, e.column())
        };
        IngestError::new(
            file,
            Position::at(line, column),
            crate::native::json_message(e),
        )
    }

    /// Counts lines forward through the text, for offsets that only grow.
    fn cursor(&self) -> LineCursor<'t> {
        LineCursor {
            bytes: self.text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }
}

struct LineCursor<'t> {
    bytes: &'t [u8],
    offset: usize,
    line: usize,
}

impl LineCursor<'_> {
    /// The line at `offset`, which is at or after the last one asked for.
    fn line_at(&mut self, offset: usize) -> usize {
        let end = offset.min(self.bytes.len());
        if end > self.offset {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.offset..end]).count();
            self.offset = end;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a listing both ways and returns what the streamed reader made of it, after
    /// checking the whole-document reader made the same.
    fn both(text: &str) -> Result<(Estate, Vec<IngestError>), Vec<IngestError>> {
        let top = TopLevel::read(text).unwrap();
        assert!(is_streamed(&top), "not a streamed listing: {text}");
        let streamed = read_listing(text, &top, "l.json");
        let whole = crate::strict_json::from_str(text)
            .map_err(|e| {
                vec![IngestError::new(
                    "l.json",
                    Position::at(e.line(), e.column()),
                    crate::native::json_message(&e),
                )]
            })
            .and_then(|doc| super::super::read_arm(&doc, text, "l.json"));
        assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
        streamed
    }

    const STORAGE: &str = r#"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1", "type": "Microsoft.Storage/storageAccounts", "name": "st1", "properties": {"publicNetworkAccess": "Disabled"}}"#;
    const NAMESPACE: &str = r#"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns1", "type": "Microsoft.EventHub/namespaces", "name": "ns1", "properties": {}}"#;
    const RULE_SET: &str = r#"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns1/networkRuleSets/default", "type": "Microsoft.EventHub/namespaces/networkRuleSets", "name": "default", "properties": {"defaultAction": "Deny", "publicNetworkAccess": "Enabled"}}"#;

    #[test]
    fn an_array_reads_as_the_whole_document_does() {
        let text = format!(
            "[\n  {STORAGE},\n  \"not a resource\",\n  {{\"type\": 3}},\n  {RULE_SET},\n  {NAMESPACE}\n]"
        );
        let (estate, problems) = both(&text).unwrap();
        assert_eq!(estate.storage_accounts.len(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[1].place.line, Some(4));
        assert_eq!(
            estate.storage_accounts[0]
                .place
                .as_ref()
                .and_then(|p| p.line),
            Some(2)
        );
    }

    #[test]
    fn a_child_before_its_parent_attaches() {
        let text = format!("{{\"value\": [\n{RULE_SET},\n{NAMESPACE}\n], \"nextLink\": null}}");
        let (estate, problems) = both(&text).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(estate.eventhub_namespaces.len(), 1);
        assert!(estate.notes.is_empty(), "{:?}", estate.notes);
    }

    #[test]
    fn resource_graph_rows_and_collection_failures_read_as_before() {
        let text = format!(
            "{{\"ahdsGuardCollect\": {{\"failures\": [{{\"scope\": \"/subscriptions/x\", \"status\": 403, \"message\": \"denied\"}}]}},\n \"data\": [\n{STORAGE}\n], \"value\": 3}}"
        );
        let (estate, problems) = both(&text).unwrap();
        assert_eq!(estate.storage_accounts.len(), 1);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("HTTP 403"));
    }

    /// A listing large enough to be parsed on a second thread.
    fn large(entry: impl Fn(usize) -> String) -> String {
        let entries: Vec<String> = (0..PARALLEL_FROM_ENTRIES + BATCH + 7).map(entry).collect();
        format!("{{\"value\": [\n{}\n]}}", entries.join(",\n"))
    }

    #[test]
    fn a_large_listing_reads_in_order_on_two_threads() {
        let text = large(|i| match i % 3 {
            0 => STORAGE.replace("st1", &format!("st{i}")),
            1 => "{\"type\": 1}".to_string(),
            _ => NAMESPACE.replace("ns1", &format!("ns{i}")),
        });
        let (estate, problems) = both(&text).unwrap();
        assert_eq!(
            estate.storage_accounts.len(),
            (PARALLEL_FROM_ENTRIES + BATCH + 7).div_ceil(3)
        );
        // The last entry that is no resource, on its own line after the opening one.
        let i = (0..PARALLEL_FROM_ENTRIES + BATCH + 7)
            .rev()
            .find(|i| i % 3 == 1)
            .unwrap();
        let last = problems.last().unwrap();
        assert_eq!(last.place.pointer, Some(format!("/value/{i}")));
        assert_eq!(last.place.line, u32::try_from(i + 2).ok());
    }

    const ROLE: &str = r#"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleAssignments/ra1", "type": "Microsoft.Authorization/roleAssignments", "name": "ra1", "properties": {"scope": "/subscriptions/00000000-0000-0000-0000-000000000001", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe", "principalId": "p1"}}"#;

    #[test]
    fn a_large_listing_allocates_each_collection_once() {
        let text = large(|i| match i % 4 {
            0 => STORAGE.replace("st1", &format!("st{i}")),
            1 => ROLE.replace("ra1", &format!("ra{i}")),
            // Spelt differently: counted with the others of its type.
            2 => STORAGE.replace("st1", &format!("st{i}")).replace(
                "Microsoft.Storage/storageAccounts\"",
                "microsoft.storage/STORAGEACCOUNTS\"",
            ),
            _ => "{\"type\": 1}".to_string(),
        });
        let (estate, _) = both(&text).unwrap();
        let storage = &estate.storage_accounts;
        assert_eq!(
            storage.len(),
            (PARALLEL_FROM_ENTRIES + BATCH + 7).div_ceil(2)
        );
        // Room for the estimate (a sample, with a margin), not a doubling.
        let once = |len: usize, capacity: usize| (len..=len + len / 8).contains(&capacity);
        assert!(
            once(storage.len(), storage.capacity()),
            "{}",
            storage.capacity()
        );
        let roles = estate.role_assignments.as_ref().unwrap();
        assert_eq!(roles.len(), (PARALLEL_FROM_ENTRIES + BATCH + 7 + 2) / 4);
        assert!(once(roles.len(), roles.capacity()), "{}", roles.capacity());
    }

    #[test]
    fn a_large_listing_without_role_assignments_has_none() {
        let (estate, _) = both(&large(|i| STORAGE.replace("st1", &format!("st{i}")))).unwrap();
        assert_eq!(estate.role_assignments, None);
    }

    #[test]
    fn a_key_named_twice_deep_in_a_large_listing_stops_the_read() {
        let text = large(|i| {
            if i == PARALLEL_FROM_ENTRIES {
                "{\"type\": \"a/b\", \"type\": \"a/b\"}".to_string()
            } else {
                STORAGE.to_string()
            }
        });
        let errors = both(&text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].place.line,
            u32::try_from(PARALLEL_FROM_ENTRIES + 2).ok()
        );
    }

    #[test]
    fn an_empty_listing_is_a_problem() {
        let (_, problems) = both("{\"value\": []}").unwrap();
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn a_key_named_twice_is_refused_where_it_is() {
        for text in [
            format!(
                "[\n  {STORAGE},\n  {{\"type\": \"a/b\",\n   \"id\": \"x\", \"id\": \"y\"}}\n]"
            ),
            "{\"value\": [],\n \"value\": []}".to_string(),
            "{\"value\": [], \"other\": {\n\"k\": 1, \"k\": 2}}".to_string(),
        ] {
            let errors = both(&text).unwrap_err();
            assert!(errors[0].message.contains("duplicate key"), "{errors:?}");
        }
    }
}
