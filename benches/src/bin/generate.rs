//! Writes a synthetic input: `generate <native|arm|plan|tenant> <workspaces>` to stdout, or
//! `generate tf-root <resources> <dir>` as a Terraform root module under `dir`.
//! Used by `scripts/scale.sh` to time whole `ahds-guard check` runs.

use std::io::Write;

const USAGE: &str =
    "usage: generate <native|arm|plan|tenant> <workspaces> | generate tf-root <resources> <dir>";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(format), Some(n)) = (
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        let _ = writeln!(std::io::stderr(), "{USAGE}");
        return std::process::ExitCode::from(2);
    };
    let text = match format.as_str() {
        "native" => ahds_guard_benches::native(n),
        "arm" => ahds_guard_benches::arm(n),
        "plan" => ahds_guard_benches::plan(n),
        "tenant" => ahds_guard_benches::tenant(n),
        "tf-root" => {
            let Some(dir) = args.get(3) else {
                let _ = writeln!(std::io::stderr(), "{USAGE}");
                return std::process::ExitCode::from(2);
            };
            return match ahds_guard_benches::terraform_flat(n, std::path::Path::new(dir)) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "{dir}: {e}");
                    std::process::ExitCode::from(2)
                }
            };
        }
        _ => {
            let _ = writeln!(std::io::stderr(), "unknown format `{format}`\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    std::process::ExitCode::SUCCESS
}
