//! An explained trial as a table, Markdown or JSON.

use std::fmt::Write;

use serde::Serialize;

use super::story::{start_tag, story, target_name, Event, Story, MAX_STORY_EVENTS};
use super::{Explained, Pick};
use crate::engine::{Occurrence, ServiceOutcome};
use crate::model::{Cause, Effect, Model};
use crate::text::{hours, markdown as cell, money, span, terminal, timestamp};

/// Text escaped for the output's format ([`terminal`] or [`cell`]).
type Escape = fn(&str) -> String;

/// Aligned plain text: the header, the events, the quiet occurrences, the
/// services and the failures of the trial.
pub fn table(model: &Model, explained: &Explained) -> String {
    let story = story(model, &explained.trace);
    let mut out = String::new();
    header(&mut out, model, explained, "", terminal);
    let _ = writeln!(out, "\n{:<16}  event", "time");
    for entry in &story.entries {
        let (tag, text) = event_text(model, explained, &entry.event, terminal);
        let _ = writeln!(out, "{}  {tag:<5} {text}", timestamp(entry.t));
    }
    left_out_line(&mut out, &story, "");
    quiet_line(&mut out, model, explained, &story, "\n", terminal);
    let _ = writeln!(
        out,
        "\n{:<18} {:>10} {:>10} {:>8} {:>14}  routing",
        "service", "lost", "downtime", "outages", "cost"
    );
    for (s, o) in explained.trace.outcome.services.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<18} {:>10} {:>10} {:>8} {:>14}  {}",
            terminal(&model.services[s].name),
            hours(o.lost_hours),
            hours(o.downtime_hours),
            o.outages,
            money(o.cost),
            routing_counts(o)
        );
    }
    failure_lines(&mut out, model, explained, "", terminal);
    out
}

/// Markdown for a pull request: the same content as the table.
pub fn markdown(model: &Model, explained: &Explained) -> String {
    let story = story(model, &explained.trace);
    let mut out = String::new();
    let _ = writeln!(out, "## One simulated horizon: {}\n", cell(&model.name));
    header(&mut out, model, explained, "- ", cell);
    out.push_str("\n| time | | event |\n| --- | --- | --- |\n");
    for entry in &story.entries {
        let (tag, text) = event_text(model, explained, &entry.event, cell);
        let _ = writeln!(out, "| {} | {tag} | {text} |", timestamp(entry.t));
    }
    left_out_line(&mut out, &story, "\n");
    quiet_line(&mut out, model, explained, &story, "\n", cell);
    out.push_str("\n| service | lost | downtime | outages | cost | routing |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | --- |\n");
    for (s, o) in explained.trace.outcome.services.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&model.services[s].name),
            hours(o.lost_hours),
            hours(o.downtime_hours),
            o.outages,
            money(o.cost),
            routing_counts(o)
        );
    }
    out.push('\n');
    failure_lines(&mut out, model, explained, "- ", cell);
    out
}

/// The lines that say which trial this is and what it cost.
fn header(out: &mut String, model: &Model, e: &Explained, bullet: &str, escape: Escape) {
    if bullet.is_empty() {
        let _ = writeln!(out, "explain: {}", escape(&model.name));
    }
    let trial = e.trace.trial;
    let sel = &e.selection;
    let why = match (sel.pick, sel.rank) {
        (Pick::Percentile(p), Some(rank)) if p >= 100.0 => {
            format!("the worst of {} trials by cost (rank {rank})", sel.trials)
        }
        (Pick::Percentile(p), Some(rank)) => {
            format!("p{p} of {} trials by cost (rank {rank})", sel.trials)
        }
        _ => format!("of {} trials", sel.trials),
    };
    let _ = writeln!(out, "{bullet}trial {trial} (seed {}): {why}", sel.seed);
    let o = &e.trace.outcome;
    let lost: Vec<String> = (o.services.iter().enumerate())
        .filter(|(_, s)| s.lost_hours > 0.0)
        .map(|(s, x)| {
            format!(
                "{} {}",
                escape(&model.services[s].name),
                hours(x.lost_hours)
            )
        })
        .collect();
    let lost = if lost.is_empty() {
        "none".to_string()
    } else {
        lost.join(", ")
    };
    let _ = writeln!(out, "{bullet}cost {}; lost: {lost}", money(o.cost));
}

/// The tag and text of one event, names escaped with `escape`.
fn event_text(
    model: &Model,
    e: &Explained,
    event: &Event,
    escape: Escape,
) -> (&'static str, String) {
    match *event {
        Event::FailureStart(k) => (
            start_tag(model, e.trace.occurrences[k].process),
            failure_start_text(model, e, k, escape),
        ),
        Event::FailureEnd(k) => {
            let o = &e.trace.occurrences[k];
            let failure = &model.failures[model.processes[o.process].failure];
            (
                "END",
                format!(
                    "{} on {}",
                    escape(&failure.name),
                    escape(&target_name(model, o.process))
                ),
            )
        }
        Event::Deployment {
            deployment,
            from,
            to,
        } => (
            "",
            format!(
                "{}: {} -> {}",
                escape(&model.deployment_name(deployment)),
                served(from),
                served(to)
            ),
        ),
        Event::Service {
            service,
            from,
            to,
            routing,
        } => {
            let note = routing.map_or(String::new(), |r| format!("  ({})", r.words()));
            (
                "",
                format!(
                    "{}: {} -> {}{note}",
                    escape(&model.services[service].name),
                    served(from),
                    served(to)
                ),
            )
        }
    }
}

/// The text of a failure's start: what it hit, what it cost and how long it lasts.
fn failure_start_text(model: &Model, e: &Explained, k: usize, escape: Escape) -> String {
    let o = &e.trace.occurrences[k];
    let failure = &model.failures[model.processes[o.process].failure];
    let mut hit: Vec<String> = (o.services.iter().take(MAX_HIT_NAMES))
        .map(|&s| escape(&model.services[s].name))
        .collect();
    if o.services.len() > MAX_HIT_NAMES {
        hit.push(format!("{} more", o.services.len() - MAX_HIT_NAMES));
    }
    let effect = if hit.is_empty() {
        "no loss".to_string()
    } else {
        format!(
            "{} lost, cost {}, hit {}",
            hours(o.lost_hours),
            money(o.cost),
            hit.join(", ")
        )
    };
    let text = format!(
        "{} on {} ({:?}), lasts {}: {effect}",
        escape(&failure.name),
        escape(&target_name(model, o.process)),
        failure.cause,
        span(o.end - o.start)
    );
    text
}

/// A served fraction as a percentage without trailing zeros.
fn served(x: f64) -> String {
    let text = format!("{:.2}", x * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The most services a failure line names; the rest are counted.
pub const MAX_HIT_NAMES: usize = 8;

/// How many events past [`MAX_STORY_EVENTS`](super::story::MAX_STORY_EVENTS)
/// are not shown, if any.
fn left_out_line(out: &mut String, story: &Story, before: &str) {
    if story.left_out > 0 {
        let _ = writeln!(
            out,
            "{before}({} later event(s) not shown: a story shows at most {})",
            story.left_out,
            super::story::MAX_STORY_EVENTS
        );
    }
}

/// The occurrences left out of the events, counted per failure.
fn quiet_line(
    out: &mut String,
    model: &Model,
    e: &Explained,
    story: &Story,
    before: &str,
    escape: Escape,
) {
    if story.quiet.is_empty() {
        return;
    }
    let mut counts = vec![0usize; model.failures.len()];
    for &k in &story.quiet {
        counts[model.processes[e.trace.occurrences[k].process].failure] += 1;
    }
    let parts: Vec<String> = (counts.iter().enumerate())
        .filter(|(_, &n)| n > 0)
        .map(|(f, n)| format!("{} x {n}", escape(&model.failures[f].name)))
        .collect();
    let _ = writeln!(
        out,
        "{before}{} other occurrence(s) changed nothing: {}",
        story.quiet.len(),
        parts.join(", ")
    );
}

/// Failovers, failed failovers, failbacks and collapses, where any.
fn routing_counts(o: &ServiceOutcome) -> String {
    let parts: Vec<String> = [
        (o.failovers, "failover(s)"),
        (o.failed_failovers, "failed failover(s)"),
        (o.failbacks, "failback(s)"),
        (o.collapses, "collapse(s)"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// Per failure with occurrences: count, attributed lost hours and cost; then
/// the unattributed loss and the trial's cost.
fn failure_lines(out: &mut String, model: &Model, e: &Explained, bullet: &str, escape: Escape) {
    let o = &e.trace.outcome;
    let _ = writeln!(
        out,
        "\n{bullet}failures: occurrences, attributed lost hours, cost"
    );
    for (f, x) in o.failures.iter().enumerate() {
        if x.occurrences > 0 {
            let _ = writeln!(
                out,
                "{}  {}: {}, {}, {}",
                bullet,
                escape(&model.failures[f].name),
                x.occurrences,
                hours(x.lost_hours),
                money(x.cost)
            );
        }
    }
    if o.unattributed_hours > 0.0 {
        let _ = writeln!(
            out,
            "{bullet}  unattributed: {}, {}",
            hours(o.unattributed_hours),
            money(o.unattributed_cost)
        );
    }
    let _ = writeln!(out, "{bullet}total cost {}", money(o.cost));
}

/// The explained trial as a JSON document (see [`ExplainDocument`]).
///
/// # Errors
/// When serialization fails (a number that is not finite).
pub fn json(model: &Model, explained: &Explained) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&ExplainDocument::new(model, explained))?;
    text.push('\n');
    Ok(text)
}

/// The JSON document of `faultline explain --format json`.
#[derive(Debug, Serialize)]
pub struct ExplainDocument {
    /// The scenario's name.
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// The trials of the run the trial belongs to.
    pub trials: u64,
    /// The trial explained (numbered from 0).
    pub trial: u64,
    /// The percentile asked for (100 for `--worst`); absent for `--trial`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<f64>,
    /// The trial's rank by cost (1 = cheapest); absent for `--trial`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<u64>,
    /// The trial's cost (sum over services).
    pub cost: f64,
    /// Per service in file order: the trial's measures.
    pub services: Vec<ServiceEntry>,
    /// Every occurrence of the trial by start time, quiet ones included (the
    /// first [`MAX_STORY_EVENTS`]).
    pub occurrences: Vec<OccurrenceEntry>,
    /// Occurrences past [`MAX_STORY_EVENTS`], not listed (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub occurrences_left_out: usize,
    /// The events of the story by time (occurrences by index into
    /// `occurrences`; the first [`MAX_STORY_EVENTS`], without those of
    /// occurrences not listed).
    pub events: Vec<EventEntry>,
    /// Events not listed (absent when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub events_left_out: usize,
    /// Lost hours no occurrence caused (capacity short of demand), and their cost.
    pub unattributed: Unattributed,
}

/// One service's measures in the trial.
#[derive(Debug, Serialize)]
pub struct ServiceEntry {
    /// Its name.
    pub name: String,
    /// Lost-service hours.
    pub lost_hours: f64,
    /// Hours at 0.
    pub downtime_hours: f64,
    /// Hours between 0 and 1.
    pub degraded_hours: f64,
    /// Full outages.
    pub outages: u32,
    /// Completed failovers.
    pub failovers: u32,
    /// Failovers whose automated switch failed.
    pub failed_failovers: u32,
    /// Returns to the first deployment.
    pub failbacks: u32,
    /// Overload collapses.
    pub collapses: u32,
    /// Its cost.
    pub cost: f64,
}

/// One failure occurrence.
#[derive(Debug, Serialize)]
pub struct OccurrenceEntry {
    /// The failure's name.
    pub failure: String,
    /// Its cause.
    pub cause: Cause,
    /// `true` for a control-plane occurrence (it takes nothing down, it
    /// holds recovery under it); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub control_plane: bool,
    /// What it took down, in words.
    pub target: String,
    /// Start, hours from the start of the trial.
    pub start_hours: f64,
    /// End (the horizon when it outlasts the trial).
    pub end_hours: f64,
    /// Lost-service hours attributed to it.
    pub lost_hours: f64,
    /// Cost attributed to it.
    pub cost: f64,
    /// The services it was attributed a loss in.
    pub services: Vec<String>,
}

/// One event.
#[derive(Debug, Serialize)]
pub struct EventEntry {
    /// Hours from the start of the trial.
    pub t_hours: f64,
    /// `failure_start`, `failure_end`, `deployment` or `service`.
    pub kind: &'static str,
    /// For failures: index into `occurrences`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<usize>,
    /// For state changes: the deployment (`service @ domain`) or service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For state changes: the served fraction before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// For state changes: the served fraction after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// For service changes no deployment change explains: `traffic shifted`,
    /// `overload`, `failover`, `failback switch` or `failback`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<&'static str>,
}

/// Loss no occurrence caused.
#[derive(Debug, Serialize)]
pub struct Unattributed {
    /// Lost hours.
    pub lost_hours: f64,
    /// Their cost.
    pub cost: f64,
}

impl ExplainDocument {
    /// Builds the document.
    pub fn new(model: &Model, e: &Explained) -> ExplainDocument {
        let o = &e.trace.outcome;
        let percentile = match e.selection.pick {
            Pick::Percentile(p) => Some(p),
            Pick::Trial(_) => None,
        };
        let story = story(model, &e.trace);
        let listed = e.trace.occurrences.len().min(MAX_STORY_EVENTS);
        let events: Vec<EventEntry> = (story.entries.iter())
            .map(|x| event_entry(model, x.t, &x.event))
            .filter(|x| x.occurrence.is_none_or(|k| k < listed))
            .collect();
        ExplainDocument {
            scenario: model.name.clone(),
            seed: e.selection.seed,
            trials: e.selection.trials,
            trial: e.trace.trial,
            percentile,
            rank: e.selection.rank,
            cost: o.cost,
            services: (o.services.iter().enumerate())
                .map(|(s, x)| service_entry(model, s, x))
                .collect(),
            occurrences: (e.trace.occurrences.iter().take(listed))
                .map(|x| occurrence_entry(model, x))
                .collect(),
            occurrences_left_out: e.trace.occurrences.len() - listed,
            events_left_out: story.left_out + story.entries.len() - events.len(),
            events,
            unattributed: Unattributed {
                lost_hours: o.unattributed_hours,
                cost: o.unattributed_cost,
            },
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn service_entry(model: &Model, s: usize, x: &ServiceOutcome) -> ServiceEntry {
    ServiceEntry {
        name: model.services[s].name.clone(),
        lost_hours: x.lost_hours,
        downtime_hours: x.downtime_hours,
        degraded_hours: x.degraded_hours,
        outages: x.outages,
        failovers: x.failovers,
        failed_failovers: x.failed_failovers,
        failbacks: x.failbacks,
        collapses: x.collapses,
        cost: x.cost,
    }
}

fn occurrence_entry(model: &Model, x: &Occurrence) -> OccurrenceEntry {
    let failure = &model.failures[model.processes[x.process].failure];
    OccurrenceEntry {
        failure: failure.name.clone(),
        cause: failure.cause,
        control_plane: failure.effect == Effect::ControlPlane,
        target: target_name(model, x.process),
        start_hours: x.start,
        end_hours: x.end,
        lost_hours: x.lost_hours,
        cost: x.cost,
        services: x
            .services
            .iter()
            .map(|&s| model.services[s].name.clone())
            .collect(),
    }
}

fn event_entry(model: &Model, t: f64, event: &Event) -> EventEntry {
    let mut entry = EventEntry {
        t_hours: t,
        kind: "",
        occurrence: None,
        name: None,
        from: None,
        to: None,
        routing: None,
    };
    match *event {
        Event::FailureStart(k) | Event::FailureEnd(k) => {
            entry.kind = if matches!(event, Event::FailureStart(_)) {
                "failure_start"
            } else {
                "failure_end"
            };
            entry.occurrence = Some(k);
        }
        Event::Deployment {
            deployment,
            from,
            to,
        } => {
            entry.kind = "deployment";
            (entry.name, entry.from, entry.to) = (
                Some(model.deployment_name(deployment)),
                Some(from),
                Some(to),
            );
        }
        Event::Service {
            service,
            from,
            to,
            routing,
        } => {
            entry.kind = "service";
            (entry.name, entry.from, entry.to) = (
                Some(model.services[service].name.clone()),
                Some(from),
                Some(to),
            );
            entry.routing = routing.map(|r| r.words());
        }
    }
    entry
}
