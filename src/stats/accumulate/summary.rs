//! An accumulator as data, for a shard's partial result: its moments,
//! counts and sums ([`Summary`], the same size whatever its trials), and
//! its per-trial values apart ([`ValueLists`]: every value for exact
//! percentiles, or their sketches). Read from a partial they are
//! untrusted: the shard module checks them before they are merged.

use serde::{Deserialize, Serialize};

use super::{Accumulator, FailureAccumulator, ServiceAccumulator};
use crate::model::Model;
use crate::stats::{Moments, Values};

/// A measure's moments as `[mean, sum of squared deviations, nonzero
/// trials]` (the count is the summary's trials: every measure is pushed
/// once a trial; the nonzero trials tell a rare measure).
pub type Pair = [f64; 3];

/// The names of a service's measures in a [`Summary`], in order.
pub const SERVICE_MEASURES: [&str; 15] = [
    "lost_hours",
    "downtime_hours",
    "degraded_hours",
    "outages",
    "cost",
    "weighted_lost_hours",
    "shed_hours",
    "collapses",
    "failovers",
    "failed_failovers",
    "failbacks",
    "data_loss_hours",
    "sla_breaches",
    "credits",
    "recovery_deadlocks",
];

/// The moments, counts and sums of a run of contiguous trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Trials summed.
    pub trials: u64,
    /// Per service, in model order: its measures ([`SERVICE_MEASURES`]).
    pub services: Vec<[Pair; 15]>,
    /// Per failure, in model order.
    pub failures: Vec<FailureSummary>,
    /// Per cause, in the order the scenario's failures first use them.
    pub causes: Vec<FailureSummary>,
    /// The scenario's cost.
    pub cost: Pair,
    /// Lost hours no failure caused.
    pub unattributed_hours: Pair,
    /// Their cost.
    pub unattributed_cost: Pair,
    /// Events simulated.
    pub events: u64,
}

/// A failure's (or a cause's) part of a [`Summary`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureSummary {
    /// Occurrences per trial.
    pub occurrences: Pair,
    /// Attributed lost hours.
    pub lost_hours: Pair,
    /// Attributed cost.
    pub cost: Pair,
    /// Services hit, summed over occurrences.
    pub blast_services: u64,
    /// The most services one occurrence hit.
    pub blast_max: u32,
    /// Occurrences in all.
    pub occurrence_total: u64,
}

/// The per-trial values of a run of contiguous trials, in trial order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueLists {
    /// The scenario's cost (always exact).
    pub cost: Values,
    /// Per service, in model order: lost hours, downtime hours, cost, data
    /// loss hours (services that model their data), credits (services
    /// with an SLA).
    pub services: Vec<[Values; 5]>,
}

fn pair(m: &Moments) -> Pair {
    // a count of trials: exact in an f64 far past any run's trials
    [m.mean, m.m2, m.nonzero as f64]
}

fn moments(n: u64, [mean, m2, nonzero]: Pair) -> Moments {
    Moments {
        n,
        mean,
        m2,
        // merge refuses a count that is not a whole number of at most the
        // trials (`shard::check`); the bound keeps the record honest anyway
        nonzero: (nonzero.max(0.0) as u64).min(n),
    }
}

impl FailureAccumulator {
    fn summary(&self) -> FailureSummary {
        FailureSummary {
            occurrences: pair(&self.occurrences),
            lost_hours: pair(&self.lost),
            cost: pair(&self.cost),
            blast_services: self.blast_sum,
            blast_max: self.blast_max,
            occurrence_total: self.occurrence_total,
        }
    }

    fn from_summary(n: u64, f: &FailureSummary) -> FailureAccumulator {
        FailureAccumulator {
            occurrences: moments(n, f.occurrences),
            lost: moments(n, f.lost_hours),
            cost: moments(n, f.cost),
            blast_sum: f.blast_services,
            blast_max: f.blast_max,
            occurrence_total: f.occurrence_total,
        }
    }
}

impl ServiceAccumulator {
    /// The moments in [`SERVICE_MEASURES`] order.
    fn moments_mut(&mut self) -> [&mut Moments; 15] {
        [
            &mut self.lost,
            &mut self.downtime,
            &mut self.degraded,
            &mut self.outages,
            &mut self.cost,
            &mut self.weighted,
            &mut self.shed,
            &mut self.collapses,
            &mut self.failovers,
            &mut self.failed_failovers,
            &mut self.failbacks,
            &mut self.data_loss,
            &mut self.sla_breaches,
            &mut self.credits,
            &mut self.deadlocks,
        ]
    }

    fn values_mut(&mut self) -> [&mut Values; 5] {
        [
            &mut self.lost_values,
            &mut self.downtime_values,
            &mut self.cost_values,
            &mut self.data_loss_values,
            &mut self.credits_values,
        ]
    }
}

impl Accumulator {
    /// The moments, counts and sums (not the per-trial values).
    pub fn summary(&self) -> Summary {
        let services = (self.services.iter())
            .map(|acc| acc.clone().moments_mut().map(|m| pair(m)))
            .collect();
        Summary {
            trials: self.cost.n,
            services,
            failures: self
                .failures
                .iter()
                .map(FailureAccumulator::summary)
                .collect(),
            causes: self
                .causes
                .iter()
                .map(FailureAccumulator::summary)
                .collect(),
            cost: pair(&self.cost),
            unattributed_hours: pair(&self.unattributed.0),
            unattributed_cost: pair(&self.unattributed.1),
            events: self.events,
        }
    }

    /// The accumulator of `model` with the moments of `summary` and no
    /// per-trial values. `summary` must have the model's shape (the shard
    /// module checks it).
    pub fn from_summary(model: &Model, summary: &Summary) -> Accumulator {
        let n = summary.trials;
        let mut acc = Accumulator::new(model, 0);
        for (service, pairs) in acc.services.iter_mut().zip(&summary.services) {
            for (m, &p) in service.moments_mut().into_iter().zip(pairs) {
                *m = moments(n, p);
            }
        }
        for (f, s) in acc.failures.iter_mut().zip(&summary.failures) {
            *f = FailureAccumulator::from_summary(n, s);
        }
        for (f, s) in acc.causes.iter_mut().zip(&summary.causes) {
            *f = FailureAccumulator::from_summary(n, s);
        }
        acc.cost = moments(n, summary.cost);
        acc.unattributed = (
            moments(n, summary.unattributed_hours),
            moments(n, summary.unattributed_cost),
        );
        acc.events = summary.events;
        acc
    }

    /// The per-trial values, moved out (the accumulator keeps none).
    pub fn take_value_lists(&mut self) -> ValueLists {
        ValueLists {
            cost: std::mem::take(&mut self.cost_values),
            services: (self.services.iter_mut())
                .map(|acc| acc.values_mut().map(std::mem::take))
                .collect(),
        }
    }

    /// Appends `lists`, the values of the trials that directly follow.
    /// `lists` must have the model's shape (the shard module checks it).
    pub fn append_value_lists(&mut self, lists: &ValueLists) {
        for (acc, values) in self.services.iter_mut().zip(&lists.services) {
            for (v, w) in acc.values_mut().into_iter().zip(values) {
                v.append(w);
            }
        }
        self.cost_values.append(&lists.cost);
    }

    /// Appends the per-trial values of `next` (whose trials must directly
    /// follow), not its moments.
    pub fn merge_values(&mut self, next: &Accumulator) {
        for (acc, other) in self.services.iter_mut().zip(&next.services) {
            acc.lost_values.append(&other.lost_values);
            acc.downtime_values.append(&other.downtime_values);
            acc.cost_values.append(&other.cost_values);
            acc.data_loss_values.append(&other.data_loss_values);
            acc.credits_values.append(&other.credits_values);
        }
        self.cost_values.append(&next.cost_values);
    }

    /// Takes the per-trial values of `other` in place of its own (moved,
    /// not copied): the moments of one reduction with the values of another.
    pub fn take_values_from(&mut self, mut other: Accumulator) {
        for (acc, from) in self.services.iter_mut().zip(&mut other.services) {
            acc.lost_values = std::mem::take(&mut from.lost_values);
            acc.downtime_values = std::mem::take(&mut from.downtime_values);
            acc.cost_values = std::mem::take(&mut from.cost_values);
            acc.data_loss_values = std::mem::take(&mut from.data_loss_values);
            acc.credits_values = std::mem::take(&mut from.credits_values);
        }
        self.cost_values = std::mem::take(&mut other.cost_values);
    }
}
