//! The bundled policy files, embedded at build time from the workspace's `policies/` folder.

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    /// Path relative to `policies/` (`rules/private_link/workspace_without_private_link.rego`).
    pub path: &'static str,
    /// The file's text.
    pub contents: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
