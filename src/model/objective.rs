//! Objectives: targets a run is judged against (`objectives: [...]` in a
//! scenario), such as "web available at least 99.95% of the time".

use super::ServiceId;

/// One objective: a statistic of a per-trial measure, on one side of a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// What is measured in each trial.
    pub measure: Measure,
    /// Which statistic over trials is judged.
    pub statistic: Statistic,
    /// The target, in the measure's unit (availability as a fraction, hours,
    /// money). The side is [`Measure::higher_is_better`]'s.
    pub target: f64,
    /// With uncertain inputs: the share of the draws whose mean must meet
    /// the target (`confidence: 0.9`); `None` judges the overall mean.
    pub confidence: Option<f64>,
}

/// The per-trial measure an objective is about.
///
/// A new measure is a new variant: the compiler then points at every place
/// that must learn about it (the scenario syntax, the sample in `stats`, the
/// key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A service's availability, `1 - lost_hours / horizon` (at least the target).
    Availability(ServiceId),
    /// A service's lost-service hours (at most the target).
    LostHours(ServiceId),
    /// The scenario's cost over one horizon (at most the target).
    Cost,
    /// A service's hours of writes lost (at most the target).
    DataLoss(ServiceId),
}

/// A statistic over trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// The mean.
    Mean,
    /// The nearest-rank quantile at this level in (0, 1), e.g. 0.99.
    Quantile(f64),
}

impl Measure {
    /// True when the objective asks for at least the target (availability),
    /// false when at most (losses).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Measure::Availability(_))
    }

    /// The service measured, if any.
    pub fn service(self) -> Option<ServiceId> {
        match self {
            Measure::Availability(s) | Measure::LostHours(s) | Measure::DataLoss(s) => Some(s),
            Measure::Cost => None,
        }
    }

    /// The key of the measure in the result document (`availability`,
    /// `lost_hours`, `cost`, `data_loss_hours`).
    pub fn key(self) -> &'static str {
        match self {
            Measure::Availability(_) => "availability",
            Measure::LostHours(_) => "lost_hours",
            Measure::Cost => "cost",
            Measure::DataLoss(_) => "data_loss_hours",
        }
    }
}

impl Statistic {
    /// The statistic's key: `mean`, or `p99` for the 0.99 quantile.
    pub fn key(self) -> String {
        match self {
            Statistic::Mean => "mean".into(),
            Statistic::Quantile(p) => format!("p{}", (p * 100.0).round()),
        }
    }
}
