//! The built-in design changes `rank` tries, each as a `--set` edit of the
//! scenario (so a change is exactly what `faultline sweep --set` would run),
//! with the infrastructure it adds, and the routing changes a service's data
//! model rules out.

use crate::model::{DataPolicy, Deployment, Model, Replication, Routing, Service};

/// Which change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// One more replica on a deployment (`need` unchanged).
    Replica {
        /// Index into `Model::deployments`.
        deployment: usize,
    },
    /// One more zone for a deployment spread over zones: the first zone
    /// under its `in` it does not use yet, with one zone's share of replicas
    /// (`ceil(replicas / zones)`) added so the new zone holds as many as the others.
    Zone {
        /// Index into `Model::deployments`.
        deployment: usize,
        /// Index into `Model::domains`: the zone added.
        zone: usize,
    },
    /// An ActivePassive or Manual service made ActiveActive, draining a dead
    /// deployment after the mean of its detection (ActivePassive) or
    /// response (Manual) time.
    ActiveActive {
        /// Index into `Model::services`.
        service: usize,
    },
}

/// One change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Which change.
    pub kind: ChangeKind,
    /// In words, e.g. `one more replica: db @ aws/us-east-1 (2 -> 3)`.
    pub label: String,
    /// The edits, as `faultline sweep --set` takes them (`PATH=VALUE`).
    pub sets: Vec<String>,
    /// Infrastructure added per year: replicas added times
    /// `per_replica_month` times 12; `None` when the deployment has no
    /// price (unknown, not free).
    pub infra_per_year: Option<f64>,
}

/// A change `rank` does not try because the service's data model rules it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuledOut {
    /// The change in words, e.g. `db: ActiveActive`.
    pub label: String,
    /// Why it is ruled out, as a clause (`its Async replication lets only
    /// one deployment take writes`).
    pub reason: String,
}

/// Whether the scenario prices any replica (the changes are only tried then).
pub fn priced(model: &Model) -> bool {
    (model.deployments.iter()).any(|d| d.infra_per_replica_month.is_some())
}

/// Every built-in change that applies to the model, in model order:
/// per deployment one more replica, then one more zone; per service the
/// switch to ActiveActive where its data model allows it (see
/// [`ruled_out`]). Services whose name holds a `"` are left out (no `--set`
/// path can name them).
pub fn changes(model: &Model) -> Vec<Change> {
    let mut out = Vec::new();
    for (s, service) in model.services.iter().enumerate() {
        if service.name.contains('"') {
            continue;
        }
        let path = format!("services.\"{}\"", service.name);
        for (k, d) in service.deployments.clone().enumerate() {
            let deployment = &model.deployments[d];
            let n = deployment.replicas.len();
            out.push(Change {
                kind: ChangeKind::Replica { deployment: d },
                label: format!(
                    "one more replica: {} ({n} -> {})",
                    model.deployment_name(d),
                    n + 1
                ),
                sets: vec![format!("{path}.deployments.{k}.replicas={}", n + 1)],
                infra_per_year: deployment.infra_per_replica_month.map(|p| p * 12.0),
            });
            out.extend(zone_change(model, d, &format!("{path}.deployments.{k}")));
        }
        let shift = switch_time(&service.routing);
        if let (Some(shift), None) = (shift, single_writer(service)) {
            out.push(Change {
                kind: ChangeKind::ActiveActive { service: s },
                label: format!(
                    "{}: ActiveActive (shift {})",
                    service.name,
                    crate::text::span(shift)
                ),
                sets: vec![format!(
                    "{path}.routing=ActiveActive(shift: \"{}s\")",
                    (shift * 3600.0).round()
                )],
                infra_per_year: Some(0.0),
            });
        }
    }
    out
}

/// The switches to ActiveActive that [`changes`] leaves out because the
/// service's data model rules them out, in model order.
pub fn ruled_out(model: &Model) -> Vec<RuledOut> {
    (model.services.iter())
        .filter(|s| switch_time(&s.routing).is_some())
        .filter_map(|s| {
            single_writer(s).map(|reason| RuledOut {
                label: format!("{}: ActiveActive", s.name),
                reason: reason.to_string(),
            })
        })
        .collect()
}

/// Why an ActivePassive or Manual service must keep one writing deployment:
/// `None` when its data model lets every deployment take writes (`Sync`
/// replication). Under `Async` replication two deployments taking writes
/// diverge by the replication lag; without a `data` block faultline does
/// not know that every deployment can take writes, and does not assume it.
fn single_writer(service: &Service) -> Option<&'static str> {
    match &service.data {
        Some(DataPolicy {
            replication: Replication::Sync,
            ..
        }) => None,
        Some(DataPolicy {
            replication: Replication::Async { .. },
            ..
        }) => Some("its Async replication lets only one deployment take writes"),
        None => Some(
            "it declares no `data` (faultline does not assume that every deployment can take writes; declare `data: (replication: Sync, ...)` to have it tried)",
        ),
    }
}

/// The mean time an ActivePassive or Manual service takes to notice (None
/// for ActiveActive).
fn switch_time(routing: &Routing) -> Option<f64> {
    match routing {
        Routing::ActiveActive { .. } => None,
        Routing::ActivePassive { detect, .. } => Some(detect.mean()),
        Routing::Manual { respond } => Some(respond.mean()),
    }
}

/// One more zone for deployment `d`, when it lists zones and an unused one
/// exists under its `in`.
fn zone_change(model: &Model, d: usize, path: &str) -> Option<Change> {
    let deployment = &model.deployments[d];
    let used = zones_in_order(model, deployment);
    if used.is_empty() || used.contains(&deployment.domain) {
        return None;
    }
    let leaf = |z: usize| !model.domains.iter().any(|x| x.parent == Some(z));
    let under =
        |z: usize| z != deployment.domain && model.domain_chain(z).any(|a| a == deployment.domain);
    let zone = (0..model.domains.len()).find(|&z| leaf(z) && under(z) && !used.contains(&z))?;
    let base = &model.domains[deployment.domain].path;
    let relative = |z: usize| {
        let path = &model.domains[z].path;
        path.strip_prefix(base.as_str())
            .map_or(path.as_str(), |p| p.trim_start_matches('/'))
            .to_string()
    };
    let mut names: Vec<String> = used.iter().map(|&z| relative(z)).collect();
    names.push(relative(zone));
    let n = deployment.replicas.len();
    let added = n.div_ceil(used.len());
    let list: Vec<String> = names.iter().map(|z| format!("{z:?}")).collect();
    Some(Change {
        kind: ChangeKind::Zone {
            deployment: d,
            zone,
        },
        label: format!(
            "one more zone: {} + {} ({n} -> {} replicas)",
            model.deployment_name(d),
            model.domains[zone].path,
            n + added
        ),
        sets: vec![
            format!("{path}.zones=[{}]", list.join(", ")),
            format!("{path}.replicas={}", n + added),
        ],
        infra_per_year: (deployment.infra_per_replica_month).map(|p| added as f64 * p * 12.0),
    })
}

/// The zones a deployment's replicas sit in, in round-robin (listed) order.
fn zones_in_order(model: &Model, deployment: &Deployment) -> Vec<usize> {
    let mut zones = Vec::new();
    for r in deployment.replicas.clone() {
        let z = model.replicas[r].domain;
        if !zones.contains(&z) {
            zones.push(z);
        }
    }
    zones
}
