//! A trace as a story: its events in time order, with routing's actions
//! inferred where they show in the timelines.

use crate::engine::Trace;
use crate::model::{Effect, Model, Routing, Target};

/// What routing did at a service state change that no deployment change
/// explains (inferred from the timelines; the engine keeps no routing log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingNote {
    /// ActiveActive: traffic moved off deployments at 0 (a drain after the
    /// shift, or the end of a collapse).
    Shifted,
    /// ActiveActive: served less with no deployment worse: overload
    /// (shedding or a collapse).
    Overload,
    /// ActivePassive or Manual: traffic switched to another deployment.
    Failover,
    /// ActivePassive or Manual: a switch that lowered the service with no
    /// deployment worse: the planned switch back of a failback.
    SwitchBack,
    /// ActivePassive or Manual: the end of that switch back.
    Failback,
}

impl RoutingNote {
    /// Lowercase words for a table.
    pub fn words(self) -> &'static str {
        match self {
            RoutingNote::Shifted => "traffic shifted",
            RoutingNote::Overload => "overload",
            RoutingNote::Failover => "failover",
            RoutingNote::SwitchBack => "failback switch",
            RoutingNote::Failback => "failback",
        }
    }
}

/// One line of the story.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// Occurrence `k` (index into `Trace::occurrences`) starts.
    FailureStart(usize),
    /// Occurrence `k` ends.
    FailureEnd(usize),
    /// A deployment's served fraction changes (only shown for services with
    /// more than one deployment: otherwise the service line says it).
    Deployment {
        /// Index into `Model::deployments`.
        deployment: usize,
        /// Fraction before.
        from: f64,
        /// Fraction after.
        to: f64,
    },
    /// A service's served fraction changes.
    Service {
        /// Index into `Model::services`.
        service: usize,
        /// Fraction before.
        from: f64,
        /// Fraction after.
        to: f64,
        /// Routing's part, where no deployment change explains it.
        routing: Option<RoutingNote>,
    },
}

/// An event at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Hours from the start of the trial.
    pub t: f64,
    /// What happened.
    pub event: Event,
}

/// The most events a story holds: the output of `explain` stays bounded
/// however many events the trial has (later ones are counted, not shown).
pub const MAX_STORY_EVENTS: usize = 10_000;

/// The story of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Events by time; at one instant failure starts, then ends, then
    /// deployments, then services. At most [`MAX_STORY_EVENTS`].
    pub entries: Vec<Entry>,
    /// Events past [`MAX_STORY_EVENTS`], left out of `entries`.
    pub left_out: usize,
    /// Occurrences left out of `entries`: no loss attributed and no
    /// deployment change at their start (a replica failure a quorum rode out).
    pub quiet: Vec<usize>,
}

/// Builds the story: the occurrences that mattered (a loss attributed, or a
/// deployment changing the instant they started), every deployment and
/// service change, and routing notes.
pub fn story(model: &Model, trace: &Trace) -> Story {
    let mut entries = Vec::new();
    let changes = deployment_changes(model, trace, &mut entries);
    let quiet = failure_entries(trace, &changes, &mut entries);
    service_entries(model, trace, &mut entries);
    entries.sort_by(|a, b| {
        a.t.total_cmp(&b.t)
            .then(order(&a.event).cmp(&order(&b.event)))
    });
    let left_out = entries.len().saturating_sub(MAX_STORY_EVENTS);
    entries.truncate(MAX_STORY_EVENTS);
    Story {
        entries,
        left_out,
        quiet,
    }
}

/// Adds the changes of deployments of services with several deployments to
/// `entries`; returns the sorted times at which any deployment changed.
fn deployment_changes(model: &Model, trace: &Trace, entries: &mut Vec<Entry>) -> Vec<f64> {
    let mut changes: Vec<f64> = Vec::new();
    for (d, steps) in trace.deployments.iter().enumerate() {
        changes.extend(steps.iter().skip(1).map(|s| s.0));
        if model.services[model.deployments[d].service]
            .deployments
            .len()
            < 2
        {
            continue;
        }
        for w in steps.windows(2).filter(|w| w[0].1 != w[1].1) {
            let (from, to) = (w[0].1, w[1].1);
            entries.push(Entry {
                t: w[1].0,
                event: Event::Deployment {
                    deployment: d,
                    from,
                    to,
                },
            });
        }
    }
    changes.sort_by(f64::total_cmp);
    changes
}

/// Adds the start and end of every occurrence that mattered (a loss, or a
/// deployment change at its start) to `entries`; returns the quiet ones.
fn failure_entries(trace: &Trace, changes: &[f64], entries: &mut Vec<Entry>) -> Vec<usize> {
    let mut quiet = Vec::new();
    for (k, o) in trace.occurrences.iter().enumerate() {
        let visible =
            o.lost_hours > 0.0 || changes.binary_search_by(|t| t.total_cmp(&o.start)).is_ok();
        if !visible {
            quiet.push(k);
            continue;
        }
        entries.push(Entry {
            t: o.start,
            event: Event::FailureStart(k),
        });
        entries.push(Entry {
            t: o.end,
            event: Event::FailureEnd(k),
        });
    }
    quiet
}

/// Adds every change of a service's served fraction, with its routing note.
fn service_entries(model: &Model, trace: &Trace, entries: &mut Vec<Entry>) {
    for (s, steps) in trace.services.iter().enumerate() {
        let mut last = None;
        for w in steps.windows(2) {
            let (t, from, to) = (w[1].0, w[0].1, w[1].1);
            if from == to {
                // a change of the deployments behind the loss, not of the fraction
                continue;
            }
            let mut routing = routing_note(model, trace, s, t, to > from);
            if last == Some(RoutingNote::SwitchBack) && routing == Some(RoutingNote::Failover) {
                routing = Some(RoutingNote::Failback);
            }
            last = routing.or(last);
            entries.push(Entry {
                t,
                event: Event::Service {
                    service: s,
                    from,
                    to,
                    routing,
                },
            });
        }
    }
}

/// Order of events at one instant: kind, then the index within the kind.
fn order(event: &Event) -> (u8, usize) {
    match *event {
        Event::FailureStart(k) => (0, k),
        Event::FailureEnd(k) => (1, k),
        Event::Deployment { deployment, .. } => (2, deployment),
        Event::Service { service, .. } => (3, service),
    }
}

/// Routing's part in a change of service `s` at `t`: none when one of its
/// deployments changed at the same instant (the deployment explains it).
fn routing_note(model: &Model, trace: &Trace, s: usize, t: f64, up: bool) -> Option<RoutingNote> {
    let service = &model.services[s];
    let explained = service.deployments.clone().any(|d| {
        let steps = &trace.deployments[d];
        steps.iter().skip(1).any(|step| step.0 == t)
    });
    if explained || service.deployments.len() < 2 {
        return None;
    }
    Some(match (&service.routing, up) {
        (Routing::ActiveActive { .. }, true) => RoutingNote::Shifted,
        (Routing::ActiveActive { .. }, false) => RoutingNote::Overload,
        (_, true) => RoutingNote::Failover,
        (_, false) => RoutingNote::SwitchBack,
    })
}

/// What a process takes down, in words: a domain path, `service web`,
/// `web @ aws/us-east-1` (a deployment), `web @ aws/us-east-1 replica 2`,
/// `all of aws/us-east-1, gcp/us-east4` (a group).
pub fn target_name(model: &Model, process: usize) -> String {
    let p = &model.processes[process];
    match p.repair.as_deref() {
        // the occurrence is the whole target's, its replicas repaired by crews
        Some(repair) => format!(
            "{} ({} replicas, {} crews)",
            describe(model, repair.whole),
            repair.size,
            repair.crews
        ),
        None => describe(model, p.target),
    }
}

fn describe(model: &Model, target: Target) -> String {
    match target {
        Target::Group(g) => {
            let members: Vec<String> = (model.groups[g].targets.iter())
                .map(|&t| describe(model, t))
                .collect();
            format!("all of {}", members.join(", "))
        }
        Target::Domain(d) => model.domains[d].path.clone(),
        Target::Service(s) => format!("service {}", model.services[s].name),
        Target::Deployment(d) => model.deployment_name(d),
        Target::Replica(r) => {
            let replica = &model.replicas[r];
            let d = replica.deployment;
            let local = r - model.deployments[d].replicas.start;
            let zone = &model.domains[replica.domain].path;
            format!("{} replica {local} in {zone}", model.deployment_name(d))
        }
    }
}

/// `FAIL` for an occurrence that takes its target down, `HOLD` for a
/// control-plane one (it takes nothing down; it holds recovery under it).
pub fn start_tag(model: &Model, process: usize) -> &'static str {
    match model.failures[model.processes[process].failure].effect {
        Effect::Down => "FAIL",
        Effect::ControlPlane => "HOLD",
    }
}
