//! `faultline fmt`: scenario files rewritten in the canonical layout, every
//! comment kept; `--check` for CI and pre-commit hooks.

use std::path::{Path, PathBuf};

use super::output::stderr;
use super::output::Problem;
use super::Exit;
use crate::scenario::format::format_file;
use crate::text::one_line;

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Scenario files (each formatted as text: `extends` is not followed).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing: exit 1 naming each file that is not formatted.
    #[arg(long)]
    pub check: bool,
}

/// What became of one file.
enum Outcome {
    /// Already in the canonical layout.
    Formatted,
    /// Rewritten (or, with `--check`, found not formatted).
    Changed,
    /// Unreadable, not a scenario's syntax, or not written.
    Failed,
}

/// Runs `fmt`: 0 when every file is (now) formatted, 1 when one could not
/// be read or parsed, or, with `--check`, is not formatted.
pub fn run(args: &FmtArgs) -> Exit {
    let mut exit = Exit::Success;
    for path in &args.files {
        match one(path, args.check) {
            Outcome::Formatted => {}
            Outcome::Changed if !args.check => {}
            Outcome::Changed | Outcome::Failed => exit = Exit::Failure,
        }
    }
    exit
}

fn one(path: &Path, check: bool) -> Outcome {
    let name = one_line(&path.display().to_string()).into_owned();
    let bytes = match super::load::read_bounded(path) {
        Ok(b) => b,
        Err(e) => {
            Problem::error(format!("cannot read the scenario: {e}"))
                .in_file(&name, None)
                .print();
            return Outcome::Failed;
        }
    };
    let formatted = match format_file(&name, &bytes) {
        Ok(text) => text,
        Err(diagnostics) => {
            let read = [(path.to_path_buf(), Ok(bytes))];
            super::load::print_diagnostics_of(&[diagnostics], &read);
            return Outcome::Failed;
        }
    };
    if formatted.as_bytes() == bytes {
        return Outcome::Formatted;
    }
    if check {
        stderr!("{name}: not formatted");
        stderr!("  hint: run `faultline fmt {name}` to rewrite it");
        return Outcome::Changed;
    }
    match super::write_atomically(path, formatted.as_bytes()) {
        Ok(()) => {
            stderr!("{name}: formatted");
            Outcome::Changed
        }
        Err(e) => {
            Problem::error(format!("cannot write the formatted scenario: {e}"))
                .in_file(&name, None)
                .print();
            Outcome::Failed
        }
    }
}
