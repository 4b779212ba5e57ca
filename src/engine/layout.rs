//! The engine's own numbering of a model: services in the order a trial
//! evaluates them (topological), their deployments and replicas after them,
//! and the failure processes grouped by the service they take down.
//!
//! A trial walks every service, its deployments and their processes once,
//! in evaluation order. With the model's numbering (services by name,
//! processes by label), that walk jumps around arrays of the model's size,
//! which past a few thousand services no longer fit in the caches; in the
//! engine's numbering it reads them front to back. Nothing else changes:
//! streams are keyed by names and labels, not by ids, every sum whose
//! order shows in a result is taken in the model's order, and the engine
//! hands its outcomes back in the model's numbering.

use std::ops::Range;

use crate::model::{Dependency, Deployment, Group, Model, Process, Replica, Service, Target};

/// A model renumbered for the engine, with the way back (`Default`: of the
/// empty model).
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The model in the engine's numbering (without objectives, which the
    /// engine does not read).
    pub model: Model,
    /// Per engine service: its id in the model.
    pub service: Vec<usize>,
    /// Per engine deployment: its id in the model.
    pub deployment: Vec<usize>,
    /// Per engine process: its id in the model.
    pub process: Vec<usize>,
    /// Per model process: its engine id.
    pub engine_process: Vec<usize>,
    /// Per model process: its failure (a trial adds the processes up per
    /// failure in the model's order, reading this front to back).
    pub process_failure: Vec<usize>,
}

impl Layout {
    /// Renumbers `model`: engine service `k` is `model.topological_order[k]`.
    pub fn new(model: &Model) -> Layout {
        let service = model.topological_order.clone();
        let engine_service = inverse(&service);
        let deployment: Vec<usize> = service
            .iter()
            .flat_map(|&s| model.services[s].deployments.clone())
            .collect();
        let engine_deployment = inverse(&deployment);
        let replica: Vec<usize> = deployment
            .iter()
            .flat_map(|&d| model.deployments[d].replicas.clone())
            .collect();
        let engine_replica = inverse(&replica);
        let process = process_order(model, &engine_service);
        let engine_process = inverse(&process);
        let ids = Ids {
            service: &engine_service,
            deployment: &engine_deployment,
            replica: &engine_replica,
        };
        let engine = Model {
            name: model.name.clone(),
            horizon: model.horizon,
            trials: model.trials,
            seed: model.seed,
            domains: model.domains.clone(),
            failures: model.failures.clone(),
            services: ids.services(model, &service),
            deployments: ids.deployments_of(model, &deployment),
            replicas: ids.replicas_of(model, &replica),
            processes: ids.processes(model, &process),
            groups: ids.groups(model),
            topological_order: (0..service.len()).collect(),
            recovery_cycles: model.recovery_cycles.clone(),
            recovery_manual: model.recovery_manual.clone(),
            source_hash: model.source_hash,
            objectives: Vec::new(),
            // drawn before the run: the engine never reads them
            uncertain: Vec::new(),
        };
        Layout {
            model: engine,
            service,
            deployment,
            process,
            engine_process,
            process_failure: model.processes.iter().map(|p| p.failure).collect(),
        }
    }

    /// The model as it is numbered (for tests: a plan in the model's own
    /// numbering must give the same outcomes as one in the engine's).
    #[cfg(test)]
    pub fn identity(model: &Model) -> Layout {
        let ids = |n: usize| (0..n).collect::<Vec<usize>>();
        Layout {
            model: Model {
                objectives: Vec::new(),
                ..model.clone()
            },
            service: ids(model.services.len()),
            deployment: ids(model.deployments.len()),
            process: ids(model.processes.len()),
            engine_process: ids(model.processes.len()),
            process_failure: model.processes.iter().map(|p| p.failure).collect(),
        }
    }
}

/// The engine ids of the model's services, deployments and replicas.
struct Ids<'a> {
    service: &'a [usize],
    deployment: &'a [usize],
    replica: &'a [usize],
}

impl Ids<'_> {
    /// A contiguous range of model deployments as engine ids (still contiguous:
    /// a service's deployments are numbered together).
    fn deployments(&self, range: &Range<usize>) -> Range<usize> {
        contiguous(self.deployment, range)
    }

    /// A contiguous range of model replicas as engine ids.
    fn replicas(&self, range: &Range<usize>) -> Range<usize> {
        contiguous(self.replica, range)
    }

    /// A failure target in engine ids.
    fn target(&self, target: Target) -> Target {
        match target {
            Target::Domain(x) => Target::Domain(x),
            Target::Service(s) => Target::Service(self.service[s]),
            Target::Deployment(d) => Target::Deployment(self.deployment[d]),
            Target::Replica(r) => Target::Replica(self.replica[r]),
            Target::Group(g) => Target::Group(g),
        }
    }
}

impl Ids<'_> {
    /// The model's services `order` (model ids, in engine order), renumbered.
    fn services(&self, model: &Model, order: &[usize]) -> Vec<Service> {
        (order.iter())
            .map(|&s| {
                let mut x = model.services[s].clone();
                x.deployments = self.deployments(&x.deployments);
                for dependency in &mut x.depends_on {
                    *dependency = Dependency {
                        service: self.service[dependency.service],
                        kind: dependency.kind,
                    };
                }
                x
            })
            .collect()
    }

    /// The model's deployments `order` (model ids, in engine order), renumbered.
    fn deployments_of(&self, model: &Model, order: &[usize]) -> Vec<Deployment> {
        (order.iter())
            .map(|&d| {
                let mut x = model.deployments[d].clone();
                x.service = self.service[x.service];
                x.replicas = self.replicas(&x.replicas);
                x
            })
            .collect()
    }

    /// The model's replicas `order` (model ids, in engine order), renumbered.
    fn replicas_of(&self, model: &Model, order: &[usize]) -> Vec<Replica> {
        (order.iter())
            .map(|&r| {
                let mut x = model.replicas[r].clone();
                x.deployment = self.deployment[x.deployment];
                x
            })
            .collect()
    }

    /// The model's processes `order` (model ids, in engine order), renumbered.
    fn processes(&self, model: &Model, order: &[usize]) -> Vec<Process> {
        (order.iter())
            .map(|&p| {
                let mut x = model.processes[p].clone();
                x.target = self.target(x.target);
                if let Some(repair) = &mut x.repair {
                    repair.whole = self.target(repair.whole);
                }
                x
            })
            .collect()
    }

    /// The model's groups, their targets renumbered.
    fn groups(&self, model: &Model) -> Vec<Group> {
        (model.groups.iter())
            .map(|g| Group {
                failure: g.failure,
                targets: g.targets.iter().map(|&t| self.target(t)).collect(),
            })
            .collect()
    }
}

/// The failure processes in engine order: grouped by the service they take
/// down (in engine order), the shared ones (domains, groups) first, each
/// group in model order.
fn process_order(model: &Model, engine_service: &[usize]) -> Vec<usize> {
    let owner = |p: usize| match model.processes[p].target {
        Target::Domain(_) => 0,
        Target::Service(s) => 1 + engine_service[s],
        Target::Deployment(d) => 1 + engine_service[model.deployments[d].service],
        Target::Replica(r) => {
            let d = model.replicas[r].deployment;
            1 + engine_service[model.deployments[d].service]
        }
        Target::Group(_) => 0,
    };
    let mut process: Vec<usize> = (0..model.processes.len()).collect();
    process.sort_by_key(|&p| (owner(p), p));
    process
}

/// `range` of model ids as engine ids, given that they stay contiguous and
/// in order.
fn contiguous(engine: &[usize], range: &Range<usize>) -> Range<usize> {
    match range.clone().next() {
        Some(first) => engine[first]..engine[first] + range.len(),
        None => 0..0,
    }
}

/// The inverse of a permutation.
fn inverse(permutation: &[usize]) -> Vec<usize> {
    let mut inverse = vec![0; permutation.len()];
    for (i, &x) in permutation.iter().enumerate() {
        inverse[x] = i;
    }
    inverse
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TEXT: &str = r#"Scenario(name: "t", horizon: "1y", trials: 10, seed: 3,
        domains: ["aws/r/a", "aws/r/b"],
        failures: [(name: "zone", on: EachZone(), every: "30d", lasts: Exp(mean: "5h"), cause: Power),
                   (name: "host", on: EachReplica(), every: "20d", lasts: Exp(mean: "2h"), cause: Hardware),
                   (name: "bad deploy", on: Service("api"), every: "90d", lasts: Exp(mean: "1h"), cause: Software)],
        services: {
            "api": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: 2, need: 1)],
                    depends_on: { "db": Hard }),
            "db": (deployments: [(in: "aws/r", zones: ["a"], replicas: 1, need: 1),
                                 (in: "aws/r", zones: ["b"], replicas: 1, need: 1)],
                   routing: ActiveActive(shift: "5m")),
        })"#;

    #[test]
    fn the_engine_numbering_follows_the_evaluation_and_maps_back() {
        let model = crate::scenario::load("t.ron", TEXT.as_bytes()).unwrap();
        let layout = Layout::new(&model);
        let engine = &layout.model;
        // db is evaluated first: it is engine service 0, its deployments 0 and 1
        assert_eq!(layout.service, model.topological_order);
        assert_eq!(engine.services[0].name, "db");
        assert_eq!(engine.services[0].deployments, 0..2);
        assert_eq!(engine.services[1].depends_on[0].service, 0);
        for (e, &m) in layout.deployment.iter().enumerate() {
            let (x, y) = (&engine.deployments[e], &model.deployments[m]);
            assert_eq!(layout.service[x.service], y.service);
            assert_eq!(x.replicas.len(), y.replicas.len());
            assert_eq!(x.need, y.need);
            for r in x.replicas.clone() {
                assert_eq!(layout.deployment[engine.replicas[r].deployment], m);
            }
        }
        for (e, &m) in layout.process.iter().enumerate() {
            let (x, y) = (&engine.processes[e], &model.processes[m]);
            assert_eq!(
                (x.label.as_str(), x.stream_key),
                (y.label.as_str(), y.stream_key)
            );
            assert_eq!(layout.engine_process[m], e);
        }
        // zones first, then the processes of db, then those of api
        let labels: Vec<&str> = engine.processes.iter().map(|p| p.label.as_str()).collect();
        let owners: Vec<usize> = (0..labels.len())
            .map(|e| match engine.processes[e].target {
                Target::Domain(_) | Target::Group(_) => 0,
                Target::Service(s) => 1 + s,
                Target::Deployment(d) => 1 + engine.deployments[d].service,
                Target::Replica(r) => 1 + engine.deployments[engine.replicas[r].deployment].service,
            })
            .collect();
        assert!(owners.windows(2).all(|w| w[0] <= w[1]), "{labels:?}");
    }
}
