//! The catalog as a table, as failure entries to paste into a scenario
//! (RON), or as JSON; and the incident list of `drill --list`.

use std::fmt::Write;

use serde::Serialize;

use super::{AssumedLasts, Failure, Incident, Level, Loaded, On, Process, Source};
use crate::text::column_width;

/// `on` as a scenario writes it.
fn on_text(on: &On) -> String {
    match on {
        On::Domain(d) => format!("Domain({d:?})"),
        On::EachZone { under } => format!("EachZone(under: {under:?})"),
        On::EachRegion { under } => format!("EachRegion(under: {under:?})"),
        On::EachReplica => "EachReplica()".to_string(),
        On::EachDeployment => "EachDeployment()".to_string(),
    }
}

/// `Zone`, `Region` or `Provider`, lower case.
fn level_word(level: Level) -> &'static str {
    match level {
        Level::Provider => "provider",
        Level::Region => "region",
        Level::Zone => "zone",
    }
}

/// The date of an incident's row (its id's first ten characters).
fn date(incident: &Incident) -> &str {
    incident.row.get(..10).unwrap_or(&incident.row)
}

/// Aligned text: the processes, then the incidents.
pub fn table(loaded: &Loaded) -> String {
    let processes = &loaded.catalog.processes;
    let mut out =
        String::from("failure processes (from data/outages.csv; `--format ron` to paste them):\n");
    let name_w = column_width(processes.iter().map(|p| p.name.chars().count()), 4);
    let on_w = column_width(processes.iter().map(|p| on_text(&p.on).chars().count()), 2);
    let _ = writeln!(
        out,
        "  {:<name_w$}  {:<on_w$}  {:>6}  {:>7}  {:>6}  rows",
        "name", "on", "every", "median", "p90"
    );
    for p in processes {
        let _ = writeln!(
            out,
            "  {:<name_w$}  {:<on_w$}  {:>6}  {:>7}  {:>6}  {} in {:.2} y over {}; durations: {} ({} rows){}",
            p.name,
            on_text(&p.on),
            p.every,
            p.lasts.median,
            p.lasts.p90,
            p.rows.len(),
            p.years,
            p.targets,
            p.lasts.class,
            loaded.class(&p.lasts.class).map_or(0, |c| c.rows.len()),
            if p.any_region { "; any region without its own" } else { "" },
        );
    }
    out.push_str("\nassumptions (no row of data/outages.csv covers them):\n");
    for a in &loaded.catalog.assumptions {
        let _ = writeln!(
            out,
            "  {:<name_w$}  {:<on_w$}  {:>6}  {}",
            a.name,
            on_text(&a.on),
            a.every,
            a.note
        );
    }
    out.push('\n');
    out.push_str(&incidents_table(loaded));
    out
}

/// Aligned text: one line per incident, with its sources.
pub fn incidents_table(loaded: &Loaded) -> String {
    let incidents = &loaded.catalog.incidents;
    let mut out = String::from("incidents (`faultline drill SCENARIO --incident NAME`):\n");
    let name_w = column_width(incidents.iter().map(|i| i.name.chars().count()), 4);
    let scope_w = column_width(incidents.iter().map(|i| i.scope.chars().count()), 5);
    let _ = writeln!(
        out,
        "  {:<name_w$}  {:<10}  {:<scope_w$}  {:<8}  {:>8}  {:<13}  sources",
        "name", "date", "scope", "level", "lasts", "effect"
    );
    for i in incidents {
        let sources = loaded
            .row(&i.row)
            .map(|r| r.sources.join(" "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<name_w$}  {:<10}  {:<scope_w$}  {:<8}  {:>8}  {:<13}  {}",
            i.name,
            date(i),
            i.scope,
            level_word(i.level),
            i.lasts,
            i.effect.word(),
            sources
        );
    }
    out
}

/// How a process's rate is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// As the count it is, `Observed(events: .., years: ..)`: a run draws it.
    Observed,
    /// As its point value, `"1.8y"`.
    Point,
}

impl Rate {
    /// `Observed` while a scenario of `processes` counted rates stays within
    /// the uncertain inputs a scenario may have, else `Point`.
    pub fn for_processes(processes: usize) -> Rate {
        if processes <= crate::scenario::validate::MAX_INPUTS {
            Rate::Observed
        } else {
            Rate::Point
        }
    }

    /// The comment that says so when the rates are written as points.
    pub fn note(self, processes: usize) -> Option<String> {
        (self == Rate::Point).then(|| {
            format!(
                "        // {processes} counted rates, more than the {} uncertain inputs a scenario may have: written as their point values.",
                crate::scenario::validate::MAX_INPUTS
            )
        })
    }
}

/// One catalog entry as a `failures` entry of a scenario, after comments
/// saying where its numbers come from: the ONE writer of a catalog failure
/// (`catalog --format ron`, `import`, `init`). A process's rate is written
/// as `rate` says.
pub fn failure_entry(out: &mut String, loaded: &Loaded, failure: &Failure<'_>, rate: Rate) {
    let (every, lasts, cause) = match failure.source {
        Source::Process(p) => {
            process_comments(out, loaded, p, rate);
            let lasts = format!(
                "LogNormal(median: {:?}, p90: {:?})",
                p.lasts.median, p.lasts.p90
            );
            let every = match rate {
                Rate::Observed => observed(p),
                Rate::Point => format!("{:?}", p.every),
            };
            (every, lasts, p.cause)
        }
        Source::Assumption(a) => {
            let _ = writeln!(out, "        // Assumption: {}.", a.note);
            let lasts = match &a.lasts {
                AssumedLasts::Exp { mean } => format!("Exp(mean: {mean:?})"),
                AssumedLasts::LogNormal { median, p90 } => {
                    format!("LogNormal(median: {median:?}, p90: {p90:?})")
                }
            };
            (format!("{:?}", a.every), lasts, a.cause)
        }
    };
    let _ = writeln!(
        out,
        "        (name: {:?}, on: {}, every: {every},\n         lasts: {lasts}, cause: {cause:?}),",
        failure.name,
        on_text(&failure.on),
    );
}

/// A process's rate as what its data is: its rows counted over `years` x
/// `targets` target-years (`Observed(events: 4, years: 735)`), so a run
/// gives the range the count allows.
fn observed(p: &Process) -> String {
    let years = format!("{:.2}", p.years * f64::from(p.targets));
    let years = years.trim_end_matches('0').trim_end_matches('.');
    format!("Observed(events: {}, years: {years})", p.rows.len())
}

/// The comments citing a process's rows and duration class.
fn process_comments(out: &mut String, loaded: &Loaded, p: &Process, rate: Rate) {
    let durations = loaded.class(&p.lasts.class).map_or(0, |c| c.rows.len());
    let _ = writeln!(out, "        // {}.", p.note);
    let _ = writeln!(
        out,
        "        // data/outages.csv: {} = {} in {:.2} y over {} target(s) -> every {}.",
        p.rows.join(", "),
        p.rows.len(),
        p.years,
        p.targets,
        p.every
    );
    if rate == Rate::Observed {
        let _ = writeln!(
            out,
            "        // As observed: the rate's range from that count (for a one-level run, every: {:?}).",
            p.every
        );
    }
    let _ = writeln!(
        out,
        "        // Duration: lognormal fitted to the {durations} \"{}\" rows with a duration.",
        p.lasts.class
    );
}

/// The processes and assumptions as `failures` entries ready to paste into
/// a scenario.
pub fn ron(loaded: &Loaded) -> String {
    let mut out = String::from(
        "    // From the faultline catalog (data/catalog.ron); rename the domains to yours.\n    failures: [\n",
    );
    for source in loaded.sources() {
        failure_entry(
            &mut out,
            loaded,
            &Failure::as_written(source),
            Rate::Observed,
        );
    }
    out.push_str("    ],\n");
    out
}

/// An incident with its row's facts, for JSON.
#[derive(Serialize)]
struct IncidentView<'a> {
    #[serde(flatten)]
    incident: &'a Incident,
    date: &'a str,
    provider: &'a str,
    sources: &'a [String],
}

fn incident_views(loaded: &Loaded) -> Vec<IncidentView<'_>> {
    (loaded.catalog.incidents.iter())
        .filter_map(|i| {
            let row = loaded.row(&i.row)?;
            Some(IncidentView {
                incident: i,
                date: &row.date,
                provider: &row.provider,
                sources: &row.sources,
            })
        })
        .collect()
}

/// The whole catalog as JSON.
///
/// # Errors
/// When serialisation fails.
pub fn json(loaded: &Loaded) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct Document<'a> {
        classes: &'a [super::Class],
        processes: &'a [Process],
        assumptions: &'a [super::Assumption],
        incidents: Vec<IncidentView<'a>>,
    }
    let document = Document {
        classes: &loaded.catalog.classes,
        processes: &loaded.catalog.processes,
        assumptions: &loaded.catalog.assumptions,
        incidents: incident_views(loaded),
    };
    serde_json::to_string_pretty(&document).map(|s| s + "\n")
}

/// The incidents as JSON (`drill --list --format json`).
///
/// # Errors
/// When serialisation fails.
pub fn incidents_json(loaded: &Loaded) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&serde_json::json!({ "incidents": incident_views(loaded) }))
        .map(|s| s + "\n")
}
