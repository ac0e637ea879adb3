//! `ahds-guard input` and `ahds-guard schema`.

use std::io::Write;

use ahds_guard::Evaluator;

use crate::cli::{InputArgs, SchemaArgs, SchemaFormat, SchemaKind};
use crate::commands::write_stdout;
use crate::setup::read_inputs;
use crate::{EXIT_ERROR, EXIT_OK, Failure};

pub(crate) fn input(args: &InputArgs) -> Result<u8, Failure> {
    let inputs = read_inputs(args)?;
    {
        let mut err = std::io::stderr().lock();
        for p in &inputs.ingested.problems {
            let _ = writeln!(err, "error: {p}");
        }
    }
    let doc = Evaluator::bundled()?.input_document(&inputs.ingested.estate)?;
    write_stdout(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
    Ok(if inputs.ingested.problems.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

pub(crate) fn schema(args: &SchemaArgs) -> Result<u8, Failure> {
    let schema = match args.kind {
        SchemaKind::Native => ahds_model::native_schema(),
        SchemaKind::Input => ahds_guard::input_schema(),
    };
    let text = match (args.format, args.kind) {
        (SchemaFormat::Json, _) => serde_json::to_string_pretty(&schema)? + "\n",
        (SchemaFormat::Markdown, SchemaKind::Input) => ahds_guard::docs::input_markdown(&schema),
        (SchemaFormat::Markdown, SchemaKind::Native) => {
            return Err(Failure(vec!["the Markdown reference covers the policy input; use `schema input --format markdown`".into()]));
        }
    };
    write_stdout(&text)?;
    Ok(EXIT_OK)
}
