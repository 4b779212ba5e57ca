//! Shared fate, for pictures: the third parties that several providers
//! depend on, the failures that take down targets across providers at once
//! (`All`, `Tagged`, and the failures of a shared third party), and the
//! recovery edges that people unblock by hand (`Recovery(manual: ...)`).
//!
//! A **shared third party** is a service whose replicas all sit in one
//! provider that no other service uses, and whose direct dependents have
//! replicas in two or more providers: the common point of failure in front
//! of a multi-cloud design.
//!
//! A **shared failure** is a failure defined with `All` or `Tagged`, or a
//! failure whose every target takes down only shared third parties. It is
//! linked to each service it takes down (or holds, for a control-plane
//! failure); its *reach* is the providers it is felt in: those of the
//! services it takes down, and for a third party those of its dependents.

use super::short_hours;
use crate::model::{DomainId, Effect, FailureId, Model, ReplicaId, ServiceId, Target};

/// A service in a provider of its own that services on several providers
/// depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct ThirdParty {
    /// The service.
    pub service: ServiceId,
    /// Its provider (a root domain).
    pub provider: DomainId,
    /// The providers of the services that depend on it directly, in model order.
    pub shared_by: Vec<DomainId>,
}

/// A failure that takes down targets across providers at once.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedFailure {
    /// The failure definition.
    pub failure: FailureId,
    /// The services it takes down (or holds), in file order.
    pub services: Vec<ServiceId>,
    /// The providers it is felt in, in model order.
    pub reach: Vec<DomainId>,
    /// Whether it takes down or holds (control plane).
    pub effect: Effect,
}

/// The shared third parties and shared failures of a model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    /// Shared third parties, in file order.
    pub third_parties: Vec<ThirdParty>,
    /// Shared failures, in file order.
    pub failures: Vec<SharedFailure>,
}

impl Shared {
    /// Finds the shared third parties and shared failures of `model`.
    pub fn new(model: &Model) -> Shared {
        let third_parties = third_parties(model);
        let failures = (0..model.failures.len())
            .filter_map(|f| shared_failure(model, &third_parties, f))
            .collect();
        Shared {
            third_parties,
            failures,
        }
    }

    /// The third-party entry of service `s`, if it is one.
    pub fn third_party(&self, s: ServiceId) -> Option<&ThirdParty> {
        self.third_parties.iter().find(|t| t.service == s)
    }

    /// Whether there is nothing shared to draw.
    pub fn is_empty(&self) -> bool {
        self.third_parties.is_empty() && self.failures.is_empty()
    }
}

/// The provider (root domain) of domain `d`.
pub fn provider(model: &Model, d: DomainId) -> DomainId {
    model.domain_chain(d).last().unwrap_or(d)
}

/// The providers holding a replica of service `s`, in model order.
fn service_providers(model: &Model, s: ServiceId) -> Vec<DomainId> {
    let mut out: Vec<DomainId> = (model.services[s].deployments.clone())
        .flat_map(|d| model.deployments[d].replicas.clone())
        .map(|r| provider(model, model.replicas[r].domain))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn third_parties(model: &Model) -> Vec<ThirdParty> {
    let providers: Vec<Vec<DomainId>> = (0..model.services.len())
        .map(|s| service_providers(model, s))
        .collect();
    let mut out = Vec::new();
    for (s, own) in providers.iter().enumerate() {
        let [provider] = own.as_slice() else {
            continue;
        };
        let alone = (providers.iter().enumerate()).all(|(o, p)| o == s || !p.contains(provider));
        let mut shared_by: Vec<DomainId> = (model.services.iter().enumerate())
            .filter(|(_, x)| x.depends_on.iter().any(|d| d.service == s))
            .flat_map(|(o, _)| providers[o].iter().copied())
            .collect();
        shared_by.sort_unstable();
        shared_by.dedup();
        if alone && shared_by.len() >= 2 {
            out.push(ThirdParty {
                service: s,
                provider: *provider,
                shared_by,
            });
        }
    }
    out
}

/// The providers of the replicas that group `g` (of an `All` or `Tagged`
/// failure) takes down at once, in model order.
pub fn group_providers(model: &Model, g: usize) -> Vec<DomainId> {
    let mut replicas = Vec::new();
    replicas_hit(model, Target::Group(g), &mut replicas);
    let mut out: Vec<DomainId> = (replicas.iter())
        .map(|&r| provider(model, model.replicas[r].domain))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The replicas one target takes down.
fn replicas_hit(model: &Model, target: Target, out: &mut Vec<ReplicaId>) {
    match target {
        Target::Domain(d) => out.extend(
            (0..model.replicas.len())
                .filter(|&r| model.domain_chain(model.replicas[r].domain).any(|x| x == d)),
        ),
        Target::Service(s) => out.extend(
            (model.services[s].deployments.clone())
                .flat_map(|d| model.deployments[d].replicas.clone()),
        ),
        Target::Deployment(d) => out.extend(model.deployments[d].replicas.clone()),
        Target::Replica(r) => out.push(r),
        Target::Group(g) => {
            for &t in &model.groups[g].targets {
                replicas_hit(model, t, out);
            }
        }
    }
}

/// The services with a replica among `replicas`, in file order.
fn services_of(model: &Model, replicas: &[ReplicaId]) -> Vec<ServiceId> {
    let mut out: Vec<ServiceId> = (replicas.iter())
        .map(|&r| model.deployments[model.replicas[r].deployment].service)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn shared_failure(model: &Model, third: &[ThirdParty], f: FailureId) -> Option<SharedFailure> {
    let effect = model.failures[f].effect;
    let mut replicas = Vec::new();
    let grouped: Vec<&crate::model::Group> =
        model.groups.iter().filter(|g| g.failure == f).collect();
    let third_party_failure = grouped.is_empty();
    if third_party_failure {
        let mut any = false;
        for p in model.processes.iter().filter(|p| p.failure == f) {
            let mut hit = Vec::new();
            replicas_hit(model, p.target, &mut hit);
            let services = services_of(model, &hit);
            if services.is_empty()
                || services
                    .iter()
                    .any(|&s| !third.iter().any(|t| t.service == s))
            {
                return None;
            }
            any = true;
            replicas.extend(hit);
        }
        if !any {
            return None;
        }
    } else {
        for g in grouped {
            for &t in &g.targets {
                replicas_hit(model, t, &mut replicas);
            }
        }
    }
    let services = services_of(model, &replicas);
    // a group's own replicas, or the dependents of the third parties it hits
    let mut reach: Vec<DomainId> = if third_party_failure {
        (third.iter().filter(|t| services.contains(&t.service)))
            .flat_map(|t| t.shared_by.iter().copied())
            .collect()
    } else {
        (replicas.iter())
            .map(|&r| provider(model, model.replicas[r].domain))
            .collect()
    };
    reach.sort_unstable();
    reach.dedup();
    Some(SharedFailure {
        failure: f,
        services,
        reach,
        effect,
    })
}

/// The providers' names, comma separated.
pub fn provider_names(model: &Model, providers: &[DomainId]) -> String {
    (providers.iter())
        .map(|&p| model.domains[p].path.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The label line of a third party: `third party, shared by aws, gcp`.
pub fn third_party_line(model: &Model, t: &ThirdParty) -> String {
    format!(
        "third party ({}), shared by {}",
        model.domains[t.provider].path,
        provider_names(model, &t.shared_by)
    )
}

/// The label lines of a shared failure node: its name, and what it spans.
pub fn failure_lines(model: &Model, f: &SharedFailure) -> Vec<String> {
    let mut lines = vec![model.failures[f.failure].name.clone()];
    let what = match f.effect {
        Effect::Down => "shared fate",
        Effect::ControlPlane => "control plane, shared",
    };
    lines.push(format!("{what} across {}", provider_names(model, &f.reach)));
    lines
}

/// The label of an edge from a shared failure to a service it hits.
pub fn failure_edge_label(f: &SharedFailure) -> &'static str {
    match f.effect {
        Effect::Down => "takes down",
        Effect::ControlPlane => "holds",
    }
}

/// For a recovery edge from `from` to `to` inside a cycle that people break
/// by hand: `manual 4.6h`, the mean time they take.
pub fn manual_note(model: &Model, from: ServiceId, to: ServiceId) -> Option<String> {
    let order = &model.topological_order;
    let cycle = (model.recovery_cycles.iter())
        .position(|c| order[c.clone()].contains(&from) && order[c.clone()].contains(&to))?;
    let manual = model.recovery_manual.get(cycle)?.as_ref()?;
    Some(format!("manual {}", short_hours(manual.mean())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        crate::test_scenarios::load(text)
    }

    const DOMAINS: &str = r#"domains: ["aws/r/a", "gcp/r/a", "cdn/global"]"#;

    #[test]
    fn a_provider_of_its_own_in_front_of_two_providers_is_a_shared_third_party() {
        let m = model(&format!(
            r#"Scenario({DOMAINS}, services: {{
                "web": (deployments: [(in: "aws/r"), (in: "gcp/r")], depends_on: {{"cdn": Hard}}),
                "cdn": (deployments: [(in: "cdn/global")]),
            }})"#
        ));
        let shared = Shared::new(&m);
        assert_eq!(shared.third_parties.len(), 1);
        assert_eq!(
            third_party_line(&m, &shared.third_parties[0]),
            "third party (cdn), shared by aws, gcp"
        );
    }

    #[test]
    fn no_third_party_when_its_dependents_use_one_provider_or_another_service_shares_its_provider()
    {
        let one_provider = model(&format!(
            r#"Scenario({DOMAINS}, services: {{
                "web": (deployments: [(in: "aws/r")], depends_on: {{"cdn": Hard}}),
                "cdn": (deployments: [(in: "cdn/global")]),
            }})"#
        ));
        assert!(Shared::new(&one_provider).is_empty());
        let shared_provider = model(&format!(
            r#"Scenario({DOMAINS}, services: {{
                "web": (deployments: [(in: "aws/r"), (in: "gcp/r")], depends_on: {{"cdn": Hard}}),
                "cdn": (deployments: [(in: "cdn/global")]),
                "logs": (deployments: [(in: "cdn/global")]),
            }})"#
        ));
        assert!(Shared::new(&shared_provider).is_empty());
    }

    #[test]
    fn an_all_failure_reaches_the_providers_of_what_it_takes_down() {
        let m = model(&format!(
            r#"Scenario({DOMAINS},
            failures: [
                (name: "metro", on: All([Domain("aws/r"), Domain("gcp/r")]), every: "10y", lasts: Exp(mean: "1h"), cause: Disaster),
                (name: "aws only", on: Domain("aws/r"), every: "1y", lasts: Exp(mean: "1h"), cause: Power),
            ],
            services: {{
                "web": (deployments: [(in: "aws/r"), (in: "gcp/r")]),
                "db": (deployments: [(in: "gcp/r")]),
            }})"#
        ));
        let shared = Shared::new(&m);
        assert_eq!(shared.failures.len(), 1, "{shared:?}");
        let f = &shared.failures[0];
        assert_eq!((f.failure, f.services.clone()), (0, vec![0, 1]));
        assert_eq!(failure_lines(&m, f)[1], "shared fate across aws, gcp");
    }
}
