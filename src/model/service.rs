//! Services and how they behave: dependencies, routing between
//! deployments, overload, data replication and SLA credits.

use std::ops::Range;

use super::{DeploymentId, Distribution, ServiceId, Traffic};

/// How a dependency's served fraction enters the dependent deployment's fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DependencyKind {
    /// Multiply by the dependency's fraction.
    Hard,
    /// Multiply by `1 - impact * (1 - s)`.
    Soft {
        /// In (0, 1].
        impact: f64,
    },
    /// No effect on the fraction (static stability), but failed replicas of
    /// the dependent deployment come back only once the dependency has been
    /// up (above 0) for `catch_up` hours without interruption.
    Recovery {
        /// Relaunch backlog after the dependency is back (hours, may be 0).
        catch_up: f64,
    },
}

impl DependencyKind {
    /// The factor a dependency at fraction `s` applies to its dependent's
    /// fraction: `s` for `Hard`, `1 - impact (1 - s)` for `Soft`, and 1 for
    /// `Recovery` (static stability).
    #[inline]
    pub fn factor(self, s: f64) -> f64 {
        match self {
            DependencyKind::Hard => s,
            DependencyKind::Soft { impact } => 1.0 - impact * (1.0 - s),
            DependencyKind::Recovery { .. } => 1.0,
        }
    }
}

impl DependencyKind {
    /// Whether the dependency multiplies the served fraction (hard or soft).
    pub fn affects_fraction(self) -> bool {
        !matches!(self, DependencyKind::Recovery { .. })
    }
}

/// An edge of the service dependency graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dependency {
    /// The service depended upon.
    pub service: ServiceId,
    /// Hard or soft.
    pub kind: DependencyKind,
}

/// How a service turns its deployments' fractions into its own fraction.
#[derive(Debug, Clone, PartialEq)]
pub enum Routing {
    /// Traffic split over the deployments receiving it; a deployment at 0 is drained after `shift`.
    ActiveActive {
        /// Hours before a deployment at 0 stops receiving traffic.
        shift: f64,
    },
    /// One active deployment; failover after a detection and a switch.
    ActivePassive {
        /// Time to notice that the active deployment is down.
        detect: Distribution,
        /// Time the switch itself takes.
        switch: Distribution,
        /// Probability that the automated switch works; otherwise a human
        /// response from `manual` comes before the switch.
        success: f64,
        /// Human response when the automated switch fails (required when
        /// `success < 1`).
        manual: Option<Distribution>,
        /// Return to the first deployment once it has been above 0 for this
        /// many hours (the return takes a `switch` draw at fraction 0).
        failback: Option<f64>,
    },
    /// As ActivePassive, with one human response in place of detect + switch.
    Manual {
        /// Time for a human to move traffic.
        respond: Distribution,
    },
}

/// What an overloaded deployment does.
#[derive(Debug, Clone, PartialEq)]
pub enum Overload {
    /// Serves `capacity / share` of its traffic and sheds the rest.
    Shed,
    /// Sheds, and after `after` hours overloaded collapses to 0, is drained,
    /// and comes back after a `recover` draw (a metastable failure).
    Collapse {
        /// Hours of continuous overload before the collapse.
        after: f64,
        /// Time to recover from the collapse.
        recover: Distribution,
    },
}

/// How a service replicates its data between deployments.
#[derive(Debug, Clone, PartialEq)]
pub enum Replication {
    /// Synchronous: a switch loses nothing.
    Sync,
    /// Asynchronous: a switch loses a `lag` draw of writes.
    Async {
        /// Replication lag.
        lag: Distribution,
    },
}

/// A service's data: replication and backups.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPolicy {
    /// Between deployments.
    pub replication: Replication,
    /// Hours between backups (taken at multiples of it from time 0).
    pub backup_every: f64,
    /// Time to restore a backup.
    pub restore: Distribution,
}

/// One refund tier of an SLA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CreditTier {
    /// The tier applies to a window whose availability is below this.
    pub below: f64,
    /// Share of the window's revenue refunded.
    pub refund: f64,
}

/// A service level agreement with credits.
#[derive(Debug, Clone, PartialEq)]
pub struct Sla {
    /// Window length (hours); the horizon is cut into windows from time 0.
    pub window: f64,
    /// Revenue per full window.
    pub revenue: f64,
    /// Refund tiers; the largest matching refund applies.
    pub credits: Vec<CreditTier>,
}

/// A service: deployments, routing, dependencies and cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Unique name.
    pub name: String,
    /// Its deployments, contiguous ids in file order.
    pub deployments: Range<DeploymentId>,
    /// Routing policy.
    pub routing: Routing,
    /// Dependencies, in file order.
    pub depends_on: Vec<Dependency>,
    /// Money lost per hour of full outage.
    pub cost_per_hour: f64,
    /// Money lost per hour of lost writes.
    pub cost_per_data_loss_hour: f64,
    /// What its overloaded deployments do.
    pub overload: Overload,
    /// Replication and backups, when its data loss is modelled.
    pub data: Option<DataPolicy>,
    /// SLA credits owed to its customers.
    pub sla: Option<Sla>,
    /// Traffic by hour: its own, or the scenario's (`None`: flat).
    pub traffic: Option<Box<Traffic>>,
}
