//! Failure definitions and the processes that instantiate them: what fails,
//! why, how often, and what an occurrence does to its target.

use super::{
    Arrival, DeploymentId, Distribution, DomainId, FailureId, Repair, ReplicaId, ServiceId,
};

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
    /// [`stream_key`](super::stream_key) of the failure name, the target kind and the target's
    /// names: the purpose part of the stream seed.
    pub stream_key: u64,
    /// Under `repair: (crews: N)`: which replica of which occurrence-sharing
    /// group it is (its target is then that replica). Boxed: a process
    /// without stays one cache line, as the engine reads it every trial.
    pub repair: Option<Box<Repair>>,
}
