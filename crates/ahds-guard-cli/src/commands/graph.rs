//! `ahds-guard graph`.

use ahds_guard::{Checked, Context, GraphFormat, render_graph};

use crate::cli::{GraphArgs, GraphFormatArg};
use crate::commands::check::print_input_problems;
use crate::commands::write_stdout;
use crate::setup::{check, evaluator};
use crate::{EXIT_ERROR, EXIT_OK, Failure};

pub(crate) fn run(args: &GraphArgs) -> Result<u8, Failure> {
    let evaluator = evaluator(&args.policy)?;
    let Checked { report, inputs, .. } = check(&evaluator, &args.source)?;
    print_input_problems(&inputs);
    let rules = evaluator.active_rules();
    let cx = Context::new(
        &report,
        &rules,
        &inputs.ingested.estate,
        std::path::Path::new("."),
    );
    let format = match args.format {
        GraphFormatArg::Dot => GraphFormat::Dot,
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Svg => GraphFormat::Svg,
    };
    write_stdout(&render_graph(format, &cx, args.failing))?;
    // The drawing is made whatever the findings; an input that could not be read whole is
    // still an error.
    Ok(if report.is_incomplete() {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}
