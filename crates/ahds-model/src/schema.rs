//! The JSON Schema of the native format, generated from the model's types (their doc
//! comments become the field descriptions).

use schemars::{SchemaGenerator, generate::SchemaSettings};
use serde_json::{Value, json};

use crate::estate::Estate;

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// The JSON Schema of the native format (an [`Estate`]).
pub fn native_schema() -> Value {
    let mut schema = generator().into_root_schema_for::<Estate>().to_value();
    if let Value::Object(m) = &mut schema {
        m.insert(
            "$id".into(),
            json!("https://ahds-guard.dev/schemas/native-estate.schema.json"),
        );
        m.insert("title".into(), json!("ahds-guard native estate"));
    }
    schema
}
