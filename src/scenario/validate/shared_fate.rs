//! Failures that hit several targets at once (`All`, `Tagged`), their
//! repair by crews, and when occurrences start (`every`, `schedule`).

use super::super::every::RawEvery;
use super::super::locate::Anchor;
use super::super::raw::{RawFailure, RawSchedule, RawTarget};
use super::failure::{domain, resolve_targets, service, Hint, TargetError};
use super::{Ids, Validator};
use crate::model::{Arrival, Distribution, Model, Repair, ReplicaId, Target};

/// One process to add: its target, and under `repair` its place in the
/// repair order of `whole`, the target the failure names.
pub(super) struct Expanded {
    pub(super) target: Target,
    pub(super) repair: Option<Box<Repair>>,
    pub(super) whole: Target,
}

/// The single targets of an `All` or `Tagged` target (`None` for any other
/// target): deployments for a tag, in file order.
pub(super) fn group_members(
    model: &Model,
    ids: &Ids,
    raw: &RawTarget,
) -> Option<Result<Vec<Target>, TargetError>> {
    match raw {
        RawTarget::All(_) | RawTarget::Tagged(_) => {
            let mut members = Vec::new();
            Some(collect(model, ids, raw, &mut members).map(|()| members))
        }
        _ => None,
    }
}

/// Appends the single targets of `raw` to `members`.
fn collect(
    model: &Model,
    ids: &Ids,
    raw: &RawTarget,
    members: &mut Vec<Target>,
) -> Result<(), TargetError> {
    match raw {
        RawTarget::All(list) => collect_all(model, ids, list, members),
        RawTarget::Tagged(tag) => match ids.tags.get(tag) {
            Some(deployments) => {
                members.extend(deployments.iter().map(|&d| Target::Deployment(d)));
                Ok(())
            }
            None => Err(TargetError {
                message: format!("no deployment has the tag `{tag}`"),
                hint: Hint::ClosestTag(ids.tags.keys().cloned().collect()),
                name: Some(tag.clone()),
                matches_nothing: true,
                bare: false,
            }),
        },
        RawTarget::Domain(path) => {
            members.push(Target::Domain(domain(ids, path)?));
            Ok(())
        }
        RawTarget::Service(name) => {
            members.push(Target::Service(service(ids, name)?));
            Ok(())
        }
        each => not_single(model, ids, each),
    }
}

/// The members of an `All`: each single target of the list.
fn collect_all(
    model: &Model,
    ids: &Ids,
    list: &[RawTarget],
    members: &mut Vec<Target>,
) -> Result<(), TargetError> {
    for item in list {
        // inside `All`, a member matching nothing would silently
        // narrow the failure: an error
        collect(model, ids, item, members).map_err(|e| match e.matches_nothing {
            true => TargetError {
                matches_nothing: false,
                message: format!("{} (inside `All`)", e.message),
                ..e
            },
            false => e,
        })?;
    }
    if members.is_empty() {
        return Err(TargetError {
            message: "`All` lists no target".into(),
            hint: Hint::Text("list the targets hit together: `All([Domain(\"aws/us-east-1\"), Domain(\"gcp/us-east4\")])`".into()),
            name: None,
            matches_nothing: true,
            bare: false,
        });
    }
    Ok(())
}

/// The error for an `Each...` target inside `All` (after resolving it, so
/// that an unknown name inside it is reported as such).
fn not_single(model: &Model, ids: &Ids, each: &RawTarget) -> Result<(), TargetError> {
    Err(TargetError {
        message: format!(
            "`All` lists single targets; `{}` is not allowed inside it",
            variant(each)
        ),
        hint: Hint::Text(
            "list them one by one: `All([Domain(\"aws/us-east-1\"), Domain(\"gcp/us-east4\")])`, \
             or give the deployments a tag and use `Tagged(\"...\")`"
                .into(),
        ),
        name: Some(variant(each).to_string()),
        matches_nothing: false,
        bare: true,
    })
    .or_else(|e| {
        // resolve it anyway, so an unknown name inside is reported as such
        resolve_targets(model, ids, each).and(Err(e))
    })
}

/// The variant name of an `Each...` target, as written.
fn variant(raw: &RawTarget) -> &'static str {
    match raw {
        RawTarget::EachProvider {} => "EachProvider",
        RawTarget::EachRegion { .. } => "EachRegion",
        RawTarget::EachZone { .. } => "EachZone",
        RawTarget::EachService {} => "EachService",
        RawTarget::EachDeployment { .. } => "EachDeployment",
        RawTarget::EachReplica { .. } => "EachReplica",
        RawTarget::Domain(_) => "Domain",
        RawTarget::Service(_) => "Service",
        RawTarget::All(_) => "All",
        RawTarget::Tagged(_) => "Tagged",
    }
}

/// Every replica `target` takes down, in file order (services, then
/// deployments, then replicas: the model's replica order).
fn replicas_of(model: &Model, by_domain: &[Vec<ReplicaId>], target: Target) -> Vec<ReplicaId> {
    let mut out = match target {
        Target::Domain(x) => by_domain[x].clone(),
        Target::Service(s) => {
            let deployments = &model.deployments[model.services[s].deployments.clone()];
            deployments
                .iter()
                .flat_map(|d| d.replicas.clone())
                .collect()
        }
        Target::Deployment(d) => model.deployments[d].replicas.clone().collect(),
        Target::Replica(r) => vec![r],
        Target::Group(g) => (model.groups[g].targets.iter())
            .flat_map(|&t| replicas_of(model, by_domain, t))
            .collect(),
    };
    out.sort_unstable();
    out.dedup();
    out
}

impl Validator<'_> {
    /// The failure's mean up time (hours), when its occurrences start, and
    /// its crews; `None` after reporting what is wrong.
    pub(super) fn timing(
        &mut self,
        index: usize,
        raw: &RawFailure,
    ) -> Option<(f64, Arrival, Option<u32>)> {
        let at = |field: Option<&'static str>| {
            let mut at = vec![
                Anchor::Field("failures"),
                Anchor::Field("name").nth(index),
                Anchor::Str(raw.name.clone()),
            ];
            at.extend(field.map(Anchor::Field));
            at
        };
        let crews = match raw.repair {
            Some(repair) if repair.crews == 0 => {
                self.report(
                    &[at(Some("repair")), vec![Anchor::Field("crews")]].concat(),
                    format!("`crews` of failure `{}` is `0`; at least one crew repairs", raw.name),
                    || Some("`repair: (crews: N)` repairs the replicas an occurrence took down N at a time".into()),
                );
                return None;
            }
            Some(repair) => Some(u32::try_from(repair.crews).unwrap_or(u32::MAX)),
            None => None,
        };
        let (every, arrival) = self.arrival(raw, &at, crews)?;
        Some((every, arrival, crews))
    }

    /// The mean up time (hours) and when occurrences start: from `every`
    /// or from `schedule` (exactly one of them); `None` after reporting
    /// what is wrong. `at` gives the anchors of a field of the failure.
    fn arrival(
        &mut self,
        raw: &RawFailure,
        at: &impl Fn(Option<&'static str>) -> Vec<Anchor>,
        crews: Option<u32>,
    ) -> Option<(f64, Arrival)> {
        Some(match (&raw.every, &raw.schedule) {
            (Some(RawEvery::Mean(every)), None) => (every.0.hours(), Arrival::Exp),
            (Some(RawEvery::Uncertain(law)), None) => (law.quantile(0.5), Arrival::Exp),
            (Some(RawEvery::Drawn { distribution, kind }), None) => {
                self.drawn_every(&at(Some("every")), &raw.name, distribution, kind)?
            }
            (None, Some(schedule)) => {
                let chance_at = [at(Some("schedule")), vec![Anchor::Field("chance")]].concat();
                if crews.is_some() {
                    self.report(
                        &at(Some("repair")),
                        format!("failure `{}` has both `schedule` and `repair`, which faultline does not combine", raw.name),
                        || Some("give the scheduled failure no `repair`, or draw its up times with `every`".into()),
                    );
                    return None;
                }
                self.scheduled(&chance_at, &raw.name, schedule)?
            }
            (Some(_), Some(_)) => {
                self.report(
                    &at(Some("schedule")),
                    format!("failure `{}` has both `every` and `schedule`", raw.name),
                    || Some("a scheduled failure starts at `first`, `first + every`, ... of its `schedule`: remove the failure's own `every`".into()),
                );
                return None;
            }
            (None, None) => {
                self.report(
                    &at(None),
                    format!("failure `{}` has neither `every` nor `schedule`", raw.name),
                    || Some("give the mean up time between outages, `every: \"2y\"`, or a `schedule: (every: \"7d\", first: \"38h\")`".into()),
                );
                return None;
            }
        })
    }

    /// Up times from a distribution: its name as written must be the one
    /// its fields belong to (see [`RawEvery`]).
    fn drawn_every(
        &mut self,
        every_at: &[Anchor],
        name: &str,
        distribution: &Distribution,
        kind: &str,
    ) -> Option<(f64, Arrival)> {
        let written = self.locator.value_identifier(every_at);
        if written.is_some_and(|w| w != kind) {
            let written = written.unwrap_or_default().to_string();
            self.report(
                every_at,
                format!("`every` of failure `{name}` is written `{written}(...)` with the fields of `{kind}`"),
                || Some(format!("write `{kind}(...)`, or give `{written}` its own fields")),
            );
            return None;
        }
        Some(match *distribution {
            // the same process as the string form, drawn the same way
            Distribution::Exp { mean } => (mean, Arrival::Exp),
            ref d => (d.mean(), Arrival::Renewal(d.clone())),
        })
    }

    /// A schedule's starts, with its `chance` checked (at `chance_at`).
    fn scheduled(
        &mut self,
        chance_at: &[Anchor],
        name: &str,
        schedule: &RawSchedule,
    ) -> Option<(f64, Arrival)> {
        let chance = schedule.chance.unwrap_or(1.0);
        if !(chance > 0.0 && chance <= 1.0) {
            self.report(
                chance_at,
                format!("`chance` of failure `{name}` is `{chance}`; it must be in (0, 1]"),
                || Some("`chance` is the probability that each scheduled start happens".into()),
            );
            return None;
        }
        let every = schedule.every.0.hours();
        let first = schedule.first.map_or(0.0, |f| f.0.hours());
        Some((
            every,
            Arrival::Schedule {
                every,
                first,
                chance,
            },
        ))
    }

    /// The processes of `targets` for failure `failure`: one per target, or
    /// under `repair` one per replica each target takes down (a target
    /// taking none down keeps its one process: its occurrences still count).
    pub(super) fn repaired(
        &mut self,
        model: &Model,
        failure: usize,
        targets: Vec<Target>,
    ) -> Vec<Expanded> {
        let Some(crews) = model.failures[failure].crews else {
            return (targets.into_iter())
                .map(|target| Expanded {
                    target,
                    repair: None,
                    whole: target,
                })
                .collect();
        };
        let mut by_domain = vec![Vec::new(); model.domains.len()];
        for (r, replica) in model.replicas.iter().enumerate() {
            for x in model.domain_chain(replica.domain) {
                by_domain[x].push(r);
            }
        }
        let mut out = Vec::new();
        for whole in targets {
            let replicas = replicas_of(model, &by_domain, whole);
            if replicas.is_empty() {
                out.push(Expanded {
                    target: whole,
                    repair: None,
                    whole,
                });
                continue;
            }
            let group = self.repair_groups;
            self.repair_groups += 1;
            let size = replicas.len();
            out.extend(replicas.into_iter().enumerate().map(|(rank, r)| Expanded {
                target: Target::Replica(r),
                repair: Some(Box::new(Repair {
                    group,
                    rank,
                    size,
                    crews: crews as usize,
                    whole,
                })),
                whole,
            }));
        }
        out
    }
}
