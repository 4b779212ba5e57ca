//! The checks of a partial's summaries (the moments of the tree's nodes of
//! its segments): shape, every mean and spread within its range, the
//! attributions adding up, and the run's counts summed without overflow.

use super::{adds_up, at_most, within, MergeError, Misfit, MAX_MAGNITUDE};
use crate::model::Model;
use crate::stats::{FailureSummary, Summary, SERVICE_MEASURES};

/// Checks each summary of a merge against the scenario, and the run's
/// counts summed over them. New fields of [`Summary`] get a line in the
/// check of their part.
pub(crate) struct SummaryCheck<'m> {
    model: &'m Model,
    /// Events of the summaries checked so far.
    events: u64,
    /// Per failure: occurrences and services affected so far.
    failures: Vec<(u64, u64)>,
}

/// The service measures in hours, at most the horizon a trial.
const HOURS: [&str; 4] = [
    "lost_hours",
    "downtime_hours",
    "degraded_hours",
    "shed_hours",
];

impl<'m> SummaryCheck<'m> {
    /// A check of the summaries of one run of `model`.
    pub(crate) fn new(model: &'m Model) -> SummaryCheck<'m> {
        SummaryCheck {
            model,
            events: 0,
            failures: vec![(0, 0); model.failures.len()],
        }
    }

    /// Checks summary `path` of `file` (and counts it into the run's sums).
    ///
    /// # Errors
    /// [`MergeError::Impossible`] at the first value no run writes.
    pub(crate) fn summary(
        &mut self,
        file: &str,
        path: &str,
        s: &Summary,
    ) -> Result<(), MergeError> {
        self.summary_values(s).map_err(|m| m.inside(&path).of(file))
    }

    fn summary_values(&mut self, s: &Summary) -> Result<(), Misfit> {
        self.summary_shape(s)?;
        let horizon = self.model.horizon;
        let (lost, costs) = self.summary_services(s)?;
        let services = self.model.services.len() as f64;
        let mut attributed = s.unattributed_hours[0];
        let mut attributed_cost = s.unattributed_cost[0];
        for (i, f) in s.failures.iter().enumerate() {
            failure(f, horizon * services, self.model.services.len())
                .map_err(|m| m.inside(&format_args!("failures[{i}]")))?;
            attributed += f.lost_hours[0];
            attributed_cost += f.cost[0];
            self.count(i, f)?;
        }
        for (i, f) in s.causes.iter().enumerate() {
            failure(f, horizon * services, self.model.services.len())
                .map_err(|m| m.inside(&format_args!("causes[{i}]")))?;
        }
        for (field, [mean, m2, nonzero]) in [
            ("cost", s.cost),
            ("unattributed_hours", s.unattributed_hours),
            ("unattributed_cost", s.unattributed_cost),
        ] {
            within(field, mean, MAX_MAGNITUDE)?;
            within(field, m2, MAX_MAGNITUDE)?;
            count(field, nonzero)?;
        }
        adds_up(
            "cost",
            s.cost[0],
            costs,
            "the sum of the services' mean costs",
        )?;
        adds_up(
            "unattributed_hours",
            attributed,
            lost,
            "the services' mean lost hours, with the failures'",
        )?;
        adds_up(
            "unattributed_cost",
            attributed_cost,
            s.cost[0],
            "the mean cost, with the failures'",
        )?;
        self.events = (self.events.checked_add(s.events)).ok_or_else(|| {
            Misfit::new("events", "the run's events add up past 2^64".to_string())
        })?;
        Ok(())
    }

    /// Checks the services' moments; their mean lost hours and costs, summed.
    fn summary_services(&self, s: &Summary) -> Result<(f64, f64), Misfit> {
        let horizon = self.model.horizon;
        let (mut lost, mut costs) = (0.0, 0.0);
        for (i, pairs) in s.services.iter().enumerate() {
            let name = self.model.services.get(i).map_or("", |s| s.name.as_str());
            let inside = |m: Misfit| m.inside(&format_args!("services[{i}] (service `{name}`)"));
            for (&[mean, m2, nonzero], field) in pairs.iter().zip(SERVICE_MEASURES) {
                count(field, nonzero).map_err(inside)?;
                let max = if HOURS.contains(&field) {
                    horizon
                } else {
                    MAX_MAGNITUDE
                };
                within(field, mean, max).map_err(inside)?;
                within(field, m2, MAX_MAGNITUDE).map_err(inside)?;
            }
            let [lost_s, down, degraded] = [pairs[0][0], pairs[1][0], pairs[2][0]];
            at_most("downtime_hours", down, lost_s, "`lost_hours`").map_err(inside)?;
            let both = "`downtime_hours` plus `degraded_hours`";
            at_most("lost_hours", lost_s, down + degraded, both).map_err(inside)?;
            lost += lost_s;
            costs += pairs[4][0];
        }
        Ok((lost, costs))
    }

    /// The summary measures the scenario's services, failures and causes.
    fn summary_shape(&self, s: &Summary) -> Result<(), Misfit> {
        let model = self.model;
        let mut causes: Vec<crate::model::Cause> = Vec::new();
        for f in &model.failures {
            if !causes.contains(&f.cause) {
                causes.push(f.cause);
            }
        }
        let shape = (s.services.len(), s.failures.len(), s.causes.len());
        if s.trials == 0 || shape != (model.services.len(), model.failures.len(), causes.len()) {
            let reason = format!(
                "it does not sum trials of the scenario's {} service(s), {} failure(s) and {} cause(s)",
                model.services.len(),
                model.failures.len(),
                causes.len()
            );
            return Err(Misfit::new("services", reason));
        }
        Ok(())
    }

    /// Counts failure `i`'s occurrences and services hit into the run's sums.
    fn count(&mut self, i: usize, f: &FailureSummary) -> Result<(), Misfit> {
        let overflow = |field: &str| Misfit::new(field, "the run's sum adds up past 2^64".into());
        let (occurrences, blast) =
            (self.failures.get_mut(i)).ok_or_else(|| overflow("failures"))?;
        *occurrences = (occurrences.checked_add(f.occurrence_total))
            .ok_or_else(|| overflow("occurrence_total"))?;
        *blast = (blast.checked_add(f.blast_services)).ok_or_else(|| overflow("blast_services"))?;
        Ok(())
    }
}

/// A failure's (or cause's) moments within range, its blast radius within
/// the scenario's services.
fn failure(f: &FailureSummary, most_hours: f64, services: usize) -> Result<(), Misfit> {
    for (field, [mean, m2, nonzero], max) in [
        ("occurrences", f.occurrences, MAX_MAGNITUDE),
        ("lost_hours", f.lost_hours, most_hours),
        ("cost", f.cost, MAX_MAGNITUDE),
    ] {
        within(field, mean, max)?;
        within(field, m2, MAX_MAGNITUDE)?;
        count(field, nonzero)?;
    }
    if f.blast_max as usize > services {
        let reason = format!(
            "{} is above the scenario's {services} service(s)",
            f.blast_max
        );
        return Err(Misfit::new("blast_max", reason));
    }
    let most = u128::from(f.occurrence_total) * u128::from(f.blast_max);
    if u128::from(f.blast_services) > most {
        let reason = format!(
            "{} is above `occurrence_total` times `blast_max` ({most})",
            f.blast_services
        );
        return Err(Misfit::new("blast_services", reason));
    }
    Ok(())
}

/// A count of nonzero trials: a whole number from 0 to [`MAX_MAGNITUDE`].
fn count(field: &str, nonzero: f64) -> Result<(), Misfit> {
    if nonzero.fract() != 0.0 {
        let reason = format!("its count of nonzero trials {nonzero} is not a whole number");
        return Err(Misfit::new(field, reason));
    }
    within(field, nonzero, MAX_MAGNITUDE)
}
