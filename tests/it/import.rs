//! `faultline import`: real Terraform plans and states and real Kubernetes
//! manifests (tests/fixtures/import, sources in its README) become
//! scenarios that pass `check` and run, with the structure the input
//! describes; bad and hostile inputs are located errors, never a panic or a
//! hang; the walk-through of docs/import.md runs as written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use faultline::model::{Model, Routing};

use super::support::{self, repo};

/// The fixtures of `faultline import terraform`.
pub(super) const TERRAFORM: [&str; 10] = [
    "aws-asg-elb.plan.json",
    "aws-db-instance.plan.json",
    "aws-instances.plan.json",
    "aws-rds-cluster-no-instances.tfstate",
    "aws-rds-cluster.plan.json",
    "aws-shop.tfstate",
    "azure-postgresql.plan.json",
    "azure-shop.state.json",
    "azure-vm.plan.json",
    "gcp-shop.plan.json",
];

/// The fixtures of `faultline import kubernetes`.
pub(super) const KUBERNETES: [&str; 3] = [
    "cockroachdb-statefulset.yaml",
    "online-boutique.yaml",
    "shop-manifests.yaml",
];

/// The path of fixture `name` from the repository root.
pub(super) fn fixture(name: &str) -> String {
    format!("tests/fixtures/import/{name}")
}

/// `faultline ARGS` from the repository root.
pub(super) fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run faultline")
}

/// The scenario `faultline import ARGS` prints, and its model.
pub(super) fn imported(args: &[&str]) -> (String, Model) {
    let output = faultline(args);
    assert!(output.status.success(), "import {args:?}: {output:?}");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let model = support::model(&text);
    (text, model)
}

/// A deployment as placed: the `in` domain, each replica's domain, `need`.
#[derive(Debug, PartialEq)]
pub(super) struct Placed {
    pub(super) domain: String,
    pub(super) replicas: Vec<String>,
    pub(super) need: usize,
}

/// The deployments of service `name`, and whether it is ActivePassive.
pub(super) fn placement(model: &Model, name: &str) -> (Vec<Placed>, bool) {
    let service = (model.services.iter())
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service `{name}`"));
    let path = |d: usize| model.domains[d].path.clone();
    let placed = (service.deployments.clone())
        .map(|d| {
            let deployment = &model.deployments[d];
            Placed {
                domain: path(deployment.domain),
                replicas: (deployment.replicas.clone())
                    .map(|r| path(model.replicas[r].domain))
                    .collect(),
                need: deployment.need,
            }
        })
        .collect();
    let passive = matches!(service.routing, Routing::ActivePassive { .. });
    (placed, passive)
}

pub(super) fn placed(domain: &str, replicas: &[&str], need: usize) -> Placed {
    Placed {
        domain: domain.into(),
        replicas: replicas.iter().map(|r| format!("{domain}/{r}")).collect(),
        need,
    }
}

#[test]
fn every_fixture_imports_to_a_scenario_that_passes_check_and_runs() {
    let terraform = TERRAFORM.iter().map(|f| vec!["import", "terraform", f]);
    let kubernetes = KUBERNETES.iter().map(|f| vec!["import", "kubernetes", f]);
    for args in terraform.chain(kubernetes) {
        let file = fixture(args[2]);
        let args = [args[0], args[1], file.as_str()];
        let (text, model) = imported(&args);
        assert!(!model.services.is_empty(), "{args:?}");
        let result = support::run(&text, 200, 7);
        assert_eq!(result.services.len(), model.services.len(), "{args:?}");
        // the same text through the command line's own check
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-check");
        std::fs::create_dir_all(&dir).expect("folder");
        let path = dir.join(format!("{}.ron", args[2].replace('/', "_")));
        std::fs::write(&path, &text).expect("write");
        let check = faultline(&["check", path.to_str().expect("path")]);
        assert!(check.status.success(), "{args:?}: {check:?}");
        let formatted = faultline(&["fmt", "--check", path.to_str().expect("path")]);
        assert!(formatted.status.success(), "{args:?}: {formatted:?}");
        assert!(
            !String::from_utf8_lossy(&check.stderr).contains("warning"),
            "{args:?}: {check:?}"
        );
    }
}

#[test]
fn online_boutique_is_twelve_single_replica_services_in_one_cluster() {
    let (text, model) = imported(&["import", "kubernetes", &fixture("online-boutique.yaml")]);
    let names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 12, "{names:?}");
    for expected in [
        "frontend",
        "cartservice",
        "redis-cart",
        "checkoutservice",
        "loadgenerator",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for name in names {
        let (deployments, passive) = placement(&model, name);
        assert_eq!(
            deployments,
            [placed("k8s/cluster", &[], 1)].map(|mut p| {
                p.replicas = vec!["k8s/cluster".into()];
                p
            })
        );
        assert!(!passive);
    }
    assert!(text.contains("//   Service frontend ("), "{text}");
}

#[test]
fn zones_replicas_and_budgets_come_from_the_manifests() {
    let (_, model) = imported(&["import", "kubernetes", &fixture("shop-manifests.yaml")]);
    // 6 replicas spread over zones (three assumed); minAvailable 50% of 6 = 3
    let (api, _) = placement(&model, "api");
    assert_eq!(
        api,
        [placed("k8s/cluster", &["a", "b", "c", "a", "b", "c"], 3)]
    );
    // node affinity names the zones; maxUnavailable 1 of 3 leaves need 2
    let (db, _) = placement(&model, "data-db");
    let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    assert_eq!(db, [placed("k8s/cluster", &zones, 2)]);
}

#[test]
fn a_state_file_gives_zones_from_subnets_and_failover_for_multi_az_databases() {
    let (text, model) = imported(&["import", "terraform", &fixture("aws-shop.tfstate")]);
    let (api, passive) = placement(&model, "api");
    assert_eq!(api, [placed("aws/us-west-2", &["a", "b", "c", "a"], 1)]);
    assert!(!passive);
    let (front, _) = placement(&model, "front");
    assert_eq!(front, [placed("aws/us-west-2", &["a", "b"], 1)]);
    // multi_az: the primary in its zone, a standby in another, ActivePassive
    let (orders, passive) = placement(&model, "orders");
    let one = |zone: &str| placed("aws/us-west-2", &[zone], 1);
    assert_eq!(orders, [one("b"), one("a")]);
    assert!(passive);
    let (sessions, passive) = placement(&model, "sessions");
    assert_eq!(sessions, [one("a"), one("c")]);
    assert!(passive);
    // an Aurora cluster fails over between its two instances, in their zones
    let (catalog, passive) = placement(&model, "catalog");
    assert_eq!((catalog, passive), (vec![one("c"), one("a")], true));
    // for_each instances are one service
    let (bastion, _) = placement(&model, "bastion");
    assert_eq!(bastion, [placed("aws/us-west-2", &["a", "c"], 1)]);
    assert!(text.contains("//   aws_s3_bucket.assets (1)"), "{text}");
    assert!(
        text.contains("depends_on: not visible in the input"),
        "{text}"
    );
}

#[test]
fn google_and_azure_groups_and_high_availability_databases_are_understood() {
    let (_, gcp) = imported(&["import", "terraform", &fixture("gcp-shop.plan.json")]);
    let (web, _) = placement(&gcp, "web");
    let six = ["a", "b", "c", "a", "b", "c"];
    assert_eq!(web, [placed("gcp/us-central1", &six, 1)]);
    let (orders, passive) = placement(&gcp, "orders");
    let one = |zone: &str| placed("gcp/us-central1", &[zone], 1);
    assert_eq!((orders, passive), (vec![one("a"), one("b")], true));
    let (sessions, passive) = placement(&gcp, "sessions");
    assert_eq!((sessions, passive), (vec![one("a"), one("f")], true));
    let (_, azure) = imported(&["import", "terraform", &fixture("azure-shop.state.json")]);
    let (web, _) = placement(&azure, "web");
    assert_eq!(web, [placed("azure/westeurope", &["1", "2", "3"], 1)]);
    let (orders, passive) = placement(&azure, "orders");
    let one = |zone: &str| placed("azure/westeurope", &[zone], 1);
    assert_eq!((orders, passive), (vec![one("1"), one("2")], true));
}

#[test]
fn failure_processes_follow_the_providers_and_regions_present() {
    let (_, aws) = imported(&["import", "terraform", &fixture("aws-asg-elb.plan.json")]);
    let names: Vec<&str> = aws.failures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "aws/us-east-1 zone outage",
            "aws/us-east-1 region outage",
            "host failure",
            "bad rollout"
        ]
    );
    let (_, gcp) = imported(&["import", "terraform", &fixture("gcp-shop.plan.json")]);
    let names: Vec<&str> = gcp.failures.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"gcp global control plane"), "{names:?}");
    assert!(
        names.contains(&"gcp/us-central1 region outage"),
        "{names:?}"
    );
}

#[test]
fn resources_of_an_aliased_provider_are_placed_in_its_region() {
    let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.5",
      "planned_values": {"root_module": {
        "resources": [{"address": "aws_instance.east", "mode": "managed", "type": "aws_instance",
                       "name": "east", "values": {}}],
        "child_modules": [{"resources": [{"address": "module.dr[0].aws_instance.west[1]",
                       "mode": "managed", "type": "aws_instance", "name": "west", "index": 1, "values": {}}]}]}},
      "configuration": {
        "provider_config": {
          "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
          "aws.west": {"name": "aws", "alias": "west", "expressions": {"region": {"constant_value": "us-west-2"}}}},
        "root_module": {
          "resources": [{"address": "aws_instance.east", "provider_config_key": "aws"}],
          "module_calls": {"dr": {"module": {
            "resources": [{"address": "aws_instance.west", "provider_config_key": "aws.west"}]}}}}}}"#;
    let path = scratch("aliases.plan.json", plan.as_bytes());
    let (_, model) = imported(&["import", "terraform", path.to_str().expect("path")]);
    assert_eq!(
        placement(&model, "east").0,
        [placed("aws/us-east-1", &["a"], 1)]
    );
    assert_eq!(
        placement(&model, "dr-0-west").0,
        [placed("aws/us-west-2", &["a"], 1)]
    );
}

/// Writes `bytes` to a fresh file named `name` and returns its path.
pub(super) fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-bad");
    std::fs::create_dir_all(&dir).expect("folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// `faultline import KIND PATH`: exit 1 within 30 s and a message
/// containing each of `expected`.
pub(super) fn refused(kind: &str, path: &Path, expected: &[&str]) {
    let start = Instant::now();
    let output = faultline(&["import", kind, path.to_str().expect("path")]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{path:?} took {:?}",
        start.elapsed()
    );
    assert_eq!(output.status.code(), Some(1), "{path:?}: {output:?}");
    assert!(output.stdout.is_empty(), "{path:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for e in expected {
        assert!(stderr.contains(e), "{path:?}: expected `{e}` in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_terraform_inputs_are_located_errors() {
    let not_json = scratch("not.json", b"{\n  \"a\": nope\n}\n");
    refused(
        "terraform",
        &not_json,
        &["not.json:2:", "error: not valid JSON"],
    );
    let other = scratch("other.json", br#"{"name": "not terraform"}"#);
    refused(
        "terraform",
        &other,
        &["is not the output of `terraform show -json`", "hint:"],
    );
    let nothing = repo(&fixture("null-resources.plan.json"));
    refused(
        "terraform",
        &nothing,
        &["none of its 7 resource(s)", "hint:"],
    );
    let deep = scratch("deep.json", "[".repeat(100_000).as_bytes());
    refused("terraform", &deep, &["deep.json:1:", "recursion limit"]);
    let folder = scratch("x", b"").with_file_name("");
    refused("terraform", &folder, &["a folder"]);
    let huge = scratch("huge.json", b"");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&huge)
        .expect("open");
    file.set_len(100 * 1024 * 1024).expect("sparse file");
    refused("terraform", &huge, &["is larger than 67108864 bytes"]);
}

#[test]
fn bad_yaml_inputs_are_located_errors_and_alias_bombs_do_not_explode() {
    let broken = scratch(
        "broken.yaml",
        b"apiVersion: v1\nkind: [Deployment\nmetadata: {}\n",
    );
    refused(
        "kubernetes",
        &broken,
        &["broken.yaml:3:", "not valid YAML", "helm template"],
    );
    let not_k8s = scratch(
        "notk8s.yaml",
        b"---\nkind: Deployment\n---\nname: x\nitems: [1]\n",
    );
    refused(
        "kubernetes",
        &not_k8s,
        &["notk8s.yaml:2:1", "not a Kubernetes object"],
    );
    let config = scratch(
        "config.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    refused("kubernetes", &config, &["no Deployment or StatefulSet"]);
    let deep = scratch("deep.yaml", "[".repeat(100_000).as_bytes());
    refused("kubernetes", &deep, &["deep.yaml:", "recursion limit"]);
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let bomb = scratch("bomb.yaml", bomb.as_bytes());
    refused(
        "kubernetes",
        &bomb,
        &["bomb.yaml", "repetition limit exceeded"],
    );
}

#[test]
fn hostile_names_in_the_input_become_valid_scenario_names() {
    let state = r#"{"version": 4, "resources": [
        {"mode": "managed", "type": "aws_instance", "name": "w\u001b[2J\neb\u202e\"x",
         "instances": [{"attributes": {"availability_zone": "us-east-1\nb\"", "arn": "arn:aws:ec2:us-east-1:1:i"}}]},
        {"mode": "managed", "type": "aws_db_instance", "name": "東京",
         "instances": [{"attributes": {"multi_az": true, "arn": "arn:aws:rds:\u202e:1:db"}}]}]}"#;
    let path = scratch("hostile.tfstate", state.as_bytes());
    let (text, model) = imported(&["import", "terraform", path.to_str().expect("path")]);
    assert_eq!(model.services.len(), 2, "{text}");
    assert!(
        !text.chars().any(|c| c == '\u{1b}' || c == '\u{202e}'),
        "{text}"
    );
    // the zone's junk does not make a region; the instance's ARN does
    let (web, _) = placement(&model, "w-2J-eb-x");
    assert_eq!(web, [placed("aws/us-east-1", &["b"], 1)]);
}

#[test]
fn hostile_sizes_stay_within_the_scenario_limits() {
    let spread: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"index_key": {i}, "attributes": {{"region": "r{i}"}}}}"#))
        .collect();
    let state = format!(
        r#"{{"version": 4, "resources": [
        {{"mode": "managed", "type": "aws_instance", "name": "everywhere", "instances": [{}]}},
        {{"mode": "managed", "type": "aws_elasticache_replication_group", "name": "cache",
          "instances": [{{"attributes": {{"region": "r0", "automatic_failover_enabled": true, "num_cache_clusters": 500}}}}]}},
        {{"mode": "managed", "type": "aws_autoscaling_group", "name": "huge",
          "instances": [{{"attributes": {{"region": "r0", "desired_capacity": 1000000000000}}}}]}}]}}"#,
        spread.join(",")
    );
    let path = scratch("sizes.tfstate", state.as_bytes());
    let (text, model) = imported(&["import", "terraform", path.to_str().expect("path")]);
    // a counted rate per region: more uncertain inputs than a scenario may have
    assert!(text.contains("written as their point values"), "{text}");
    assert!(model.uncertain.is_empty());
    let deployments = |name: &str| placement(&model, name).0;
    assert_eq!(deployments("everywhere").len(), 64);
    assert_eq!(deployments("cache").len(), 64);
    assert_eq!(deployments("huge")[0].replicas.len(), 10_000);
}

/// The commands of the `sh` blocks of a Markdown text.
fn sh_commands(markdown: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        match line.trim_start().strip_prefix("```") {
            Some(info) => inside = !inside && info.trim() == "sh",
            None if inside && line.starts_with("faultline ") => {
                out.push(line.split_whitespace().map(String::from).collect());
            }
            None => {}
        }
    }
    out
}

#[test]
fn the_walk_through_of_docs_import_runs_as_written() {
    let doc = std::fs::read_to_string(repo("docs/import.md")).expect("docs/import.md");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-walk-through");
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["tests/fixtures/import", "examples/import"] {
        std::fs::create_dir_all(dir.join(sub)).expect("folder");
        for entry in std::fs::read_dir(repo(sub)).expect(sub) {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, dir.join(sub).join(path.file_name().expect("name")))
                .expect("copy");
        }
    }
    let commands = sh_commands(&doc);
    assert!(commands.len() >= 4, "{commands:?}");
    for command in commands {
        let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .current_dir(&dir)
            .args(&command[1..])
            .output()
            .expect("run faultline");
        assert!(output.status.success(), "{command:?}: {output:?}");
    }
}

#[test]
fn the_imported_examples_are_what_import_writes_today() {
    for (example, kind, input) in [
        ("aws-shop.ron", "terraform", "aws-shop.tfstate"),
        ("online-boutique.ron", "kubernetes", "online-boutique.yaml"),
    ] {
        let (text, _) = imported(&["import", kind, &fixture(input)]);
        let path = repo(&format!("examples/import/{example}"));
        if std::env::var_os("UPDATE_RESULTS").is_some() {
            std::fs::write(&path, &text).expect("write example");
        }
        let committed = std::fs::read_to_string(&path).expect("example");
        assert_eq!(
            committed, text,
            "examples/import/{example} is stale: UPDATE_RESULTS=1"
        );
    }
}
