//! The policy input document, built in one place: what every Rego rule (bundled or custom)
//! sees as `input`.
//!
//! - [`document`]: the layout, as a serde view of an estate and its analysis (each
//!   collection keyed by resource key, the outbound links with their facts);
//! - [`regorus_value`]: that view serialized straight into regorus values, part by part on
//!   the rule threads, sharing equal strings;
//! - [`link_targets`]: each resolved link given its target's entry, shared with the
//!   collection;
//! - [`schema`]: the document's JSON Schema, from the same types.

pub(crate) mod document;
pub(crate) mod link_targets;
pub(crate) mod regorus_value;
pub(crate) mod schema;

pub use document::INPUT_VERSION;
pub(crate) use document::PolicyInput;
pub(crate) use link_targets::attach_link_targets;
pub(crate) use regorus_value::parts_to_value;
pub use schema::input_schema;
