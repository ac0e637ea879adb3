//! Report formatters.

pub(crate) mod json;
pub(crate) mod text;
