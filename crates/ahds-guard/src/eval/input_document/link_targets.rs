//! A resolved link's target as `link.target`: the collection's own entry, shared.

use regorus::Value;

use super::document::LINK_TARGET_FIELD;
use super::regorus_value::Error;

/// Gives every link of a document built from [`PolicyInput::without_link_targets`] its
/// target's entry as [`LINK_TARGET_FIELD`] (null when unresolved), as
/// [`PolicyInput`] itself would write it. The entry is the collection's own value, shared:
/// serializing it again for each link would grow the document by a third.
pub(crate) fn attach_link_targets(doc: &mut Value) -> Result<(), Error> {
    let shape = |what: &str| Error(format!("the input document's {what}"));
    let root = doc
        .as_object_mut()
        .map_err(|_| shape("top level is not an object"))?;
    let links_key = Value::from("links");
    let Some(mut links) = root.remove(&links_key) else {
        return Ok(());
    };
    let (field, type_key, id_key) = (
        Value::from(LINK_TARGET_FIELD),
        Value::from("target_type"),
        Value::from("target_id"),
    );
    let items = links
        .as_array_mut()
        .map_err(|_| shape("`links` is not an array"))?;
    for link in items.iter_mut() {
        let link = link
            .as_object_mut()
            .map_err(|_| shape("link is not an object"))?;
        let target = match (link.get(&type_key), link.get(&id_key)) {
            (Some(kind), Some(id)) if *id != Value::Null => root
                .get(kind)
                .and_then(|collection| collection.as_object().ok())
                .and_then(|collection| collection.get(id))
                .cloned()
                .unwrap_or(Value::Null),
            _ => Value::Null,
        };
        link.insert(field.clone(), target);
    }
    root.insert(links_key, links);
    Ok(())
}
