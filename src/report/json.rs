//! `--format json`: the result document of SPEC section 4.

use super::{Render, RenderError};
use crate::stats::RunResult;

/// Pretty-printed JSON.
pub struct Json;

impl Render for Json {
    fn render(&self, result: &RunResult) -> Result<String, RenderError> {
        json_text(result)
    }
}

/// Pretty-printed JSON of a document none of whose fields is optional
/// (but the null `ci95` of a rare measure).
///
/// # Errors
/// [`RenderError::NotFinite`] when a number is NaN or infinite.
pub fn json_text(document: &impl serde::Serialize) -> Result<String, RenderError> {
    let value =
        serde_json::to_value(document).map_err(|e| RenderError::Serialize(e.to_string()))?;
    if contains_null(&value) {
        return Err(RenderError::NotFinite);
    }
    let mut text =
        serde_json::to_string_pretty(&value).map_err(|e| RenderError::Serialize(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// serde_json writes NaN and infinities as `null`; no field of the document
/// is optional but the CI of a rare estimate, null by design: `ci95` beside
/// `rare`, or `NAME_ci95` beside `NAME_rare` (the tornado's ends and swing).
fn contains_null(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => true,
        serde_json::Value::Array(items) => items.iter().any(contains_null),
        serde_json::Value::Object(map) => map.iter().any(|(key, v)| {
            let rare_ci = v.is_null()
                && (key.strip_suffix("ci95"))
                    .is_some_and(|name| map.contains_key(&format!("{name}rare")));
            !rare_ci && contains_null(v)
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::{run, RunOptions};

    #[test]
    fn every_number_round_trips_through_the_document_exactly() {
        let text = r#"Scenario(trials: 300, domains: ["aws/r/a"],
            failures: [(name: "host", on: EachReplica(), every: "100h", lasts: LogNormal(median: "1h", p90: "7h"))],
            services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 12345.678)) })"#;
        let model = crate::scenario::load("t.ron", text.as_bytes()).expect("valid");
        let result = run(&model, &RunOptions::default()).expect("run");
        let json = Json.render(&result).expect("render");
        let back: serde_json::Value = serde_json::from_str(&json).expect("parse");
        let web = &result.services["web"];
        let read = |path: &[&str]| path.iter().fold(&back, |v, k| &v[*k]).as_f64();
        assert_eq!(
            read(&["services", "web", "availability", "mean"]),
            Some(web.availability.mean)
        );
        assert_eq!(
            read(&["services", "web", "cost", "p99"]),
            Some(web.cost.p99)
        );
        assert_eq!(read(&["cost", "mean"]), Some(result.cost.mean));
        assert_eq!(back["faultline"]["version"], env!("CARGO_PKG_VERSION"));
    }
}
