//! How reports show a rare measure (one nonzero in fewer than ten trials):
//! its mean marked with `~`, no interval, and a footnote with the bound on
//! the chance of a nonzero trial.

use crate::stats::rare::percent as bound_percent;
use crate::stats::{Rare, RunResult};

/// The mark before a rare mean.
pub const MARK: &str = "~";

/// `value` with the rare mark when `rare` is set.
pub fn marked(value: String, rare: Option<&Rare>) -> String {
    match rare {
        Some(_) => format!("{MARK}{value}"),
        None => value,
    }
}

/// A CI as `[lo, hi]` in `unit`, or `rare` (the footnote says why) when
/// the measure has none.
pub fn interval(ci95: Option<[f64; 2]>, unit: impl Fn(f64) -> String) -> String {
    match ci95 {
        Some([lo, hi]) => format!("[{}, {}]", unit(lo), unit(hi)),
        None => format!("{MARK} rare"),
    }
}

/// The period one trial covers, in words: `a year` for a one-year horizon.
fn period(result: &RunResult) -> String {
    if result.horizon_hours == 8760.0 {
        "a year".into()
    } else {
        format!("a trial of {}", crate::text::hours(result.horizon_hours))
    }
}

/// A trial count with thousands separators: `40,000`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The footnote of a rare measure whose nonzero values are `what` (`loss`,
/// `cost`): `no loss in 40,000 trials: P(loss in a year) < 0.0075%`.
pub fn footnote(rare: &Rare, what: &str, result: &RunResult) -> String {
    let seen = match rare.nonzero_trials {
        0 => format!("no {what} in {} trials", count(result.trials)),
        k => format!("{what} in {} of {} trials", count(k), count(result.trials)),
    };
    format!(
        "{seen}: P({what} in {}) < {}",
        period(result),
        bound_percent(rare.p_nonzero_upper95)
    )
}

/// The footnotes of the services whose availability is rare, each
/// `~ NAME: footnote`, in the order of the services table (the scenario's
/// cost gives its own in the cost line).
pub fn footnotes(result: &RunResult) -> Vec<String> {
    super::services_by_loss(result)
        .into_iter()
        .filter_map(|(name, s)| {
            let rare = s.availability.rare.as_ref()?;
            Some(format!("{MARK} {name}: {}", footnote(rare, "loss", result)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(40_000), "40,000");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
