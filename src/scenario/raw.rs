//! Raw serde types that mirror the scenario file one to one. Values that can be
//! checked on their own (durations, distribution parameters) are checked here,
//! so that ron reports the position of a bad value; everything that needs the
//! whole file (names, references, cycles) is checked in `validate`.

mod entries;
mod failure;
mod values;

pub use entries::Entries;
pub use failure::{RawEffect, RawFailure, RawRepair, RawSchedule, RawTarget};
pub use values::{
    NonNegativeDuration, Period, PositiveDuration, RawDistribution, MIN_PERIOD_HOURS,
};

use serde::Deserialize;

use super::uncertain::UncertainProbability;

// The lowercase `rename`s are what diagnostics call these types ("unknown
// field `x` in a failure", "unknown routing `X`"): the file never spells them.

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct RawScenario {
    /// The base file this design is a diff over (resolved before parsing
    /// into these types, by [`crate::scenario::compose`]).
    #[serde(default)]
    pub extends: Option<String>,
    /// Dot paths deleted from the base (resolved with `extends`).
    #[serde(default)]
    pub remove: Option<Vec<String>>,
    /// Human name; defaults to the file name.
    #[serde(default)]
    pub name: Option<String>,
    /// Length of one trial; defaults to one year.
    #[serde(default)]
    pub horizon: Option<Period>,
    /// Number of trials; defaults to 10000.
    #[serde(default)]
    pub trials: Option<u64>,
    /// Master seed; defaults to 0.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Leaf domain paths.
    pub domains: Vec<String>,
    /// Failure processes.
    #[serde(default)]
    pub failures: Vec<RawFailure>,
    /// Services by name, in file order, duplicates kept for validation.
    pub services: Entries<RawService>,
    /// Traffic by hour of day for every service without its own.
    #[serde(default)]
    pub traffic: Option<RawTraffic>,
    /// Objectives the run is judged against.
    #[serde(default)]
    pub objectives: Vec<RawObjective>,
}

/// A traffic curve as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "traffic")]
pub enum RawTraffic {
    /// 24 weights, one per hour of the day from midnight.
    Daily(Vec<f64>),
}

/// One entry of `objectives`. Exactly one bound is given where several are
/// allowed (checked in `validate`). A new measure is a new variant here and
/// in [`crate::model::Measure`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "objective")]
#[allow(missing_docs)]
pub enum RawObjective {
    /// Mean availability of a service at least `at_least` (a fraction).
    Availability {
        service: String,
        at_least: f64,
        #[serde(default)]
        confidence: Option<f64>,
    },
    /// Lost-service hours of a service per trial.
    LostHours {
        service: String,
        #[serde(default)]
        mean_at_most: Option<NonNegativeDuration>,
        #[serde(default)]
        p99_at_most: Option<NonNegativeDuration>,
        #[serde(default)]
        confidence: Option<f64>,
    },
    /// Hours of writes lost by a service that models its data, per trial.
    DataLoss {
        service: String,
        #[serde(default)]
        mean_at_most: Option<NonNegativeDuration>,
        #[serde(default)]
        p99_at_most: Option<NonNegativeDuration>,
        #[serde(default)]
        confidence: Option<f64>,
    },
    /// The scenario's cost per trial (money).
    AnnualCost {
        #[serde(default)]
        mean_at_most: Option<f64>,
        #[serde(default)]
        p99_at_most: Option<f64>,
        #[serde(default)]
        confidence: Option<f64>,
    },
}

/// One service as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "service")]
pub struct RawService {
    /// One or more deployments.
    pub deployments: Vec<RawDeployment>,
    /// Routing policy; defaults to `ActiveActive(shift: "0s")`.
    #[serde(default)]
    pub routing: Option<RawRouting>,
    /// Dependencies by service name.
    #[serde(default)]
    pub depends_on: Entries<RawDependency>,
    /// Cost of downtime.
    #[serde(default)]
    pub cost: Option<RawCost>,
    /// What overloaded deployments do; defaults to `Shed`.
    #[serde(default)]
    pub overload: Option<RawOverload>,
    /// Replication and backups.
    #[serde(default)]
    pub data: Option<RawData>,
    /// SLA credits.
    #[serde(default)]
    pub sla: Option<RawSla>,
    /// Traffic by hour of day (overrides the scenario's).
    #[serde(default)]
    pub traffic: Option<RawTraffic>,
    /// Infrastructure price of each replica of its deployments.
    #[serde(default)]
    pub infra: Option<RawInfra>,
}

/// The `infra` block: what the infrastructure costs to run.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename = "infra block")]
pub struct RawInfra {
    /// Money per replica per month (a month is a twelfth of a 365-day year).
    pub per_replica_month: f64,
}

/// The `overload` policy as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "overload")]
#[allow(missing_docs)]
pub enum RawOverload {
    Shed,
    Collapse {
        after: PositiveDuration,
        recover: RawDistribution,
    },
}

/// The `data` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "data block")]
pub struct RawData {
    /// Replication between deployments.
    pub replication: RawReplication,
    /// Backups.
    pub backup: RawBackup,
}

/// Replication as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "replication")]
#[allow(missing_docs)]
pub enum RawReplication {
    Sync,
    Async { lag: RawDistribution },
}

/// The `backup` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "backup block")]
pub struct RawBackup {
    /// Time between backups.
    pub every: Period,
    /// Time to restore one.
    pub restore: RawDistribution,
}

/// The `sla` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "sla block")]
pub struct RawSla {
    /// Measurement window.
    pub window: Period,
    /// Revenue per window.
    pub revenue: f64,
    /// Refund tiers.
    pub credits: Vec<RawCredit>,
}

/// One refund tier as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename = "credit tier")]
pub struct RawCredit {
    /// Availability threshold.
    pub below: f64,
    /// Share of the revenue refunded.
    pub refund: f64,
}

/// One deployment as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "deployment")]
pub struct RawDeployment {
    /// Domain path.
    #[serde(rename = "in")]
    pub domain: String,
    /// Zones relative to `in`.
    #[serde(default)]
    pub zones: Option<Vec<String>>,
    /// Number of replicas; defaults to 1.
    #[serde(default)]
    pub replicas: Option<u64>,
    /// Replicas that must be up; defaults to 1.
    #[serde(default)]
    pub need: Option<u64>,
    /// Share of the service's demand it can serve; defaults to unlimited.
    #[serde(default)]
    pub capacity: Option<f64>,
    /// Infrastructure price of its replicas (overrides the service's).
    #[serde(default)]
    pub infra: Option<RawInfra>,
    /// Tags that `Tagged` failure targets select it by.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A routing policy as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "routing")]
#[allow(missing_docs)]
pub enum RawRouting {
    ActiveActive {
        #[serde(default)]
        shift: Option<NonNegativeDuration>,
    },
    ActivePassive {
        detect: RawDistribution,
        switch: RawDistribution,
        #[serde(default)]
        success: Option<UncertainProbability>,
        #[serde(default)]
        manual: Option<RawDistribution>,
        #[serde(default)]
        failback: Option<RawFailback>,
    },
    Manual {
        respond: RawDistribution,
    },
}

/// A dependency kind as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "dependency")]
#[allow(missing_docs)]
pub enum RawDependency {
    Hard,
    Soft {
        impact: UncertainProbability,
    },
    Recovery {
        #[serde(default)]
        catch_up: Option<NonNegativeDuration>,
        /// Time people take to break a deadlock of the recovery cycle.
        #[serde(default)]
        manual: Option<RawDistribution>,
    },
}

/// The `failback` policy as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename = "failback")]
#[allow(missing_docs)]
pub enum RawFailback {
    Never,
    After(PositiveDuration),
}

/// The `cost` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "cost block")]
pub struct RawCost {
    /// Money per hour of full outage; defaults to 0.
    #[serde(default)]
    pub per_hour: Option<f64>,
    /// Money per hour of lost writes; defaults to 0.
    #[serde(default)]
    pub per_data_loss_hour: Option<f64>,
}
