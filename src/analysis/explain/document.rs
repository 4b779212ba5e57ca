//! The JSON document of an explained trial: the trial, its services, its
//! occurrences and its events as serialisable entries.

use serde::Serialize;

use super::story::{story, target_name, Event, MAX_STORY_EVENTS};
use super::{Explained, Pick};
use crate::engine::{Occurrence, ServiceOutcome};
use crate::model::{Cause, Effect, Model};

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
