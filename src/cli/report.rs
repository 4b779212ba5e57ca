//! `faultline report`: `run --format html --output FILE`.

use std::path::PathBuf;

use super::args::{Format, RunSettings};
use super::emit::OutputArgs;
use super::run::{run, RunArgs};
use super::Exit;

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// The HTML file to write (atomically).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
}

/// `faultline report`.
pub fn report(args: &ReportArgs) -> Exit {
    let output = OutputArgs {
        format: Format::Html,
        output: Some(args.output.clone()),
        junit: None,
        strict: false,
    };
    run(&RunArgs::plain(
        args.scenario.clone(),
        args.settings.clone(),
        output,
    ))
}
