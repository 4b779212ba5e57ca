//! `faultline merge`: the partial results of `run --shard` into one result
//! document, and the writing of a partial.

use std::path::{Path, PathBuf};

use super::emit::OutputArgs;
use super::Exit;
use std::sync::atomic::AtomicBool;

use crate::model::Model;
use crate::montecarlo::RunOptions;
use crate::shard::{self, MergeError, Shard, WriteError};

/// Arguments of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The partial results (`run --shard I/N --output part-I.json`), in any order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Where and how to write the result, and how objectives decide the exit code.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `merge`.
pub fn merge(args: &MergeArgs) -> Exit {
    if let Some(problem) = args.output.output_problem() {
        eprintln!("{problem}");
        return Exit::Failure;
    }
    let files: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    match shard::merge_files(&files) {
        Ok((model, result, values)) => args.output.emit(&result, &model, &values),
        Err(e) => refuse(&e),
    }
}

fn refuse(e: &MergeError) -> Exit {
    eprintln!("{e}");
    if let Some(hint) = e.hint() {
        eprintln!("  hint: {hint}");
    }
    Exit::Failure
}

/// Simulates `shard` and writes its partial to `output` (atomically) or
/// stdout while the trials run.
///
/// # Errors
/// As [`shard::write_shard`]; nothing is left at `output` on an error.
pub fn write_shard(
    model: &Model,
    scenario: (&str, &str),
    options: &RunOptions,
    (shard, output): (Shard, Option<&Path>),
    stop: &AtomicBool,
) -> Result<(), WriteError> {
    let Some(path) = output else {
        let mut stdout = std::io::BufWriter::new(std::io::stdout());
        return shard::write_shard(model, scenario, options, shard, (stop, &mut stdout));
    };
    let mut outcome = Ok(());
    let written = super::write_atomically_with(path, |file| {
        outcome = shard::write_shard(model, scenario, options, shard, (stop, file));
        match &outcome {
            Ok(()) => Ok(()),
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    });
    outcome?;
    written.map_err(|e| WriteError::Output(e.to_string()))
}
