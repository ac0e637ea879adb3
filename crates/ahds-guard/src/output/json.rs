//! The report as JSON (the contract of DESIGN.md §4).

use crate::Report;

pub(crate) fn render(report: &Report) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(report).map(|s| s + "\n")
}

/// The same text as [`render`], written as it is serialised.
pub(crate) fn write(
    report: &Report,
    out: &mut dyn std::io::Write,
) -> Result<(), super::RenderError> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")?;
    Ok(())
}
