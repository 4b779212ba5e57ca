//! Writing a result document (of `run` or `merge`) and turning its
//! objectives into the exit code.

use std::path::PathBuf;

use super::args::Format;
use super::output::{self, stderr, Inputs, OutputError, Problem, JUNIT, OUTPUT};
use super::Exit;
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
    /// Why `--output` or `--junit` cannot be written, or would overwrite one
    /// of `inputs` or each other: checked before the work.
    ///
    /// # Errors
    /// The first problem found.
    pub(crate) fn check(&self, inputs: &Inputs) -> Result<(), OutputError> {
        let named = [(OUTPUT, &self.output), (JUNIT, &self.junit)];
        for (flag, path) in named {
            if let Some(path) = path {
                output::check(flag, path, inputs)?;
            }
        }
        if let (Some(a), Some(b)) = (&self.output, &self.junit) {
            output::check_distinct((OUTPUT, a), (JUNIT, b))?;
        }
        Ok(())
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
                Problem::error(e.to_string()).print();
                return Exit::Failure;
            }
        };
        // a reader of stdout that leaves early is no failure: the objectives
        // still decide the exit code, and the JUnit file is still written
        let written = output::emit(OUTPUT, self.output.as_deref(), &text);
        let junit_written = match &self.junit {
            Some(path) => output::emit(JUNIT, Some(path), &junit(result, self.strict)),
            None => Exit::Success,
        };
        if written != Exit::Success || junit_written != Exit::Success {
            return Exit::Failure;
        }
        self.verdict(result)
    }

    /// The exit code the objectives give, with a summary on stderr.
    fn verdict(&self, result: &RunResult) -> Exit {
        if result.objectives.is_empty() {
            return Exit::Success;
        }
        stderr!("objectives: {}", objectives::counts(result));
        let fails = |v: Verdict| v == Verdict::Failed || (self.strict && v == Verdict::Undecided);
        if result.objectives.iter().any(|o| fails(o.verdict)) {
            Exit::Failure
        } else {
            Exit::Success
        }
    }
}
