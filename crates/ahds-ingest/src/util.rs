//! Small helpers shared by the readers.

use ahds_model::{Resource, ResourceRef};

/// The position of the resource a reference names, by ARM id (case-insensitively) or by
/// input address.
pub(crate) fn find_resource<T: Resource>(items: &[T], r: &ResourceRef) -> Option<usize> {
    let key = r.key();
    items.iter().position(|item| {
        let m = item.meta();
        m.id.is_some_and(|id| id.key() == key) || m.address == Some(key)
    })
}
