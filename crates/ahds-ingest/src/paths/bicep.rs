//! Bicep source: built to its ARM template with the Bicep CLI (`bicep build --stdout`, or
//! `az bicep build --stdout`), which is then read like any template.

use std::path::Path;
use std::process::Command;

use super::PathsError;

/// The compiled template of a `.bicep` file.
pub(crate) fn build(path: &Path) -> Result<Vec<u8>, PathsError> {
    let name = path.display().to_string();
    let attempts: [(&str, Vec<&std::ffi::OsStr>); 2] = [
        (
            "bicep",
            vec!["build".as_ref(), path.as_os_str(), "--stdout".as_ref()],
        ),
        (
            "az",
            vec![
                "bicep".as_ref(),
                "build".as_ref(),
                "--file".as_ref(),
                path.as_os_str(),
                "--stdout".as_ref(),
            ],
        ),
    ];
    for (program, args) in attempts {
        let out = match Command::new(program).args(&args).output() {
            Ok(out) => out,
            // Not installed: try the next way of building.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(PathsError::new(vec![format!(
                    "{name}: cannot run `{program}`: {e}"
                )]));
            }
        };
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(PathsError::new(vec![format!(
                "{name}: `{program}` could not build it: {}",
                stderr.trim()
            )]));
        }
        return Ok(out.stdout);
    }
    Err(PathsError::new(vec![format!(
        "{name}: reading Bicep needs the Bicep CLI: install `bicep` (or the Azure CLI's `az bicep install`) on PATH, or check the output of `az bicep build` instead"
    )]))
}
