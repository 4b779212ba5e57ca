//! Raw serde types that mirror the scenario file one to one. Values that can be
//! checked on their own (durations, distribution parameters) are checked here,
//! so that ron reports the position of a bad value; everything that needs the
//! whole file (names, references, cycles) is checked in `validate`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::uncertain::{NominalHours, Uncertain, UncertainProbability};
use crate::model::{Cause, Distribution, DistributionError, Duration, DurationError};
use crate::uncertainty::{Law, Parameter};

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
    pub every: Option<super::every::RawEvery>,
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

/// A duration that must be greater than zero.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct PositiveDuration(pub Duration);

impl TryFrom<String> for PositiveDuration {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let d = Duration::parse(&text).map_err(duration_message)?;
        if d.hours() > 0.0 {
            Ok(PositiveDuration(d))
        } else {
            Err(format!("duration `{text}` must be greater than zero"))
        }
    }
}

/// The shortest [`Period`]: one second.
pub const MIN_PERIOD_HOURS: f64 = 1.0 / 3600.0;

/// A duration that other lengths are divided by (the horizon, `every`, an
/// SLA `window`): at least [`MIN_PERIOD_HOURS`], so that no quotient
/// overflows to infinity or NaN.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct Period(pub Duration);

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let d = PositiveDuration::try_from(text.clone())?.0;
        if d.hours() >= MIN_PERIOD_HOURS {
            Ok(Period(d))
        } else {
            Err(format!("duration `{text}` is shorter than one second"))
        }
    }
}

/// The message for a rejected duration. A "unit" that is not all letters
/// (`e400h` in `1e400h`) means the number is not plain decimal.
fn duration_message(e: DurationError) -> String {
    match e {
        DurationError::UnknownUnit { text, unit } if !unit.chars().all(char::is_alphabetic) => {
            format!("duration `{text}` is not a decimal number followed by a unit")
        }
        e => e.to_string(),
    }
}

/// A duration that may be zero.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct NonNegativeDuration(pub Duration);

impl TryFrom<String> for NonNegativeDuration {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Duration::parse(&text)
            .map(NonNegativeDuration)
            .map_err(duration_message)
    }
}

/// A distribution as written; converted to a validated [`Distribution`]
/// at the nominal value of each parameter, with the laws of its uncertain
/// parameters (only a failure's `lasts` may have any: the validator says so).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "DistributionSyntax")]
pub struct RawDistribution(pub Distribution, pub Vec<(Parameter, Law)>);

type Positive = Uncertain<PositiveDuration>;
type NonNegative = Uncertain<NonNegativeDuration>;

/// The distribution syntax of the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "distribution")]
enum DistributionSyntax {
    Fixed(NonNegative),
    Exp { mean: Positive },
    LogNormal { median: Positive, p90: Positive },
    Weibull { shape: f64, scale: Positive },
    Uniform { min: NonNegative, max: NonNegative },
    Empirical(Vec<NonNegativeDuration>),
}

impl TryFrom<DistributionSyntax> for RawDistribution {
    type Error = DistributionError;
    fn try_from(raw: DistributionSyntax) -> Result<Self, DistributionError> {
        let mut laws = Vec::new();
        let mut nominal = |parameter, value: &dyn NominalHours| {
            laws.extend(value.uncertain_law().map(|law| (parameter, law)));
            value.nominal()
        };
        let d = match raw {
            DistributionSyntax::Fixed(d) => Distribution::Fixed(nominal(Parameter::Fixed, &d)),
            DistributionSyntax::Exp { mean } => Distribution::Exp {
                mean: nominal(Parameter::Mean, &mean),
            },
            DistributionSyntax::LogNormal { median, p90 } => Distribution::lognormal(
                nominal(Parameter::Median, &median),
                nominal(Parameter::P90, &p90),
            )?,
            DistributionSyntax::Weibull { shape, scale } => Distribution::Weibull {
                shape,
                scale: nominal(Parameter::Scale, &scale),
            },
            DistributionSyntax::Uniform { min, max } => Distribution::Uniform {
                min: nominal(Parameter::Min, &min),
                max: nominal(Parameter::Max, &max),
            },
            DistributionSyntax::Empirical(values) => {
                Distribution::Empirical(values.iter().map(|d| d.0.hours()).collect())
            }
        };
        d.validate()?;
        Ok(RawDistribution(d, laws))
    }
}

/// A map read as an ordered list of entries, so that a key given twice is
/// seen (a plain map would silently keep the last one).
#[derive(Debug)]
pub struct Entries<T>(pub Vec<(String, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, T>()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}
