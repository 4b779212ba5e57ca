//! The catalog: failure processes (rates and durations per provider,
//! region, zone and third party) and real incidents (scope, duration),
//! derived from the public outage history shipped with faultline. Both
//! files are embedded in the binary: `data/catalog.ron` holds the entries,
//! each citing rows of `data/outages.csv` by their `id`; [`load`] parses
//! them at run time and resolves every citation.

mod lookup;
mod outages;
mod render;

pub use lookup::{Failure, Source};

pub use outages::{parse_outages, Outage, OutagesError};
pub use render::{failure_entry, incidents_json, incidents_table, json, ron, table, Rate};

use serde::{Deserialize, Serialize};

use crate::model::{Cause, Duration};

/// `data/catalog.ron`, as built into the binary.
pub const CATALOG_RON: &str = include_str!("../../data/catalog.ron");
/// `data/outages.csv`, as built into the binary.
pub const OUTAGES_CSV: &str = include_str!("../../data/outages.csv");

/// Why the built-in catalog cannot be used (a broken build: the tests
/// check the shipped files).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// `data/catalog.ron` does not parse.
    #[error("data/catalog.ron: {0}")]
    Syntax(String),
    /// `data/outages.csv` does not parse.
    #[error(transparent)]
    Outages(#[from] OutagesError),
    /// An entry cites a row that `data/outages.csv` does not have.
    #[error("data/catalog.ron: `{entry}` cites `{row}`, which is not an id of data/outages.csv")]
    UnknownRow {
        /// The citing entry's name.
        entry: String,
        /// The id cited.
        row: String,
    },
    /// A process names a duration class the catalog does not define.
    #[error("data/catalog.ron: `{entry}` uses the duration class `{class}`, which is not defined")]
    UnknownClass {
        /// The process's name.
        entry: String,
        /// The class named.
        class: String,
    },
    /// A duration field is not a duration.
    #[error("data/catalog.ron: `{entry}`: `{text}` is not a duration")]
    BadDuration {
        /// The entry's name.
        entry: String,
        /// The text.
        text: String,
    },
}

/// A duration class: the rows a process's `lasts` is fitted to.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Class {
    /// The `scope` of data/outages.csv it gathers (`single AZ`, ...).
    pub name: String,
    /// The ids of its rows with a published duration.
    pub rows: Vec<String>,
}

/// What a catalog process applies to, as in a scenario's `on`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub enum On {
    /// One domain (a provider, region or zone).
    Domain(String),
    /// Each zone under a domain.
    EachZone {
        /// The enclosing domain.
        under: String,
    },
    /// Each region under a domain.
    EachRegion {
        /// The enclosing domain.
        under: String,
    },
    /// Each replica of every deployment (assumptions only).
    EachReplica,
    /// Each deployment (assumptions only).
    EachDeployment,
}

/// A process's outage duration: a lognormal fitted to a class of rows.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Lasts {
    /// The duration class the fit is of.
    pub class: String,
    /// The fitted median, as a duration (`"9.6h"`).
    pub median: String,
    /// The fitted 90th percentile.
    pub p90: String,
}

/// A failure process ready for a scenario's `failures`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Process {
    /// The failure's name.
    pub name: String,
    /// Whether it holds for every region of its provider without a process
    /// of its own at its level (its region is an example).
    #[serde(default)]
    pub any_region: bool,
    /// What it applies to.
    pub on: On,
    /// Mean time between outages of one target, as a duration.
    pub every: String,
    /// How long an outage lasts.
    pub lasts: Lasts,
    /// Its cause class.
    pub cause: Cause,
    /// The ids of the rows counted for its rate.
    pub rows: Vec<String>,
    /// The observation window of those rows (years).
    pub years: f64,
    /// The domains the rows are spread over (1: the domain itself).
    pub targets: u32,
    /// Where the rows come from and what is assumed.
    pub note: String,
}

/// An assumed outage duration, as a scenario writes it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub enum AssumedLasts {
    /// Exponential with the given mean (a duration).
    Exp {
        /// The mean.
        mean: String,
    },
    /// Lognormal with the given median and 90th percentile (durations).
    LogNormal {
        /// The median.
        median: String,
        /// The 90th percentile.
        p90: String,
    },
}

/// A failure process no row covers (one host, one release, one cluster):
/// an assumption, with its reasoning.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Assumption {
    /// The failure's name.
    pub name: String,
    /// What it applies to.
    pub on: On,
    /// Mean time between outages of one target, as a duration.
    pub every: String,
    /// How long an outage lasts.
    pub lasts: AssumedLasts,
    /// Its cause class.
    pub cause: Cause,
    /// What is assumed, and why.
    pub note: String,
}

/// The level of an incident's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Level {
    /// A whole provider (or third party).
    Provider,
    /// One region.
    Region,
    /// One zone (of the `scope` region when the reports do not name it).
    Zone,
}

/// What an incident did to its scope: the same as a failure's effect.
pub use crate::model::Effect;

/// A real incident: one row of data/outages.csv.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Incident {
    /// Its name for `drill --incident`.
    pub name: String,
    /// The id of its row.
    pub row: String,
    /// The domain it hit, in faultline's naming (`aws/us-east-1`, `gcp`).
    pub scope: String,
    /// The level it hit (a `Zone` incident with a region scope: an unnamed
    /// zone of that region).
    pub level: Level,
    /// How long it lasted: exactly the row's `duration_h`.
    pub lasts: String,
    /// Down, or the control plane only.
    pub effect: Effect,
}

impl Incident {
    /// Its duration in hours.
    ///
    /// # Errors
    /// [`CatalogError::BadDuration`] (checked by [`load`]).
    pub fn hours(&self) -> Result<f64, CatalogError> {
        hours(&self.name, &self.lasts)
    }
}

/// The catalog as written in `data/catalog.ron`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Catalog {
    /// Duration classes.
    pub classes: Vec<Class>,
    /// Failure processes.
    pub processes: Vec<Process>,
    /// Failure processes that are assumptions, not fitted to rows.
    pub assumptions: Vec<Assumption>,
    /// Real incidents.
    pub incidents: Vec<Incident>,
}

/// The catalog with the rows it cites.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The entries.
    pub catalog: Catalog,
    /// Every row of data/outages.csv, in file order.
    pub outages: Vec<Outage>,
}

impl Loaded {
    /// The row with id `id`.
    pub fn row(&self, id: &str) -> Option<&Outage> {
        self.outages.iter().find(|o| o.id == id)
    }

    /// The incident named `name`.
    pub fn incident(&self, name: &str) -> Option<&Incident> {
        self.catalog.incidents.iter().find(|i| i.name == name)
    }

    /// The duration class named `name`.
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.catalog.classes.iter().find(|c| c.name == name)
    }
}

/// Parses the built-in catalog and outage rows, resolving every citation.
///
/// # Errors
/// [`CatalogError`] when a file does not parse or a citation, class or
/// duration does not resolve.
pub fn load() -> Result<Loaded, CatalogError> {
    load_from(CATALOG_RON, OUTAGES_CSV)
}

/// [`load`] of the given texts.
///
/// # Errors
/// As [`load`].
pub fn load_from(catalog: &str, outages: &str) -> Result<Loaded, CatalogError> {
    let catalog: Catalog =
        ron::from_str(catalog).map_err(|e| CatalogError::Syntax(e.to_string()))?;
    let loaded = Loaded {
        catalog,
        outages: parse_outages(outages)?,
    };
    check(&loaded)?;
    Ok(loaded)
}

/// Every citation, class and duration of `loaded` resolves.
fn check(loaded: &Loaded) -> Result<(), CatalogError> {
    let cited = |entry: &str, row: &str| match loaded.row(row) {
        Some(_) => Ok(()),
        None => Err(CatalogError::UnknownRow {
            entry: entry.to_string(),
            row: row.to_string(),
        }),
    };
    let catalog = &loaded.catalog;
    for class in &catalog.classes {
        class.rows.iter().try_for_each(|r| cited(&class.name, r))?;
    }
    for p in &catalog.processes {
        p.rows.iter().try_for_each(|r| cited(&p.name, r))?;
        if loaded.class(&p.lasts.class).is_none() {
            return Err(CatalogError::UnknownClass {
                entry: p.name.clone(),
                class: p.lasts.class.clone(),
            });
        }
        for text in [&p.every, &p.lasts.median, &p.lasts.p90] {
            hours(&p.name, text)?;
        }
    }
    for a in &catalog.assumptions {
        let durations = match &a.lasts {
            AssumedLasts::Exp { mean } => vec![mean],
            AssumedLasts::LogNormal { median, p90 } => vec![median, p90],
        };
        for text in std::iter::once(&a.every).chain(durations) {
            hours(&a.name, text)?;
        }
    }
    for i in &catalog.incidents {
        cited(&i.name, &i.row)?;
        i.hours()?;
    }
    Ok(())
}

/// A duration field in hours.
fn hours(entry: &str, text: &str) -> Result<f64, CatalogError> {
    match Duration::parse(text) {
        Ok(d) if d.hours() > 0.0 => Ok(d.hours()),
        _ => Err(CatalogError::BadDuration {
            entry: entry.to_string(),
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_built_in_catalog_loads_and_a_wrong_citation_is_refused() {
        let loaded = load().unwrap();
        assert!(!loaded.catalog.incidents.is_empty());
        let broken = CATALOG_RON.replacen("\"2017-02-28-aws\"", "\"2017-02-29-aws\"", 1);
        let e = load_from(&broken, OUTAGES_CSV).unwrap_err();
        assert!(matches!(e, CatalogError::UnknownRow { .. }), "{e}");
    }
}
