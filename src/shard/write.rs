//! A shard's partial written to an output: small whatever the shard's
//! trials ([`super::Partial`]), it is built in memory and written at once.

use std::io::Write;
use std::sync::atomic::AtomicBool;

use super::{run_shard, to_json, Shard};
use crate::model::Model;
use crate::montecarlo::{RunError, RunOptions};
use crate::uncertainty::{DrawError, DrawsError};

/// Why a shard's partial was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The run was refused or interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A draw of the uncertain inputs made a distribution invalid.
    #[error(transparent)]
    Draw(#[from] DrawError),
    /// The output could not be written.
    #[error("cannot write the partial result: {0}")]
    Output(String),
}

/// Simulates the trials of `shard` of a run of `model` and writes its
/// partial ([`super::run_shard`], with the draws of a scenario with
/// uncertain inputs, as [`super::to_json`] writes it) to
/// `out`. `scenario` is the scenario file's name and text as read.
///
/// # Errors
/// [`WriteError::Run`] as for a whole run (the limits apply to this shard's
/// trials), [`WriteError::Output`] when `out` fails.
pub fn write_shard(
    model: &Model,
    scenario: (&str, &str),
    options: &RunOptions,
    shard: (Shard, u64),
    (stop, out): (&AtomicBool, &mut (dyn Write + Send)),
) -> Result<(), WriteError> {
    let partial = run_shard(model, scenario, options, shard, stop).map_err(|e| match e {
        DrawsError::Run(e) => WriteError::Run(e),
        DrawsError::Draw(e) => WriteError::Draw(e),
    })?;
    let bytes = to_json(&partial).map_err(WriteError::Output)?;
    (out.write_all(&bytes))
        .and_then(|()| out.flush())
        .map_err(|e| WriteError::Output(e.to_string()))
}
