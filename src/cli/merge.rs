//! `faultline merge`: the partial results of `run --shard` into one result
//! document, and the writing of a partial.

use std::path::{Path, PathBuf};

use super::emit::OutputArgs;
use super::load::print_diagnostics;
use super::output::{Inputs, Output, OutputError, Problem, OUTPUT};
use super::Exit;
use std::sync::atomic::AtomicBool;

use crate::model::Model;
use crate::montecarlo::{RunError, RunOptions};
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
    let mut inputs = Inputs::default();
    args.parts.iter().for_each(|p| inputs.add(p));
    if let Err(e) = args.output.check(&inputs) {
        Problem::parse(&e.to_string()).print();
        return e.exit();
    }
    let files: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    match shard::merge_files(&files) {
        Ok((model, result, values)) => args.output.emit(&result, &model, &values),
        Err(e) => refuse(&e),
    }
}

fn refuse(e: &MergeError) -> Exit {
    match e {
        MergeError::Scenario(diagnostics) => print_diagnostics(std::slice::from_ref(diagnostics)),
        _ => Problem::parse(&e.to_string()).with_hint(e.hint()).print(),
    }
    Exit::Failure
}

/// Why a shard's partial was not written.
#[derive(Debug)]
pub enum ShardError {
    /// The run was refused or interrupted.
    Run(RunError),
    /// The output could not be written.
    Output(OutputError),
    /// A draw of the uncertain inputs made a distribution invalid.
    Draw(crate::uncertainty::DrawError),
}

/// Simulates `shard` (with `draws` draws of uncertain inputs) and writes its partial to `output` (atomically) or
/// stdout while the trials run. A reader of stdout that leaves early ends
/// the run quietly.
///
/// # Errors
/// As [`shard::write_shard`]; nothing is left at `output` on an error.
pub fn write_shard(
    model: &Model,
    scenario: (&str, &str),
    options: &RunOptions,
    (shard, draws, output): (Shard, u64, Option<&Path>),
    stop: &AtomicBool,
) -> Result<(), ShardError> {
    let mut out = Output::open(OUTPUT, output).map_err(ShardError::Output)?;
    match shard::write_shard(model, scenario, options, (shard, draws), (stop, &mut out)) {
        Ok(()) => out.finish().map_err(ShardError::Output),
        Err(WriteError::Run(e)) => Err(ShardError::Run(e)),
        Err(WriteError::Draw(e)) => {
            let _ = out.abandon(e.to_string());
            Err(ShardError::Draw(e))
        }
        Err(WriteError::Output(message)) => out.abandon(message).map_err(ShardError::Output),
    }
}
