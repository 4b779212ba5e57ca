//! A shard's partial written while it is simulated: the header, then the
//! outcomes a window of blocks at a time, then the shard's seconds, so the
//! shard holds one window of outcomes, not all of them. The fields are
//! those of [`Partial`] (its reader takes them in any order).

use std::io::Write;
use std::ops::ControlFlow;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::{header_of, shard_settings, Partial, Shard};
use crate::model::Model;
use crate::montecarlo::{self, RunError, RunOptions};

/// Why a shard's partial was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The run was refused or interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The output could not be written.
    #[error("cannot write the partial result: {0}")]
    Output(String),
}

/// Simulates the trials of `shard` of a run of `model` and writes its
/// partial, as [`super::to_json`] would write [`super::run_shard`]'s (up to
/// the order of the fields), to `out` while the trials run. `file` and
/// `source` are the scenario as read.
///
/// # Errors
/// [`WriteError::Run`] as for a whole run (the limits apply to this shard's
/// trials), [`WriteError::Output`] when `out` fails.
pub fn write_shard(
    model: &Model,
    scenario: (&str, &str),
    options: &RunOptions,
    shard: Shard,
    (stop, out): (&AtomicBool, &mut (dyn Write + Send)),
) -> Result<(), WriteError> {
    let (settings, range) = shard_settings(model, options, shard);
    if !range.is_empty() {
        montecarlo::check_work(model, range.end - range.start, &settings.limits)?;
    }
    let header = header_of(scenario, &settings, shard, 0.0);
    let output = |e: std::io::Error| WriteError::Output(e.to_string());
    out.write_all(&opening(&header)?).map_err(output)?;
    let started = Instant::now();
    let mut failed = None;
    let mut first = true;
    montecarlo::shard_outcomes(model, &settings, range, stop, |window| {
        for outcome in window {
            let comma: &[u8] = if first { b"" } else { b"," };
            first = false;
            let written = (out.write_all(comma).map_err(|e| e.to_string())).and_then(|()| {
                serde_json::to_writer(&mut *out, outcome).map_err(|e| e.to_string())
            });
            if let Err(e) = written {
                failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    })?;
    if let Some(e) = failed {
        return Err(WriteError::Output(e));
    }
    let seconds = started.elapsed().as_secs_f64();
    let closing = format!("],\"seconds\":{}}}\n", serde_json::json!(seconds));
    out.write_all(closing.as_bytes()).map_err(output)?;
    out.flush().map_err(output)
}

/// The partial's text up to its outcomes: `{`, the header's fields but the
/// outcomes and the seconds, and `"outcomes":[`.
fn opening(header: &Partial<()>) -> Result<Vec<u8>, WriteError> {
    let fail = |e: serde_json::Error| WriteError::Output(e.to_string());
    let serde_json::Value::Object(mut fields) = serde_json::to_value(header).map_err(fail)? else {
        return Err(WriteError::Output("a header is not an object".into()));
    };
    fields.remove("outcomes");
    fields.remove("seconds");
    let mut text = b"{".to_vec();
    for (key, value) in &fields {
        serde_json::to_writer(&mut text, key).map_err(fail)?;
        text.push(b':');
        serde_json::to_writer(&mut text, value).map_err(fail)?;
        text.push(b',');
    }
    text.extend_from_slice(b"\"outcomes\":[");
    Ok(text)
}
