//! Managed databases and caches that fail over: which resources have a
//! standby in another zone (Multi-AZ, Aurora cluster instances, REGIONAL
//! Cloud SQL, HA caches and flexible servers), their zone-spread primary
//! and standby deployments, and Aurora clusters too small to fail over.

use serde_json::{Map, Value};

use super::placement::{block, get_str, raw_zones, region_of, zone_segment, Context};
use super::terraform::Resource;
use super::terraform_cloud::replicas;
use super::{Deployment, Routing};

/// Whether a database or cache is a managed primary with a standby that
/// takes over (and how many nodes take part), and why.
pub(super) fn failover(
    kind: &str,
    v: &Map<String, Value>,
    context: &Context,
) -> Option<(u64, String)> {
    let flag = |key: &str| v.get(key).and_then(Value::as_bool) == Some(true);
    let settings = block(v, "settings");
    let ha = block(v, "high_availability").and_then(|h| get_str(h, "mode"));
    match kind {
        "aws_db_instance" if flag("multi_az") => {
            Some((2, "`multi_az = true`: a standby in another zone".into()))
        }
        "aws_rds_cluster" => {
            let n = cluster_members(v, context).len() as u64;
            (n >= 2).then(|| {
                (
                    n,
                    format!("{n} cluster instances: a writer and readers it fails over to"),
                )
            })
        }
        "aws_elasticache_replication_group"
            if flag("automatic_failover_enabled") || flag("multi_az_enabled") =>
        {
            let n = replicas(kind, v).0.max(2);
            Some((n, "automatic failover to a replica in another zone".into()))
        }
        "google_sql_database_instance"
            if settings.and_then(|s| get_str(s, "availability_type")) == Some("REGIONAL") =>
        {
            Some((
                2,
                "`availability_type = REGIONAL`: a standby in another zone".into(),
            ))
        }
        "google_redis_instance" if get_str(v, "tier") == Some("STANDARD_HA") => {
            Some((2, "`tier = STANDARD_HA`: a replica in another zone".into()))
        }
        "azurerm_postgresql_flexible_server" | "azurerm_mysql_flexible_server"
            if ha.is_some_and(|m| m != "Disabled") =>
        {
            Some((
                2,
                format!("`high_availability.mode = {}`: a standby", ha.unwrap_or("")),
            ))
        }
        "azurerm_redis_cache" if get_str(v, "sku_name").is_some_and(|s| s != "Basic") => Some((
            2,
            "a Standard or Premium cache: a primary and a replica".into(),
        )),
        _ => None,
    }
}

/// The `aws_rds_cluster_instance`s of a cluster: those naming its
/// `cluster_identifier`, or all of them where either is not known.
fn cluster_members<'a>(
    cluster: &Map<String, Value>,
    context: &'a Context,
) -> Vec<&'a Map<String, Value>> {
    let id = get_str(cluster, "cluster_identifier");
    (context.cluster_instances.iter())
        .filter(|i| match (id, get_str(i, "cluster_identifier")) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
        .collect()
}

/// Managed failover times: the providers document one to two minutes for
/// a Multi-AZ / HA failover.
pub(super) const FAILOVER: Routing = Routing::ActivePassive {
    detect: "Exp(mean: \"1m\")",
    switch: "Uniform(min: \"1m\", max: \"2m\")",
    why: "inferred: managed failover; providers document 1-2 min for a Multi-AZ/HA failover (detection assumed 1 min on average)",
};

/// Default zone segments where a failover's zones are not in the input.
fn default_zones(provider: &str) -> [&'static str; 3] {
    match provider {
        "azure" => ["1", "2", "3"],
        _ => ["a", "b", "c"],
    }
}

/// One single-replica deployment per node of a failover group, in zones
/// spread over the known zones (or assumed ones).
pub(super) fn standby_deployments(
    provider: &str,
    r: &Resource,
    nodes: u64,
    context: &Context,
) -> Vec<Deployment> {
    let zones = failover_zones(r, context);
    let (region, region_note) = region_of(r, provider, &zones, context);
    let mut segments: Vec<String> = Vec::new();
    for z in &zones {
        let s = zone_segment(&region, z);
        if !segments.contains(&s) {
            segments.push(s);
        }
    }
    let known = segments.len();
    for z in default_zones(provider) {
        if segments.len() >= nodes.clamp(2, 3) as usize {
            break;
        }
        if !segments.iter().any(|s| s == z) {
            segments.push(z.to_string());
        }
    }
    let most = crate::scenario::validate::MAX_DEPLOYMENTS_PER_SERVICE as u64;
    (0..nodes.min(most))
        .map(|i| {
            let zone = segments[i as usize % segments.len()].clone();
            let mut notes: Vec<String> = region_note.iter().cloned().collect();
            let role = if i == 0 { "primary" } else { "standby" };
            notes.push(match (i as usize) < known {
                true => format!("{role}: zone `{zone}` from the input"),
                false => format!("{role}: zone `{zone}` assumed (not in the input)"),
            });
            Deployment {
                provider: provider.into(),
                region: region.clone(),
                zones: vec![zone],
                replicas: 1,
                need: 1,
                notes,
            }
        })
        .collect()
}

/// The zones a failover group's input names, primary first: an Aurora
/// cluster's instances, the zone attributes, Cloud SQL's preferred and
/// secondary zones, Memorystore's alternative zone, Azure's standby zone.
fn failover_zones(r: &Resource, context: &Context) -> Vec<String> {
    let mut zones: Vec<String> = Vec::new();
    if r.kind == "aws_rds_cluster" {
        let members = cluster_members(&r.values, context);
        let member_zones = members
            .iter()
            .filter_map(|m| get_str(m, "availability_zone"));
        zones.extend(member_zones.map(String::from));
    }
    zones.extend(raw_zones(&r.values, context));
    if let Some(s) = block(&r.values, "settings").and_then(|s| block(s, "location_preference")) {
        zones.extend(get_str(s, "zone").map(String::from));
        zones.extend(get_str(s, "secondary_zone").map(String::from));
    }
    zones.extend(get_str(&r.values, "alternative_location_id").map(String::from));
    if let Some(h) = block(&r.values, "high_availability") {
        zones.extend(get_str(h, "standby_availability_zone").map(String::from));
    }
    zones
}

/// The zones of an Aurora cluster: its instances' zones, else its storage
/// zones (`availability_zones`).
pub(super) fn cluster_zones(r: &Resource, context: &Context) -> Vec<String> {
    let members = cluster_members(&r.values, context);
    let zones: Vec<String> = (members.iter())
        .filter_map(|m| get_str(m, "availability_zone"))
        .map(String::from)
        .collect();
    if zones.is_empty() {
        raw_zones(&r.values, context)
    } else {
        zones
    }
}

/// The replicas of an Aurora cluster that does not fail over (fewer than
/// two instances in the input): its one instance, or one writer assumed
/// when none is in the input, placed in the first of its zones.
pub(super) fn cluster_replicas(
    r: &Resource,
    context: &Context,
    zones: &mut Vec<String>,
) -> (u64, String) {
    let members = cluster_members(&r.values, context).len();
    let storage = zones.len() > 1;
    zones.truncate(1);
    let placed = match (zones.first(), storage) {
        (Some(z), true) => format!("; in `{z}`, the first of the cluster's zones"),
        _ => String::new(),
    };
    match members {
        0 => (
            1,
            format!("its cluster instances are not in the input: one writer assumed{placed}"),
        ),
        _ => (1, format!("its one cluster instance{placed}")),
    }
}
