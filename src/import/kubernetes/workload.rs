//! A Deployment or StatefulSet as a service: its replicas (from the
//! manifest, or the floor of the HorizontalPodAutoscaler that scales it),
//! its zones (node affinity or a node selector on the zone label, or a
//! spread over zones), and `need` from its PodDisruptionBudget
//! ([`super::budget`]).

use serde_norway::Value;

use super::budget::need;
use super::{at, kind_of, name_of, namespace_of, Object, ASSUMED_ZONES, ZONE_KEYS};
use crate::import::names::{sanitize, Unique};
use crate::import::{Deployment, Routing, Service};

/// The service of a Deployment or StatefulSet, given the budgets and
/// autoscalers of the input.
pub(super) fn workload(
    o: &Object,
    budgets: &[&Object],
    scalers: &[&Object],
    names: &mut Unique,
) -> Service {
    let spec = o.value.get("spec");
    let mut notes = vec![format!(
        "{} {}/{} ({}:{})",
        kind_of(o),
        namespace_of(o),
        name_of(o),
        o.file,
        o.line
    )];
    let (replicas, replicas_note) = replicas(o, scalers);
    notes.push(replicas_note);
    let cap = crate::scenario::validate::MAX_REPLICAS_PER_DEPLOYMENT;
    let replicas = replicas.clamp(1, cap);
    let pod = spec
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("spec"));
    let (zones, zone_note) = zones(pod);
    let (need, need_note) = need(o, replicas, budgets);
    let mut deployment_notes = vec![zone_note, need_note];
    if replicas == cap {
        deployment_notes.push(format!("replicas: capped at {cap}"));
    }
    let name = if namespace_of(o) == "default" {
        names.take(&sanitize(name_of(o), "workload"))
    } else {
        names.take(&sanitize(
            &format!("{}-{}", namespace_of(o), name_of(o)),
            "workload",
        ))
    };
    let deployment = Deployment {
        provider: "k8s".into(),
        region: "cluster".into(),
        zones,
        replicas,
        need,
        notes: deployment_notes,
    };
    notes.retain(|n| !n.is_empty());
    Service {
        name,
        notes,
        deployments: vec![deployment],
        routing: Routing::ActiveActive,
    }
}

/// Whether autoscaler `scaler` scales workload `o` (same namespace, its
/// `scaleTargetRef` names it).
pub(super) fn scales(scaler: &Object, o: &Object) -> bool {
    let target = at(&scaler.value, &["spec", "scaleTargetRef"]);
    let field = |k: &str| target.and_then(|t| t.get(k)).and_then(Value::as_str);
    namespace_of(scaler) == namespace_of(o)
        && field("kind") == Some(kind_of(o))
        && field("name") == Some(name_of(o))
}

/// The replicas of workload `o` and the comment saying where they come
/// from: the `minReplicas` of an autoscaler that scales it (the floor it
/// keeps), else `spec.replicas`, else Kubernetes' default 1; a workload
/// scaled to zero is written with 1 replica and says so.
fn replicas(o: &Object, scalers: &[&Object]) -> (u64, String) {
    let set = at(&o.value, &["spec", "replicas"]).and_then(Value::as_u64);
    if let Some(scaler) = scalers.iter().find(|s| scales(s, o)) {
        let spec = scaler.value.get("spec");
        let bound = |k: &str| spec.and_then(|s| s.get(k)).and_then(Value::as_u64);
        let min = bound("minReplicas").unwrap_or(1);
        let max = bound("maxReplicas").map_or(String::new(), |m| format!(", up to {m} under load"));
        let manifest = set.map_or(String::new(), |n| {
            format!("; the manifest's {n} is overridden by it")
        });
        return (min.max(1), format!(
            "replicas: {min}, the minReplicas of HorizontalPodAutoscaler {} (the floor it keeps{max}){manifest}",
            name_of(scaler)
        ));
    }
    match set {
        Some(0) => (1, "replicas: 0 in the manifest (scaled to zero); 1 written so that the service exists: remove it if it never runs".into()),
        Some(n) => (n, String::new()),
        None => (1, "replicas: not set; Kubernetes' default 1".into()),
    }
}

/// The zones of a pod spec: named by node affinity or a node selector, or
/// assumed when pods are only spread over zones.
fn zones(pod: Option<&Value>) -> (Vec<String>, String) {
    let Some(pod) = pod else {
        return (
            Vec::new(),
            "zones: no pod template; placed in the cluster as a whole".into(),
        );
    };
    let mut segments: Vec<String> = Vec::new();
    for z in named_zones(pod).iter().map(|z| sanitize(z, "zone")) {
        if !segments.contains(&z) {
            segments.push(z);
        }
    }
    if !segments.is_empty() {
        let how = "zones: from node affinity or node selector on the zone label";
        return (segments, how.into());
    }
    if let Some(rule) = spread_over_zones(pod) {
        let assumed = ASSUMED_ZONES.iter().map(|z| z.to_string()).collect();
        let soft = match rule {
            Rule::Required => "",
            Rule::Preferred => {
                " (the rule is only preferred: the scheduler may put them in fewer zones)"
            }
        };
        return (assumed, format!("zones: pods spread over zones (topology spread or anti-affinity on the zone label){soft}; three zones `a`, `b`, `c` assumed"));
    }
    (Vec::new(), "zones: no zone constraint; placed in the cluster as a whole (zone outages do not reach it; add zones if its nodes span them)".into())
}

/// The zones a pod spec names: its node selector and the `In` values of
/// its required node affinity, on the zone label.
fn named_zones(pod: &Value) -> Vec<String> {
    let sequence = |v: Option<&Value>, key: &str| {
        let items = v.and_then(|v| v.get(key)).and_then(Value::as_sequence);
        items.cloned().unwrap_or_default()
    };
    let mut named: Vec<String> = Vec::new();
    for key in ZONE_KEYS {
        let selected = pod.get("nodeSelector").and_then(|s| s.get(key));
        named.extend(selected.and_then(Value::as_str).map(String::from));
    }
    let affinity = at(
        pod,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ],
    );
    for term in sequence(affinity, "nodeSelectorTerms") {
        for e in sequence(Some(&term), "matchExpressions") {
            let key = e.get("key").and_then(Value::as_str);
            let on_zone = key.is_some_and(|k| ZONE_KEYS.contains(&k));
            if on_zone && e.get("operator").and_then(Value::as_str) == Some("In") {
                let values = sequence(Some(&e), "values");
                named.extend(values.iter().filter_map(Value::as_str).map(String::from));
            }
        }
    }
    named
}

/// How firmly a pod spec asks for a spread over zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The scheduler must spread the pods (`DoNotSchedule`, a required
    /// anti-affinity).
    Required,
    /// It spreads them where it can (`ScheduleAnyway`, a preferred
    /// anti-affinity).
    Preferred,
}

/// Whether a pod spec spreads its pods over zones, and how firmly (a
/// required rule wins over a preferred one).
fn spread_over_zones(pod: &Value) -> Option<Rule> {
    let on_zone = |v: &Value| {
        v.get("topologyKey")
            .and_then(Value::as_str)
            .is_some_and(|k| ZONE_KEYS.contains(&k))
    };
    let spread = pod
        .get("topologySpreadConstraints")
        .and_then(Value::as_sequence);
    let mut rules: Vec<Rule> = spread
        .into_iter()
        .flatten()
        .filter(|c| on_zone(c))
        .map(
            |c| match c.get("whenUnsatisfiable").and_then(Value::as_str) {
                Some("ScheduleAnyway") => Rule::Preferred,
                _ => Rule::Required,
            },
        )
        .collect();
    let anti = at(pod, &["affinity", "podAntiAffinity"]);
    for (key, rule) in [
        (
            "requiredDuringSchedulingIgnoredDuringExecution",
            Rule::Required,
        ),
        (
            "preferredDuringSchedulingIgnoredDuringExecution",
            Rule::Preferred,
        ),
    ] {
        let terms = anti.and_then(|a| a.get(key)).and_then(Value::as_sequence);
        if terms
            .into_iter()
            .flatten()
            .any(|t| on_zone(t) || t.get("podAffinityTerm").is_some_and(on_zone))
        {
            rules.push(rule);
        }
    }
    rules.iter().copied().min_by_key(|r| *r != Rule::Required)
}
