//! What one trial measured: the engine's contract with the statistics, per
//! service, per failure definition and for the whole trial.

/// Measures of one service in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOutcome {
    /// Lost-service hours: the integral of (1 - s).
    pub lost_hours: f64,
    /// Hours at s = 0.
    pub downtime_hours: f64,
    /// Hours at 0 < s < 1.
    pub degraded_hours: f64,
    /// Number of full outages (entries into s = 0).
    pub outages: u32,
    /// Lost-service hours weighted by the traffic at the time (equal to
    /// `lost_hours` without a traffic curve).
    pub weighted_lost_hours: f64,
    /// Lost-service hours from load shedding.
    pub shed_hours: f64,
    /// Overload collapses.
    pub collapses: u32,
    /// Completed failovers.
    pub failovers: u32,
    /// Failovers whose automated switch failed.
    pub failed_failovers: u32,
    /// Returns to the first deployment.
    pub failbacks: u32,
    /// Hours of writes lost.
    pub data_loss_hours: f64,
    /// SLA windows with a refund owed.
    pub sla_breaches: u32,
    /// SLA credits owed (money).
    pub credits: f64,
    /// Deployments of a recovery cycle still waiting on each other at the horizon.
    pub deadlocks: u32,
    /// Total money: `per_hour * weighted_lost_hours`, plus
    /// `per_data_loss_hour * data_loss_hours`, plus `credits`.
    pub cost: f64,
    /// The downtime part of `cost` (`per_hour * weighted_lost_hours`).
    pub downtime_cost: f64,
}

/// Measures of one failure definition in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureOutcome {
    /// Occurrences that started within the horizon.
    pub occurrences: u64,
    /// Hours its outages lasted within the horizon, summed over its targets
    /// (whatever they took down): a control variate of the loss.
    pub downtime_hours: f64,
    /// Sum over occurrences of the services each affected.
    pub blast_services: u64,
    /// The most services one occurrence affected.
    pub blast_max: u32,
    /// Lost-service hours attributed to its occurrences.
    pub lost_hours: f64,
    /// Money attributed to its occurrences: downtime cost, data losses
    /// and SLA credits.
    pub cost: f64,
}

/// Everything one trial measured.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialOutcome {
    /// Per service, in model order.
    pub services: Vec<ServiceOutcome>,
    /// Per failure definition, in model order.
    pub failures: Vec<FailureOutcome>,
    /// Per failure process, in model order: its outages and their hours
    /// within the horizon (the controls of variance reduction).
    pub processes: Vec<(u32, f64)>,
    /// Sum of the services' costs.
    pub cost: f64,
    /// State changes simulated: failures and repairs, plus routing actions.
    pub events: u64,
    /// Likelihood ratio of the trial's failure history under importance
    /// sampling (1 without): every measure of the trial counts with this weight.
    pub weight: f64,
    /// Lost hours no failure occurrence caused (a design whose capacity is
    /// short of the demand with everything up).
    pub unattributed_hours: f64,
    /// Their cost, with the data losses and SLA credits no occurrence caused.
    pub unattributed_cost: f64,
}
