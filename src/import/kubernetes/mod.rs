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

mod budget;
mod workload;

use super::names::Unique;
use super::{read_text, shown, Draft, ImportError};

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
    /// The file, as shown.
    file: String,
    /// The line its document starts on.
    line: usize,
    /// Its place in a `kind: List` document (from 1), if it is an item.
    item: Option<usize>,
    /// The object.
    value: Value,
}

impl Object {
    /// Where it was read: `FILE:LINE`, with its item number in a List.
    fn place(&self) -> String {
        match self.item {
            Some(i) => format!("{}:{}, item {i} of a List", self.file, self.line),
            None => format!("{}:{}", self.file, self.line),
        }
    }
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
    let api = value.get("apiVersion").is_some();
    match kind.as_deref() {
        Some(k) if k.ends_with("List") => {
            let items = value
                .get("items")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            for (i, item) in items.into_iter().enumerate() {
                let before = out.len();
                add_object(file, line, item, out)?;
                out[before..]
                    .iter_mut()
                    .for_each(|o| o.item = o.item.or(Some(i + 1)));
            }
            Ok(())
        }
        Some(_) if api => {
            out.push(Object {
                file: file.to_string(),
                line,
                item: None,
                value,
            });
            Ok(())
        }
        _ => Err(not_an_object(file, line, &value, kind.is_some(), api)),
    }
}

/// The error for a YAML document that is not a Kubernetes object, saying
/// which of `apiVersion` and `kind` it lacks (and recognising a Helm
/// chart's `Chart.yaml`).
fn not_an_object(file: &str, line: usize, value: &Value, kind: bool, api: bool) -> ImportError {
    let chart = api && value.get("name").is_some() && value.get("version").is_some();
    let missing = match (api, kind) {
        (false, false) => "no `apiVersion` and no `kind`",
        (false, true) => "no `apiVersion`",
        _ => "no `kind`",
    };
    let (message, hint) = if chart {
        (
            "this is a Helm chart's Chart.yaml, not a manifest".to_string(),
            "render the chart first: `helm template RELEASE CHART > manifests.yaml`, then import that file",
        )
    } else {
        (
            format!("this YAML document is not a Kubernetes object (it has {missing})"),
            "give Kubernetes manifests, e.g. the output of `helm template` or `kubectl get -o yaml`",
        )
    };
    ImportError::Content {
        file: format!("{file}:{line}:1"),
        message,
        hint: hint.into(),
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

/// The objects of one kind.
fn of_kind<'a>(objects: &'a [Object], kind: &str) -> Vec<&'a Object> {
    objects.iter().filter(|o| kind_of(o) == kind).collect()
}

/// An object as named in the list of what was not modelled: with its
/// namespace where it has one (cluster-scoped objects have none).
fn listed(o: &Object, why: &str) -> String {
    let name = match text_at(&o.value, &["metadata", "namespace"]) {
        Some(ns) => format!("{ns}/{}", name_of(o)),
        None => name_of(o).to_string(),
    };
    format!("{} {name} ({}){why}", kind_of(o), o.place())
}

/// The draft from every object read.
fn build(objects: &[Object], paths: &[PathBuf]) -> Result<Draft, ImportError> {
    let shown_paths: Vec<String> = paths.iter().map(|p| shown(p)).collect();
    refuse_kustomizations(objects)?;
    let mut draft = Draft {
        title: super::title(&shown_paths),
        header: header(&shown_paths.join(" ")),
        ..Draft::default()
    };
    let budgets = of_kind(objects, "PodDisruptionBudget");
    let scalers = of_kind(objects, "HorizontalPodAutoscaler");
    let workloads: Vec<&Object> = objects
        .iter()
        .filter(|o| matches!(kind_of(o), "Deployment" | "StatefulSet"))
        .collect();
    let mut names = Unique::default();
    for (i, o) in workloads.iter().enumerate() {
        let mut service = workload::workload(o, &budgets, &scalers, &mut names);
        let same = |e: &&&Object| {
            (kind_of(e), namespace_of(e), name_of(e)) == (kind_of(o), namespace_of(o), name_of(o))
        };
        if let Some(first) = workloads[..i].iter().find(same) {
            service.notes.push(format!(
                "the same {} as at {} (an overlay, or a second environment?): imported again as its own service",
                kind_of(o),
                first.place()
            ));
        }
        draft.services.push(service);
    }
    for o in objects {
        let why = match kind_of(o) {
            "Deployment" | "StatefulSet" => continue,
            "PodDisruptionBudget" if workloads.iter().any(|w| budget::covers(o, w)) => continue,
            "HorizontalPodAutoscaler" if workloads.iter().any(|w| workload::scales(o, w)) => continue,
            "PodDisruptionBudget" => ": selects no Deployment or StatefulSet in the input (an operator-managed workload?)",
            "HorizontalPodAutoscaler" => ": scales no Deployment or StatefulSet in the input",
            _ => "",
        };
        draft.unmodelled.push(listed(o, why));
    }
    check_drafted(&shown_paths, &draft, objects.len())?;
    Ok(draft)
}

/// A kustomization is a recipe, not the manifests it makes: refused with
/// the command that renders it.
fn refuse_kustomizations(objects: &[Object]) -> Result<(), ImportError> {
    let Some(k) = objects.iter().find(|o| kind_of(o) == "Kustomization") else {
        return Ok(());
    };
    Err(ImportError::Content {
        file: format!("{}:{}:1", k.file, k.line),
        message: "this is a kustomization (`kind: Kustomization`): its patches and overlays are applied only when it is rendered".into(),
        hint: "render it first: `kubectl kustomize DIR > manifests.yaml`, then import that file".into(),
    })
}

/// An error unless the draft has between 1 and [`super::MAX_SERVICES`]
/// services.
fn check_drafted(paths: &[String], draft: &Draft, objects: usize) -> Result<(), ImportError> {
    if draft.services.is_empty() {
        return Err(ImportError::Content {
            file: paths.join(", "),
            message: format!("no Deployment or StatefulSet among its {objects} Kubernetes object(s)"),
            hint: "`import kubernetes` models Deployments and StatefulSets (with their PodDisruptionBudgets)".into(),
        });
    }
    if draft.services.len() > super::MAX_SERVICES {
        return Err(ImportError::Content {
            file: paths.join(", "),
            message: format!(
                "it would give {} services; `import` writes at most {}",
                draft.services.len(),
                super::MAX_SERVICES
            ),
            hint: "import one application's manifests at a time".into(),
        });
    }
    Ok(())
}

fn header(paths: &str) -> Vec<String> {
    vec![
        format!("Imported by `faultline import kubernetes` from {paths}."),
        "The manifests do not say where the cluster runs: it is the domain `k8s/cluster` here. Rename it to".into(),
        "your provider and region (aws/us-east-1, gcp/us-central1, azure/westeurope) and its zones to theirs.".into(),
        "Every inferred choice has a comment; add which service calls which (depends_on) and what an hour of outage costs (cost).".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_start_after_each_separator() {
        assert_eq!(
            document_lines("a: 1\n---\nb: 2\n--- # c\nc: 3\n"),
            vec![1, 3, 5]
        );
    }
}
