//! Command-line interface: the commands, and the dispatch to them.
//!
//! Each subcommand lives in its own file, `src/cli/<command>.rs`, holding
//! its arguments (a `clap::Args` struct) and one `pub fn <command>(args) ->
//! Exit`; adding one is a file, a variant of [`Command`] and one line of
//! [`main`]. The pieces they share:
//! - [`args`]: the flattened argument groups (`--trials/--seed/--threads`,
//!   the work limits), the output formats and the value parsers;
//! - `load`: reading scenarios with every problem printed;
//! - `refusal`: a refused run, printed at the field that made it too large;
//! - `signals`: SIGINT and SIGTERM;
//! - `output`: one sink for stdout and files, and the one printer of errors
//!   and warnings on stderr (`Problem`), with the source line, colour and
//!   GitHub workflow commands (`eprintln!` panics on a closed stderr).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod args;
mod blast;
mod catalog;
mod check;
mod compare;
mod drill;
mod emit;
mod explain;
mod fmt;
mod graph;
mod import;
mod init;
mod load;
mod merge;
mod output;
mod progress;
mod rank;
mod refusal;
mod report;
mod run;
mod sensitivity;
mod shard;
mod show;
mod signals;
mod sweep;
mod uncertain;

pub use args::{Format, TextFormat};
pub use blast::BlastArgs;
pub use check::CheckArgs;
pub use compare::CompareArgs;
pub use emit::OutputArgs;
pub use explain::ExplainArgs;
pub use graph::{GraphArgs, GraphFormat};
pub use merge::MergeArgs;
pub use rank::RankArgs;
pub use report::ReportArgs;
pub use run::{RunArgs, VarianceMethod};
pub use show::ShowArgs;
pub use sweep::{SweepArgs, MAX_VARIANTS};

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// faultline: what does an outage cost, and which design would have saved us?
#[derive(Debug, Parser)]
#[command(name = "faultline", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and report availability, downtime and cost.
    Run(RunArgs),
    /// Run several designs on common random numbers and compare each with the first.
    Compare(CompareArgs),
    /// Print the fully merged scenario (after `extends`, `remove` and `--set`) as RON.
    Show(ShowArgs),
    /// Run a grid of variants of a scenario on common random numbers and mark the cheapest.
    Sweep(SweepArgs),
    /// Merge the partial results of `run --shard` into the result document.
    Merge(MergeArgs),
    /// Validate scenarios without running them; exit 1 on any error.
    Check(CheckArgs),
    /// Simulate a scenario and write a self-contained HTML report.
    Report(ReportArgs),
    /// Print the dependency graph, domains as clusters (Mermaid or DOT).
    Graph(GraphArgs),
    /// What breaks if each domain or service fails alone (no simulation).
    Blast(BlastArgs),
    /// The story of one simulated horizon: each failure, what it changed, what it cost.
    Explain(ExplainArgs),
    /// What to fix next: the loss each failure and domain causes, on common random numbers.
    Rank(RankArgs),
    /// The built-in catalog of failure processes and real incidents, from public outage history.
    Catalog(catalog::CatalogArgs),
    /// What one outage would cost: each trial with and without it, on the same random numbers.
    Drill(drill::DrillArgs),
    /// Write a first scenario from a Terraform plan or state, or from Kubernetes manifests.
    Import(import::ImportArgs),
    /// Rewrite scenario files in the canonical layout, keeping every comment.
    Fmt(fmt::FmtArgs),
    /// Write a commented starting scenario for the chosen providers and regions.
    Init(init::InitArgs),
    /// Which uncertain input drives the cost: each at its p5 and p95, the others at their p50.
    Sensitivity(sensitivity::SensitivityArgs),
}

/// Runs the parsed command line.
pub fn main(cli: Cli) -> Exit {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Show(args) => show::show(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Check(args) => check::check(&args),
        Command::Report(args) => report::report(&args),
        Command::Graph(args) => graph::graph(&args),
        Command::Blast(args) => blast::blast(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Rank(args) => rank::rank(&args),
        Command::Catalog(args) => catalog::run(&args),
        Command::Drill(args) => drill::run(&args),
        Command::Import(args) => import::import(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Sensitivity(args) => sensitivity::run(&args),
    }
}

/// Exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Success = 0,
    /// An invalid scenario, a refused run or a failed objective.
    Failure = 1,
    /// A usage error (clap exits with 2 itself).
    Usage = 2,
    /// Stopped by SIGINT (Ctrl-C): 128 + 2.
    Interrupted = 130,
    /// Stopped by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Writes `bytes` to `path` as `--output` does: a regular file (or a new
/// one) is replaced atomically (a temporary file in the same folder renamed
/// over it), so a reader never sees a half-written file and an interrupted
/// run leaves the old one intact; a FIFO or character device is written in
/// place.
///
/// # Errors
/// Any I/O error, or a path `--output` refuses (a folder, a symbolic link to
/// a regular file, a block device); a temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    output::write(output::OUTPUT, Some(path), bytes).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
