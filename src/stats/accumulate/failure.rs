//! A failure's (or a cause's) sums: its occurrences, the lost hours and
//! cost attributed to it, and the services it hit.

use super::{estimate, FailureAccumulator};
use crate::stats::result::{BlastRadius, CauseStats, FailureStats, Mean};

impl FailureAccumulator {
    /// Adds one trial: occurrences, attributed lost hours and cost, and
    /// (services hit summed over occurrences, most services one hit).
    pub(super) fn push(
        &mut self,
        (occurrences, w): (u64, f64),
        lost: f64,
        cost: f64,
        (blast, max): (u64, u32),
    ) {
        self.occurrences.push_scaled(occurrences as f64, w);
        self.lost.push_scaled(lost, w);
        self.cost.push_scaled(cost, w);
        self.blast_sum += blast;
        self.blast_max = self.blast_max.max(max);
        self.occurrence_total += occurrences;
    }

    /// Appends the trials of `other`, which must directly follow.
    pub(super) fn merge(&mut self, other: &FailureAccumulator) {
        self.occurrences.merge(&other.occurrences);
        self.lost.merge(&other.lost);
        self.cost.merge(&other.cost);
        self.blast_sum += other.blast_sum;
        self.blast_max = self.blast_max.max(other.blast_max);
        self.occurrence_total += other.occurrence_total;
    }

    /// Services affected per occurrence (0 without occurrences).
    pub(super) fn blast_radius(&self) -> BlastRadius {
        let services_mean = if self.occurrence_total == 0 {
            0.0
        } else {
            self.blast_sum as f64 / self.occurrence_total as f64
        };
        BlastRadius {
            services_mean,
            services_max: self.blast_max,
        }
    }

    /// The failure's statistics.
    pub(super) fn finish(&self, cause: crate::model::Cause) -> FailureStats {
        FailureStats {
            cause,
            occurrences: Mean {
                mean: self.occurrences.mean,
            },
            blast_radius: self.blast_radius(),
            lost_hours: estimate(&self.lost),
            cost: estimate(&self.cost),
        }
    }

    /// The statistics of a cause whose failures are `failures`.
    pub(super) fn finish_cause(&self, failures: Vec<String>) -> CauseStats {
        CauseStats {
            failures,
            occurrences: Mean {
                mean: self.occurrences.mean,
            },
            blast_radius: self.blast_radius(),
            lost_hours: estimate(&self.lost),
            cost: estimate(&self.cost),
        }
    }
}
