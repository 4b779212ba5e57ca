//! `--format json`: the result document of SPEC section 4.

use super::{Render, RenderError};
use crate::stats::RunResult;

/// Pretty-printed JSON.
pub struct Json;

impl Render for Json {
    fn render(&self, result: &RunResult) -> Result<String, RenderError> {
        let value =
            serde_json::to_value(result).map_err(|e| RenderError::Serialize(e.to_string()))?;
        if contains_null(&value) {
            return Err(RenderError::NotFinite);
        }
        let mut text = serde_json::to_string_pretty(&value)
            .map_err(|e| RenderError::Serialize(e.to_string()))?;
        text.push('\n');
        Ok(text)
    }
}

/// serde_json writes NaN and infinities as `null`; no field of the document is optional.
fn contains_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(contains_null),
        serde_json::Value::Object(map) => map.values().any(contains_null),
        _ => false,
    }
}
