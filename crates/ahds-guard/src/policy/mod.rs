//! The policies: the bundled catalog, custom modules and their loading, what each module
//! reads (module summaries), the sandbox custom Rego runs in, and the rule catalog read
//! from the modules' METADATA.

pub(crate) mod bundle;
pub(crate) mod catalog;
pub(crate) mod error;
pub(crate) mod examples;
pub(crate) mod metadata;
pub(crate) mod module_summary;
pub(crate) mod policy_set;
pub(crate) mod sandbox;

pub(crate) use catalog::RuleInfo;
