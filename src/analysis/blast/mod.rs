//! Static blast radius: for each domain and each service, what goes down or
//! degrades if it alone fails, and what that state costs per hour. No
//! random numbers: the engine's rules applied to one frozen state, twice.
//!
//! - **Immediately**, before any routing acts: ActiveActive deployments at 0
//!   still hold their share of the traffic (lost), and an ActivePassive or
//!   Manual service serves what its first (active) deployment serves.
//! - **After failover** completes: ActiveActive deployments at 0 are drained
//!   and the others share the traffic; ActivePassive and Manual serve from
//!   the first listed deployment still above 0.
//!
//! Each state applies the engine's rules: a deployment keeps its quorum when
//! at least `need` of its replicas are outside the failed domain (or its
//! service is not the one failed); its fraction is that times its hard
//! dependencies' fractions and `1 - impact * (1 - s)` of its soft ones, with
//! dependency locality; recovery edges change no fraction. A deployment with
//! a finite capacity serves `capacity * up / replicas` of the service's
//! demand at most: a larger share is shed (and under `Collapse` it collapses,
//! pushing its share onto the others, until no survivor is overloaded).

mod render;

pub use render::{json, markdown, percent, table, BlastDocument};

use crate::engine::plan::local_deployment;
use crate::model::{DomainId, Level, Model, Overload, Routing, ServiceId, Target};

/// What fails alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A provider, region or zone, and everything under it.
    Domain(DomainId),
    /// A whole service: all its replicas.
    Service(ServiceId),
    /// Everything one `All` or `Tagged` failure takes down at once (index
    /// into `Model::groups`): across providers, when its targets are.
    Group(usize),
}

/// What a service's deployments do with the traffic beyond their capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Overflow {
    /// Everything routed is within capacity.
    None,
    /// Some deployment receives more than its capacity and sheds the excess.
    Shed,
    /// Some deployment was overloaded under `Collapse` and collapsed.
    Collapse,
}

/// The state of every service in one phase.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Served fraction of each service, in model order.
    pub fractions: Vec<f64>,
    /// Overload of each service, in model order.
    pub overflow: Vec<Overflow>,
    /// `sum of per_hour * (1 - s)` over services.
    pub cost_per_hour: f64,
}

/// The two states after one unit fails alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Blast {
    /// What failed.
    pub unit: Unit,
    /// Before any routing acts.
    pub immediate: State,
    /// After every shift and failover has completed.
    pub after_failover: State,
}

impl Blast {
    /// Whether this unit alone takes some service that has a cost to 0, even
    /// after failover.
    pub fn single_point_of_failure(&self, model: &Model) -> bool {
        !self.spof_victims(model).is_empty()
    }

    /// The services with a cost that this unit alone takes to 0 after failover.
    pub fn spof_victims(&self, model: &Model) -> Vec<ServiceId> {
        (0..model.services.len())
            .filter(|&s| {
                model.services[s].cost_per_hour > 0.0 && self.after_failover.fractions[s] == 0.0
            })
            .collect()
    }

    /// The services below 1 in either phase, in model order.
    pub fn affected(&self) -> Vec<ServiceId> {
        (0..self.immediate.fractions.len())
            .filter(|&s| {
                self.immediate.fractions[s] < 1.0 || self.after_failover.fractions[s] < 1.0
            })
            .collect()
    }
}

/// The whole analysis of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Nothing failed (below 1 only when capacity is short of demand).
    pub baseline: State,
    /// One entry per domain and per service, most costly after failover
    /// first, then most costly immediately, then domains in model order
    /// before services in file order.
    pub blasts: Vec<Blast>,
}

impl Analysis {
    /// The single points of failure, in the order of `blasts`.
    pub fn single_points_of_failure<'a>(&'a self, model: &'a Model) -> Vec<&'a Blast> {
        (self.blasts.iter())
            .filter(|b| b.single_point_of_failure(model))
            .collect()
    }
}

/// The default bound on [`work`]: a few seconds, and the states of every
/// unit (two fractions per service) within a few hundred MB.
pub const DEFAULT_MAX_WORK: f64 = 2e8;

/// Why an analysis was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlastError {
    /// Every unit evaluates the whole model twice: too many units on too large a model.
    #[error("the analysis would take about {estimate:.2e} steps ({units} domains and services each failing alone, each evaluating every service, deployment, replica and dependency twice), above the limit of {limit:.2e}")]
    TooMuchWork {
        /// Domains and services.
        units: usize,
        /// The steps of the analysis.
        estimate: f64,
        /// The limit in force.
        limit: f64,
    },
}

impl BlastError {
    /// How to get past the error.
    pub fn hint(&self) -> &'static str {
        "split the scenario, or raise the limit with `--max-work`"
    }
}

/// The steps of [`analyse`]: per unit (domain or service) and phase, one per
/// service, deployment, replica (and level of its domain) and dependency
/// deployment looked at; it also bounds the memory of the states kept.
pub fn work(model: &Model) -> f64 {
    let units = model.domains.len() + model.services.len() + model.groups.len() + 1;
    let links: usize = (model.services.iter())
        .map(|s| {
            let targets: usize = (s.depends_on.iter())
                .map(|d| model.services[d.service].deployments.len())
                .sum();
            s.deployments.len() * (1 + targets)
        })
        .sum();
    let model_size = model.services.len() + links + 3 * model.replicas.len();
    2.0 * units as f64 * model_size as f64
}

/// Refuses an analysis whose [`work`] is above `limit`.
///
/// # Errors
/// [`BlastError::TooMuchWork`] with the estimate.
pub fn check_work(model: &Model, limit: f64) -> Result<(), BlastError> {
    let estimate = work(model);
    if estimate > limit {
        return Err(BlastError::TooMuchWork {
            units: model.domains.len() + model.services.len() + model.groups.len(),
            estimate,
            limit,
        });
    }
    Ok(())
}

/// Analyses every domain, every service and every group of targets of an
/// `All` or `Tagged` failure of `model` (see [`check_work`] for its bound).
pub fn analyse(model: &Model) -> Analysis {
    let units = (0..model.domains.len())
        .map(Unit::Domain)
        .chain((0..model.services.len()).map(Unit::Service))
        .chain((0..model.groups.len()).map(Unit::Group));
    let mut blasts: Vec<Blast> = units.map(|unit| blast(model, unit)).collect();
    // a stable sort keeps domains before services, each in model order, on ties
    blasts.sort_by(|a, b| {
        (b.after_failover.cost_per_hour)
            .total_cmp(&a.after_failover.cost_per_hour)
            .then(
                b.immediate
                    .cost_per_hour
                    .total_cmp(&a.immediate.cost_per_hour),
            )
    });
    Analysis {
        baseline: evaluate(model, &|_| false, Phase::AfterFailover),
        blasts,
    }
}

/// The two states after `unit` fails alone.
pub fn blast(model: &Model, unit: Unit) -> Blast {
    let down = |r: usize| match unit {
        Unit::Domain(x) => takes_down(model, Target::Domain(x), r),
        Unit::Service(s) => takes_down(model, Target::Service(s), r),
        Unit::Group(g) => takes_down(model, Target::Group(g), r),
    };
    Blast {
        unit,
        immediate: evaluate(model, &down, Phase::Immediate),
        after_failover: evaluate(model, &down, Phase::AfterFailover),
    }
}

/// Whether `target` takes replica `r` down.
fn takes_down(model: &Model, target: Target, r: usize) -> bool {
    let d = model.replicas[r].deployment;
    match target {
        Target::Domain(x) => model.domain_chain(model.replicas[r].domain).any(|a| a == x),
        Target::Service(s) => model.deployments[d].service == s,
        Target::Deployment(x) => d == x,
        Target::Replica(x) => r == x,
        Target::Group(g) => (model.groups[g].targets.iter()).any(|&t| takes_down(model, t, r)),
    }
}

/// The name of a unit: a domain's path, a service's name, or the name of
/// the failure a group of targets is the `on` of.
pub fn unit_name(model: &Model, unit: Unit) -> &str {
    match unit {
        Unit::Domain(d) => &model.domains[d].path,
        Unit::Service(s) => &model.services[s].name,
        Unit::Group(g) => &model.failures[model.groups[g].failure].name,
    }
}

/// The kind of a unit: `provider`, `region`, `zone` or `service`.
pub fn unit_kind(model: &Model, unit: Unit) -> &'static str {
    match unit {
        Unit::Domain(d) => match model.domains[d].level {
            Level::Provider => "provider",
            Level::Region => "region",
            Level::Zone => "zone",
        },
        Unit::Service(_) => "service",
        Unit::Group(_) => "shared",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Immediate,
    AfterFailover,
}

/// Every service's state when the replicas for which `down` holds are down.
fn evaluate(model: &Model, down: &dyn Fn(usize) -> bool, phase: Phase) -> State {
    let n = model.services.len();
    let mut state = State {
        fractions: vec![1.0; n],
        overflow: vec![Overflow::None; n],
        cost_per_hour: 0.0,
    };
    let mut deployment = vec![1.0; model.deployments.len()];
    let mut capacity = vec![f64::INFINITY; model.deployments.len()];
    // dependencies come first in the topological order
    for &s in &model.topological_order {
        for d in model.services[s].deployments.clone() {
            let dep = &model.deployments[d];
            let up = dep.replicas.clone().filter(|&r| !down(r)).count();
            let mut v = if up >= dep.need { 1.0 } else { 0.0 };
            for dependency in &model.services[s].depends_on {
                let source = local_deployment(model, d, dependency.service)
                    .map_or(state.fractions[dependency.service], |x| deployment[x]);
                v *= dependency.kind.factor(source);
            }
            deployment[d] = v;
            capacity[d] = dep.capacity * up as f64 / dep.replicas.len() as f64;
        }
        let range = model.services[s].deployments.clone();
        let (fraction, overflow) = route(
            model,
            s,
            (&deployment[range.clone()], &capacity[range]),
            phase,
        );
        state.fractions[s] = fraction;
        state.overflow[s] = overflow;
    }
    state.cost_per_hour = (model.services.iter().zip(&state.fractions))
        .map(|(service, s)| service.cost_per_hour * (1.0 - s))
        .sum();
    state
}

/// The service's fraction from its deployments' fractions and capacities.
fn route(model: &Model, s: ServiceId, (v, cap): (&[f64], &[f64]), phase: Phase) -> (f64, Overflow) {
    let service = &model.services[s];
    match (&service.routing, phase) {
        (Routing::ActiveActive { .. }, Phase::Immediate) => {
            let all: Vec<bool> = vec![true; v.len()];
            split(v, cap, &all)
        }
        (Routing::ActiveActive { .. }, Phase::AfterFailover) => {
            let mut receiving: Vec<bool> = v.iter().map(|&x| x > 0.0).collect();
            let collapse = matches!(service.overload, Overload::Collapse { .. });
            let mut collapsed = false;
            // under Collapse, overloaded survivors collapse and push their share on
            while collapse && receiving.iter().any(|&r| r) {
                let k = receiving.iter().filter(|&&r| r).count() as f64;
                let over: Vec<usize> = (0..v.len())
                    .filter(|&i| receiving[i] && cap[i] * k < 1.0)
                    .collect();
                if over.is_empty() {
                    break;
                }
                over.into_iter().for_each(|i| receiving[i] = false);
                collapsed = true;
            }
            let (fraction, overflow) = split(v, cap, &receiving);
            (
                fraction,
                if collapsed {
                    Overflow::Collapse
                } else {
                    overflow
                },
            )
        }
        (_, phase) => {
            let active = match phase {
                Phase::Immediate => Some(0),
                Phase::AfterFailover => v.iter().position(|&x| x > 0.0),
            };
            active.map_or((0.0, Overflow::None), |i| {
                let overflow = if v[i] > 0.0 && cap[i] < 1.0 {
                    Overflow::Shed
                } else {
                    Overflow::None
                };
                (v[i] * cap[i].min(1.0), overflow)
            })
        }
    }
}

/// ActiveActive: an even split over the receiving deployments, each serving
/// at most `capacity * receiving` of its share.
fn split(v: &[f64], cap: &[f64], receiving: &[bool]) -> (f64, Overflow) {
    let k = receiving.iter().filter(|&&r| r).count();
    if k == 0 {
        return (0.0, Overflow::None);
    }
    let n = k as f64;
    let (mut served, mut overflow) = (0.0, Overflow::None);
    for i in (0..v.len()).filter(|&i| receiving[i]) {
        let kept = (cap[i] * n).min(1.0);
        served += v[i] * kept;
        if v[i] > 0.0 && kept < 1.0 {
            overflow = Overflow::Shed;
        }
    }
    (served / n, overflow)
}
