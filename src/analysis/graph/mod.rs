//! The service dependency graph of a model, for pictures: where each service
//! lives (its home domain), what its node says, a layered left-to-right
//! layout, and two text formats, Graphviz DOT ([`dot`]) and Mermaid
//! ([`mermaid`]).
//!
//! A service is one node, drawn inside the cluster of its home domain: the
//! deepest domain that holds every one of its replicas (a zone for a
//! single-zone service, a region for a multi-zone one, the provider for a
//! multi-region one, no cluster for a multi-provider one). Its label lists
//! its deployments. Edges go from a service to what it depends on: hard
//! solid, soft dashed with the impact, recovery dotted with the catch-up
//! (and `manual` with the mean time people take to break a deadlock of a
//! recovery cycle). Shared third parties and shared-fate failures are drawn
//! distinctly ([`shared`]).

mod dot;
mod mermaid;
pub mod shared;

pub use dot::dot;
pub use mermaid::mermaid;
pub use shared::Shared;

use crate::model::{DependencyKind, DomainId, Model, Routing, ServiceId};

/// The deepest domain holding every replica of service `s` (`None` when its
/// replicas span providers).
pub fn home(model: &Model, s: ServiceId) -> Option<DomainId> {
    let mut common: Option<Vec<DomainId>> = None;
    for d in model.services[s].deployments.clone() {
        for r in model.deployments[d].replicas.clone() {
            let mut chain: Vec<DomainId> = model.domain_chain(model.replicas[r].domain).collect();
            chain.reverse();
            common = Some(match common {
                None => chain,
                Some(prefix) => prefix
                    .iter()
                    .zip(&chain)
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| *a)
                    .collect(),
            });
        }
    }
    common.and_then(|c| c.last().copied())
}

/// The routing policy in two words.
pub fn routing_name(routing: &Routing) -> &'static str {
    match routing {
        Routing::ActiveActive { .. } => "active-active",
        Routing::ActivePassive { .. } => "active-passive",
        Routing::Manual { .. } => "manual failover",
    }
}

/// The lines of a service's node label: its name, its routing (when it has
/// several deployments) and one line per deployment, e.g.
/// `aws/us-east-1: 3 of 6 in a, b, c`.
pub fn label_lines(model: &Model, s: ServiceId) -> Vec<String> {
    let service = &model.services[s];
    let mut lines = vec![service.name.clone()];
    if service.deployments.len() > 1 {
        lines.push(routing_name(&service.routing).to_string());
    }
    for d in service.deployments.clone() {
        lines.push(deployment_line(model, d));
    }
    lines
}

fn deployment_line(model: &Model, d: usize) -> String {
    let deployment = &model.deployments[d];
    let within = &model.domains[deployment.domain].path;
    let mut zones: Vec<&str> = Vec::new();
    for r in deployment.replicas.clone() {
        let path = model.domains[model.replicas[r].domain].path.as_str();
        let relative = path
            .strip_prefix(within.as_str())
            .and_then(|rest| rest.strip_prefix('/'));
        if let Some(zone) = relative {
            if !zones.contains(&zone) {
                zones.push(zone);
            }
        }
    }
    let n = deployment.replicas.len();
    let mut line = format!("{within}: {} of {n}", deployment.need);
    if !zones.is_empty() {
        line.push_str(&format!(" in {}", zones.join(", ")));
    }
    if deployment.capacity.is_finite() {
        line.push_str(&format!(", capacity {}", deployment.capacity));
    }
    line
}

/// An edge's label: `soft 0.05`, `recovery 30m`, or none for a hard edge.
pub fn edge_label(kind: DependencyKind) -> Option<String> {
    match kind {
        DependencyKind::Hard => None,
        DependencyKind::Soft { impact } => Some(format!("soft {impact}")),
        DependencyKind::Recovery { catch_up } => Some(format!(
            "recovery{}",
            if catch_up > 0.0 {
                format!(" {}", short_hours(catch_up))
            } else {
                String::new()
            }
        )),
    }
}

/// The label of the dependency edge from `from` to `to`: [`edge_label`],
/// with `, manual 4.6h` on a recovery edge of a cycle that people break by
/// hand (`Recovery(manual: ...)`).
pub fn dependency_label(
    model: &Model,
    from: ServiceId,
    to: ServiceId,
    kind: DependencyKind,
) -> Option<String> {
    let label = edge_label(kind);
    if !matches!(kind, DependencyKind::Recovery { .. }) {
        return label;
    }
    match (label, shared::manual_note(model, from, to)) {
        (Some(l), Some(m)) => Some(format!("{l}, {m}")),
        (l, _) => l,
    }
}

/// Hours as the shortest of `45m`, `2h`, `1.5d`.
fn short_hours(h: f64) -> String {
    if h < 1.0 {
        format!("{}m", round3(h * 60.0))
    } else if h < 48.0 {
        format!("{}h", round3(h))
    } else {
        format!("{}d", round3(h / 24.0))
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Every dependency edge: (dependent, dependency, kind), services in file
/// order, each one's dependencies in file order.
pub fn edges(model: &Model) -> Vec<(ServiceId, ServiceId, DependencyKind)> {
    (model.services.iter().enumerate())
        .flat_map(|(s, service)| {
            service
                .depends_on
                .iter()
                .map(move |d| (s, d.service, d.kind))
        })
        .collect()
}

/// The domains that enclose some service's home, with the services homed in
/// each: `children[d]` (sub-domains to draw) and `homed[d]` (services), plus
/// the services with no home. Domains in model order, services in file order.
pub struct Clusters {
    /// Per domain: its sub-domains that hold a service.
    pub children: Vec<Vec<DomainId>>,
    /// Per domain: the services whose home it is.
    pub homed: Vec<Vec<ServiceId>>,
    /// Providers that hold a service.
    pub roots: Vec<DomainId>,
    /// Services spanning providers.
    pub unhomed: Vec<ServiceId>,
}

impl Clusters {
    /// Groups the services of `model` by home.
    pub fn new(model: &Model) -> Clusters {
        let n = model.domains.len();
        let mut clusters = Clusters {
            children: vec![Vec::new(); n],
            homed: vec![Vec::new(); n],
            roots: Vec::new(),
            unhomed: Vec::new(),
        };
        let mut used = vec![false; n];
        for s in 0..model.services.len() {
            match home(model, s) {
                Some(d) => {
                    clusters.homed[d].push(s);
                    model.domain_chain(d).for_each(|a| used[a] = true);
                }
                None => clusters.unhomed.push(s),
            }
        }
        for (d, domain) in model.domains.iter().enumerate() {
            if !used[d] {
                continue;
            }
            match domain.parent {
                Some(p) => clusters.children[p].push(d),
                None => clusters.roots.push(d),
            }
        }
        clusters
    }
}

/// Layer of each service for a left-to-right drawing: 0 for services nothing
/// depends on, otherwise one more than the deepest service depending on it
/// (hard and soft edges; a recovery edge never pulls a service right).
pub fn layers(model: &Model) -> Vec<usize> {
    let mut layer = vec![0; model.services.len()];
    // the topological order puts dependencies first: walk it backwards
    for &s in model.topological_order.iter().rev() {
        for dep in &model.services[s].depends_on {
            if dep.kind.affects_fraction() {
                layer[dep.service] = layer[dep.service].max(layer[s] + 1);
            }
        }
    }
    layer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        crate::test_scenarios::load(text)
    }

    #[test]
    fn a_service_lives_in_the_deepest_domain_holding_all_its_replicas() {
        let m = model(
            r#"Scenario(domains: ["aws/r1/a", "aws/r1/b", "aws/r2/a", "gcp/r/a"],
            services: {
                "one": (deployments: [(in: "aws/r1", zones: ["a"])]),
                "zones": (deployments: [(in: "aws/r1", zones: ["a", "b"], replicas: 2)]),
                "regions": (deployments: [(in: "aws/r1"), (in: "aws/r2")]),
                "clouds": (deployments: [(in: "aws/r1"), (in: "gcp/r")]),
            })"#,
        );
        let path = |s| home(&m, s).map(|d| m.domains[d].path.as_str());
        assert_eq!(path(0), Some("aws/r1/a"));
        assert_eq!(path(1), Some("aws/r1"));
        assert_eq!(path(2), Some("aws"));
        assert_eq!(path(3), None);
    }

    #[test]
    fn layers_put_a_dependency_right_of_its_deepest_dependent() {
        let m = model(
            r#"Scenario(domains: ["aws/r/a"],
            services: {
                "web": (deployments: [(in: "aws/r")], depends_on: {"api": Hard, "db": Soft(impact: 0.5)}),
                "api": (deployments: [(in: "aws/r")], depends_on: {"db": Hard}),
                "db": (deployments: [(in: "aws/r")]),
            })"#,
        );
        assert_eq!(layers(&m), vec![0, 1, 2]);
    }
}
