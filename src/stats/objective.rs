//! Verdicts on objectives: met, failed or undecided, from the 95% confidence
//! interval of the statistic each objective judges.

use super::rare::{self, Rare};
use super::result::{Availability, Bound, ObjectiveResult, Verdict};
use super::{quantile_ci_ranks, Moments, Values, Z95};
use crate::model::{Measure, Model, Objective, Statistic};

/// The per-trial values of one measure and their moments.
#[derive(Debug, Clone, Copy)]
pub struct Sample<'a> {
    /// Count, mean and spread of the values.
    pub moments: &'a Moments,
    /// One value per trial, in any order (sorted for [`report`]), or their
    /// sketch.
    pub values: &'a Values,
}

/// The mean availability of a service and its CI, from its lost hours: the
/// same numbers for the document and for the verdict.
///
/// `total` is what a trial could lose at most: the horizon in hours for the
/// plain availability, the traffic carried over the horizon (the integral
/// of the weight, in mean-weight hours) for the traffic-weighted one. The
/// mean and both ends lie in [0, 1], the mean within its interval. From
/// fewer than two trials the CI is unknown: it spans every availability,
/// `[0, 1]`.
/// When the lost hours are [rare](super::rare), the CI is null and the
/// availability carries their rare record.
pub fn availability(lost: &Moments, total: f64) -> Availability {
    let [lo, hi] = lost.ci95();
    let share = |x: f64| (1.0 - x / total).clamp(0.0, 1.0);
    let ci95 = if lost.n < 2 {
        [0.0, 1.0]
    } else {
        [share(hi), share(lo)]
    };
    let rare = rare::rare(lost);
    Availability {
        mean: share(lost.mean),
        ci95: rare.is_none().then_some(ci95),
        rare,
    }
}

/// The CI of a non-negative measure's mean, as the document gives it. From
/// fewer than two trials it is unknown (one value says nothing of the
/// spread): it spans every non-negative number, `[0, f64::MAX]`.
pub fn mean_ci(moments: &Moments) -> [f64; 2] {
    if moments.n < 2 {
        return [0.0, f64::MAX];
    }
    let [lo, hi] = moments.ci95();
    [lo.max(0.0), hi]
}

/// The document's CI of a non-negative measure's mean and its rare record:
/// no CI (null) when the measure is [rare](super::rare), else [`mean_ci`].
pub fn known_ci(moments: &Moments) -> (Option<[f64; 2]>, Option<Rare>) {
    let rare = rare::rare(moments);
    (rare.is_none().then(|| mean_ci(moments)), rare)
}

/// The side of the target `objective` asks for.
pub fn bound(objective: &Objective) -> Bound {
    if objective.measure.higher_is_better() {
        Bound::AtLeast
    } else {
        Bound::AtMost
    }
}

/// Judges `objective` on `sample` (in any order): its verdict and, when
/// undecided, about how many more trials would decide it.
pub fn judge(objective: &Objective, sample: Sample<'_>, horizon: f64) -> (Verdict, Option<u64>) {
    match objective.statistic {
        Statistic::Mean => judge_mean(
            objective,
            &mean_view(objective.measure, sample.moments, horizon),
        ),
        Statistic::Quantile(p) => judge_quantile(objective, sample.values, p),
    }
}

/// A mean as an objective judges it, in the measure's unit: the estimate
/// and CI of the document, the per-trial standard deviation behind the CI,
/// and the number of trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanView {
    /// The estimate (the document's mean).
    pub estimate: f64,
    /// Its 95% confidence interval (the document's `ci95`); `None` for a
    /// rare measure, which no objective decides.
    pub ci95: Option<[f64; 2]>,
    /// The rare record of the measure, when it is rare.
    pub rare: Option<Rare>,
    /// The per-trial standard deviation whose standard error gives the CI.
    pub sd: f64,
    /// The trials.
    pub n: u64,
}

/// The view of a plain mean.
fn mean_view(measure: Measure, m: &Moments, horizon: f64) -> MeanView {
    let (estimate, ci95, sd) = match measure {
        Measure::Availability(_) => {
            let a = availability(m, horizon);
            (a.mean, a.ci95, m.std_dev() / horizon)
        }
        Measure::LostHours(_) | Measure::Cost | Measure::DataLoss(_) => {
            (m.mean, known_ci(m).0, m.std_dev())
        }
    };
    MeanView {
        estimate,
        ci95,
        rare: rare::rare(m),
        sd,
        n: m.n,
    }
}

/// Judges an objective on a mean from the CI of `view`: undecided from
/// fewer than two trials (no spread, no interval), with no estimate of the
/// trials that would decide it, and undecided on a rare measure (see
/// [`rare_more_trials`]).
fn judge_mean(objective: &Objective, view: &MeanView) -> (Verdict, Option<u64>) {
    if view.n < 2 {
        return (Verdict::Undecided, None);
    }
    let Some([lo, hi]) = view.ci95 else {
        return (Verdict::Undecided, rare_more_trials(view));
    };
    let (estimate, sd) = (view.estimate, view.sd);
    let t = objective.target;
    let verdict = match bound(objective) {
        Bound::AtLeast if lo >= t => Verdict::Met,
        Bound::AtLeast if hi < t => Verdict::Failed,
        Bound::AtMost if hi <= t => Verdict::Met,
        Bound::AtMost if lo > t => Verdict::Failed,
        _ => Verdict::Undecided,
    };
    if verdict != Verdict::Undecided {
        return (verdict, None);
    }
    // the CI's half-width shrinks as 1/sqrt(n): it clears the target when
    // Z * sd / sqrt(n) < |estimate - target|
    let gap = (estimate - t).abs();
    let needed = (Z95 * sd / gap).powi(2).ceil();
    (verdict, more_trials(needed, view.n))
}

/// The trials beyond `n` that would make a rare measure nonzero in ten
/// trials at its current rate (what its interval needs to be reported at
/// all); `None` when no trial was nonzero yet (no rate to extrapolate).
fn rare_more_trials(view: &MeanView) -> Option<u64> {
    let k = view.rare.map_or(0, |r| r.nonzero_trials);
    if k == 0 {
        return None;
    }
    let needed = (view.n as f64 * rare::RARE_BELOW as f64 / k as f64).ceil();
    more_trials(needed, view.n)
}

/// The trials beyond `n` to reach `needed` (at least one); `None` when
/// `needed` is not a finite number (the estimate is on the target).
fn more_trials(needed: f64, n: u64) -> Option<u64> {
    (needed.is_finite() && needed < u64::MAX as f64)
        .then(|| (needed as u64).saturating_sub(n).max(1))
}

/// A quantile's verdict compares the target with the order statistics of its
/// CI, `x_(l)` and `x_(u)`: `x_(u) <= t` exactly when at least `u` values are
/// at most `t` (values < t for an `at least` objective), so counting is
/// enough (no sort). A sketch compares its bounds on `x_(l)` and `x_(u)`,
/// widened by its relative error, instead: the verdict stays conservative.
fn judge_quantile(objective: &Objective, values: &Values, p: f64) -> (Verdict, Option<u64>) {
    let n = values.len();
    let side = bound(objective);
    let t = objective.target;
    let strict = side == Bound::AtLeast;
    let k = values.count_below(t, strict);
    let (l, u) = quantile_ci_ranks(n, p);
    let (upper_below, lower_above) = if values.exact().is_some() {
        (u <= n && k >= u, l >= 1 && k < l) // x_(u) <= t, x_(l) > t (or < t, >= t)
    } else {
        let [lo, hi] = values.rank_bounds(l, u);
        let below = |x: f64| if strict { x < t } else { x <= t };
        (u <= n && below(hi), l >= 1 && !below(lo))
    };
    let verdict = match side {
        Bound::AtMost if upper_below => Verdict::Met,
        Bound::AtMost if lower_above => Verdict::Failed,
        Bound::AtLeast if lower_above => Verdict::Met,
        Bound::AtLeast if upper_below => Verdict::Failed,
        _ => Verdict::Undecided,
    };
    if verdict != Verdict::Undecided {
        return (verdict, None);
    }
    // the share of values below the target is a proportion with standard
    // error sqrt(f (1 - f) / n); the verdict needs its CI to clear p, and
    // the order-statistic CI to have a bound on that side at all
    let f = k as f64 / n.max(1) as f64;
    let normal = Z95 * Z95 * f * (1.0 - f) / ((f - p) * (f - p));
    let tail = if f > p { p } else { 1.0 - p };
    let bounded = (0.025f64.ln() / tail.ln()).ceil();
    (verdict, more_trials(normal.max(bounded), n))
}

/// The objective in words, e.g. `web availability mean >= 0.9995`.
pub fn name(objective: &Objective, model: &Model) -> String {
    let service = objective
        .measure
        .service()
        .and_then(|s| model.services.get(s))
        .map_or(String::new(), |s| format!("{} ", s.name));
    let op = match bound(objective) {
        Bound::AtLeast => ">=",
        Bound::AtMost => "<=",
    };
    let target = match objective.measure {
        Measure::LostHours(_) | Measure::DataLoss(_) => short_duration(objective.target),
        Measure::Availability(_) | Measure::Cost => objective.target.to_string(),
    };
    format!(
        "{service}{} {} {op} {target}",
        objective.measure.key(),
        objective.statistic.key(),
    )
}

/// Hours as a short duration in the largest unit (h, m, s) it is at least one
/// of: `8h`, `30m`, `1m`, `90s`.
fn short_duration(hours: f64) -> String {
    let (value, unit) = if hours >= 1.0 || hours == 0.0 {
        (hours, "h")
    } else if hours * 60.0 >= 1.0 {
        (hours * 60.0, "m")
    } else {
        (hours * 3600.0, "s")
    };
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

/// The full result of one objective; `sample.values` must be sorted.
pub fn report(objective: &Objective, sample: Sample<'_>, model: &Model) -> ObjectiveResult {
    match objective.statistic {
        Statistic::Mean => {
            let view = mean_view(objective.measure, sample.moments, model.horizon);
            report_mean(objective, &view, model)
        }
        Statistic::Quantile(p) => {
            let (verdict, more_trials) = judge_quantile(objective, sample.values, p);
            let view = quantile_view(sample.values, p);
            result(objective, model, view, (verdict, more_trials))
        }
    }
}

/// The result of an objective on a mean, judged on `view` (the numbers of
/// the document, whichever estimator gave them). From fewer than two trials
/// its CI is open on both sides (`ci95_open: both`).
pub fn report_mean(objective: &Objective, view: &MeanView, model: &Model) -> ObjectiveResult {
    let open = (view.n < 2).then(|| "both".to_string());
    let judged = judge_mean(objective, view);
    let shown = (view.estimate, view.ci95, open, view.rare);
    result(objective, model, shown, judged)
}

/// An objective's result from its estimate, CI and verdict.
fn result(
    objective: &Objective,
    model: &Model,
    (estimate, ci95, ci95_open, rare): (f64, Option<[f64; 2]>, Option<String>, Option<Rare>),
    (verdict, more_trials): (Verdict, Option<u64>),
) -> ObjectiveResult {
    ObjectiveResult {
        name: name(objective, model),
        measure: objective.measure.key().to_string(),
        service: (objective.measure.service())
            .and_then(|s| model.services.get(s))
            .map(|s| s.name.clone()),
        statistic: objective.statistic.key(),
        bound: bound(objective),
        target: objective.target,
        estimate,
        ci95,
        rare,
        ci95_open,
        verdict,
        more_trials,
        confidence: None,
    }
}

/// The nearest-rank quantile of sorted values (or a sketch) and its
/// order-statistic CI (widened by the sketch's relative error).
fn quantile_view(sorted: &Values, p: f64) -> (f64, Option<[f64; 2]>, Option<String>, Option<Rare>) {
    let n = sorted.len();
    let (l, u) = quantile_ci_ranks(n, p);
    let open = match (l == 0, u > n) {
        (true, true) => Some("both".to_string()),
        (true, false) => Some("below".to_string()),
        (false, true) => Some("above".to_string()),
        (false, false) => None,
    };
    (
        sorted.percentile(p),
        Some(sorted.rank_bounds(l, u)),
        open,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_names_are_short() {
        let cases = [
            (8.0, "8h"),
            (0.5, "30m"),
            (1.0 / 60.0, "1m"),
            (0.025, "1.5m"),
            (0.0, "0h"),
        ];
        for (hours, text) in cases {
            assert_eq!(short_duration(hours), text);
        }
        assert_eq!(short_duration(1.0 / 3600.0), "1s");
    }
}
