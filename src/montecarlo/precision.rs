//! `run --precision`: how precise a run must be before it stops. An
//! absolute target (`0.5h`: the 95% CI of the mean lost hours of the
//! objectives' services, or of every service, narrower than +- that many
//! hours, or every objective decided) or a relative one (`10%`: the CI
//! half-width of every judged measure at most that share of its mean).
//! A measure without a CI (a [rare](crate::stats::rare) one) is never
//! precise enough.

use std::sync::atomic::{AtomicBool, Ordering};

use super::variance::{self, Method};
use super::{check_work, RunError, RunSettings, PRECISION_BATCH_TRIALS};
use crate::model::{Measure, Model, Objective};
use crate::stats::{RunResult, TrialValues, Verdict};

/// The precision a run must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Precision {
    /// The CI half-width of the judged services' mean lost hours, in hours
    /// (or every objective decided).
    Hours(f64),
    /// The CI half-width of every judged measure as a share of its mean
    /// (`0.1` for `10%`).
    Relative(f64),
}

impl Precision {
    /// Parses `10%` (a share, above 0 and at most 100%) or a duration
    /// (`0.5h`, above zero).
    ///
    /// # Errors
    /// A message saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Precision, String> {
        if let Some(number) = text.trim().strip_suffix('%') {
            return match number.trim().parse::<f64>() {
                Ok(x) if x > 0.0 && x <= 100.0 => Ok(Precision::Relative(x / 100.0)),
                _ => Err(format!(
                    "`{text}` is not a share above 0% and at most 100% (e.g. `10%`)"
                )),
            };
        }
        match crate::model::Duration::parse(text) {
            Ok(d) if d.hours() > 0.0 => Ok(Precision::Hours(d.hours())),
            Ok(_) => Err(format!("`{text}` must be greater than zero")),
            Err(e) => Err(format!("{e} (or a share such as `10%`)")),
        }
    }

    /// Whether a mean with CI half-width `half` (`None`: no CI) is precise.
    fn holds(self, mean: f64, half: Option<f64>) -> bool {
        match (self, half) {
            (_, None) => false,
            (Precision::Hours(hours), Some(half)) => half < hours,
            (Precision::Relative(share), Some(half)) => half <= share * mean.abs(),
        }
    }

    /// Whether every judged measure is precise enough, reading each one's
    /// mean and CI half-width with `estimate` (`None` for no CI), and
    /// whether every objective is decided with `decided` (which only the
    /// absolute form stops on).
    pub fn reached(
        self,
        model: &Model,
        estimate: impl Fn(Measure) -> (f64, Option<f64>),
        decided: impl FnOnce() -> bool,
    ) -> bool {
        if let Precision::Hours(_) = self {
            if !model.objectives.is_empty() && decided() {
                return true;
            }
        }
        judged(self, model).into_iter().all(|m| {
            let (mean, half) = estimate(m);
            self.holds(mean, half)
        })
    }
}

/// The measures whose precision stops a run: the lost hours of every
/// service an objective names for the absolute form, each objective's
/// measure for the relative one (an availability by its lost hours); with
/// no objectives (or, for the absolute form, none on a service) every
/// service's lost hours.
fn judged(precision: Precision, model: &Model) -> Vec<Measure> {
    let of = |o: &Objective| match (precision, o.measure) {
        (_, Measure::Availability(s)) => Some(Measure::LostHours(s)),
        (Precision::Hours(_), m) => m.service().map(Measure::LostHours),
        (Precision::Relative(_), m) => Some(m),
    };
    let mut measures: Vec<Measure> = model.objectives.iter().filter_map(of).collect();
    measures.dedup();
    if measures.is_empty() {
        measures = (0..model.services.len()).map(Measure::LostHours).collect();
    }
    measures
}

/// A measure's mean and CI half-width in a result document (the larger
/// side of a CI clamped at zero); `None` without a CI.
fn in_document(result: &RunResult, model: &Model, measure: Measure) -> (f64, Option<f64>) {
    let service = |s: usize| (model.services.get(s)).and_then(|x| result.services.get(&x.name));
    let (mean, ci95) = match measure {
        Measure::Availability(s) | Measure::LostHours(s) => {
            service(s).map_or((0.0, None), |x| (x.lost_hours.mean, x.lost_hours.ci95))
        }
        Measure::DataLoss(s) => service(s).map_or((0.0, None), |x| {
            (x.data_loss_hours.mean, x.data_loss_hours.ci95)
        }),
        Measure::Cost => (result.cost.mean, result.cost.ci95),
    };
    (mean, ci95.map(|[lo, hi]| (hi - mean).max(mean - lo)))
}

/// A variance-reduction method run to a precision: the method on 1024,
/// 2048, 4096... trials (each exactly the fixed run of that many) until
/// `precision` is reached or the settings' trials (the cap) are done.
/// Importance sampling, which needs no pilot, instead stops between batches
/// of one run as a plain run to a precision does.
///
/// # Errors
/// [`RunError`] when the run is refused, or interrupted through `stop`.
pub fn run_reduced_to_precision(
    model: &Model,
    settings: &RunSettings,
    method: Method,
    (precision, stop): (Precision, &AtomicBool),
) -> Result<(RunResult, TrialValues), RunError> {
    if method == Method::Importance {
        return variance::importance::run(model, settings, (stop, Some(precision)));
    }
    let cap = settings.trials;
    check_work(model, cap, &settings.limits)?;
    let mut trials = PRECISION_BATCH_TRIALS.min(cap);
    loop {
        let at = RunSettings {
            trials,
            ..settings.clone()
        };
        let (result, values) = variance::run_reduced_with(model, &at, method, stop)?;
        let decided = || (result.objectives.iter()).all(|o| o.verdict != Verdict::Undecided);
        let estimate = |m| in_document(&result, model, m);
        if trials >= cap || precision.reached(model, estimate, decided) {
            return Ok((result, values));
        }
        if stop.load(Ordering::Relaxed) {
            return Err(RunError::Interrupted);
        }
        trials = trials.saturating_mul(2).min(cap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_durations_parse() {
        assert_eq!(Precision::parse("10%"), Ok(Precision::Relative(0.1)));
        assert_eq!(Precision::parse("0.5h"), Ok(Precision::Hours(0.5)));
        for bad in ["0%", "101%", "x%", "-5%", "0h", "10"] {
            assert!(Precision::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_measure_without_an_interval_is_never_precise() {
        assert!(!Precision::Relative(1.0).holds(5.0, None));
        assert!(!Precision::Hours(1e9).holds(5.0, None));
        assert!(Precision::Relative(0.1).holds(5.0, Some(0.5)));
        assert!(!Precision::Relative(0.1).holds(5.0, Some(0.51)));
    }
}
