//! Checks an estate for problems no rule can reason around: the same resource twice, a
//! resource that cannot be named, or an id of the wrong type for its collection.

use std::borrow::Cow;

use foldhash::HashMap;

use crate::estate::Estate;
use crate::for_each_collection;
use crate::resource::Resource;
use crate::{PrivateEndpoint, ResourceRef};

/// A problem with one resource of an estate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
#[non_exhaustive]
pub struct EstateProblem {
    /// JSON pointer to the resource in the native layout (`/storage_accounts/3`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// Returns every problem found, in collection order; empty when the estate is sound.
pub fn validate(estate: &Estate) -> Vec<EstateProblem> {
    let mut problems = Vec::new();
    // Keys borrow from the estate and places are (collection, index): this runs on every
    // evaluation, and allocating per resource showed up on large estates. Sized up front
    // and hashed with foldhash: growing and SipHash were most of it on 10,000 workspaces.
    let mut seen: Seen<'_> =
        HashMap::with_capacity_and_hasher(estate.resource_count(), Default::default());
    macro_rules! check {
        ($f:ident, $t:ty) => {
            check_collection::<$t>(stringify!($f), &estate.$f, &mut seen, &mut problems);
        };
    }
    for_each_collection!(check);
    if let Some(ras) = &estate.role_assignments {
        check_collection("role_assignments", ras, &mut seen, &mut problems);
    }
    check_endpoint_targets(estate, &mut problems);
    problems
}

/// A private endpoint connects to a service, never to a private endpoint: a connection
/// that points at one (itself, typically, after a copy-paste) cannot exist in Azure, and
/// would otherwise leave the endpoint looking merely unresolved.
fn check_endpoint_targets(estate: &Estate, problems: &mut Vec<EstateProblem>) {
    for (i, pe) in estate.private_endpoints.iter().enumerate() {
        for (j, c) in pe.connections.iter().enumerate() {
            let Some(ResourceRef::Id(target)) = c.target.value() else {
                continue;
            };
            let to_endpoint = target.is_type(PrivateEndpoint::ARM_TYPE);
            if to_endpoint {
                let what = if pe.meta().id.is_some_and(|id| id == target) {
                    "itself"
                } else {
                    "another private endpoint"
                };
                problems.push(EstateProblem {
                    pointer: format!("/private_endpoints/{i}/connections/{j}/target"),
                    message: format!(
                        "private endpoint `{}` connects to {what}; a private endpoint connects to a service",
                        pe.meta().display_id()
                    ),
                });
            }
        }
    }
}

type Seen<'a> = HashMap<Cow<'a, str>, (&'static str, usize)>;

fn check_collection<'a, T: Resource>(
    collection: &'static str,
    items: &'a [T],
    seen: &mut Seen<'a>,
    problems: &mut Vec<EstateProblem>,
) {
    for (i, item) in items.iter().enumerate() {
        let pointer = || format!("/{collection}/{i}");
        let meta = item.meta();
        if meta.id.is_none() && meta.address.is_none() && meta.name.is_unknown() {
            problems.push(EstateProblem {
                pointer: pointer(),
                message: "resource has no `id`, `address` or known `name`".into(),
            });
            continue;
        }
        // Every resource passes here: the type is built only for the message.
        let mistyped = meta
            .id
            .filter(|id| id.provider().is_some() && !id.is_type(T::ARM_TYPE));
        if let Some(t) = mistyped.and_then(|id| id.resource_type()) {
            problems.push(EstateProblem {
                pointer: pointer(),
                message: format!(
                    "id `{}` is a `{t}`, not a `{}`",
                    meta.display_id(),
                    T::ARM_TYPE
                ),
            });
        }
        let mut keys: Vec<Cow<'a, str>> = Vec::with_capacity(2);
        keys.extend(meta.id.map(|id| Cow::Borrowed(id.key())));
        keys.extend(meta.address.map(Cow::Borrowed));
        if keys.is_empty() {
            keys.push(Cow::Owned(meta.key()));
        }
        for key in keys {
            if let Some((c, first)) = seen.get(&key) {
                problems.push(EstateProblem {
                    pointer: pointer(),
                    message: format!("duplicate resource `{key}` (first at /{c}/{first})"),
                });
            } else {
                seen.insert(key, (collection, i));
            }
        }
    }
}
