//! The harness shared by the fuzz target (`fuzz/`) and the tests that replay
//! its corpus: load arbitrary bytes as a scenario and, when valid, run a few
//! trials under a small event budget, render every format and check the
//! invariants of the result. A panic here is a finding.

use crate::montecarlo::{self, RunOptions};
use crate::report::{Json, Markdown, Render, Table};
use crate::scenario;
use crate::stats::RunResult;

/// Loads `bytes` as a scenario and, if valid, runs up to 3 trials with at most
/// 2e5 expected events. Returns the result when there is one.
///
/// # Panics
/// When an invariant of the result does not hold (that is the point).
pub fn load_and_run(bytes: &[u8]) -> Option<RunResult> {
    let model = scenario::load("fuzz.ron", bytes).ok()?;
    let options = RunOptions {
        trials: Some(model.trials.min(3)),
        max_events: 2e5,
        max_trial_events: 1e5,
        ..RunOptions::default()
    };
    let result = montecarlo::run(&model, &options).ok()?;
    check_invariants(&result);
    for format in [&Json as &dyn Render, &Table, &Markdown] {
        assert!(format.render(&result).is_ok(), "a result failed to render");
    }
    Some(result)
}

/// Availability in [0, 1], lost hours within the horizon, downtime and
/// degraded time within the lost hours' bounds, attributions adding up (lost
/// hours and money, per failure and per cause).
///
/// # Panics
/// On the first invariant that does not hold.
pub fn check_invariants(result: &RunResult) {
    let horizon = result.horizon_hours;
    let slack = 1e-9 * horizon;
    let mut lost = 0.0;
    for (name, s) in &result.services {
        let a = s.availability.mean;
        assert!((0.0..=1.0).contains(&a), "{name}: availability {a}");
        assert!(
            s.lost_hours.max <= horizon + slack,
            "{name}: lost more than the horizon"
        );
        assert!(
            s.downtime_hours.mean <= s.lost_hours.mean + slack,
            "{name}: downtime above lost hours"
        );
        let bound = s.downtime_hours.mean + s.degraded_hours.mean + slack;
        assert!(
            s.lost_hours.mean <= bound,
            "{name}: lost hours beyond downtime + degraded time"
        );
        lost += s.lost_hours.mean;
    }
    let attributed: f64 = result
        .failures
        .values()
        .map(|f| f.lost_hours.mean)
        .sum::<f64>()
        + result.unattributed.lost_hours.mean;
    assert!(
        (lost - attributed).abs() <= 1e-6 * lost.max(1.0),
        "attributions {attributed} do not add up to lost hours {lost}"
    );
    let cost = result.cost.mean;
    let charged: f64 =
        result.failures.values().map(|f| f.cost.mean).sum::<f64>() + result.unattributed.cost.mean;
    assert!(
        (cost - charged).abs() <= 1e-6 * cost.max(1.0),
        "attributed money {charged} does not add up to the cost {cost}"
    );
    let by_cause: f64 = result.causes.values().map(|c| c.lost_hours.mean).sum();
    let by_failure = attributed - result.unattributed.lost_hours.mean;
    assert!(
        (by_cause - by_failure).abs() <= 1e-6 * by_failure.abs().max(1.0),
        "causes {by_cause} do not add up to the failures {by_failure}"
    );
}
