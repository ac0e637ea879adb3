//! Removing what no rule can reason about (duplicate resources, ids of the wrong type)
//! from an estate, with a problem for each.

use ahds_model::{Estate, Resource, for_each_collection, validate};

use crate::error::{IngestError, Position};

/// The collection and index of the resource a pointer is in (`/private_endpoints/2/...`).
fn resource_of(pointer: &str) -> Option<(&str, usize)> {
    let mut parts = pointer.trim_start_matches('/').split('/');
    Some((parts.next()?, parts.next()?.parse().ok()?))
}

/// The source of the resource at a pointer (`/storage_accounts/3`), for the message.
fn place(estate: &Estate, pointer: &str) -> Option<ahds_model::Place> {
    let (collection, index) = resource_of(pointer)?;
    macro_rules! find {
        ($f:ident, $t:ty) => {
            if collection == stringify!($f) {
                return estate.$f.get(index).and_then(|r| r.meta().place.cloned());
            }
        };
    }
    for_each_collection!(find);
    if collection == "role_assignments" {
        return estate
            .role_assignments
            .as_ref()
            .and_then(|r| r.get(index))
            .and_then(|r| r.meta().place.cloned());
    }
    None
}

/// Drops invalid resources and returns a problem naming each one's place.
pub(crate) fn drop_invalid(estate: &mut Estate, default_file: &str) -> Vec<IngestError> {
    let invalid = validate(estate);
    let mut problems = Vec::new();
    let mut doomed: Vec<(String, usize)> = Vec::new();
    for p in invalid {
        let src = place(estate, &p.pointer);
        if let Some((c, i)) = resource_of(&p.pointer) {
            doomed.push((c.to_string(), i));
        }
        let (file, line, pointer) = match &src {
            Some(s) => (
                s.file.clone(),
                s.line.map(|l| l as usize),
                s.pointer.clone().or(s.address.clone()),
            ),
            None => (default_file.to_string(), None, Some(p.pointer.clone())),
        };
        problems.push(IngestError::new(
            &file,
            Position {
                line,
                column: None,
                pointer,
            },
            format!("resource left out: {}", p.message),
        ));
    }
    doomed.sort();
    doomed.dedup();
    for (collection, i) in doomed.into_iter().rev() {
        macro_rules! remove {
            ($f:ident, $t:ty) => {
                if collection == stringify!($f) && i < estate.$f.len() {
                    estate.$f.remove(i);
                }
            };
        }
        for_each_collection!(remove);
        if collection == "role_assignments" {
            if let Some(ras) = estate.role_assignments.as_mut() {
                if i < ras.len() {
                    ras.remove(i);
                }
            }
        }
    }
    problems
}
