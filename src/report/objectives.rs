//! The objectives section of the table and Markdown reports.

use std::fmt::Write;

use super::{hours, money, percent};
use crate::stats::{ObjectiveResult, RunResult, Verdict};
use crate::text::{column_width, markdown as escape, one_line};

/// A value of an objective's measure, in its unit.
pub fn value(o: &ObjectiveResult, x: f64) -> String {
    match o.measure.as_str() {
        "availability" => percent(x),
        "lost_hours" | "data_loss_hours" => hours(x),
        _ => money(x),
    }
}

/// The CI of an objective, with `..` on a side that has no bound yet.
pub fn interval(o: &ObjectiveResult) -> String {
    let Some(ci95) = o.ci95 else {
        return format!("{} rare", super::rare::MARK);
    };
    let open = o.ci95_open.as_deref().unwrap_or("");
    let lo = if matches!(open, "below" | "both") {
        "..".to_string()
    } else {
        value(o, ci95[0])
    };
    let hi = if matches!(open, "above" | "both") {
        "..".to_string()
    } else {
        value(o, ci95[1])
    };
    format!("[{lo}, {hi}]")
}

/// The target with its side, e.g. `>= 99.950000%`.
pub fn target(o: &ObjectiveResult) -> String {
    let op = match o.bound {
        crate::stats::Bound::AtLeast => ">=",
        crate::stats::Bound::AtMost => "<=",
    };
    format!("{op} {}", value(o, o.target))
}

/// The verdict, with the trials that would decide an undecided objective.
pub fn verdict(o: &ObjectiveResult) -> String {
    match (o.verdict, o.more_trials) {
        (Verdict::Undecided, _) if o.rare.is_some() => {
            let k = o.rare.map_or(0, |r| r.nonzero_trials);
            match o.more_trials {
                Some(n) => format!("undecided (rare: nonzero in {k} trials; ~{n} more trials)"),
                None => format!("undecided (rare: nonzero in {k} trials)"),
            }
        }
        (Verdict::Undecided, Some(n)) => format!("undecided (~{n} more trials)"),
        (Verdict::Undecided, None) if o.ci95_open.is_some() => "undecided (too few trials)".into(),
        (Verdict::Undecided, None) => "undecided (on the target)".into(),
        (v, _) => v.word().into(),
    }
}

/// The mark of a verdict: ✅ met, ❌ failed, ❔ undecided.
pub fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Met => "✅",
        Verdict::Failed => "❌",
        Verdict::Undecided => "❔",
    }
}

/// `2 met, 1 failed, 0 undecided`.
pub fn counts(r: &RunResult) -> String {
    let count = |v| r.objectives.iter().filter(|o| o.verdict == v).count();
    format!(
        "{} met, {} failed, {} undecided",
        count(Verdict::Met),
        count(Verdict::Failed),
        count(Verdict::Undecided)
    )
}

/// The aligned-text section (nothing without objectives).
pub fn table(out: &mut String, r: &RunResult) {
    if r.objectives.is_empty() {
        return;
    }
    let _ = writeln!(out, "objectives: {}", counts(r));
    let width = column_width(r.objectives.iter().map(|o| o.name.chars().count()), 0);
    for o in &r.objectives {
        let _ = writeln!(
            out,
            "  {} {:<width$}  target {:>14}  estimate {:>12}  95% CI {:>29}  {}",
            mark(o.verdict),
            one_line(&o.name),
            target(o),
            value(o, o.estimate),
            interval(o),
            verdict(o),
        );
    }
    out.push('\n');
}

/// The Markdown section (nothing without objectives).
pub fn markdown(out: &mut String, r: &RunResult) {
    if r.objectives.is_empty() {
        return;
    }
    let _ = writeln!(out, "**Objectives:** {}\n", counts(r));
    out.push_str("| | objective | target | estimate | 95% CI | verdict |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | --- |\n");
    for o in &r.objectives {
        let _ = writeln!(
            out,
            "| {} | <code>{}</code> | {} | {} | {} | {} |",
            mark(o.verdict),
            escape(&o.name),
            target(o),
            value(o, o.estimate),
            interval(o),
            verdict(o)
        );
    }
    out.push('\n');
}
