//! Checks an estate for problems no rule can reason around: the same resource twice, a
//! resource that cannot be named, or an id of the wrong type for its collection.

use std::collections::HashMap;

use crate::estate::Estate;
use crate::for_each_collection;
use crate::resource::Resource;

/// A problem with one resource of an estate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct EstateProblem {
    /// JSON pointer to the resource in the native layout (`/storage_accounts/3`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// Returns every problem found, in collection order; empty when the estate is sound.
pub fn validate(estate: &Estate) -> Vec<EstateProblem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    macro_rules! check {
        ($f:ident, $t:ty) => {
            check_collection::<$t>(stringify!($f), &estate.$f, &mut seen, &mut problems);
        };
    }
    for_each_collection!(check);
    if let Some(ras) = &estate.role_assignments {
        check_collection("role_assignments", ras, &mut seen, &mut problems);
    }
    problems
}

fn check_collection<T: Resource>(
    collection: &str,
    items: &[T],
    seen: &mut HashMap<String, String>,
    problems: &mut Vec<EstateProblem>,
) {
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/{collection}/{i}");
        let meta = item.meta();
        if meta.id.is_none() && meta.address.is_none() && meta.name.is_unknown() {
            problems.push(EstateProblem {
                pointer,
                message: "resource has no `id`, `address` or known `name`".into(),
            });
            continue;
        }
        if let Some(t) = meta.id.and_then(|id| id.resource_type()) {
            if !t.eq_ignore_ascii_case(T::ARM_TYPE) {
                problems.push(EstateProblem {
                    pointer: pointer.clone(),
                    message: format!(
                        "id `{}` is a `{t}`, not a `{}`",
                        meta.display_id(),
                        T::ARM_TYPE
                    ),
                });
            }
        }
        let mut keys: Vec<String> = meta.id.map(|id| id.key().to_string()).into_iter().collect();
        keys.extend(meta.address.map(str::to_string));
        if keys.is_empty() {
            keys.push(meta.key());
        }
        for key in keys {
            if let Some(first) = seen.get(&key) {
                problems.push(EstateProblem {
                    pointer: pointer.clone(),
                    message: format!("duplicate resource `{key}` (first at {first})"),
                });
            } else {
                seen.insert(key, pointer.clone());
            }
        }
    }
}
