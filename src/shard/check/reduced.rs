//! The checks of a partial's per-trial values: one list (or sketch) per
//! measure the run keeps, as long as the trials it covers, every value
//! within its range.

use super::{within, Misfit, MAX_MAGNITUDE};
use crate::model::Model;
use crate::stats::{ValueLists, Values};

/// The names of a service's value lists, in order.
const SERVICE_VALUES: [&str; 5] = [
    "lost_hours",
    "downtime_hours",
    "cost",
    "data_loss_hours",
    "credits",
];

/// Checks `lists`, the values of `trials` trials of a run of `model` that
/// keeps its per-trial values (per service and the scenario's cost)
/// sketched when `sketched`.
///
/// # Errors
/// A [`Misfit`] at the first list or value no run writes.
pub(crate) fn check_values(
    model: &Model,
    lists: &ValueLists,
    trials: u64,
    sketched: bool,
) -> Result<(), Misfit> {
    if lists.services.len() != model.services.len() {
        let reason = format!(
            "it holds {} service(s), not the scenario's {}",
            lists.services.len(),
            model.services.len()
        );
        return Err(Misfit::new("services", reason));
    }
    values("cost", &lists.cost, (trials, sketched), MAX_MAGNITUDE)?;
    let horizon = model.horizon;
    for (i, (service, kept)) in model.services.iter().zip(&lists.services).enumerate() {
        let keeps = [
            true,
            true,
            true,
            service.data.is_some(),
            service.sla.is_some(),
        ];
        let max = [
            horizon,
            horizon,
            MAX_MAGNITUDE,
            MAX_MAGNITUDE,
            MAX_MAGNITUDE,
        ];
        for k in 0..5 {
            let n = if keeps[k] { trials } else { 0 };
            values(SERVICE_VALUES[k], &kept[k], (n, sketched), max[k]).map_err(|m| {
                m.inside(&format_args!("services[{i}] (service `{}`)", service.name))
            })?;
        }
    }
    Ok(())
}

/// One list: of the kind the run keeps, `n` values, each in `[0, max]`.
fn values(field: &str, v: &Values, (n, sketched): (u64, bool), max: f64) -> Result<(), Misfit> {
    let count = |len: u64| {
        (len != n).then(|| Misfit::new(field, format!("it holds {len} value(s) for {n} trial(s)")))
    };
    match v {
        Values::Exact(list) if !sketched => {
            if let Some(m) = count(list.len() as u64) {
                return Err(m);
            }
            for (j, &x) in list.iter().enumerate() {
                within(&format!("[{j}]"), x, max).map_err(|m| m.inside(&field))?;
            }
            Ok(())
        }
        Values::Sketch(s) if sketched => {
            let [lo, hi] = s.check().map_err(|reason| Misfit::new(field, reason))?;
            if let Some(m) = count(s.len()) {
                return Err(m);
            }
            within(field, lo, max)?;
            within(field, hi, max)
        }
        _ => {
            let reason = if sketched {
                "exact values, in a run that sketches them"
            } else {
                "a sketch, in a run that keeps exact values"
            };
            Err(Misfit::new(field, reason.to_string()))
        }
    }
}
