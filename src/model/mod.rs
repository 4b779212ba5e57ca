//! The validated domain: failure domains, services, deployments, replicas and
//! failure processes, all addressed by dense integer ids. No I/O happens here;
//! [`crate::scenario`] builds a [`Model`] from a file and [`crate::engine`]
//! simulates it.

mod arrival;
mod distribution;
mod duration;
mod objective;
mod work;

pub use arrival::{schedule_repairs, Arrival, Repair};

pub use distribution::{gamma, Distribution, DistributionError, Z90};
pub use duration::{Duration, DurationError};
pub use objective::{Measure, Objective, Statistic};

use std::ops::Range;

/// Index of a domain in [`Model::domains`].
pub type DomainId = usize;
/// Index of a service in [`Model::services`].
pub type ServiceId = usize;
/// Index of a deployment in [`Model::deployments`].
pub type DeploymentId = usize;
/// Index of a replica in [`Model::replicas`].
pub type ReplicaId = usize;
/// Index of a failure definition in [`Model::failures`].
pub type FailureId = usize;

/// The level of a failure domain, given by its depth in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `aws`
    Provider,
    /// `aws/us-east-1`
    Region,
    /// `aws/us-east-1/a`
    Zone,
}

/// A failure domain: a provider, a region or a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// Full path, e.g. `aws/us-east-1/a`.
    pub path: String,
    /// Provider, region or zone.
    pub level: Level,
    /// The enclosing domain (`None` for a provider).
    pub parent: Option<DomainId>,
}

/// The root cause class of a failure, for the breakdown by cause.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[allow(missing_docs)]
pub enum Cause {
    Hardware,
    Software,
    Config,
    Network,
    Power,
    Capacity,
    Security,
    Disaster,
    Dependency,
    Other,
}

/// What one failure process takes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A provider, region or zone (and so everything placed under it).
    Domain(DomainId),
    /// A whole service: all its replicas.
    Service(ServiceId),
    /// A whole deployment: all its replicas.
    Deployment(DeploymentId),
    /// One replica.
    Replica(ReplicaId),
    /// Every target of `Model::groups[g]` at once (`All`, `Tagged`).
    Group(usize),
}

/// The targets one `All` or `Tagged` failure takes down at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The failure whose `on` it is.
    pub failure: FailureId,
    /// Single targets (no [`Target::Group`]), in the order written.
    pub targets: Vec<Target>,
}

/// A failure definition of the scenario (one entry of `failures`).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Unique name, the key of the per-failure results.
    pub name: String,
    /// Root cause class.
    pub cause: Cause,
    /// Mean time between the end of one outage and the start of the next (hours).
    pub every: f64,
    /// Distribution of the outage duration.
    pub lasts: Distribution,
    /// Whether an occurrence destroys the data of every deployment it takes
    /// down on its own (a flood, a deleted account, a bad migration).
    pub destroys_data: bool,
    /// `Some`: the failure happens exactly once per trial instead of
    /// alternating (an incident drill's forced outage); `every` is then
    /// unused but for bounds of the work.
    pub once: Option<Once>,
    /// What an occurrence does to its target.
    pub effect: Effect,
    /// When occurrences start: exponential up times of mean `every` (v1),
    /// up times from another distribution, or a schedule.
    pub arrival: Arrival,
    /// `repair: (crews: N)`: each replica an occurrence takes down is
    /// repaired on its own by one of N crews (`None`: all come back together).
    pub crews: Option<u32>,
}

/// When the single occurrence of a [`Failure::once`] starts. It lasts one
/// `lasts` draw, clipped at the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Once {
    /// Its start (hours); `None`: uniform in `[0, horizon - duration]`
    /// (`[0, 0]` when the duration is the horizon or more), drawn after the
    /// duration from the process's own stream.
    pub at: Option<f64>,
}

/// What a failure's occurrence does to what it targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum Effect {
    /// Takes it down (v1).
    #[default]
    Down,
    /// Takes nothing down, but nothing under it can be relaunched or switched
    /// to while it lasts: an outage under it that would end stays down until
    /// it ends, and a failover to a deployment under it completes no sooner.
    ControlPlane,
}

impl Effect {
    /// The command-line spelling (`down`, `control-plane`).
    pub fn word(self) -> &'static str {
        match self {
            Effect::Down => "down",
            Effect::ControlPlane => "control-plane",
        }
    }
}

impl Failure {
    /// Whether its processes are drawn as in v1: exponential up times and
    /// one `lasts` draw per occurrence (importance sampling and control
    /// variates know only these).
    pub fn is_plain(&self) -> bool {
        matches!(self.arrival, Arrival::Exp) && self.crews.is_none()
    }
}

/// One independent alternating up/down process: a failure applied to one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    /// The failure definition it instantiates.
    pub failure: FailureId,
    /// What it takes down.
    pub target: Target,
    /// Stable human-readable name, `"<failure>/<target>"` (processes are ordered by it).
    pub label: String,
    /// [`stream_key`] of the failure name, the target kind and the target's
    /// names: the purpose part of the stream seed.
    pub stream_key: u64,
    /// Under `repair: (crews: N)`: which replica of which occurrence-sharing
    /// group it is (its target is then that replica). Boxed: a process
    /// without stays one cache line, as the engine reads it every trial.
    pub repair: Option<Box<Repair>>,
}

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

/// Traffic by hour of day, normalised to mean 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    /// Weight of each hour of the day (mean 1).
    pub hourly: [f64; 24],
    /// `cumulative[h]`: the sum of the weights of hours before `h` (25 entries).
    pub cumulative: [f64; 25],
}

impl Traffic {
    /// Normalises 24 non-negative weights with a positive sum.
    pub fn daily(weights: &[f64; 24]) -> Traffic {
        let sum: f64 = weights.iter().sum();
        let mut hourly = [0.0; 24];
        let mut cumulative = [0.0; 25];
        for h in 0..24 {
            hourly[h] = weights[h] * 24.0 / sum;
            cumulative[h + 1] = cumulative[h] + hourly[h];
        }
        Traffic { hourly, cumulative }
    }

    /// The integral of the weight from 0 to `t` hours.
    #[inline]
    pub fn integral(&self, t: f64) -> f64 {
        let days = (t / 24.0).floor();
        let within = t - days * 24.0;
        let h = (within as usize).min(23);
        days * 24.0 + self.cumulative[h] + (within - h as f64) * self.hourly[h]
    }

    /// The integral of the weight over `[a, b)`.
    #[inline]
    pub fn between(&self, a: f64, b: f64) -> f64 {
        self.integral(b) - self.integral(a)
    }
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

/// One deployment of a service in a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Owning service.
    pub service: ServiceId,
    /// The `in` domain.
    pub domain: DomainId,
    /// The region all its replicas share, if any (for dependency locality).
    pub region: Option<DomainId>,
    /// Its replicas, contiguous ids.
    pub replicas: Range<ReplicaId>,
    /// Replicas that must be up.
    pub need: usize,
    /// Share of the service's demand it serves with every replica up
    /// (infinite: unlimited); scales with the replicas that are up.
    pub capacity: f64,
    /// Infrastructure price of one replica per month (a twelfth of a year):
    /// the deployment's `infra`, else its service's; `None` when neither
    /// gives one (an unknown price, counted as 0 in infrastructure totals).
    pub infra_per_replica_month: Option<f64>,
}

/// One replica, placed in a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Replica {
    /// Owning deployment.
    pub deployment: DeploymentId,
    /// Where it runs: a zone, or the deployment's own domain without `zones`.
    pub domain: DomainId,
}

/// Hours in a year (365 days), the unit of `y` and of annual figures.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// A validated scenario, ready to simulate. (`Default` is the empty model
/// that validation fills in.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Human name of the scenario.
    pub name: String,
    /// Length of one trial in hours.
    pub horizon: f64,
    /// Number of trials.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Every domain, parents before children.
    pub domains: Vec<Domain>,
    /// Failure definitions in file order.
    pub failures: Vec<Failure>,
    /// Failure processes, one per (failure, target), or per replica of a
    /// target under `repair`.
    pub processes: Vec<Process>,
    /// The targets of each [`Target::Group`] (`All`, `Tagged`).
    pub groups: Vec<Group>,
    /// Services in file order.
    pub services: Vec<Service>,
    /// All deployments, grouped by service.
    pub deployments: Vec<Deployment>,
    /// All replicas, grouped by deployment.
    pub replicas: Vec<Replica>,
    /// Services ordered so that every dependency comes before its dependents
    /// (a recovery cycle's services together, hard and soft edges respected).
    pub topological_order: Vec<ServiceId>,
    /// Runs of `topological_order` that form cycles through recovery edges,
    /// evaluated together until they agree.
    pub recovery_cycles: Vec<Range<usize>>,
    /// Per recovery cycle: the time people take to break a deadlock of it
    /// (`Recovery(manual: ...)`), `None` when nobody does (it lasts to the
    /// horizon).
    pub recovery_manual: Vec<Option<Distribution>>,
    /// FNV-1a of the scenario file's bytes, to trace a result to its input.
    pub source_hash: u64,
    /// What the run is judged against, in file order.
    pub objectives: Vec<Objective>,
    /// The uncertain inputs, in file order; the fields they set hold their
    /// nominal values (the laws' medians). Empty for most scenarios.
    pub uncertain: Vec<crate::uncertainty::Input>,
}

impl Model {
    /// `service @ domain`, with `#k` (from 1) when the service has another
    /// deployment in the same domain.
    pub fn deployment_name(&self, d: usize) -> String {
        let model = self;
        let deployment = &model.deployments[d];
        let service = &model.services[deployment.service];
        let path = &model.domains[deployment.domain].path;
        let twins = service
            .deployments
            .clone()
            .filter(|&x| model.deployments[x].domain == deployment.domain)
            .count();
        if twins > 1 {
            format!(
                "{} @ {path} #{}",
                service.name,
                d - service.deployments.start + 1
            )
        } else {
            format!("{} @ {path}", service.name)
        }
    }

    /// The domain and all its ancestors, innermost first.
    pub fn domain_chain(&self, domain: DomainId) -> impl Iterator<Item = DomainId> + '_ {
        std::iter::successors(Some(domain), |&d| self.domains[d].parent)
    }

    /// The expected events of process `p` in one trial: two per outage, at
    /// most one outage per mean up time (per start of a schedule); a
    /// repaired replica's process replays its whole group's history, so it
    /// counts the group's size times that.
    pub fn events_of_process(&self, p: &Process) -> f64 {
        let events = 2.0 * (self.horizon / self.failures[p.failure].every + 1.0);
        events * p.repair.as_ref().map_or(1.0, |r| r.size as f64)
    }

    /// Looks a domain up by its full path.
    pub fn domain_by_path(&self, path: &str) -> Option<DomainId> {
        self.domains.iter().position(|d| d.path == path)
    }

    /// Infrastructure cost of a service per year: replicas times
    /// `per_replica_month` times 12, summed over its deployments (an
    /// unpriced deployment counts 0).
    pub fn infra_cost_per_year(&self, service: ServiceId) -> f64 {
        self.deployments[self.services[service].deployments.clone()]
            .iter()
            .map(|d| d.replicas.len() as f64 * d.infra_per_replica_month.unwrap_or(0.0) * 12.0)
            .sum()
    }

    /// Infrastructure cost of a service over one trial's horizon (per year
    /// scaled by `horizon / 8760 h`).
    pub fn infra_cost(&self, service: ServiceId) -> f64 {
        self.infra_cost_per_year(service) * self.horizon / HOURS_PER_YEAR
    }

    /// Looks a service up by name.
    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.services.iter().position(|s| s.name == name)
    }

    /// An upper bound on the expected number of state-change events of one
    /// trial: two per outage, and no more outages than up periods of mean
    /// `every` fit in the horizon, however long or heavy-tailed the outages
    /// are, plus the changes of demand that capacities follow. Used to refuse runs beyond reason before they start.
    pub fn expected_events_per_trial(&self) -> f64 {
        self.expected_events_by_failure().iter().sum::<f64>()
            + self.collapse_events_bound()
            + (0..self.services.len())
                .map(|s| self.demand_changes(s))
                .sum::<f64>()
    }

    /// A bound on the routing events of overload collapses in one trial:
    /// each collapse of a deployment needs `after` hours of overload and a
    /// recovery, so no deployment collapses more often than every
    /// `after + mean recover` (two events each).
    pub fn collapse_events_bound(&self) -> f64 {
        self.services
            .iter()
            .map(|s| match &s.overload {
                Overload::Shed => 0.0,
                Overload::Collapse { after, recover } => {
                    let cycle = after + recover.mean();
                    2.0 * s.deployments.len() as f64 * (self.horizon / cycle + 1.0)
                }
            })
            .sum()
    }

    /// [`Model::expected_events_per_trial`] broken down by failure definition.
    pub fn expected_events_by_failure(&self) -> Vec<f64> {
        let mut by_failure = vec![0.0; self.failures.len()];
        for p in &self.processes {
            by_failure[p.failure] += self.events_of_process(p);
        }
        by_failure
    }
}

/// The purpose part of a random stream's seed: the FNV-1a of the parts, each
/// followed by the byte 0xFF, which never occurs in UTF-8 text, so distinct
/// lists of names never share a key (however the names use `/`).
pub fn stream_key(parts: &[&[u8]]) -> u64 {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(part);
        bytes.push(0xff);
    }
    fnv1a(&bytes)
}

/// FNV-1a, 64 bit: a stable hash for stream keys (never `DefaultHasher`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
