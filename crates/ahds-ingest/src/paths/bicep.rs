//! Bicep source: built to its ARM template with the Bicep CLI (`bicep build --stdout`, or
//! `az bicep build --stdout`), which is then read like any template.
//!
//! The CLI runs under a time limit and an output limit: one that never returns, or writes
//! without end, is an input error for its file, never a hung gate.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::IngestError;

/// How much of the CLI's error output is kept for the message.
const STDERR_KEPT: u64 = 16 << 10;

/// How long the output of a finished (or stopped) CLI is waited for: a process it left
/// behind may hold its output open.
const DRAIN: Duration = Duration::from_secs(2);

fn error(name: &str, message: String) -> Vec<IngestError> {
    vec![IngestError::new(name, crate::Position::default(), message)]
}

/// The compiled template of a `.bicep` file, within `timeout` and at most `limit` bytes.
pub(crate) fn build(
    path: &Path,
    timeout: Duration,
    limit: u64,
) -> Result<Vec<u8>, Vec<IngestError>> {
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
        let child = match Command::new(program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            // Not installed: try the next way of building.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(error(&name, format!("cannot run `{program}`: {e}"))),
        };
        return run(child, program, &name, timeout, limit);
    }
    Err(error(
        &name,
        "reading Bicep needs the Bicep CLI: install `bicep` (or the Azure CLI's `az bicep install`) on PATH, or check the output of `az bicep build` instead".into(),
    ))
}

/// Reads up to `limit + 1` bytes of a pipe on its own thread.
fn drain(pipe: impl Read + Send + 'static, limit: u64) -> mpsc::Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut out = Vec::new();
        let r = pipe.take(limit.saturating_add(1)).read_to_end(&mut out);
        // The receiver may have given up waiting: nothing to do then.
        let _ = tx.send(r.map(|_| out));
    });
    rx
}

fn run(
    mut child: Child,
    program: &str,
    name: &str,
    timeout: Duration,
    limit: u64,
) -> Result<Vec<u8>, Vec<IngestError>> {
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(error(
            name,
            format!("cannot read the output of `{program}`"),
        ));
    };
    let out = drain(stdout, limit);
    let err = drain(stderr, STDERR_KEPT);
    let started = Instant::now();
    let over = |bytes: &[u8]| bytes.len() as u64 > limit;
    let mut output: Option<std::io::Result<Vec<u8>>> = None;
    let status = loop {
        if output.is_none() {
            if let Ok(r) = out.try_recv() {
                if r.as_ref().is_ok_and(|b| over(b)) {
                    // It writes without end: stopped, not waited for.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(error(
                        name,
                        format!(
                            "`{program}` wrote more than the input size limit of {limit} bytes and was stopped; raise it with --max-input-size"
                        ),
                    ));
                }
                output = Some(r);
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                // Stopped: a CLI that does not finish must not hold the gate.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(error(name, format!("cannot wait for `{program}`: {e}"))),
        }
    };
    let Some(status) = status else {
        return Err(error(
            name,
            format!(
                "`{program}` did not finish within {} s and was stopped (the time limit is `--tool-timeout`)",
                timeout.as_secs()
            ),
        ));
    };
    let output = match output {
        Some(r) => r,
        None => match out.recv_timeout(DRAIN) {
            Ok(r) => r,
            Err(_) => {
                return Err(error(
                    name,
                    format!(
                        "`{program}` exited but a process it started still holds its output open"
                    ),
                ));
            }
        },
    };
    let stdout =
        output.map_err(|e| error(name, format!("cannot read the output of `{program}`: {e}")))?;
    if over(&stdout) {
        return Err(error(
            name,
            format!(
                "`{program}` wrote more than the input size limit of {limit} bytes; raise it with --max-input-size"
            ),
        ));
    }
    if !status.success() {
        let stderr = err
            .recv_timeout(DRAIN)
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&stderr);
        let text: String = text.trim().chars().take(2000).collect();
        return Err(error(
            name,
            format!("`{program}` could not build it: {text}"),
        ));
    }
    Ok(stdout)
}
