//! An explained trial as a table or Markdown (the JSON document is in
//! [`super::document`]).

use std::fmt::Write;

use super::story::{start_tag, story, target_name, Event, Story};
use super::{Explained, Pick};
use crate::engine::ServiceOutcome;
use crate::model::Model;
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
