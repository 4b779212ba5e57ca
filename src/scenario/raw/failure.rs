//! A failure entry as written: its target, schedule, repair crews and effect.

use serde::Deserialize;

use super::{NonNegativeDuration, Period, RawDistribution};
use crate::model::Cause;

/// One entry of `failures`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "failure")]
pub struct RawFailure {
    /// Unique name.
    pub name: String,
    /// What fails.
    pub on: RawTarget,
    /// Mean up time between outages (may be uncertain), or their
    /// distribution (required unless `schedule` is given).
    #[serde(default)]
    pub every: Option<crate::scenario::every::RawEvery>,
    /// Occurrences at fixed times instead of after up times.
    #[serde(default)]
    pub schedule: Option<RawSchedule>,
    /// Replicas repaired one by one by crews.
    #[serde(default)]
    pub repair: Option<RawRepair>,
    /// Outage duration.
    pub lasts: RawDistribution,
    /// Root cause class; defaults to `Other`.
    #[serde(default)]
    pub cause: Option<Cause>,
    /// Whether it destroys the data of the deployments it takes down.
    #[serde(default)]
    pub destroys_data: Option<bool>,
    /// What an occurrence does; defaults to `Down`.
    #[serde(default)]
    pub effect: Option<RawEffect>,
}

/// A failure's `effect` as written.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename = "effect")]
#[allow(missing_docs)]
pub enum RawEffect {
    Down,
    ControlPlane,
}

/// The `schedule` block of a failure (checked in `validate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "schedule block")]
pub struct RawSchedule {
    /// Time between starts.
    pub every: Period,
    /// Time of the first start; defaults to 0.
    #[serde(default)]
    pub first: Option<NonNegativeDuration>,
    /// Probability that a start happens; defaults to 1.
    #[serde(default)]
    pub chance: Option<f64>,
}

/// The `repair` block of a failure (checked in `validate`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename = "repair block")]
pub struct RawRepair {
    /// Crews working in parallel.
    pub crews: u64,
}

/// A failure target as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "target")]
#[allow(missing_docs)]
pub enum RawTarget {
    Domain(String),
    All(Vec<RawTarget>),
    Tagged(String),
    EachProvider {},
    EachRegion {
        #[serde(default)]
        under: Option<String>,
    },
    EachZone {
        #[serde(default)]
        under: Option<String>,
    },
    Service(String),
    EachService {},
    EachDeployment {
        #[serde(default)]
        of: Option<String>,
    },
    EachReplica {
        #[serde(default)]
        of: Option<String>,
    },
}
