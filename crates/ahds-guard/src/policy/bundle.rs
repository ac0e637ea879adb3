//! The bundled policy files, embedded at build time from the workspace's `policies/` folder.

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BundledFile {
    /// Path relative to `policies/` (`rules/private_link/workspace_without_private_link.rego`).
    pub(crate) path: &'static str,
    /// The file's text.
    pub(crate) contents: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
