//! One module per subcommand.

pub(crate) mod baseline;
pub(crate) mod check;
pub(crate) mod collect;
pub(crate) mod fix;
pub(crate) mod graph;
pub(crate) mod input;
pub(crate) mod rules;
pub(crate) mod test;

use std::io::Write;

use crate::Failure;

/// Writes to stdout, treating a closed pipe (`| head`) as success.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(vec![format!("cannot write the output: {e}")])),
    }
}

/// Writes text that may hold ANSI styles to stdout, keeping them only where colour is
/// wanted: `always`, or `auto` on a terminal without `NO_COLOR`.
pub(crate) fn write_colored(text: &str, color: crate::cli::ColorArg) -> Result<(), Failure> {
    use crate::cli::ColorArg;
    let choice = match color {
        ColorArg::Always => anstream::ColorChoice::Always,
        ColorArg::Never => anstream::ColorChoice::Never,
        ColorArg::Auto => anstream::ColorChoice::Auto,
    };
    let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(vec![format!("cannot write the output: {e}")])),
    }
}
