//! Turns raw serde types into a validated [`Model`], collecting every problem.

use std::collections::{BTreeMap, BTreeSet};

use super::diagnostic::{closest, Diagnostic};
use super::locate::{Anchor, Locator};
use super::raw::{RawDependency, RawRouting, RawScenario, RawService, RawTarget};
use crate::model::{
    fnv1a, Cause, Dependency, DependencyKind, Deployment, Domain, DomainId, Failure, Level, Model,
    Process, Replica, Routing, Service, Target,
};

/// The most replicas one scenario may place (bounds memory per trial).
pub const MAX_REPLICAS: u64 = 1_000_000;
/// The most deployments one service may have.
pub const MAX_DEPLOYMENTS_PER_SERVICE: usize = 64;
/// The default number of trials.
pub const DEFAULT_TRIALS: u64 = 10_000;

/// Validation state: the locator and the problems found so far.
pub struct Validator<'a> {
    locator: &'a Locator,
    /// Problems found so far.
    pub problems: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    /// A validator over the given source.
    pub fn new(locator: &'a Locator) -> Validator<'a> {
        Validator {
            locator,
            problems: Vec::new(),
        }
    }

    fn error(&mut self, anchors: &[Anchor], message: String) -> &mut Diagnostic {
        let position = self.locator.locate(anchors);
        self.problems.push(Diagnostic::new(position, message));
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn error_hint(&mut self, anchors: &[Anchor], message: String, hint: Option<String>) {
        let d = self.error(anchors, message);
        d.hint = hint;
    }

    /// Validates a whole scenario. Returns `None` when any problem was found.
    pub fn scenario(&mut self, raw: RawScenario, default_name: &str) -> Option<Model> {
        let horizon = raw.horizon.map_or(8760.0, |h| h.0.hours());
        let trials = raw.trials.unwrap_or(DEFAULT_TRIALS);
        if trials == 0 {
            self.error_hint(
                &[Anchor::Field("trials")],
                "`trials` must be at least 1".into(),
                Some("write `trials: 10000`, or leave it out for the default".into()),
            );
        }
        let domains = self.domains(&raw.domains);
        let names: Vec<&str> = raw.services.0.iter().map(|(n, _)| n.as_str()).collect();
        self.duplicate_services(&names);
        let mut model = Model {
            name: raw.name.unwrap_or_else(|| default_name.to_string()),
            horizon,
            trials,
            seed: raw.seed.unwrap_or(0),
            domains,
            failures: Vec::new(),
            processes: Vec::new(),
            services: Vec::new(),
            deployments: Vec::new(),
            replicas: Vec::new(),
            topological_order: Vec::new(),
        };
        for (name, service) in &raw.services.0 {
            self.service(&mut model, name, service, &names);
        }
        model.topological_order = self.topological_order(&model);
        for failure in &raw.failures {
            self.failure(&mut model, failure);
        }
        model.processes.sort_by(|a, b| a.label.cmp(&b.label));
        self.problems.is_empty().then_some(model)
    }

    fn domains(&mut self, paths: &[String]) -> Vec<Domain> {
        let mut domains: Vec<Domain> = Vec::new();
        let mut index: BTreeMap<String, DomainId> = BTreeMap::new();
        let mut leaves = BTreeSet::new();
        if paths.is_empty() {
            self.error_hint(
                &[Anchor::Field("domains")],
                "`domains` is empty".into(),
                Some("list leaf zones such as `\"aws/us-east-1/a\"`".into()),
            );
        }
        for path in paths {
            let anchor = [
                Anchor::Field("domains"),
                Anchor::Text(format!("\"{path}\"")),
            ];
            let segments: Vec<&str> = path.split('/').collect();
            let bad_segment = segments
                .iter()
                .any(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '#'));
            if bad_segment || segments.len() > 3 {
                self.error_hint(
                    &anchor,
                    format!("domain `{path}` is not a path `provider/region/zone`"),
                    Some("use one to three non-empty names separated by `/`".into()),
                );
                continue;
            }
            if !leaves.insert(path.clone()) {
                self.error(&anchor, format!("domain `{path}` is listed twice"));
                continue;
            }
            let mut parent = None;
            for depth in 1..=segments.len() {
                let prefix = segments[..depth].join("/");
                let id = *index.entry(prefix.clone()).or_insert_with(|| {
                    domains.push(Domain {
                        path: prefix,
                        level: [Level::Provider, Level::Region, Level::Zone][depth - 1],
                        parent,
                    });
                    domains.len() - 1
                });
                parent = Some(id);
            }
        }
        domains
    }

    fn duplicate_services(&mut self, names: &[&str]) {
        let mut seen = BTreeSet::new();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for &name in names {
            let n = count.entry(name).or_insert(0);
            if !seen.insert(name) {
                let position = self
                    .locator
                    .locate_nth(&Anchor::Entry(name.to_string()), *n)
                    .unwrap_or_default();
                self.problems.push(
                    Diagnostic::new(position, format!("service `{name}` is defined twice"))
                        .with_hint("merge the two definitions or rename one"),
                );
            }
            *n += 1;
        }
    }

    fn service(&mut self, model: &mut Model, name: &str, raw: &RawService, names: &[&str]) {
        let anchor = || Anchor::Entry(name.to_string());
        let first_deployment = model.deployments.len();
        if raw.deployments.is_empty() {
            self.error(
                &[anchor(), Anchor::Field("deployments")],
                format!("service `{name}` has no deployments"),
            );
        }
        if raw.deployments.len() > MAX_DEPLOYMENTS_PER_SERVICE {
            self.error(
                &[anchor(), Anchor::Field("deployments")],
                format!(
                    "service `{name}` has {} deployments; at most {MAX_DEPLOYMENTS_PER_SERVICE} are supported",
                    raw.deployments.len()
                ),
            );
        }
        let service_id = model.services.len();
        for deployment in &raw.deployments {
            self.deployment(model, name, service_id, deployment);
        }
        let routing = match &raw.routing {
            None => Routing::ActiveActive { shift: 0.0 },
            Some(RawRouting::ActiveActive { shift }) => Routing::ActiveActive {
                shift: shift.map_or(0.0, |s| s.0.hours()),
            },
            Some(RawRouting::ActivePassive { detect, switch }) => Routing::ActivePassive {
                detect: detect.0.clone(),
                switch: switch.0.clone(),
            },
            Some(RawRouting::Manual { respond }) => Routing::Manual {
                respond: respond.0.clone(),
            },
        };
        let depends_on = self.dependencies(name, raw, names);
        let cost_per_hour = raw.cost.as_ref().map_or(0.0, |c| c.per_hour);
        if !(cost_per_hour.is_finite() && cost_per_hour >= 0.0) {
            self.error(
                &[anchor(), Anchor::Field("per_hour")],
                format!("`per_hour` of `{name}` must be a finite number, not negative"),
            );
        }
        model.services.push(Service {
            name: name.to_string(),
            deployments: first_deployment..model.deployments.len(),
            routing,
            depends_on,
            cost_per_hour,
        });
    }

    fn dependencies(&mut self, name: &str, raw: &RawService, names: &[&str]) -> Vec<Dependency> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (target, kind) in &raw.depends_on.0 {
            let anchors = || {
                [
                    Anchor::Entry(name.to_string()),
                    Anchor::Field("depends_on"),
                    Anchor::Key(target.clone()),
                ]
            };
            if !seen.insert(target.as_str()) {
                self.error(
                    &anchors(),
                    format!("`{name}` lists the dependency `{target}` twice"),
                );
                continue;
            }
            let Some(service) = names.iter().position(|n| n == target) else {
                let hint =
                    closest(target, names.iter().copied()).map(|c| format!("did you mean `{c}`?"));
                self.error_hint(
                    &anchors(),
                    format!("unknown service `{target}` in `depends_on` of `{name}`"),
                    hint,
                );
                continue;
            };
            let kind = match *kind {
                RawDependency::Hard => DependencyKind::Hard,
                RawDependency::Soft { impact } => {
                    if !(impact > 0.0 && impact <= 1.0) {
                        self.error_hint(
                            &anchors(),
                            format!("`impact` of `{name}` on `{target}` is `{impact}`; it must be in (0, 1]"),
                            Some("impact is the share of `{name}` lost while `{target}` is fully down".replace("{name}", name).replace("{target}", target)),
                        );
                        continue;
                    }
                    DependencyKind::Soft { impact }
                }
            };
            out.push(Dependency { service, kind });
        }
        out
    }

    fn deployment(
        &mut self,
        model: &mut Model,
        name: &str,
        service: usize,
        raw: &super::raw::RawDeployment,
    ) {
        let anchors = || {
            [
                Anchor::Entry(name.to_string()),
                Anchor::Text(format!("\"{}\"", raw.domain)),
            ]
        };
        let Some(domain) = model.domain_by_path(&raw.domain) else {
            let hint = closest(&raw.domain, model.domains.iter().map(|d| d.path.as_str()))
                .map(|c| format!("did you mean `{c}`?"))
                .or_else(|| Some("add it to `domains`".into()));
            self.error_hint(
                &anchors(),
                format!(
                    "unknown domain `{}` in a deployment of `{name}`",
                    raw.domain
                ),
                hint,
            );
            return;
        };
        let replicas = raw.replicas.unwrap_or(1);
        let need = raw.need.unwrap_or(1);
        if replicas == 0 || model.replicas.len() as u64 + replicas > MAX_REPLICAS {
            self.error(
                &[
                    anchors()[0].clone(),
                    anchors()[1].clone(),
                    Anchor::Field("replicas"),
                ],
                format!("`replicas` of `{name}` must be between 1 and {MAX_REPLICAS} in all"),
            );
            return;
        }
        if need == 0 || need > replicas {
            self.error_hint(
                &[
                    anchors()[0].clone(),
                    anchors()[1].clone(),
                    Anchor::Field("need"),
                ],
                format!("`need` of `{name}` is {need} with {replicas} replicas"),
                Some(format!(
                    "`need` must be between 1 and `replicas` ({replicas})"
                )),
            );
            return;
        }
        let zones = match &raw.zones {
            None => vec![domain],
            Some(zones) if zones.is_empty() => {
                self.error(&anchors(), format!("`zones` of `{name}` is empty"));
                return;
            }
            Some(zones) => {
                let mut ids = Vec::new();
                for zone in zones {
                    let path = format!("{}/{zone}", raw.domain);
                    match model.domain_by_path(&path) {
                        Some(id) => ids.push(id),
                        None => {
                            let prefix = format!("{}/", raw.domain);
                            let hint = closest(
                                zone,
                                model
                                    .domains
                                    .iter()
                                    .filter_map(|d| d.path.strip_prefix(&prefix)),
                            )
                            .map(|c| format!("did you mean `{c}`?"))
                            .or_else(|| Some(format!("add `{path}` to `domains`")));
                            self.error_hint(
                                &[
                                    anchors()[0].clone(),
                                    anchors()[1].clone(),
                                    Anchor::Text(format!("\"{zone}\"")),
                                ],
                                format!("unknown zone `{zone}` under `{}` in `{name}`", raw.domain),
                                hint,
                            );
                        }
                    }
                }
                if ids.len() != zones.len() {
                    return;
                }
                ids
            }
        };
        let id = model.deployments.len();
        let first = model.replicas.len();
        for i in 0..replicas as usize {
            model.replicas.push(Replica {
                deployment: id,
                domain: zones[i % zones.len()],
            });
        }
        let region_of = |d: DomainId| {
            model
                .domain_chain(d)
                .find(|&a| model.domains[a].level == Level::Region)
        };
        let regions: BTreeSet<Option<DomainId>> = zones.iter().map(|&z| region_of(z)).collect();
        let region = if regions.len() == 1 {
            regions.into_iter().next().flatten()
        } else {
            None
        };
        model.deployments.push(Deployment {
            service,
            domain,
            region,
            replicas: first..model.replicas.len(),
            need: need as usize,
        });
    }

    fn topological_order(&mut self, model: &Model) -> Vec<usize> {
        let order = topological_order(model);
        if let Err(cycle) = &order {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&s| model.services[s].name.as_str())
                .collect();
            let first = names[0];
            let second = names.get(1).copied().unwrap_or(first);
            self.error_hint(
                &[
                    Anchor::Entry(first.to_string()),
                    Anchor::Field("depends_on"),
                    Anchor::Key(second.to_string()),
                ],
                format!("dependency cycle: `{}`", names.join(" -> ")),
                Some(
                    "remove one of these dependencies: no kind of dependency may form a cycle"
                        .into(),
                ),
            );
        }
        order.unwrap_or_default()
    }

    fn failure(&mut self, model: &mut Model, raw: &super::raw::RawFailure) {
        let anchors = || {
            [
                Anchor::Field("failures"),
                Anchor::Text(format!("\"{}\"", raw.name)),
            ]
        };
        if model.failures.iter().any(|f| f.name == raw.name) {
            let position = self
                .locator
                .locate_nth(&Anchor::Text(format!("\"{}\"", raw.name)), 1)
                .unwrap_or_default();
            self.problems.push(
                Diagnostic::new(position, format!("failure `{}` is defined twice", raw.name))
                    .with_hint("failure names key the results: give each a unique name"),
            );
            return;
        }
        let failure_id = model.failures.len();
        model.failures.push(Failure {
            name: raw.name.clone(),
            cause: raw.cause.unwrap_or(Cause::Other),
            every: raw.every.0.hours(),
            lasts: raw.lasts.0.clone(),
        });
        let targets = match resolve_targets(model, &raw.on) {
            Ok(t) => t,
            Err((message, hint)) => {
                let mut a = anchors().to_vec();
                a.push(Anchor::Field("on"));
                self.error_hint(&a, format!("failure `{}`: {message}", raw.name), hint);
                return;
            }
        };
        for target in targets {
            let label = format!("{}/{}", raw.name, target_label(model, target));
            model.processes.push(Process {
                failure: failure_id,
                target,
                stream_key: fnv1a(label.as_bytes()),
                label,
            });
        }
    }
}

/// The stable name of a target, used in stream keys: the same target in two
/// designs gets the same random stream.
fn target_label(model: &Model, target: Target) -> String {
    match target {
        Target::Domain(d) => model.domains[d].path.clone(),
        Target::Service(s) => model.services[s].name.clone(),
        Target::Deployment(d) => {
            let service = &model.services[model.deployments[d].service];
            format!("{}/{}", service.name, d - service.deployments.start)
        }
        Target::Replica(r) => {
            let d = model.replicas[r].deployment;
            let deployment = &model.deployments[d];
            let service = &model.services[deployment.service];
            format!(
                "{}/{}/{}",
                service.name,
                d - service.deployments.start,
                r - deployment.replicas.start
            )
        }
    }
}

type TargetError = (String, Option<String>);

fn resolve_targets(model: &Model, raw: &RawTarget) -> Result<Vec<Target>, TargetError> {
    let domain = |path: &str| {
        model.domain_by_path(path).ok_or_else(|| {
            let hint = closest(path, model.domains.iter().map(|d| d.path.as_str()))
                .map(|c| format!("did you mean `{c}`?"));
            (format!("unknown domain `{path}`"), hint)
        })
    };
    let service = |name: &str| {
        model.service_by_name(name).ok_or_else(|| {
            let hint = closest(name, model.services.iter().map(|s| s.name.as_str()))
                .map(|c| format!("did you mean `{c}`?"));
            (format!("unknown service `{name}`"), hint)
        })
    };
    let level_under = |level: Level, under: &Option<String>| -> Result<Vec<Target>, TargetError> {
        let root = under.as_deref().map(domain).transpose()?;
        let found: Vec<Target> = (0..model.domains.len())
            .filter(|&d| model.domains[d].level == level)
            .filter(|&d| root.is_none_or(|r| model.domain_chain(d).any(|a| a == r)))
            .map(Target::Domain)
            .collect();
        if found.is_empty() {
            return Err((
                format!("no {level:?} domain matches").to_lowercase(),
                Some("check `under`, or list such domains in `domains`".into()),
            ));
        }
        Ok(found)
    };
    Ok(match raw {
        RawTarget::Domain(path) => vec![Target::Domain(domain(path)?)],
        RawTarget::EachProvider {} => level_under(Level::Provider, &None)?,
        RawTarget::EachRegion { under } => level_under(Level::Region, under)?,
        RawTarget::EachZone { under } => level_under(Level::Zone, under)?,
        RawTarget::Service(name) => vec![Target::Service(service(name)?)],
        RawTarget::EachService {} => (0..model.services.len()).map(Target::Service).collect(),
        RawTarget::EachDeployment { of } => {
            let range = match of {
                Some(name) => model.services[service(name)?].deployments.clone(),
                None => 0..model.deployments.len(),
            };
            range.map(Target::Deployment).collect()
        }
        RawTarget::EachReplica { of } => {
            let range = match of {
                Some(name) => {
                    let s = &model.services[service(name)?];
                    let deployments = &model.deployments[s.deployments.clone()];
                    match (deployments.first(), deployments.last()) {
                        (Some(a), Some(b)) => a.replicas.start..b.replicas.end,
                        _ => 0..0,
                    }
                }
                None => 0..model.replicas.len(),
            };
            range.map(Target::Replica).collect()
        }
    })
}

/// Orders services so that dependencies come first, ties broken by name (so the
/// order does not depend on the file's order). Iterative: no recursion over
/// input-sized structures.
///
/// # Errors
/// A dependency cycle, as the list of services along it, first repeated last.
pub fn topological_order(model: &Model) -> Result<Vec<usize>, Vec<usize>> {
    let n = model.services.len();
    let mut remaining_deps: Vec<usize> =
        model.services.iter().map(|s| s.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in model.services.iter().enumerate() {
        for d in &s.depends_on {
            dependents[d.service].push(i);
        }
    }
    let mut ready: BTreeSet<(&str, usize)> = (0..n)
        .filter(|&i| remaining_deps[i] == 0)
        .map(|i| (model.services[i].name.as_str(), i))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first() {
        order.push(next.1);
        for &dependent in &dependents[next.1] {
            remaining_deps[dependent] -= 1;
            if remaining_deps[dependent] == 0 {
                ready.insert((model.services[dependent].name.as_str(), dependent));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    Err(find_cycle(model, &remaining_deps))
}

/// Walks dependency edges among the services left over by Kahn's algorithm
/// (each of which has a remaining dependency) until a service repeats.
fn find_cycle(model: &Model, remaining_deps: &[usize]) -> Vec<usize> {
    let stuck = |s: usize| remaining_deps[s] > 0;
    let start = (0..model.services.len())
        .filter(|&s| stuck(s))
        .min_by(|&a, &b| model.services[a].name.cmp(&model.services[b].name))
        .unwrap_or(0);
    let mut path = vec![start];
    let mut position = vec![usize::MAX; model.services.len()];
    position[start] = 0;
    let mut current = start;
    loop {
        let next = model.services[current]
            .depends_on
            .iter()
            .map(|d| d.service)
            .find(|&s| stuck(s))
            .unwrap_or(start);
        if position[next] != usize::MAX {
            let mut cycle = path[position[next]..].to_vec();
            cycle.push(next);
            return cycle;
        }
        position[next] = path.len();
        path.push(next);
        current = next;
    }
}
