//! Failures: unique names and the targets they resolve to.

use super::super::diagnostic::name_hint;
use super::super::locate::Anchor;
use super::super::raw::{RawFailure, RawTarget};
use super::{Ids, Validator, MAX_PROCESSES};
use crate::model::{stream_key, Cause, DomainId, Failure, Level, Model, Process, Target};
use crate::uncertainty::Target as InputTarget;

const PROCESSES_HINT: &str = "an `Each...` target is one process per domain, service, \
    deployment or replica: narrow it with `under` or `of`";

/// Why a failure target does not resolve.
struct TargetError {
    message: String,
    hint: Hint,
    /// The name written in `on` that is wrong, to point at.
    name: Option<String>,
    /// The target is well formed but matches no domain: a warning, not an error.
    matches_nothing: bool,
}

/// The hint of a [`TargetError`], computed only when it is reported.
enum Hint {
    ClosestDomain,
    ClosestService,
    Text(String),
}

impl TargetError {
    fn hint(self, model: &Model) -> Option<String> {
        let name = self.name.unwrap_or_default();
        match self.hint {
            Hint::ClosestDomain => {
                let paths: Vec<&str> = model.domains.iter().map(|d| d.path.as_str()).collect();
                name_hint(&name, &paths, "domains")
            }
            Hint::ClosestService => {
                let names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
                name_hint(&name, &names, "services")
            }
            Hint::Text(text) => Some(text),
        }
    }
}

impl Validator<'_> {
    /// Validates the failure `index` (0-based) and adds its processes.
    pub(super) fn failure(&mut self, model: &mut Model, index: usize, raw: &RawFailure) {
        let mut at = vec![
            Anchor::Field("failures"),
            Anchor::Field("name").nth(index),
            Anchor::Str(raw.name.clone()),
        ];
        if !self.name("failure name", &raw.name, &at) {
            return;
        }
        if !self.failure_names.insert(raw.name.clone()) {
            self.report(
                &at,
                format!("failure `{}` is defined twice", raw.name),
                || Some("failure names key the results: give each a unique name".into()),
            );
            return;
        }
        let failure = model.failures.len();
        model.failures.push(Failure {
            name: raw.name.clone(),
            cause: raw.cause.unwrap_or(Cause::Other),
            every: raw.every.nominal_hours(),
            lasts: raw.lasts.0.clone(),
            destroys_data: raw.destroys_data.unwrap_or(false),
        });
        if let Some(law) = raw.every.law() {
            let mut every = at.clone();
            every.push(Anchor::Field("every"));
            let input = (law, InputTarget::FailureEvery(failure));
            self.input(model, &every, false, format!("{} every", raw.name), input);
        }
        self.lasts_inputs(model, &at, (failure, &raw.name), &raw.lasts);
        if self.too_many_processes {
            return;
        }
        at.push(Anchor::Field("on"));
        let targets = match resolve_targets(model, &self.ids, &raw.on) {
            Ok(t) => t,
            Err(e) if e.matches_nothing => {
                at.extend(e.name.as_ref().map(|n| Anchor::Text(format!("\"{n}\""))));
                let message = format!(
                    "failure `{}` matches nothing: {}; it never fails",
                    raw.name, e.message
                );
                self.warn(&at, message, e.hint(model));
                return;
            }
            Err(e) => {
                at.extend(e.name.as_ref().map(|n| Anchor::Text(format!("\"{n}\""))));
                let message = format!("failure `{}`: {}", raw.name, e.message);
                self.report(&at, message, || e.hint(model));
                return;
            }
        };
        if model.processes.len() + targets.len() > MAX_PROCESSES {
            self.too_many_processes = true;
            let message = format!(
                "failure `{}` brings the scenario past {MAX_PROCESSES} failure processes",
                raw.name
            );
            self.report(&at, message, || Some(PROCESSES_HINT.into()));
            return;
        }
        add_processes(model, failure, targets);
    }
}

/// Adds one failure process per target, keyed by a stable label.
fn add_processes(model: &mut Model, failure: usize, targets: Vec<Target>) {
    for target in targets {
        let name = model.failures[failure].name.as_str();
        let parts = target_parts(model, target);
        let mut key_parts: Vec<&[u8]> = vec![name.as_bytes()];
        key_parts.extend(parts.iter().map(|p| p.as_bytes()));
        let stream_key = stream_key(&key_parts);
        let label = format!("{name}/{}", parts[1..].join("/"));
        model.processes.push(Process {
            failure,
            target,
            stream_key,
            label,
        });
    }
}

/// The stable parts that name a target, its kind first: the same target in
/// two designs gets the same random stream, and no two targets share one
/// (names may contain `/`, so the parts are hashed apart, never joined).
fn target_parts(model: &Model, target: Target) -> Vec<String> {
    match target {
        Target::Domain(d) => vec!["domain".into(), model.domains[d].path.clone()],
        Target::Service(s) => vec!["service".into(), model.services[s].name.clone()],
        Target::Deployment(d) => {
            let service = &model.services[model.deployments[d].service];
            let index = d - service.deployments.start;
            vec!["deployment".into(), service.name.clone(), index.to_string()]
        }
        Target::Replica(r) => {
            let d = model.replicas[r].deployment;
            let deployment = &model.deployments[d];
            let service = &model.services[deployment.service];
            let (index, replica) = (d - service.deployments.start, r - deployment.replicas.start);
            vec![
                "replica".into(),
                service.name.clone(),
                index.to_string(),
                replica.to_string(),
            ]
        }
    }
}

fn domain(ids: &Ids, path: &str) -> Result<DomainId, TargetError> {
    ids.domains.get(path).copied().ok_or_else(|| TargetError {
        message: format!("unknown domain `{path}`"),
        hint: Hint::ClosestDomain,
        name: Some(path.to_string()),
        matches_nothing: false,
    })
}

fn service(ids: &Ids, name: &str) -> Result<usize, TargetError> {
    ids.services.get(name).copied().ok_or_else(|| TargetError {
        message: format!("unknown service `{name}`"),
        hint: Hint::ClosestService,
        name: Some(name.to_string()),
        matches_nothing: false,
    })
}

/// Every domain of `level`, under `under` when given. Walks down from the
/// root only as far as `level`.
fn level_under(
    model: &Model,
    ids: &Ids,
    level: Level,
    under: Option<&str>,
) -> Result<Vec<Target>, TargetError> {
    let mut stack = match under {
        Some(path) => vec![domain(ids, path)?],
        None => ids.roots.clone(),
    };
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        if model.domains[d].level == level {
            found.push(d);
        } else {
            stack.extend(&ids.children[d]);
        }
    }
    found.sort_unstable();
    if !found.is_empty() {
        return Ok(found.into_iter().map(Target::Domain).collect());
    }
    let level = format!("{level:?}").to_lowercase();
    Err(match under {
        Some(under) => TargetError {
            message: format!("no {level} is under `{under}`"),
            hint: Hint::Text(format!("`under` must name a domain above the {level}s")),
            name: Some(under.to_string()),
            matches_nothing: true,
        },
        None => TargetError {
            message: format!("`domains` has no {level}"),
            hint: Hint::Text("list leaf paths `provider/region/zone` in `domains`".into()),
            name: None,
            matches_nothing: true,
        },
    })
}

fn resolve_targets(model: &Model, ids: &Ids, raw: &RawTarget) -> Result<Vec<Target>, TargetError> {
    let level = |level, under: &Option<String>| level_under(model, ids, level, under.as_deref());
    Ok(match raw {
        RawTarget::Domain(path) => vec![Target::Domain(domain(ids, path)?)],
        RawTarget::EachProvider {} => level(Level::Provider, &None)?,
        RawTarget::EachRegion { under } => level(Level::Region, under)?,
        RawTarget::EachZone { under } => level(Level::Zone, under)?,
        RawTarget::Service(name) => vec![Target::Service(service(ids, name)?)],
        RawTarget::EachService {} => (0..model.services.len()).map(Target::Service).collect(),
        RawTarget::EachDeployment { of } => {
            let range = match of {
                Some(name) => model.services[service(ids, name)?].deployments.clone(),
                None => 0..model.deployments.len(),
            };
            range.map(Target::Deployment).collect()
        }
        RawTarget::EachReplica { of } => {
            let range = match of {
                Some(name) => {
                    let s = &model.services[service(ids, name)?];
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
