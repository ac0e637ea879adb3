//! Listings (an array of resources, a `value` list, Azure Resource Graph `data` rows) read
//! one resource at a time. A tenant's export runs to a gigabyte; as one `serde_json::Value`
//! it took six times that, so the list is first split into its entries' text, and each
//! entry is parsed, mapped and freed in turn. Only children (rule sets, DNS zone groups,
//! ...) are kept until every parent is in.
//!
//! What this reads is what [`super::read_arm`] reads from the parsed document, with the
//! same places and problems in the same order; the tests below hold the two to that.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use ahds_model::Estate;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::resources::{ArmResource, ChildMap, Mapping, Provenance};
use crate::error::{IngestError, Position};
use crate::positions::Positions;
use crate::top_level::{Kind, MaybeList, TopLevel, elements};

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
            Kind::Object => top.value_is_array() || top.data_is_array(),
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
    let chosen = if top.value_is_array() {
        "value"
    } else {
        "data"
    };
    // The scan that told the formats apart split the list already; a second pass over the
    // text is taken only for layouts it leaves to this reader.
    let split = match Split::scanned(top, chosen) {
        Some(split) => split,
        None => Split::read(text, chosen, &lines).map_err(|e| vec![lines.error(file, &e, 0)])?,
    };
    let Split {
        list,
        members,
        array,
    } = split;
    let list: &[Range<usize>] = &list;
    let mut collect = None;
    for (key, range) in members {
        // Parsed for what the whole-document reader refused in them (a key named twice),
        // and kept where the reader uses them.
        let value = lines.parse(range, file)?;
        if key == super::COLLECT_KEY {
            collect = Some(value);
        }
    }
    let base = match (array, chosen) {
        (true, _) => "",
        (false, "value") => "/value",
        (false, _) => "/data",
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
        mapping.reserve(super::type_counts::estimate(text, list));
    }
    let mut children: Vec<(ChildMap<'_>, Value, String, Option<u32>)> = Vec::new();
    let mut cursor = lines.cursor();
    for_each_parsed(list, &lines, file, |i, range, value| {
        let pointer = entry_pointer(base, i);
        // Lines are recorded for objects and arrays, as the whole-document reader's are.
        let line = match text.as_bytes().get(range.start) {
            Some(b'{' | b'[') => Some(cursor.line_at(range.start)),
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

/// `{base}/{i}`, the pointer of a listing's entry, written without the formatting
/// machinery (which cost a thousand instructions an entry).
fn entry_pointer(base: &str, i: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(i);
    let mut pointer = String::with_capacity(base.len() + 1 + digits.len());
    pointer.push_str(base);
    pointer.push('/');
    pointer.push_str(digits);
    pointer
}

/// Listings with fewer entries are parsed on the reading thread: a second thread costs
/// more than it saves.
const PARALLEL_FROM_ENTRIES: usize = 4096;

/// Entries handed from the parsing thread to the mapping one at a time.
const BATCH: usize = 256;

/// Parses each entry and hands it, in order, to `each`. A large listing is parsed on a
/// second thread while this one maps what is parsed: parsing is about a third of reading.
fn for_each_parsed(
    list: &[Range<usize>],
    lines: &Lines<'_>,
    file: &str,
    mut each: impl FnMut(usize, &Range<usize>, Value),
) -> Result<(), Vec<IngestError>> {
    let sequential = |each: &mut dyn FnMut(usize, &Range<usize>, Value)| {
        for (i, range) in list.iter().enumerate() {
            each(i, range, lines.parse(range.clone(), file)?);
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
                        chunk.iter().map(|r| lines.parse(r.clone(), file)).collect();
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
                let Some((i, range)) = entries.next() else {
                    break;
                };
                each(i, range, value);
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

/// A listing's top level: its list split into entries and its other members, as ranges
/// of the text.
struct Split<'a> {
    list: Cow<'a, [Range<usize>]>,
    members: Vec<(Cow<'a, str>, Range<usize>)>,
    /// Whether the list is the top-level array (not a member).
    array: bool,
}

impl<'a> Split<'a> {
    /// The split the scan made, when it made one this reader can take: the list is the
    /// chosen member, every other member's range is known, and no key is named twice
    /// (the pass in [`Split::read`] reports it where it stands).
    fn scanned(top: &'a TopLevel, chosen: &str) -> Option<Self> {
        let parts = &top.parts;
        if parts.duplicate_key {
            return None;
        }
        if top.kind == Kind::Array {
            return Some(Split {
                list: Cow::Borrowed(&parts.array),
                members: Vec::new(),
                array: true,
            });
        }
        let list = if chosen == "value" {
            &parts.value
        } else {
            &parts.data
        };
        let mut members = Vec::with_capacity(top.keys.len());
        for (key, range) in top.keys.iter().zip(&parts.members) {
            if key == chosen {
                continue;
            }
            members.push((Cow::Borrowed(key.as_str()), range.clone()?));
        }
        Some(Split {
            list: Cow::Borrowed(list.as_deref()?),
            members,
            array: false,
        })
    }

    /// Splits the text in a pass of its own, refusing a key named twice.
    fn read(
        text: &str,
        chosen: &'static str,
        lines: &Lines<'_>,
    ) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let top = (&mut de)
            .deserialize_any(TopVisitor { list_key: chosen })
            .and_then(|t| de.end().map(|()| t))?;
        let ranges = |list: Vec<&RawValue>| list.into_iter().map(|r| lines.range(r)).collect();
        Ok(match top {
            Top::Array(entries) => Split {
                list: Cow::Owned(ranges(entries)),
                members: Vec::new(),
                array: true,
            },
            Top::Object { list, members } => Split {
                // The scan found the list in this text, so this pass finds it too.
                list: Cow::Owned(ranges(list.ok_or_else(|| {
                    de::Error::custom("internal error: a listing without its list")
                })?)),
                members: members
                    .into_iter()
                    .map(|(k, r)| (Cow::Owned(k), lines.range(r)))
                    .collect(),
                array: false,
            },
        })
    }
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
        elements(seq).map(Top::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut members: Vec<(String, &RawValue)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut list = None;
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{key}`: JSON readers disagree on which value counts"
                )));
            }
            if key == self.list_key {
                // The scan found an array here, in this text: `None` is not reached.
                list = map.next_value::<MaybeList<'de>>()?.0;
            } else {
                members.push((key, map.next_value::<&RawValue>()?));
            }
        }
        Ok(Top::Object { list, members })
    }
}

/// Positions in the document text of slices taken from it.
struct Lines<'t> {
    text: &'t str,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines { text }
    }

    /// Where a slice of the text stands in it, in bytes.
    fn range(&self, raw: &RawValue) -> Range<usize> {
        let start = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        start..start + raw.get().len()
    }

    /// Parses a member or entry strictly, its errors placed in the whole document.
    fn parse(&self, range: Range<usize>, file: &str) -> Result<Value, Vec<IngestError>> {
        let start = range.start;
        let text = self.text.get(range).unwrap_or_default();
        crate::strict_json::from_str(text).map_err(|e| vec![self.error(file, &e, start)])
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

    #[test]
    fn the_scan_split_is_read_where_it_can_be_and_a_pass_of_its_own_otherwise() {
        let scanned = |text: &str| {
            let top = TopLevel::read(text).unwrap();
            let chosen = if top.value_is_array() {
                "value"
            } else {
                "data"
            };
            Split::scanned(&top, chosen).map(|s| (s.list.len(), s.members.len()))
        };
        let collect = r#""ahdsGuardCollect": {"failures": [{"scope": "/subscriptions/x", "status": 403, "message": "denied"}]}"#;
        // Members on both sides of the list: taken from the scan, and read as before.
        let text = format!(
            "{{{collect},\n \"value\": [\n{STORAGE},\n{NAMESPACE}\n], \"nextLink\": null}}"
        );
        assert_eq!(scanned(&text), Some((2, 2)));
        let (estate, problems) = both(&text).unwrap();
        assert_eq!(estate.storage_accounts.len(), 1);
        assert!(problems[0].message.contains("HTTP 403"), "{problems:?}");
        assert_eq!(scanned(&format!("[{STORAGE}]")), Some((1, 0)));
        // Layouts the scan does not split for this reader: a second list beside the one
        // read (its members are not all known) and a key named twice.
        for text in [
            format!("{{\"value\": [{STORAGE}], \"data\": [{NAMESPACE}]}}"),
            format!("{{\"data\": [{STORAGE}], \"value\": {{\"a\": 1}}}}"),
            format!("{{\"value\": [{STORAGE}], \"n\": 1, \"n\": 2}}"),
        ] {
            assert_eq!(scanned(&text), None, "{text}");
            let _ = both(&text);
        }
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
