//! What `faultline import` infers where real files are less tidy than its
//! first fixtures: autoscalers, budgets with expressions or percentages,
//! kustomizations, instances of one resource that differ, Aurora clusters
//! without their instances, node pools that autoscale, old states and
//! wrapped plans, and many or long input paths. Each comment the import
//! writes must say how its number came about.

use super::import::{fixture, imported, placed, placement, refused, scratch};
use super::support::repo;

/// The lines of `text` that mention `needle`.
fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn an_autoscaled_deployment_runs_the_autoscalers_floor() {
    let (d, h) = (
        fixture("podinfo-deployment.yaml"),
        fixture("podinfo-hpa.yaml"),
    );
    let (text, model) = imported(&["import", "kubernetes", &d, &h]);
    let (podinfo, _) = placement(&model, "podinfo");
    assert_eq!(podinfo[0].replicas.len(), 2, "{text}");
    assert_eq!(
        lines_with(&text, "minReplicas of HorizontalPodAutoscaler podinfo").len(),
        1,
        "{text}"
    );
    assert!(!text.contains("//   HorizontalPodAutoscaler"), "{text}");
}

#[test]
fn a_kustomization_is_refused_with_the_command_that_renders_it() {
    let files = ["podinfo-kustomization.yaml", "podinfo-deployment.yaml"];
    let dir = scratch("kustomize-k.yaml", b"").with_file_name("kustomize");
    std::fs::create_dir_all(&dir).expect("folder");
    for f in files {
        std::fs::copy(repo(&fixture(f)), dir.join(f)).expect("copy");
    }
    refused(
        "kubernetes",
        &dir,
        &[
            "podinfo-kustomization.yaml:1:1",
            "kind: Kustomization",
            "kubectl kustomize",
        ],
    );
}

#[test]
fn a_budget_in_percent_says_how_it_rounds_and_that_it_may_guard_a_quorum() {
    let (text, model) = imported(&[
        "import",
        "kubernetes",
        &fixture("cockroachdb-statefulset.yaml"),
    ]);
    let (db, _) = placement(&model, "cockroachdb");
    assert_eq!((db[0].replicas.len(), db[0].need), (3, 3), "{text}");
    let note = lines_with(&text, "need: 3 from PodDisruptionBudget cockroachdb-budget");
    assert_eq!(note.len(), 1, "{text}");
    assert!(
        note[0].contains("minAvailable 67% of 3, rounded up"),
        "{}",
        note[0]
    );
    assert!(note[0].contains("quorum"), "{}", note[0]);
}

/// Manifests with what real clusters have: a budget selecting by
/// expression, a budget and an autoscaler for workloads not in the input,
/// a workload scaled to zero, a duplicate, a preferred spread, a List and
/// cluster-scoped objects.
const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  replicas: 4
  template:
    metadata: {labels: {app: worker, tier: back}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            podAffinityTerm: {topologyKey: topology.kubernetes.io/zone}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: worker-pdb}
spec:
  minAvailable: 3
  selector:
    matchExpressions: [{key: app, operator: In, values: [worker, other]}, {key: tier, operator: Exists}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: prometheus-k8s, namespace: monitoring}
spec: {minAvailable: 1, selector: {matchLabels: {app: prometheus}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost}
spec: {scaleTargetRef: {kind: Deployment, name: ghost}, minReplicas: 3, maxReplicas: 5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: paused}
spec: {replicas: 0, template: {metadata: {labels: {app: paused}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec: {replicas: 2, template: {metadata: {labels: {app: worker}}}}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Namespace, metadata: {name: monitoring}}
- {apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: reader}}
";

#[test]
fn budgets_autoscalers_and_odd_workloads_are_read_as_kubernetes_reads_them() {
    let path = scratch("odd.yaml", MANIFESTS.as_bytes());
    let (text, model) = imported(&["import", "kubernetes", path.to_str().expect("path")]);
    let (worker, _) = placement(&model, "worker");
    assert_eq!(
        worker,
        [placed("k8s/cluster", &["a", "b", "c", "a"], 3)],
        "the budget selects by expressions: {text}"
    );
    assert_eq!(
        lines_with(&text, "the rule is only preferred").len(),
        1,
        "{text}"
    );
    let (paused, _) = placement(&model, "paused");
    assert_eq!(paused[0].replicas.len(), 1);
    assert_eq!(lines_with(&text, "scaled to zero").len(), 1, "{text}");
    assert_eq!(
        lines_with(&text, "imported again as its own service").len(),
        1,
        "{text}"
    );
    for listed in [
        "PodDisruptionBudget monitoring/prometheus-k8s (",
        "selects no Deployment or StatefulSet in the input",
        "HorizontalPodAutoscaler ghost (",
        "scales no Deployment or StatefulSet in the input",
        "Namespace monitoring (",
        "ClusterRole reader (",
        "item 2 of a List",
    ] {
        assert_eq!(lines_with(&text, listed).len(), 1, "`{listed}` in:\n{text}");
    }
    assert!(
        !text.contains("PodDisruptionBudget default/worker-pdb"),
        "{text}"
    );
}

#[test]
fn many_or_long_input_paths_still_give_a_scenario_check_accepts() {
    let dir = scratch("many-k.yaml", b"").with_file_name("many");
    std::fs::create_dir_all(&dir).expect("folder");
    let mut paths = Vec::new();
    for i in 0..12 {
        let path = dir.join(format!("deployment-with-a-long-name-number-{i}.yaml"));
        let doc = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\n");
        std::fs::write(&path, doc).expect("write");
        paths.push(path.to_string_lossy().into_owned());
    }
    let mut args = vec!["import", "kubernetes"];
    args.extend(paths.iter().map(String::as_str));
    let (text, model) = imported(&args);
    assert_eq!(model.services.len(), 12);
    assert!(
        model.name.ends_with("-0.yaml and 11 more"),
        "{}",
        model.name
    );
    let long = scratch(
        &format!("{}.tfstate", "x".repeat(200)),
        br#"{"version": 4, "resources": [
        {"mode": "managed", "type": "aws_instance", "name": "web",
         "instances": [{"attributes": {"availability_zone": "us-east-1a"}}]}]}"#,
    );
    let (_, model) = imported(&["import", "terraform", long.to_str().expect("path")]);
    assert!(model.name.chars().count() <= 120, "{}", model.name);
    assert!(model.name.ends_with("xxx.tfstate"), "{text}");
}

#[test]
fn aurora_without_its_instances_is_one_writer_in_one_zone_and_says_so() {
    let file = fixture("aws-rds-cluster-no-instances.tfstate");
    let (text, model) = imported(&["import", "terraform", &file]);
    let (db, passive) = placement(&model, "postgresql");
    assert!(!passive, "{text}");
    assert_eq!(db, [placed("aws/us-east-1", &["a"], 1)], "{text}");
    assert_eq!(
        lines_with(
            &text,
            "its cluster instances are not in the input: one writer assumed"
        )
        .len(),
        1,
        "{text}"
    );
}

/// A state with two counted instances (one without a zone), two node pools
/// of one `for_each`, two counted database servers, and node pools and
/// clusters that autoscale.
const STATE: &str = r#"{"version": 4, "terraform_version": "1.6.0", "resources": [
 {"mode": "managed", "type": "aws_instance", "name": "web", "instances": [
   {"index_key": 0, "attributes": {"availability_zone": "us-east-1b"}},
   {"index_key": 1, "attributes": {"arn": "arn:aws:ec2:us-east-1:1:instance/i-1"}}]},
 {"mode": "managed", "type": "google_container_node_pool", "name": "pools", "instances": [
   {"index_key": "big", "attributes": {"location": "us-central1", "node_count": 3, "node_locations": ["us-central1-a", "us-central1-b", "us-central1-c"]}},
   {"index_key": "small", "attributes": {"location": "us-central1", "node_count": 1, "node_locations": ["us-central1-b"]}}]},
 {"mode": "managed", "type": "google_container_node_pool", "name": "auto", "instances": [
   {"attributes": {"location": "us-central1", "autoscaling": [{"min_node_count": 2, "max_node_count": 9}], "node_locations": ["us-central1-a"]}}]},
 {"mode": "managed", "type": "azurerm_kubernetes_cluster", "name": "aks", "instances": [
   {"attributes": {"location": "westeurope", "default_node_pool": [{"node_count": null, "min_count": 4, "max_count": 8}]}}]},
 {"mode": "managed", "type": "aws_db_instance", "name": "dbs", "instances": [
   {"index_key": 0, "attributes": {"availability_zone": "us-east-1a"}},
   {"index_key": 1, "attributes": {"availability_zone": "us-east-1b"}}]},
 {"mode": "managed", "type": "aws_eks_node_group", "name": "nodes", "instances": [
   {"attributes": {"arn": "arn:aws:eks:us-east-1:1:nodegroup/x", "scaling_config": [{"min_size": 3, "max_size": 6}]}}]}
]}"#;

#[test]
fn instances_that_differ_say_what_each_adds_and_autoscalers_give_their_floor() {
    let path = scratch("differ.tfstate", STATE.as_bytes());
    let (text, model) = imported(&["import", "terraform", path.to_str().expect("path")]);
    let (web, _) = placement(&model, "web");
    assert_eq!(web, [placed("aws/us-east-1", &["b", "b"], 1)], "{text}");
    assert_eq!(
        lines_with(&text, "sum over 2 instances (count/for_each) of one resource: 1 in b; 1 (zone not in the input)").len(),
        1,
        "{text}"
    );
    assert_eq!(
        lines_with(&text, "1 of these instances have no zone in the input").len(),
        1,
        "{text}"
    );
    let (pools, _) = placement(&model, "pools");
    assert_eq!(pools[0].replicas.len(), 10, "{text}");
    assert_eq!(
        lines_with(&text, ": 9 in a, b, c; 1 in b").len(),
        1,
        "{text}"
    );
    let replicas = |name: &str| placement(&model, name).0[0].replicas.len();
    assert_eq!(
        (replicas("auto"), replicas("aks"), replicas("nodes")),
        (2, 4, 3),
        "{text}"
    );
    assert_eq!(
        lines_with(&text, "the floor its autoscaler keeps").len(),
        3,
        "{text}"
    );
}

#[test]
fn old_states_wrapped_plans_and_empty_plans_are_refused_with_what_they_are() {
    let old = scratch(
        "v3.tfstate",
        br#"{"version": 3, "terraform_version": "0.11.14", "serial": 1, "modules": []}"#,
    );
    refused(
        "terraform",
        &old,
        &["format version 3", "Terraform 0.11", "hint:"],
    );
    let wrapped = repo(&fixture("aws-terraform-wrapper.plan.json"));
    refused(
        "terraform",
        &wrapped,
        &[
            "aws-terraform-wrapper.plan.json:1:1",
            "setup-terraform",
            "terraform_wrapper: false",
        ],
    );
    let empty = scratch(
        "empty.plan.json",
        br#"{"format_version": "1.2", "terraform_version": "1.6.0", "planned_values": {"root_module": {}}}"#,
    );
    refused("terraform", &empty, &["it has no resources"]);
    let chart = scratch(
        "Chart.yaml",
        b"apiVersion: v2\nname: podinfo\nversion: 6.0.0\n",
    );
    refused(
        "kubernetes",
        &chart,
        &["Chart.yaml:1:1", "Helm chart", "helm template"],
    );
}
