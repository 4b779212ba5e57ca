//! The validated domain: failure domains, services, deployments, replicas and
//! failure processes, all addressed by dense integer ids. No I/O happens here;
//! [`crate::scenario`] builds a [`Model`] from a file and [`crate::engine`]
//! simulates it.

mod arrival;
mod distribution;
mod domain;
mod duration;
mod failure;
mod hash;
mod objective;
mod placement;
mod service;
mod traffic;
mod work;

pub use arrival::{schedule_repairs, Arrival, Repair};
pub use distribution::{gamma, Distribution, DistributionError, Z90};
pub use domain::{Domain, Level};
pub use duration::{Duration, DurationError};
pub use failure::{Cause, Effect, Failure, Group, Once, Process, Target};
pub use hash::{fnv1a, stream_key};
pub use objective::{Measure, Objective, Statistic};
pub use placement::{Deployment, Replica};
pub use service::{
    CreditTier, DataPolicy, Dependency, DependencyKind, Overload, Replication, Routing, Service,
    Sla,
};
pub use traffic::Traffic;

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
