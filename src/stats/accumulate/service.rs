//! One service's sums over a block of trials: its moments, its mechanics
//! counts and its per-trial values.

use super::{distribution, objective, Mean, Moments, ServiceStats, Values};

/// One service's sums over a block of trials.
#[derive(Debug, Clone, Default)]
pub(super) struct ServiceAccumulator {
    pub(super) lost: Moments,
    pub(super) downtime: Moments,
    pub(super) degraded: Moments,
    pub(super) outages: Moments,
    pub(super) cost: Moments,
    pub(super) lost_values: Values,
    pub(super) downtime_values: Values,
    pub(super) cost_values: Values,
    pub(super) weighted: Moments,
    pub(super) shed: Moments,
    pub(super) collapses: Moments,
    pub(super) failovers: Moments,
    pub(super) failed_failovers: Moments,
    pub(super) failbacks: Moments,
    pub(super) data_loss: Moments,
    pub(super) sla_breaches: Moments,
    pub(super) credits: Moments,
    pub(super) deadlocks: Moments,
    /// Per-trial data loss, kept only for services that model their data.
    pub(super) data_loss_values: Values,
    /// Per-trial credits, kept only for services with an SLA.
    pub(super) credits_values: Values,
    /// Whether the per-trial data loss and credits are kept.
    pub(super) keeps: (bool, bool),
}

impl ServiceAccumulator {
    #[inline(always)]
    pub(super) fn push_mechanics(&mut self, s: &crate::engine::ServiceOutcome, w: f64) {
        self.weighted.push_scaled(s.weighted_lost_hours, w);
        self.shed.push_scaled(s.shed_hours, w);
        self.collapses.push_scaled(f64::from(s.collapses), w);
        self.failovers.push_scaled(f64::from(s.failovers), w);
        self.failed_failovers
            .push_scaled(f64::from(s.failed_failovers), w);
        self.failbacks.push_scaled(f64::from(s.failbacks), w);
        self.data_loss.push_scaled(s.data_loss_hours, w);
        self.sla_breaches.push_scaled(f64::from(s.sla_breaches), w);
        self.credits.push_scaled(s.credits, w);
        self.deadlocks.push_scaled(f64::from(s.deadlocks), w);
        if self.keeps.0 {
            self.data_loss_values.push(s.data_loss_hours);
        }
        if self.keeps.1 {
            self.credits_values.push(s.credits);
        }
    }

    pub(super) fn merge_mechanics(&mut self, other: &ServiceAccumulator) {
        self.weighted.merge(&other.weighted);
        self.shed.merge(&other.shed);
        self.collapses.merge(&other.collapses);
        self.failovers.merge(&other.failovers);
        self.failed_failovers.merge(&other.failed_failovers);
        self.failbacks.merge(&other.failbacks);
        self.data_loss.merge(&other.data_loss);
        self.sla_breaches.merge(&other.sla_breaches);
        self.credits.merge(&other.credits);
        self.deadlocks.merge(&other.deadlocks);
    }

    /// The service's statistics (sorts its per-trial values). `carried` is
    /// the traffic the service carries over the horizon (see
    /// [`traffic_carried`](super::traffic_carried)).
    pub(super) fn finish(&mut self, horizon: f64, carried: f64) -> ServiceStats {
        let mean = |m: &Moments| Mean { mean: m.mean };
        // a horizon that carries no traffic has no requests to serve: its
        // share served is undefined, and the plain availability stands in
        let weighted = if carried > 0.0 {
            objective::availability(&self.weighted, carried)
        } else {
            objective::availability(&self.lost, horizon)
        };
        ServiceStats {
            availability: objective::availability(&self.lost, horizon),
            availability_weighted: weighted,
            shed_hours: mean(&self.shed),
            collapses: mean(&self.collapses),
            failovers: mean(&self.failovers),
            failed_failovers: mean(&self.failed_failovers),
            failbacks: mean(&self.failbacks),
            data_loss_hours: distribution(&self.data_loss, &mut self.data_loss_values),
            sla_breaches: mean(&self.sla_breaches),
            credits: distribution(&self.credits, &mut self.credits_values),
            recovery_deadlocks: mean(&self.deadlocks),
            downtime_hours: distribution(&self.downtime, &mut self.downtime_values),
            degraded_hours: Mean {
                mean: self.degraded.mean,
            },
            outages: Mean {
                mean: self.outages.mean,
            },
            cost: distribution(&self.cost, &mut self.cost_values),
            lost_hours: distribution(&self.lost, &mut self.lost_values),
            infra_cost: 0.0,
        }
    }
}
