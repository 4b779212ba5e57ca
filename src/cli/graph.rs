//! `faultline graph`: the dependency graph, domains as clusters.

use std::path::PathBuf;

use clap::ValueEnum;

use super::load::load;
use super::output::{self, OUTPUT};
use super::Exit;

/// Arguments of `graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
}

/// `faultline graph`.
pub fn graph(args: &GraphArgs) -> Exit {
    let Some((model, _)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    let text = match args.format {
        GraphFormat::Dot => crate::analysis::graph::dot(&model),
        GraphFormat::Mermaid => crate::analysis::graph::mermaid(&model),
    };
    output::emit(OUTPUT, None, &text)
}
