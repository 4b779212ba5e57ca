//! `faultline import kubernetes`: YAML manifests (several documents per
//! file, Helm-rendered output, `kind: List`) read into a service per
//! Deployment and StatefulSet: its replicas, its zones (topology spread or
//! node affinity on `topology.kubernetes.io/zone`), and `need` from the
//! PodDisruptionBudget whose selector matches its pods.
//!
//! YAML is parsed by `serde_norway`, which bounds nesting depth and the
//! expansion of aliases (an alias bomb is an error, not a hang).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_norway::Value;

use super::names::{sanitize, Unique};
use super::{read_text, shown, Deployment, Draft, ImportError, Routing, Service};

/// The most manifest files one import reads.
const MAX_FILES: usize = 10_000;

/// The deepest folder searched for manifests.
const MAX_FOLDER_DEPTH: usize = 16;

/// The most bytes of manifests one import reads, over all files.
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

/// The node labels that name a zone.
const ZONE_KEYS: [&str; 2] = [
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

/// Zones assumed when pods are spread over zones the manifests do not name.
const ASSUMED_ZONES: [&str; 3] = ["a", "b", "c"];

/// One Kubernetes object and where it was read.
struct Object {
    file: String,
    line: usize,
    value: Value,
}

/// Drafts a scenario from the manifests at `paths`.
///
/// # Errors
/// A file or folder that cannot be read, YAML that does not parse (with
/// line and column), a document that is not a Kubernetes object, or no
/// Deployment or StatefulSet at all.
pub fn draft(paths: &[PathBuf]) -> Result<Draft, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        collect_files(path, 0, &mut files)?;
    }
    let mut objects = Vec::new();
    let mut total = 0usize;
    for file in &files {
        let text = read_text(file, super::MAX_MANIFEST_BYTES)?;
        total = total.saturating_add(text.len());
        if total > MAX_TOTAL_BYTES {
            return Err(ImportError::TooLarge {
                file: shown(file),
                limit: MAX_TOTAL_BYTES,
            });
        }
        read_objects(&shown(file), &text, &mut objects)?;
    }
    build(&objects, paths)
}

/// `path` if it is a file, else the `.yaml`/`.yml` files under it (sorted).
fn collect_files(path: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let error = |source| ImportError::Read {
        file: shown(path),
        source,
    };
    let meta = std::fs::metadata(path).map_err(error)?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return check_count(path, out.len());
    }
    if depth >= MAX_FOLDER_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(error)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let yaml = entry.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if entry.is_dir() {
            collect_files(&entry, depth + 1, out)?;
        } else if yaml {
            out.push(entry);
            check_count(path, out.len())?;
        }
    }
    Ok(())
}

fn check_count(path: &Path, count: usize) -> Result<(), ImportError> {
    if count <= MAX_FILES {
        return Ok(());
    }
    Err(ImportError::Content {
        file: shown(path),
        message: format!("more than {MAX_FILES} manifest files"),
        hint: "import one application's manifests at a time".into(),
    })
}

/// The line (from 1) each document of a YAML stream starts on: after each
/// `---`, and line 1 when something other than comments comes before the
/// first `---` (or there is none).
fn document_lines(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut content = false;
    for (i, line) in text.lines().enumerate() {
        let separator = line.starts_with("---")
            && (line.len() == 3 || line[3..].starts_with(char::is_whitespace));
        if separator {
            if starts.is_empty() && content {
                starts.push(1);
            }
            starts.push(i + 2);
        } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            content = true;
        }
    }
    if starts.is_empty() {
        starts.push(1);
    }
    starts
}

/// Parses every document of `text`, adding its Kubernetes objects to `out`.
fn read_objects(file: &str, text: &str, out: &mut Vec<Object>) -> Result<(), ImportError> {
    let lines = document_lines(text);
    let syntax = |e: serde_norway::Error| {
        let (line, col) = e
            .location()
            .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        ImportError::Syntax {
            file: file.to_string(),
            line,
            col,
            message: format!("not valid YAML: {message}"),
        }
    };
    for (i, document) in serde_norway::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(document).map_err(syntax)?;
        let line = lines.get(i).copied().unwrap_or(1);
        add_object(file, line, value, out)?;
    }
    Ok(())
}

/// Adds one document: a Kubernetes object, the items of a `List`, or
/// nothing for an empty document.
fn add_object(
    file: &str,
    line: usize,
    value: Value,
    out: &mut Vec<Object>,
) -> Result<(), ImportError> {
    if value.is_null() {
        return Ok(());
    }
    let kind = value.get("kind").and_then(Value::as_str).map(String::from);
    match kind.as_deref() {
        Some(k) if k.ends_with("List") => {
            let items = value.get("items").and_then(Value::as_sequence).cloned().unwrap_or_default();
            for item in items {
                add_object(file, line, item, out)?;
            }
            Ok(())
        }
        Some(_) if value.get("apiVersion").is_some() => {
            out.push(Object { file: file.to_string(), line, value });
            Ok(())
        }
        _ => Err(ImportError::Content {
            file: format!("{file}:{line}:1"),
            message: "this YAML document is not a Kubernetes object (it has no `apiVersion` and `kind`)".into(),
            hint: "give Kubernetes manifests, e.g. the output of `helm template` or `kubectl get -o yaml`".into(),
        }),
    }
}

/// The value at a path of mapping keys.
fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

fn text_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str)
}

fn kind_of(o: &Object) -> &str {
    text_at(&o.value, &["kind"]).unwrap_or("")
}

fn namespace_of(o: &Object) -> &str {
    text_at(&o.value, &["metadata", "namespace"]).unwrap_or("default")
}

fn name_of(o: &Object) -> &str {
    text_at(&o.value, &["metadata", "name"]).unwrap_or("unnamed")
}

/// The draft from every object read.
fn build(objects: &[Object], paths: &[PathBuf]) -> Result<Draft, ImportError> {
    let shown_paths: Vec<String> = paths.iter().map(|p| shown(p)).collect();
    let mut draft = Draft {
        title: format!("imported from {}", shown_paths.join(" ")),
        header: header(&shown_paths.join(" ")),
        ..Draft::default()
    };
    let budgets: Vec<&Object> = objects
        .iter()
        .filter(|o| kind_of(o) == "PodDisruptionBudget")
        .collect();
    let mut names = Unique::default();
    for o in objects {
        match kind_of(o) {
            "Deployment" | "StatefulSet" => draft.services.push(workload(o, &budgets, &mut names)),
            "PodDisruptionBudget" => {}
            other => draft.unmodelled.push(format!(
                "{other} {}/{} ({}:{})",
                namespace_of(o),
                name_of(o),
                o.file,
                o.line
            )),
        }
    }
    if draft.services.is_empty() {
        return Err(ImportError::Content {
            file: shown_paths.join(", "),
            message: format!("no Deployment or StatefulSet among its {} Kubernetes object(s)", objects.len()),
            hint: "`import kubernetes` models Deployments and StatefulSets (with their PodDisruptionBudgets)".into(),
        });
    }
    if draft.services.len() > super::MAX_SERVICES {
        return Err(ImportError::Content {
            file: shown_paths.join(", "),
            message: format!(
                "it would give {} services; `import` writes at most {}",
                draft.services.len(),
                super::MAX_SERVICES
            ),
            hint: "import one application's manifests at a time".into(),
        });
    }
    Ok(draft)
}

fn header(paths: &str) -> Vec<String> {
    vec![
        format!("Imported by `faultline import kubernetes` from {paths}."),
        "The manifests do not say where the cluster runs: it is the domain `k8s/cluster` here. Rename it to".into(),
        "your provider and region (aws/us-east-1, gcp/us-central1, azure/westeurope) and its zones to theirs.".into(),
        "Every inferred choice has a comment; add which service calls which (depends_on) and what an hour of outage costs (cost).".into(),
    ]
}

/// The service of a Deployment or StatefulSet.
fn workload(o: &Object, budgets: &[&Object], names: &mut Unique) -> Service {
    let spec = o.value.get("spec");
    let mut notes = vec![format!(
        "{} {}/{} ({}:{})",
        kind_of(o),
        namespace_of(o),
        name_of(o),
        o.file,
        o.line
    )];
    let replicas = match spec.and_then(|s| s.get("replicas")).and_then(Value::as_u64) {
        Some(n) => n,
        None => {
            notes.push("replicas: not set; Kubernetes' default 1".into());
            1
        }
    };
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
    let base = sanitize(name_of(o), "workload");
    let name = if namespace_of(o) == "default" {
        names.take(&base)
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
    if spreads_over_zones(pod) {
        let assumed = ASSUMED_ZONES.iter().map(|z| z.to_string()).collect();
        return (assumed, "zones: pods spread over zones (topology spread or anti-affinity on the zone label); three zones `a`, `b`, `c` assumed".into());
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

/// Whether a pod spec spreads its pods over zones.
fn spreads_over_zones(pod: &Value) -> bool {
    let on_zone = |v: &Value| {
        v.get("topologyKey")
            .and_then(Value::as_str)
            .is_some_and(|k| ZONE_KEYS.contains(&k))
    };
    let spread = pod
        .get("topologySpreadConstraints")
        .and_then(Value::as_sequence);
    let anti = at(pod, &["affinity", "podAntiAffinity"]);
    let anti_terms = [
        "requiredDuringSchedulingIgnoredDuringExecution",
        "preferredDuringSchedulingIgnoredDuringExecution",
    ]
    .iter()
    .filter_map(|k| anti.and_then(|a| a.get(*k)).and_then(Value::as_sequence))
    .flatten()
    .any(|t| on_zone(t) || t.get("podAffinityTerm").is_some_and(on_zone));
    spread.is_some_and(|s| s.iter().any(on_zone)) || anti_terms
}

/// `need` from the first PodDisruptionBudget in the workload's namespace
/// whose `matchLabels` all match its pod labels.
fn need(o: &Object, replicas: u64, budgets: &[&Object]) -> (u64, String) {
    let labels = at(&o.value, &["spec", "template", "metadata", "labels"]);
    let matches = |b: &&&Object| {
        let selector =
            at(&b.value, &["spec", "selector", "matchLabels"]).and_then(Value::as_mapping);
        namespace_of(b) == namespace_of(o)
            && selector.is_some_and(|s| {
                !s.is_empty()
                    && s.iter()
                        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
            })
    };
    let Some(budget) = budgets.iter().find(matches) else {
        return (1, "need: 1 (no PodDisruptionBudget selects its pods); raise it to the replicas your peak needs".into());
    };
    let spec = budget.value.get("spec");
    let from = |key: &str| {
        spec.and_then(|s| s.get(key))
            .and_then(|v| count(v, replicas))
    };
    let (need, how) = match (from("minAvailable"), from("maxUnavailable")) {
        (Some(min), _) => (min, "minAvailable"),
        (None, Some(max)) => (replicas.saturating_sub(max), "replicas - maxUnavailable"),
        (None, None) => {
            return (
                1,
                format!(
                    "need: 1 (PodDisruptionBudget {} sets neither minAvailable nor maxUnavailable)",
                    name_of(budget)
                ),
            )
        }
    };
    let clamped = need.clamp(1, replicas);
    (clamped, format!("need: {clamped} from PodDisruptionBudget {} ({how}), at least 1 and at most the replicas", name_of(budget)))
}

/// A PodDisruptionBudget count: a number, or a percentage of `replicas`
/// rounded up (as Kubernetes rounds).
fn count(value: &Value, replicas: u64) -> Option<u64> {
    if let Some(n) = value.as_u64() {
        return Some(n);
    }
    let percent: u64 = value.as_str()?.strip_suffix('%')?.trim().parse().ok()?;
    Some((replicas.saturating_mul(percent.min(100))).div_ceil(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_in_percent_round_up_as_kubernetes_does() {
        let v = |s: &str| serde_norway::from_str::<Value>(s).unwrap_or(Value::Null);
        assert_eq!(count(&v("2"), 5), Some(2));
        assert_eq!(count(&v("\"50%\""), 5), Some(3));
        assert_eq!(count(&v("\"100%\""), 3), Some(3));
        assert_eq!(count(&v("\"x\""), 3), None);
        assert_eq!(
            document_lines("a: 1\n---\nb: 2\n--- # c\nc: 3\n"),
            vec![1, 3, 5]
        );
    }
}
