//! Failures: unique names and the targets they resolve to.

use super::super::diagnostic::name_hint;
use super::super::locate::Anchor;
use super::super::raw::{RawEffect, RawFailure, RawTarget};
use super::shared_fate::Expanded;
use super::{Ids, Validator, MAX_PROCESSES};
use crate::model::{stream_key, Cause, DomainId, Effect, Failure, Level, Model, Process, Target};
use crate::scenario::every::RawEvery;
use crate::uncertainty::Target as InputTarget;

const PROCESSES_HINT: &str = "an `Each...` target is one process per domain, service, \
    deployment or replica: narrow it with `under` or `of`";

/// Why a failure target does not resolve.
pub(super) struct TargetError {
    pub(super) message: String,
    pub(super) hint: Hint,
    /// The name written in `on` that is wrong, to point at.
    pub(super) name: Option<String>,
    /// The target is well formed but matches no domain: a warning, not an error.
    pub(super) matches_nothing: bool,
    /// `name` is written bare (a variant), not as a string.
    pub(super) bare: bool,
}

impl TargetError {
    /// Where `name` is written, after the `on` field.
    fn anchor(&self) -> Option<Anchor> {
        let name = self.name.as_ref()?;
        Some(Anchor::Text(if self.bare {
            name.clone()
        } else {
            format!("\"{name}\"")
        }))
    }
}

/// The hint of a [`TargetError`], computed only when it is reported.
pub(super) enum Hint {
    ClosestDomain,
    ClosestService,
    /// The closest tag to the name among the tags of the deployments.
    ClosestTag(Vec<String>),
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
            Hint::ClosestTag(tags) => {
                let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
                name_hint(&name, &tags, "tags")
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
        if !self.new_failure_name(raw, &at) {
            return;
        }
        let Some((every, arrival, crews)) = self.timing(index, raw) else {
            return;
        };
        let effect = self.effect(raw, &at);
        let failure = model.failures.len();
        model.failures.push(Failure {
            name: raw.name.clone(),
            cause: raw.cause.unwrap_or(Cause::Other),
            every,
            lasts: raw.lasts.0.clone(),
            destroys_data: raw.destroys_data.unwrap_or(false),
            once: None,
            effect,
            arrival,
            crews,
        });
        if let Some(RawEvery::Uncertain(law)) = raw.every {
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
        let Some(targets) = self.failure_targets(model, failure, raw, &at) else {
            return;
        };
        let targets = self.repaired(model, failure, targets);
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

    /// Whether the failure's name is valid and not taken yet (reported when not).
    fn new_failure_name(&mut self, raw: &RawFailure, at: &[Anchor]) -> bool {
        if !self.name("failure name", &raw.name, at) {
            return false;
        }
        if !self.failure_names.insert(raw.name.clone()) {
            self.report(
                at,
                format!("failure `{}` is defined twice", raw.name),
                || Some("failure names key the results: give each a unique name".into()),
            );
            return false;
        }
        true
    }

    /// What an occurrence of the failure does (`Down` unless written);
    /// reports `destroys_data` on a control-plane failure.
    fn effect(&mut self, raw: &RawFailure, at: &[Anchor]) -> Effect {
        let effect = match raw.effect {
            None | Some(RawEffect::Down) => Effect::Down,
            Some(RawEffect::ControlPlane) => Effect::ControlPlane,
        };
        if effect == Effect::ControlPlane && raw.destroys_data == Some(true) {
            let mut at = at.to_vec();
            at.push(Anchor::Field("destroys_data"));
            self.report(
                &at,
                format!("failure `{}` has `effect: ControlPlane` and `destroys_data: true`: a control-plane failure takes nothing down, so it destroys nothing", raw.name),
                || Some("remove `destroys_data`, or describe the data loss as a failure with `effect: Down`".into()),
            );
        }
        effect
    }

    /// The targets of the failure's `on` (one group target for `All` and
    /// `Tagged`); `None` after reporting an error, or warning that it
    /// matches nothing. `at` points at the `on` field.
    fn failure_targets(
        &mut self,
        model: &mut Model,
        failure: usize,
        raw: &RawFailure,
        at: &[Anchor],
    ) -> Option<Vec<Target>> {
        let resolved = match super::shared_fate::group_members(model, &self.ids, &raw.on) {
            Some(members) => members.map(|members| {
                model.groups.push(crate::model::Group {
                    failure,
                    targets: members,
                });
                vec![Target::Group(model.groups.len() - 1)]
            }),
            None => resolve_targets(model, &self.ids, &raw.on),
        };
        let mut at = at.to_vec();
        match resolved {
            Ok(t) => Some(t),
            Err(e) if e.matches_nothing => {
                at.extend(e.anchor());
                let message = format!(
                    "failure `{}` matches nothing: {}; it never fails",
                    raw.name, e.message
                );
                self.warn(&at, message, e.hint(model));
                None
            }
            Err(e) => {
                at.extend(e.anchor());
                let message = format!("failure `{}`: {}", raw.name, e.message);
                self.report(&at, message, || e.hint(model));
                None
            }
        }
    }
}

/// Adds one failure process per target, keyed by a stable label. A target
/// under `repair` is one process per replica it takes down, each on the
/// target's stream (they draw the same occurrences).
fn add_processes(model: &mut Model, failure: usize, targets: Vec<Expanded>) {
    let mut previous: Option<(usize, u64, String)> = None;
    for Expanded {
        target,
        repair,
        whole,
    } in targets
    {
        let name = model.failures[failure].name.as_str();
        let (stream_key, label) = match (repair.as_deref(), &previous) {
            // the target of a group already keyed: its key, its label ranked
            (Some(r), Some((group, key, label))) if r.group == *group => {
                (*key, format!("{label}#{}", r.rank))
            }
            _ => {
                let parts = target_parts(model, whole);
                let mut key_parts: Vec<&[u8]> = vec![name.as_bytes()];
                key_parts.extend(parts.iter().map(|p| p.as_bytes()));
                let key = stream_key(&key_parts);
                let label = format!("{name}/{}", parts[1..].join("/"));
                if let Some(r) = repair.as_deref() {
                    previous = Some((r.group, key, label.clone()));
                    (key, format!("{label}#{}", r.rank))
                } else {
                    (key, label)
                }
            }
        };
        model.processes.push(Process {
            failure,
            target,
            stream_key,
            label,
            repair,
        });
    }
}

/// The stable parts that name a target, its kind first: the same target in
/// two designs gets the same random stream, and no two targets share one
/// (names may contain `/`, so the parts are hashed apart, never joined).
fn target_parts(model: &Model, target: Target) -> Vec<String> {
    match target {
        Target::Group(g) => {
            // the members in a canonical order: the same set of targets has
            // the same stream however the file orders them
            let mut members: Vec<Vec<String>> = (model.groups[g].targets.iter())
                .map(|&member| target_parts(model, member))
                .collect();
            members.sort();
            members.dedup();
            let mut parts = vec!["group".to_string()];
            parts.extend(members.into_iter().flatten());
            parts
        }
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

pub(super) fn domain(ids: &Ids, path: &str) -> Result<DomainId, TargetError> {
    ids.domains.get(path).copied().ok_or_else(|| TargetError {
        message: format!("unknown domain `{path}`"),
        hint: Hint::ClosestDomain,
        name: Some(path.to_string()),
        matches_nothing: false,
        bare: false,
    })
}

pub(super) fn service(ids: &Ids, name: &str) -> Result<usize, TargetError> {
    ids.services.get(name).copied().ok_or_else(|| TargetError {
        message: format!("unknown service `{name}`"),
        hint: Hint::ClosestService,
        name: Some(name.to_string()),
        matches_nothing: false,
        bare: false,
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
            bare: false,
        },
        None => TargetError {
            message: format!("`domains` has no {level}"),
            hint: Hint::Text("list leaf paths `provider/region/zone` in `domains`".into()),
            name: None,
            matches_nothing: true,
            bare: false,
        },
    })
}

pub(super) fn resolve_targets(
    model: &Model,
    ids: &Ids,
    raw: &RawTarget,
) -> Result<Vec<Target>, TargetError> {
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
        // handled by `shared_fate::group_members`
        RawTarget::All(_) | RawTarget::Tagged(_) => Vec::new(),
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
