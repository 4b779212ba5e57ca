//! A trace as a story: its events in time order, with routing's actions
//! inferred where they show in the timelines.

use crate::engine::Trace;
use crate::model::{Model, Routing, Target};

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
        Target::Deployment(d) => deployment_name(model, d),
        Target::Replica(r) => {
            let replica = &model.replicas[r];
            let d = replica.deployment;
            let local = r - model.deployments[d].replicas.start;
            let zone = &model.domains[replica.domain].path;
            format!("{} replica {local} in {zone}", deployment_name(model, d))
        }
    }
}

/// `service @ domain`, with `#k` (from 1) when the service has another
/// deployment in the same domain.
pub fn deployment_name(model: &Model, d: usize) -> String {
    let deployment = &model.deployments[d];
    let service = &model.services[deployment.service];
    let path = &model.domains[deployment.domain].path;
    let twins = service
        .deployments
        .clone()
        .filter(|&x| model.deployments[x].domain == deployment.domain)
        .count();
    if twins > 1 {
        format!(
            "{} @ {path} #{}",
            service.name,
            d - service.deployments.start + 1
        )
    } else {
        format!("{} @ {path}", service.name)
    }
}

/// A time as `day D HH:MM:SS` (day 1 starts at hour 0), to the second.
pub fn timestamp(t: f64) -> String {
    let seconds = (t * 3600.0).round().max(0.0) as u64;
    let day = seconds / 86_400 + 1;
    let rest = seconds % 86_400;
    format!(
        "day {day:>3} {:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// A duration in hours as `2d 3h`, `5h 20m`, `12m 30s` or `40s`.
pub fn span(hours: f64) -> String {
    let seconds = (hours * 3600.0).round().max(0.0) as u64;
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s > 0 => format!("{m}m {s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_spans_read_as_days_hours_minutes() {
        assert_eq!(timestamp(0.0), "day   1 00:00:00");
        assert_eq!(timestamp(24.0 * 41.0 + 7.25), "day  42 07:15:00");
        assert_eq!(span(9.5), "9h 30m");
        assert_eq!(span(0.2), "12m");
        assert_eq!(span(0.21), "12m 36s");
        assert_eq!(span(50.0), "2d 2h");
        assert_eq!(span(1.0 / 3600.0 * 40.0), "40s");
    }
}
