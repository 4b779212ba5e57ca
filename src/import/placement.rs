//! Where resources sit: each provider's default region (from the provider
//! configuration or the resources), zones from the attributes that name
//! them (`availability_zone`, `zones`, `distribution_policy_zones`, ...)
//! or from the subnets they use, and how a provider's zone name becomes a
//! zone segment under its region.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::names::sanitize;
use super::terraform::{array, str_of, Resource};

/// The provider segment of a Terraform provider name.
fn provider_segment(name: &str) -> Option<&'static str> {
    match name.rsplit('/').next().unwrap_or(name) {
        "aws" => Some("aws"),
        "google" | "google-beta" => Some("gcp"),
        "azurerm" => Some("azure"),
        _ => None,
    }
}

/// What the whole input says about placement: each provider's default
/// region and where it comes from, the zone of each subnet, and the Aurora
/// cluster instances.
#[derive(Debug, Default)]
pub(crate) struct Context {
    regions: BTreeMap<&'static str, (String, String)>,
    subnets: BTreeMap<String, String>,
    /// The attributes of every `aws_rds_cluster_instance`.
    pub(crate) cluster_instances: Vec<Map<String, Value>>,
    /// Whether the input has an `aws_rds_cluster`.
    pub(crate) has_cluster: bool,
    /// The configured region of the provider configuration each resource
    /// uses (an alias such as `aws.west`), by address without indexes.
    by_address: BTreeMap<String, (String, String)>,
}

impl Context {
    /// Reads the provider configuration and the resources.
    pub(crate) fn new(json: &Value, resources: &[Resource]) -> Context {
        let mut context = Context::default();
        let config = json
            .get("configuration")
            .and_then(|c| c.get("provider_config"));
        for p in config
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            let Some(segment) = str_of(p, "name").and_then(provider_segment) else {
                continue;
            };
            let region = p.get("expressions").and_then(|e| e.get("region"));
            if let Some(r) = region.and_then(|r| str_of(r, "constant_value")) {
                let how = format!(
                    "the {} provider's configured region",
                    str_of(p, "name").unwrap_or("")
                );
                context
                    .regions
                    .entry(segment)
                    .or_insert((r.to_string(), how));
            }
        }
        let root = json.get("configuration").and_then(|c| c.get("root_module"));
        if let (Some(root), Some(configs)) = (root, config.and_then(Value::as_object)) {
            context.learn_aliases(root, "", configs, 0);
        }
        for r in resources {
            context.learn(r);
        }
        context
    }

    /// Learns the region of the provider configuration each resource of a
    /// configuration module (and of the modules it calls) uses.
    fn learn_aliases(
        &mut self,
        module: &Value,
        prefix: &str,
        configs: &Map<String, Value>,
        depth: usize,
    ) {
        if depth > MAX_MODULE_DEPTH {
            return;
        }
        for r in array(module, "resources") {
            let (Some(address), Some(key)) =
                (str_of(r, "address"), str_of(r, "provider_config_key"))
            else {
                continue;
            };
            let expressions = configs.get(key).and_then(|c| c.get("expressions"));
            let region = expressions
                .and_then(|e| e.get("region"))
                .and_then(|r| str_of(r, "constant_value"));
            if let Some(region) = region.filter(|r| plausible(r)) {
                let how = format!("its provider configuration `{key}`");
                self.by_address
                    .insert(format!("{prefix}{address}"), (region.to_string(), how));
            }
        }
        let calls = module.get("module_calls").and_then(Value::as_object);
        for (name, call) in calls.into_iter().flatten() {
            if let Some(child) = call.get("module") {
                self.learn_aliases(
                    child,
                    &format!("{prefix}module.{name}."),
                    configs,
                    depth + 1,
                );
            }
        }
    }

    /// Learns a subnet's zone, a cluster instance, or a provider's region
    /// from a resource that says where it is.
    fn learn(&mut self, r: &Resource) {
        let v = &r.values;
        if r.kind == "aws_subnet" {
            if let (Some(id), Some(az)) = (get_str(v, "id"), get_str(v, "availability_zone")) {
                self.subnets.insert(id.to_string(), az.to_string());
            }
        }
        if r.kind == "aws_rds_cluster_instance" {
            self.cluster_instances.push(v.clone());
        }
        self.has_cluster |= r.kind == "aws_rds_cluster";
        let Some(segment) = r.kind.split('_').next().and_then(provider_segment) else {
            return;
        };
        if self.regions.contains_key(segment) {
            return;
        }
        let zones = raw_zones(v, self);
        if let Some(region) = own_region(segment, v, &zones) {
            let how = format!("the region of {}", r.group);
            self.regions.insert(segment, (region, how));
        }
    }
}

/// The string at `key`, if not empty.
pub(crate) fn get_str<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The whole number at `key` (a string of digits too).
pub(crate) fn get_u64(v: &Map<String, Value>, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The first block of the nested block list at `key`.
pub(crate) fn block<'a>(v: &'a Map<String, Value>, key: &str) -> Option<&'a Map<String, Value>> {
    match v.get(key)? {
        Value::Array(items) => items.first()?.as_object(),
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The strings at `key` (a list, or one string).
fn strings(v: &Map<String, Value>, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Array(items)) => (items.iter())
            .filter_map(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

/// The zones named by a resource's attributes, as the provider writes them
/// (`us-east-1a`, `us-central1-b`, `2`), subnets resolved to their zones.
pub(crate) fn raw_zones(v: &Map<String, Value>, context: &Context) -> Vec<String> {
    const KEYS: [&str; 9] = [
        "availability_zone",
        "availability_zones",
        "zone",
        "zones",
        "distribution_policy_zones",
        "node_locations",
        "preferred_cache_cluster_azs",
        "preferred_availability_zones",
        "location_id",
    ];
    if let Some(zones) = KEYS.iter().map(|k| strings(v, k)).find(|z| !z.is_empty()) {
        return zones;
    }
    if let Some(pool) = block(v, "default_node_pool") {
        return strings(pool, "zones");
    }
    let mut subnets = Vec::new();
    for key in ["subnet_id", "subnet_ids", "vpc_zone_identifier", "subnets"] {
        subnets.extend(strings(v, key));
    }
    if let Some(net) = block(v, "network_configuration") {
        subnets.extend(strings(net, "subnets"));
    }
    let mut zones: Vec<String> = Vec::new();
    for az in subnets.iter().filter_map(|s| context.subnets.get(s)) {
        if !zones.contains(az) {
            zones.push(az.clone());
        }
    }
    zones
}

/// The region a resource names itself (an attribute, its zones, its ARN).
fn own_region(provider: &str, v: &Map<String, Value>, zones: &[String]) -> Option<String> {
    let named = get_str(v, "region").or_else(|| get_str(v, "location"));
    let from_zone = zones.first().and_then(|z| match provider {
        "aws" => Some(z.trim_end_matches(|c: char| c.is_ascii_lowercase()))
            .filter(|r| !r.is_empty() && r != z),
        "gcp" => Some(gcp_region_of(z)),
        _ => None,
    });
    let from_arn = || get_str(v, "arn").and_then(|arn| arn.split(':').nth(3));
    let region = named
        .or(from_zone)
        .filter(|r| plausible(r))
        .or_else(from_arn)?;
    // a GKE `location` may be a zone
    let region = if provider == "gcp" && looks_like_gcp_zone(region) {
        gcp_region_of(region)
    } else {
        region
    };
    plausible(region).then(|| region.to_string())
}

/// Whether a region name read from the input looks like one: letters,
/// digits, `-`, `_` and spaces (Azure's display names), not empty.
fn plausible(region: &str) -> bool {
    !region.trim().is_empty()
        && (region.chars()).all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '))
}

fn looks_like_gcp_zone(text: &str) -> bool {
    text.rsplit_once('-')
        .is_some_and(|(_, last)| last.len() == 1 && last.chars().all(|c| c.is_ascii_lowercase()))
}

fn gcp_region_of(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(region, _)| region)
}

/// A zone as a segment under `region`: `us-east-1a` -> `a`, `us-central1-b`
/// -> `b`, `2` -> `2`.
pub(crate) fn zone_segment(region: &str, zone: &str) -> String {
    let short = zone
        .strip_prefix(region)
        .map(|rest| rest.trim_start_matches('-'))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(zone);
    sanitize(short, "zone")
}

/// The region of a resource, with a note when it is not its own.
pub(crate) fn region_of(
    r: &Resource,
    provider: &str,
    zones: &[String],
    context: &Context,
) -> (String, Option<String>) {
    if let Some(region) = own_region(provider, &r.values, zones) {
        return (sanitize(&region, "unknown"), None);
    }
    let configured = context.by_address.get(&without_indexes(&r.group));
    match configured.or_else(|| context.regions.get(provider)) {
        Some((r, how)) => (sanitize(r, "unknown"), Some(format!("region: {how}"))),
        None => (
            "unknown".into(),
            Some("region: not in the input; replace `unknown` with the region".into()),
        ),
    }
}

/// The deepest module nesting followed in the configuration.
const MAX_MODULE_DEPTH: usize = 32;

/// An address without its instance keys: `module.a[0].x.y["k"]` ->
/// `module.a.x.y`.
fn without_indexes(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_become_segments_under_their_region() {
        assert_eq!(zone_segment("us-east-1", "us-east-1c"), "c");
        assert_eq!(zone_segment("us-central1", "us-central1-b"), "b");
        assert_eq!(zone_segment("westeurope", "2"), "2");
        assert_eq!(zone_segment("us-east-1", "use1-az4"), "use1-az4");
        let v = Map::new();
        let zones = ["eu-west-1b".to_string()];
        assert_eq!(own_region("aws", &v, &zones).as_deref(), Some("eu-west-1"));
        let zones = ["us-central1-f".to_string()];
        assert_eq!(
            own_region("gcp", &v, &zones).as_deref(),
            Some("us-central1")
        );
    }
}
