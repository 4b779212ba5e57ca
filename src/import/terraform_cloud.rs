//! What each AWS, Google Cloud and Azure resource type becomes: which are
//! services (compute, databases, caches, load balancers), where their
//! instances sit (region and zones) and how many replicas they run; those
//! that fail over (ActivePassive) are drafted by [`super::failover`].

use serde_json::{Map, Value};

use super::failover::{cluster_replicas, cluster_zones, failover, standby_deployments, FAILOVER};
use super::names::{sanitize, Unique};
use super::placement::{block, get_u64, raw_zones, region_of, zone_segment, Context};
use super::terraform::Resource;
use super::{Deployment, Routing, Service};

/// What a resource is, as far as outages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Compute,
    Database,
    Cache,
    LoadBalancer,
}

/// The provider segment and kind of a resource type the import models.
fn classify(kind: &str) -> Option<(&'static str, Kind)> {
    use Kind::*;
    let k = match kind {
        "aws_instance" | "aws_autoscaling_group" | "aws_ecs_service" | "aws_eks_node_group" => {
            ("aws", Compute)
        }
        "aws_db_instance"
        | "aws_rds_cluster"
        | "aws_rds_cluster_instance"
        | "aws_docdb_cluster" => ("aws", Database),
        "aws_elasticache_cluster" | "aws_elasticache_replication_group" => ("aws", Cache),
        "aws_lb" | "aws_alb" | "aws_elb" => ("aws", LoadBalancer),
        "google_compute_instance"
        | "google_compute_instance_group_manager"
        | "google_compute_region_instance_group_manager"
        | "google_container_node_pool" => ("gcp", Compute),
        "google_sql_database_instance" => ("gcp", Database),
        "google_redis_instance" => ("gcp", Cache),
        "azurerm_linux_virtual_machine"
        | "azurerm_windows_virtual_machine"
        | "azurerm_virtual_machine"
        | "azurerm_linux_virtual_machine_scale_set"
        | "azurerm_windows_virtual_machine_scale_set"
        | "azurerm_orchestrated_virtual_machine_scale_set"
        | "azurerm_virtual_machine_scale_set"
        | "azurerm_kubernetes_cluster" => ("azure", Compute),
        "azurerm_mssql_server"
        | "azurerm_sql_server"
        | "azurerm_postgresql_server"
        | "azurerm_postgresql_flexible_server"
        | "azurerm_mysql_server"
        | "azurerm_mysql_flexible_server" => ("azure", Database),
        "azurerm_redis_cache" => ("azure", Cache),
        "azurerm_lb" | "azurerm_application_gateway" => ("azure", LoadBalancer),
        _ => return None,
    };
    Some(k)
}

/// An autoscaler's minimum as the replicas, said so.
fn floor(found: Option<(u64, String)>) -> Option<(u64, String)> {
    found.map(|(n, how)| (n, format!("{how}, the floor its autoscaler keeps")))
}

/// The replicas one instance of a resource runs, and which attribute said so.
pub(super) fn replicas(kind: &str, v: &Map<String, Value>) -> (u64, String) {
    let from = |key: &str| get_u64(v, key).map(|n| (n, format!("its `{key}`")));
    let nested = |b: &str, key: &str| {
        block(v, b)
            .and_then(|m| get_u64(m, key))
            .map(|n| (n, format!("its `{b}.{key}`")))
    };
    let found = match kind {
        "aws_autoscaling_group" => from("desired_capacity").or_else(|| from("min_size")),
        "aws_ecs_service" => from("desired_count"),
        "aws_eks_node_group" => nested("scaling_config", "desired_size")
            .or_else(|| floor(nested("scaling_config", "min_size"))),
        "google_compute_instance_group_manager"
        | "google_compute_region_instance_group_manager" => from("target_size"),
        "google_container_node_pool" => from("node_count")
            .or_else(|| floor(nested("autoscaling", "min_node_count")))
            .or_else(|| from("initial_node_count")),
        "azurerm_virtual_machine_scale_set" => nested("sku", "capacity"),
        "azurerm_kubernetes_cluster" => nested("default_node_pool", "node_count")
            .or_else(|| floor(nested("default_node_pool", "min_count"))),
        "aws_elasticache_cluster" => from("num_cache_nodes"),
        "aws_elasticache_replication_group" => {
            from("num_cache_clusters").or_else(|| from("number_cache_clusters"))
        }
        k if k.ends_with("scale_set") => from("instances"),
        _ => None,
    };
    found.unwrap_or_else(|| (1, "one per instance".into()))
}

/// The service a resource group becomes, or `None` when the import does
/// not model its type (or, for Aurora instances, when their cluster does).
pub(crate) fn service(
    group: &str,
    members: &[&Resource],
    context: &Context,
    names: &mut Unique,
) -> Option<Service> {
    let first = members.first()?;
    let (provider, kind) = classify(&first.kind)?;
    if first.kind == "aws_rds_cluster_instance" && context.has_cluster {
        return None;
    }
    let short = short_name(group);
    let name = if names.is_taken(&short) {
        let kind = first
            .kind
            .split_once('_')
            .map_or(first.kind.as_str(), |(_, k)| k);
        names.take(&sanitize(&format!("{kind}-{short}"), "resource"))
    } else {
        names.take(&short)
    };
    let mut notes = vec![format!(
        "{group}: {} instance(s) of {}",
        members.len(),
        first.kind
    )];
    if let Some((nodes, why)) = failover(&first.kind, &first.values, context) {
        notes.push(format!("inferred: zone-spread primary and standby ({why})"));
        let deployments = standby_deployments(provider, first, nodes, context);
        return Some(Service {
            name,
            notes,
            deployments,
            routing: FAILOVER,
        });
    }
    let deployments = spread_deployments(provider, kind, members, context);
    Some(Service {
        name,
        notes,
        deployments,
        routing: Routing::ActiveActive,
    })
}

/// A readable service name: the resource's name, with its module path.
fn short_name(group: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = group.split('.').collect();
    let mut i = 0;
    while i < segments.len() {
        if segments[i] == "module" && i + 1 < segments.len() {
            parts.push(segments[i + 1]);
            i += 2;
        } else {
            i += 1;
        }
    }
    parts.extend(segments.last());
    sanitize(&parts.join("-"), "resource")
}

/// Deployments of a group that serves from every instance: one per region,
/// replicas summed, zones in order of appearance.
fn spread_deployments(
    provider: &str,
    kind: Kind,
    members: &[&Resource],
    context: &Context,
) -> Vec<Deployment> {
    let mut by_region: Vec<(Deployment, Vec<Part>)> = Vec::new();
    for r in members {
        let (region, region_note, part, how) = instance(r, provider, kind, context);
        let at = match by_region.iter().position(|(d, _)| d.region == region) {
            Some(at) => at,
            None => {
                let d = Deployment {
                    provider: provider.into(),
                    region,
                    zones: Vec::new(),
                    replicas: 0,
                    need: 1,
                    notes: region_note.into_iter().collect(),
                };
                by_region.push((d, Vec::new()));
                by_region.len() - 1
            }
        };
        let (d, parts) = &mut by_region[at];
        for s in &part.zones {
            if !d.zones.contains(s) {
                d.zones.push(s.clone());
            }
        }
        d.replicas = d.replicas.saturating_add(part.replicas);
        parts.push(part);
        if members.len() == 1 && kind != Kind::LoadBalancer {
            d.notes.push(format!("replicas: {how}"));
        }
        need_from(&r.kind, &r.values, d);
    }
    let deployments = by_region.into_iter().map(|(mut d, parts)| {
        finish(provider, kind, &mut d, &parts);
        d
    });
    at_most_the_deployments_a_service_has(deployments.collect())
}

/// Where one instance of a group sits (its region, with the note on how it
/// was found) and what it adds there, with how its count was read.
fn instance(
    r: &Resource,
    provider: &str,
    kind: Kind,
    context: &Context,
) -> (String, Option<String>, Part, String) {
    let zones = match r.kind.as_str() {
        "aws_rds_cluster" => cluster_zones(r, context),
        _ => raw_zones(&r.values, context),
    };
    let (region, region_note) = region_of(r, provider, &zones, context);
    let (mut count, mut how) = replicas(&r.kind, &r.values);
    let mut segments: Vec<String> = zones.iter().map(|z| zone_segment(&region, z)).collect();
    segments.dedup();
    if kind == Kind::LoadBalancer {
        count = segments.len().max(1) as u64;
    } else if r.kind == "google_container_node_pool" && !segments.is_empty() {
        how = format!("{how} ({count}) in each of its {} zones", segments.len());
        count = count.saturating_mul(segments.len() as u64);
    } else if r.kind == "aws_rds_cluster" {
        (count, how) = cluster_replicas(r, context, &mut segments);
    }
    let part = Part {
        replicas: count,
        zones: segments,
    };
    (region, region_note, part, how)
}

/// `deployments`, the ones past the most a service has dropped with a note.
fn at_most_the_deployments_a_service_has(mut deployments: Vec<Deployment>) -> Vec<Deployment> {
    let most = crate::scenario::validate::MAX_DEPLOYMENTS_PER_SERVICE;
    if deployments.len() > most {
        let dropped = deployments.len() - most;
        deployments.truncate(most);
        if let Some(last) = deployments.last_mut() {
            last.notes.push(format!(
                "{dropped} more region(s) not written: a service has at most {most} deployments"
            ));
        }
    }
    deployments
}

/// What one instance of a group adds to its region's deployment.
struct Part {
    /// Its replicas.
    replicas: u64,
    /// The zone segments it names (none: not in the input).
    zones: Vec<String>,
}

/// The most instances described one by one in a comment.
const MAX_PARTS_LISTED: usize = 8;

/// The comments of a deployment summed over several instances
/// (`count`/`for_each`): what each adds and where, and which of them have
/// no zone in the input.
fn parts_notes(parts: &[Part], d: &mut Deployment) {
    let listed: Vec<String> = parts
        .iter()
        .take(MAX_PARTS_LISTED)
        .map(|p| match p.zones.is_empty() {
            true => format!("{} (zone not in the input)", p.replicas),
            false => format!("{} in {}", p.replicas, p.zones.join(", ")),
        })
        .collect();
    let more = match parts.len().saturating_sub(MAX_PARTS_LISTED) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    d.notes.push(format!(
        "replicas: the sum over {} instances (count/for_each) of one resource: {}{more}",
        parts.len(),
        listed.join("; ")
    ));
    let unplaced = parts.iter().filter(|p| p.zones.is_empty()).count();
    if unplaced > 0 && !d.zones.is_empty() {
        d.notes.push(format!(
            "zones: {unplaced} of these instances have no zone in the input; they are counted in the zones the others name"
        ));
    }
}

/// A note on an auto-scaling group's `min_size`, the floor it keeps.
fn need_from(kind: &str, v: &Map<String, Value>, d: &mut Deployment) {
    if kind == "aws_autoscaling_group" {
        if let Some(min) = get_u64(v, "min_size").filter(|&m| m > 1) {
            d.notes.push(format!(
                "its `min_size` is {min}: if that is the capacity your peak needs, set need: {min}"
            ));
        }
    }
}

/// A single instance whose zone the input does not give still sits in one
/// zone (AWS and Google Cloud place every instance in a zone; an Azure
/// resource without a zone is regional): zone `a` assumed.
fn assume_one_zone(provider: &str, kind: Kind, d: &mut Deployment) {
    if d.zones.is_empty() && d.replicas == 1 && provider != "azure" && kind != Kind::LoadBalancer {
        d.zones.push("a".into());
        d.notes
            .push("zone: not in the input; a single instance sits in one zone, `a` assumed".into());
    }
}

/// Bounds and the notes every deployment gets.
fn finish(provider: &str, kind: Kind, d: &mut Deployment, parts: &[Part]) {
    let max = crate::scenario::validate::MAX_REPLICAS_PER_DEPLOYMENT;
    if d.replicas == 0 {
        d.replicas = 1;
        d.notes
            .push("replicas: 0 in the input; 1 assumed so that the service exists".into());
    }
    if d.replicas > max {
        d.notes
            .push(format!("replicas: {} capped at {max}", d.replicas));
        d.replicas = max;
    }
    if parts.len() > 1 {
        parts_notes(parts, d);
        if kind == Kind::Database {
            d.notes.push("several database servers written as replicas of one service: if each holds its own data rather than a copy, make each a service of its own".into());
        }
    }
    d.need = d.need.clamp(1, d.replicas);
    assume_one_zone(provider, kind, d);
    if d.need == 1 && d.replicas > 1 {
        d.notes.push("need: 1 assumed (any one replica carries the load); raise it to the replicas your peak needs".into());
    }
    if d.zones.is_empty() {
        d.notes.push("zones: not in the input; placed at the region, so zone outages do not reach it; add zones if you know them".into());
    } else if kind == Kind::LoadBalancer {
        d.notes.push(
            "a regional load balancer: one node per zone, serving while any zone does".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_stay_in_service_names() {
        assert_eq!(short_name("module.web[0].aws_instance.app"), "web-0-app");
        assert_eq!(short_name("aws_instance.app"), "app");
    }
}
