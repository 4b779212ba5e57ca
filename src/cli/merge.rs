//! `faultline merge`: the partial results of `run --shard` into one result
//! document, and the writing of a partial.

use std::path::{Path, PathBuf};

use super::emit::{write_file, write_stdout, OutputArgs};
use super::Exit;
use crate::shard::{self, MergeError, Partial};

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

/// Writes a shard's partial to `output` (atomically) or stdout.
pub fn write_partial(partial: &Partial, output: Option<&Path>) -> Exit {
    let bytes = match shard::to_json(partial) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot write the partial result: {e}");
            return Exit::Failure;
        }
    };
    let written = match output {
        Some(path) => write_file(path, &bytes),
        None => write_stdout(&bytes),
    };
    if written {
        Exit::Success
    } else {
        Exit::Failure
    }
}
