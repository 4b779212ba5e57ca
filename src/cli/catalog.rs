//! `faultline catalog`: the built-in failure processes and real incidents.

use clap::ValueEnum;

use super::output;
use super::output::Problem;
use super::Exit;
use crate::catalog;

/// Arguments of `catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// Output format: `ron` prints the failure processes as `failures`
    /// entries ready to paste into a scenario.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Table)]
    pub format: CatalogFormat,
}

/// Formats of `catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// Aligned text for a terminal.
    Table,
    /// Failure entries to paste into a scenario's `failures`.
    Ron,
    /// The whole catalog with each incident's sources.
    Json,
}

/// The built-in catalog, or a message on stderr (a broken build).
pub fn loaded() -> Option<catalog::Loaded> {
    match catalog::load() {
        Ok(c) => Some(c),
        Err(e) => {
            Problem::error(e.to_string()).print();
            None
        }
    }
}

/// `faultline catalog`.
pub fn run(args: &CatalogArgs) -> Exit {
    let Some(loaded) = loaded() else {
        return Exit::Failure;
    };
    let text = match args.format {
        CatalogFormat::Table => Ok(catalog::table(&loaded)),
        CatalogFormat::Ron => Ok(catalog::ron(&loaded)),
        CatalogFormat::Json => catalog::json(&loaded),
    };
    output::print_document("catalog", None, text)
}
