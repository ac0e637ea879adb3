//! The native format: the model's own JSON (see `ahds_model::Estate`).

use ahds_model::{Estate, Resource, Source, for_each_collection, validate};

use crate::error::{IngestError, Location, path_to_pointer};
use crate::positions::Positions;

/// Reads a native-format document.
pub fn read_native(text: &str, file: &str) -> Result<Estate, Vec<IngestError>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut estate: Estate = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let inner = e.into_inner();
        vec![IngestError {
            file: file.to_string(),
            location: Location {
                line: (inner.line() > 0).then_some(inner.line()),
                column: (inner.column() > 0).then_some(inner.column()),
                pointer: (!pointer.is_empty()).then_some(pointer),
            },
            message: json_message(&inner),
        }]
    })?;
    de.end().map_err(|e| {
        vec![IngestError::new(
            file,
            Location::at(e.line(), e.column()),
            json_message(&e),
        )]
    })?;
    let positions = Positions::of(text);
    macro_rules! locate {
        ($f:ident, $t:ty) => {
            set_sources(&mut estate.$f, stringify!($f), file, &positions);
        };
    }
    for_each_collection!(locate);
    if let Some(ras) = estate.role_assignments.as_mut() {
        set_sources(ras, "role_assignments", file, &positions);
    }
    let problems = validate(&estate);
    if !problems.is_empty() {
        return Err(problems
            .into_iter()
            .map(|p| {
                let line = positions.line_of(&p.pointer);
                IngestError {
                    file: file.to_string(),
                    location: Location {
                        line,
                        column: None,
                        pointer: Some(p.pointer),
                    },
                    message: p.message,
                }
            })
            .collect());
    }
    Ok(estate)
}

fn set_sources<T: Resource>(items: &mut [T], collection: &str, file: &str, positions: &Positions) {
    for (i, item) in items.iter_mut().enumerate() {
        let pointer = format!("/{collection}/{i}");
        let line = positions
            .line_of(&pointer)
            .and_then(|l| u32::try_from(l).ok());
        let address = item.meta().address.map(str::to_string);
        item.set_source(Source {
            file: file.to_string(),
            pointer: Some(pointer),
            address,
            line,
        });
    }
}

/// serde_json's message without its trailing ` at line L column C` (the location is
/// printed separately).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
