//! Where a service runs: its deployments and their replicas in domains.

use std::ops::Range;

use super::{DeploymentId, DomainId, ReplicaId, ServiceId};

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
