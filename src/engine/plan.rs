//! What the engine precomputes from a model once per run: for every
//! deployment, the failure processes that gate its replicas, and where each of
//! its dependencies' fractions comes from (dependency locality).

use std::ops::Range;

use std::collections::BTreeMap;

use super::hold::Hold;
use super::layout::Layout;
use crate::model::{DependencyKind, DomainId, Effect, Model, Routing, Target};

/// Importance sampling tilts the processes expecting fewer outages than
/// this per trial.
pub const RARE: f64 = 0.1;
/// ... to about this many per trial.
pub const TILTED: f64 = 0.5;
/// ... by a factor of at most this.
pub const MAX_TILT: f64 = 1000.0;

/// Which replicas of a deployment a gating process takes down.
#[derive(Debug, Clone, PartialEq)]
pub enum Members {
    /// Every replica (a deployment-, service- or enclosing-domain failure).
    All,
    /// Some replicas, as local indices in `Plan::members`.
    Some(Range<u32>),
}

/// A failure process that can take replicas of one deployment down.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Index into `Model::processes`.
    pub process: u32,
    /// The replicas it takes down.
    pub members: Members,
}

/// Whose fraction a deployment reads for one of its dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// A service's routed fraction.
    Service(u32),
    /// A deployment's own fraction (same-region ActiveActive dependency).
    Deployment(u32),
}

/// One dependency of a deployment, resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    /// Where the fraction comes from.
    pub node: Node,
    /// Hard or soft.
    pub kind: DependencyKind,
}

/// Engine tables derived from a [`Model`].
#[derive(Debug, Clone)]
pub struct Plan {
    /// Gates of each deployment, as ranges into `gates`.
    pub deployment_gates: Vec<Range<u32>>,
    /// All gates.
    pub gates: Vec<Gate>,
    /// Local replica indices referenced by `Members::Some`.
    pub members: Vec<u32>,
    /// Per gate: the replicas it takes down as a bitmask (deployments of at
    /// most 64 replicas; all bits for larger ones).
    pub masks: Vec<u64>,
    /// Per gate: the number of replicas in its mask (counted once here: the
    /// quorum grid adds it per outage).
    pub weights: Vec<u32>,
    /// Dependency sources of each deployment, as ranges into `sources`.
    pub deployment_sources: Vec<Range<u32>>,
    /// All dependency sources.
    pub sources: Vec<Source>,
    /// Recovery dependencies of each deployment, as ranges into `recovery`.
    pub deployment_recovery: Vec<Range<u32>>,
    /// All recovery dependencies: where the fraction comes from, and the
    /// catch-up time (hours).
    pub recovery: Vec<(Node, f64)>,
    /// Per deployment: whether its timelines are built replica by replica
    /// (it has a finite capacity or recovery dependencies).
    pub exact: Vec<bool>,
    /// Control-plane holds of each deployment, as ranges into `holds`.
    pub deployment_holds: Vec<Range<u32>>,
    /// All control-plane holds.
    pub holds: Vec<Hold>,
    /// Per gate: whether an occurrence destroys the deployment's data (the
    /// failure destroys data, the service models it, and the gate alone
    /// takes the deployment down).
    pub destroys: Vec<bool>,
    /// Per process: the factor its failure rate is multiplied by under
    /// importance sampling (1: drawn as written).
    pub tilt: Vec<f64>,
    /// Whether any process is tilted.
    pub tilted: bool,
    /// Every process once, in the order a trial generates its outages: first
    /// the shared ones (gating deployments of more than one service), kept
    /// all trial; then each service's own, in topological order of the
    /// services, just before its deployments are swept (read while in cache,
    /// and dropped once the service is evaluated and the culprits of its
    /// quorum losses are taken); last the processes that gate nothing.
    pub generation: Vec<u32>,
    /// The span of `generation` of the shared processes.
    pub shared: Range<u32>,
    /// Per service: the span of `generation` of its own processes.
    pub service_processes: Vec<Range<u32>>,
    /// The span of `generation` that gates no deployment (they count in the
    /// failures' measures only).
    pub ungated: Range<u32>,
    /// Groups of processes repaired by crews (their ids run from 0).
    pub repair_groups: usize,
    /// The model in the engine's numbering, which every table above and
    /// every trial use, and the way back to the model's numbering.
    pub layout: Layout,
}

impl Plan {
    /// Builds the tables, in the engine's numbering of `model` ([`Layout`]).
    pub fn new(model: &Model) -> Plan {
        Plan::in_layout(Layout::new(model))
    }

    /// As [`Plan::new`], for a run with master seed `seed` (the scenario's
    /// own seed is only its default): the trials draw from `seed`'s streams.
    pub fn seeded(model: &Model, seed: u64) -> Plan {
        let mut plan = Plan::new(model);
        plan.layout.model.seed = seed;
        plan
    }

    /// The plan of `model` in its own numbering (for tests).
    #[cfg(test)]
    pub fn in_model_numbering(model: &Model) -> Plan {
        Plan::in_layout(Layout::identity(model))
    }

    /// The tables of `layout.model`, which the plan then keeps.
    fn in_layout(layout: Layout) -> Plan {
        let mut plan = Plan::with_tables(&layout.model, &layout.process);
        plan.layout = layout;
        plan
    }

    /// The tables of `model`, whose processes have the ids `process_ids` in
    /// the scenario's model: each deployment's gates are in that order.
    fn with_tables(model: &Model, process_ids: &[usize]) -> Plan {
        let mut plan = Plan {
            deployment_gates: Vec::with_capacity(model.deployments.len()),
            gates: Vec::new(),
            members: Vec::new(),
            masks: Vec::new(),
            weights: Vec::new(),
            deployment_sources: Vec::with_capacity(model.deployments.len()),
            sources: Vec::new(),
            deployment_recovery: Vec::with_capacity(model.deployments.len()),
            recovery: Vec::new(),
            exact: Vec::with_capacity(model.deployments.len()),
            deployment_holds: Vec::with_capacity(model.deployments.len()),
            holds: Vec::new(),
            destroys: Vec::new(),
            tilt: vec![1.0; model.processes.len()],
            tilted: false,
            generation: Vec::with_capacity(model.processes.len()),
            shared: 0..0,
            service_processes: vec![0..0; model.services.len()],
            ungated: 0..0,
            repair_groups: (model.processes.iter())
                .filter_map(|p| p.repair.as_ref().map(|r| r.group + 1))
                .max()
                .unwrap_or(0),
            layout: Layout::default(),
        };
        let placements: Vec<Placements> = (0..model.deployments.len())
            .map(|d| placements(model, d))
            .collect();
        let mut by_deployment = processes_by_deployment(model, &placements, Effect::Down);
        let holding = processes_by_deployment(model, &placements, Effect::ControlPlane);
        for (d, processes) in by_deployment.iter_mut().enumerate() {
            processes.sort_by_key(|&p| process_ids[p]);
            let start = plan.gates.len() as u32;
            for &p in processes.iter() {
                plan.add_gate(model, d, p, &placements[d]);
            }
            plan.deployment_gates.push(start..plan.gates.len() as u32);
            plan.add_holds(model, d, (&holding, process_ids), &placements[d]);
            plan.add_sources(model, d);
        }
        plan.order_generation(model);
        plan
    }

    /// Fills `generation`, `shared`, `service_processes` and `ungated`.
    fn order_generation(&mut self, model: &Model) {
        const NONE: usize = usize::MAX;
        const MANY: usize = usize::MAX - 1;
        const TAKEN: usize = usize::MAX - 2;
        // the one service each process gates, NONE or MANY
        let mut owner = vec![NONE; model.processes.len()];
        for (d, gates) in self.deployment_gates.iter().enumerate() {
            let s = model.deployments[d].service;
            for gate in &self.gates[gates.start as usize..gates.end as usize] {
                let o = &mut owner[gate.process as usize];
                *o = if *o == NONE || *o == s { s } else { MANY };
            }
        }
        let span = |generation: &Vec<u32>, start: usize| start as u32..generation.len() as u32;
        // control-plane processes are read by every deployment they hold
        // and by routing: kept all trial
        for hold in &self.holds {
            owner[hold.process as usize] = MANY;
        }
        let start = self.generation.len();
        let shared = (0..owner.len()).filter(|&p| owner[p] == MANY);
        self.generation.extend(shared.map(|p| p as u32));
        self.shared = span(&self.generation, start);
        for &s in &model.topological_order {
            let start = self.generation.len();
            for d in model.services[s].deployments.clone() {
                let gates = &self.gates[self.deployment_gates[d].start as usize
                    ..self.deployment_gates[d].end as usize];
                for gate in gates {
                    let p = gate.process as usize;
                    if owner[p] == s {
                        owner[p] = TAKEN;
                        self.generation.push(gate.process);
                    }
                }
            }
            self.service_processes[s] = span(&self.generation, start);
        }
        let start = self.generation.len();
        let ungated = (0..owner.len()).filter(|&p| owner[p] == NONE);
        self.generation.extend(ungated.map(|p| p as u32));
        self.ungated = span(&self.generation, start);
    }

    /// The same plan with importance sampling of the rare correlated
    /// failures: every process on a domain, a service or a deployment that
    /// expects fewer than [`RARE`] outages per trial is drawn with its rate
    /// raised to about [`TILTED`] per trial (by a factor of at most
    /// [`MAX_TILT`]). Returns the plan and the number of processes tilted.
    pub fn with_importance(mut self) -> (Plan, usize) {
        let mut tilted = 0;
        let model = &self.layout.model;
        for (p, process) in model.processes.iter().enumerate() {
            let correlated = !matches!(process.target, Target::Replica(_))
                && model.failures[process.failure].is_plain();
            let expected = model.horizon / model.failures[process.failure].every;
            if correlated && expected < RARE {
                self.tilt[p] = (TILTED / expected).min(MAX_TILT);
                tilted += 1;
            }
        }
        self.tilted = tilted > 0;
        (self, tilted)
    }

    fn add_sources(&mut self, model: &Model, d: usize) {
        let start = self.sources.len() as u32;
        let recovery_start = self.recovery.len() as u32;
        for dep in &model.services[model.deployments[d].service].depends_on {
            let node = local_deployment(model, d, dep.service)
                .map_or(Node::Service(dep.service as u32), |x| {
                    Node::Deployment(x as u32)
                });
            match dep.kind {
                DependencyKind::Recovery { catch_up } => self.recovery.push((node, catch_up)),
                kind => self.sources.push(Source { node, kind }),
            }
        }
        self.deployment_sources
            .push(start..self.sources.len() as u32);
        self.deployment_recovery
            .push(recovery_start..self.recovery.len() as u32);
        let recovers = self.recovery.len() as u32 > recovery_start;
        let held = !self.deployment_holds[d].is_empty();
        self.exact
            .push(recovers || held || model.deployments[d].capacity.is_finite());
    }

    /// Adds deployment `d`'s control-plane holds: the processes of
    /// `holding[d]` (covering a replica of it), then those covering only
    /// another deployment of its service, each in the order of `ids`.
    fn add_holds(
        &mut self,
        model: &Model,
        d: usize,
        (holding, ids): (&[Vec<usize>], &[usize]),
        placements: &Placements,
    ) {
        let start = self.holds.len() as u32;
        let mut direct = holding[d].clone();
        direct.sort_by_key(|&p| ids[p]);
        for &p in &direct {
            let members = self.members_of(model, d, p, placements);
            self.holds.push(Hold {
                process: p as u32,
                members,
                direct: true,
            });
        }
        let mut others: Vec<usize> = model.services[model.deployments[d].service]
            .deployments
            .clone()
            .flat_map(|x| holding[x].iter().copied())
            .filter(|p| !direct.contains(p))
            .collect();
        others.sort_by_key(|&p| ids[p]);
        others.dedup();
        self.holds.extend(others.into_iter().map(|p| Hold {
            process: p as u32,
            members: Members::All,
            direct: false,
        }));
        self.deployment_holds.push(start..self.holds.len() as u32);
    }

    /// The replicas of deployment `d` that process `p` covers (`All` for a
    /// whole deployment or service, or every replica).
    fn members_of(
        &mut self,
        model: &Model,
        d: usize,
        p: usize,
        placements: &Placements,
    ) -> Members {
        let (locals, whole) = gated(model, d, model.processes[p].target, placements);
        if whole || locals.len() == model.deployments[d].replicas.len() {
            return Members::All;
        }
        let start = self.members.len() as u32;
        self.members.extend(locals);
        Members::Some(start..self.members.len() as u32)
    }

    fn add_gate(&mut self, model: &Model, d: usize, p: usize, placements: &Placements) {
        let deployment = &model.deployments[d];
        let (members, whole) = gated(model, d, model.processes[p].target, placements);
        let all = members.len() == deployment.replicas.len() || whole;
        if !all && members.is_empty() {
            return;
        }
        let bits = |locals: &[u32]| {
            locals
                .iter()
                .fold(0u64, |m, &i| m | 1u64.checked_shl(i).unwrap_or(0))
        };
        let everyone = (0..deployment.replicas.len().min(64) as u32).collect::<Vec<_>>();
        let mask = if all { bits(&everyone) } else { bits(&members) };
        self.masks.push(mask);
        self.weights.push(mask.count_ones());
        let breaks = if all {
            deployment.replicas.len()
        } else {
            members.len()
        };
        let failure = &model.failures[model.processes[p].failure];
        self.destroys.push(
            failure.destroys_data
                && model.services[deployment.service].data.is_some()
                && breaks > deployment.replicas.len() - deployment.need,
        );
        let members = if all {
            Members::All
        } else {
            let start = self.members.len() as u32;
            self.members.extend(members);
            Members::Some(start..self.members.len() as u32)
        };
        self.gates.push(Gate {
            process: p as u32,
            members,
        });
    }
}

/// The local replicas of deployment `d` that `target` takes down, sorted,
/// and whether it takes the whole deployment down.
fn gated(model: &Model, d: usize, target: Target, placements: &Placements) -> (Vec<u32>, bool) {
    let deployment = &model.deployments[d];
    match target {
        Target::Replica(r) if deployment.replicas.contains(&r) => {
            (vec![(r - deployment.replicas.start) as u32], false)
        }
        Target::Replica(_) => (Vec::new(), false),
        Target::Domain(x) => {
            let mut members: Vec<u32> = placements
                .iter()
                .filter(|(z, _)| model.domain_chain(*z).any(|a| a == x))
                .flat_map(|(_, locals)| locals.iter().copied())
                .collect();
            members.sort_unstable();
            (members, false)
        }
        Target::Deployment(x) => (Vec::new(), x == d),
        Target::Service(s) => (Vec::new(), s == deployment.service),
        Target::Group(g) => {
            let mut members = Vec::new();
            for &t in &model.groups[g].targets {
                let (some, whole) = gated(model, d, t, placements);
                if whole {
                    return (Vec::new(), true);
                }
                members.extend(some);
            }
            members.sort_unstable();
            members.dedup();
            (members, false)
        }
    }
}

/// The replicas of a deployment grouped by the domain they run in: (domain,
/// local replica indices), one entry per distinct domain.
type Placements = Vec<(DomainId, Vec<u32>)>;

fn placements(model: &Model, d: usize) -> Placements {
    let deployment = &model.deployments[d];
    let mut groups: BTreeMap<DomainId, Vec<u32>> = BTreeMap::new();
    for r in deployment.replicas.clone() {
        let local = (r - deployment.replicas.start) as u32;
        groups
            .entry(model.replicas[r].domain)
            .or_default()
            .push(local);
    }
    groups.into_iter().collect()
}

/// For each deployment, the processes of failures with `effect` whose target
/// may cover it, in process order. Linear in processes plus placements
/// (domains index their deployments).
fn processes_by_deployment(
    model: &Model,
    placements: &[Placements],
    effect: Effect,
) -> Vec<Vec<usize>> {
    let mut covering: Vec<Vec<usize>> = vec![Vec::new(); model.domains.len()];
    for (d, groups) in placements.iter().enumerate() {
        for (z, _) in groups {
            for a in model.domain_chain(*z) {
                if covering[a].last() != Some(&d) {
                    covering[a].push(d);
                }
            }
        }
    }
    let mut out = vec![Vec::new(); model.deployments.len()];
    for (p, process) in model.processes.iter().enumerate() {
        if model.failures[process.failure].effect != effect {
            continue;
        }
        cover(model, &covering, process.target, p, &mut out);
    }
    out
}

/// Adds process `p` to the deployments `target` may cover (once each).
fn cover(model: &Model, covering: &[Vec<usize>], target: Target, p: usize, out: &mut [Vec<usize>]) {
    let mut add = |d: usize| {
        if out[d].last() != Some(&p) {
            out[d].push(p);
        }
    };
    match target {
        Target::Replica(r) => add(model.replicas[r].deployment),
        Target::Deployment(d) => add(d),
        Target::Service(s) => model.services[s].deployments.clone().for_each(add),
        Target::Domain(x) => covering[x].iter().for_each(|&d| add(d)),
        Target::Group(g) => {
            for &t in &model.groups[g].targets {
                cover(model, covering, t, p, out);
            }
        }
    }
}

/// Dependency locality: a deployment in region R that depends on an
/// ActiveActive service with a deployment in R uses that deployment.
pub fn local_deployment(model: &Model, d: usize, target: usize) -> Option<usize> {
    let region = model.deployments[d].region?;
    let service = &model.services[target];
    if !matches!(service.routing, Routing::ActiveActive { .. }) {
        return None;
    }
    service
        .deployments
        .clone()
        .find(|&x| model.deployments[x].region == Some(region))
}
