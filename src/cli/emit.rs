//! Writing a result document (of `run` or `merge`) and turning its
//! objectives into the exit code.

use std::io::Write;
use std::path::PathBuf;

use super::{output_problem, write_atomically, Exit, Format};
use crate::model::Model;
use crate::report::{junit, objectives, Html, Json, Markdown, Render, Table};
use crate::stats::{RunResult, TrialValues, Verdict};

/// Where and how to write a result, and how its objectives decide the exit code.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Also write the objectives as JUnit XML to this file, one test case each
    /// (failed: <failure>; undecided: <skipped>, or <failure> with --strict).
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Exit 1 when an objective is undecided, not only when one failed.
    #[arg(long)]
    pub strict: bool,
}

impl OutputArgs {
    /// Why `--output` or `--junit` cannot be written, checked before the work.
    pub fn output_problem(&self) -> Option<String> {
        (self.output.iter())
            .chain(&self.junit)
            .find_map(|p| output_problem(p))
    }

    /// Renders and writes `result` (and its JUnit XML), then gives the exit
    /// code: 1 when an objective failed (or, with `--strict`, is undecided).
    /// `model` and `values` feed the HTML report's plots.
    pub fn emit(&self, result: &RunResult, model: &Model, values: &TrialValues) -> Exit {
        let html = Html { model, values };
        let renderer: &dyn Render = match self.format {
            Format::Table => &Table,
            Format::Json => &Json,
            Format::Markdown => &Markdown,
            Format::Html => &html,
        };
        let text = match renderer.render(result) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Failure;
            }
        };
        let written = match &self.output {
            Some(path) => write_file(path, text.as_bytes()),
            None => write_stdout(text.as_bytes()),
        };
        let junit_written = match &self.junit {
            Some(path) => write_file(path, junit(result, self.strict).as_bytes()),
            None => true,
        };
        if !(written && junit_written) {
            return Exit::Failure;
        }
        self.verdict(result)
    }

    /// The exit code the objectives give, with a summary on stderr.
    fn verdict(&self, result: &RunResult) -> Exit {
        if result.objectives.is_empty() {
            return Exit::Success;
        }
        eprintln!("objectives: {}", objectives::counts(result));
        let fails = |v: Verdict| v == Verdict::Failed || (self.strict && v == Verdict::Undecided);
        if result.objectives.iter().any(|o| fails(o.verdict)) {
            Exit::Failure
        } else {
            Exit::Success
        }
    }
}

/// Writes a file atomically, reporting a failure on stderr.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> bool {
    match write_atomically(path, bytes) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("{}: error: cannot write the output: {e}", path.display());
            false
        }
    }
}

/// Writes to stdout; false when it is closed.
pub fn write_stdout(bytes: &[u8]) -> bool {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .is_ok()
}
