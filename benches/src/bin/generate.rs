//! Writes a synthetic estate to stdout: `generate <native|arm|plan> <workspaces>`.
//! Used to time whole `ahds-guard check` runs (see the README's performance section).

use std::io::Write;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(format), Some(n)) = (
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        let _ = writeln!(
            std::io::stderr(),
            "usage: generate <native|arm|plan> <workspaces>"
        );
        return std::process::ExitCode::from(2);
    };
    let text = match format.as_str() {
        "native" => ahds_guard_benches::native(n),
        "arm" => ahds_guard_benches::arm(n),
        "plan" => ahds_guard_benches::plan(n),
        _ => {
            let _ = writeln!(std::io::stderr(), "unknown format `{format}`");
            return std::process::ExitCode::from(2);
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    std::process::ExitCode::SUCCESS
}
