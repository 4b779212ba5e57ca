//! Determinism (SPEC section 5): the result document, apart from
//! `engine.seconds`, depends only on the scenario's meaning, the trials and
//! the seed: not on the thread count, not on the run, not on the order in
//! which the file lists services, failures, domains or dependencies.

use assert_cmd::Command;

use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Json, Render};

use super::support::{model, repo, without_key};

/// Not a multiple of the 64-trial block, so the last block is partial, and
/// several blocks, so two threads share the work.
const TRIALS: u64 = 1000;

/// Domains of the test scenario, one item each.
const DOMAINS: [&str; 7] = [
    r#""aws/us-east-1/a""#,
    r#""aws/us-east-1/b""#,
    r#""aws/us-east-1/c""#,
    r#""aws/us-west-2/a""#,
    r#""aws/us-west-2/b""#,
    r#""gcp/us-central1/a""#,
    r#""gcp/us-central1/b""#,
];

/// Failure definitions, one of each kind of target. Rates are high so that
/// every routing policy acts many times per trial.
const FAILURES: [&str; 10] = [
    r#"(name: "zones", on: EachZone(), every: "1y", lasts: LogNormal(median: "2h", p90: "10h"), cause: Power)"#,
    r#"(name: "regions", on: EachRegion(), every: "2y", lasts: Weibull(shape: 0.8, scale: "4h"), cause: Software)"#,
    r#"(name: "providers", on: EachProvider(), every: "5y", lasts: Uniform(min: "1h", max: "3h"), cause: Network)"#,
    r#"(name: "us-east-1 control plane", on: Domain("aws/us-east-1"), every: "2y", lasts: Empirical(["1h", "4h", "12h"]), cause: Dependency)"#,
    r#"(name: "hosts", on: EachReplica(), every: "60d", lasts: Exp(mean: "30m"), cause: Hardware)"#,
    r#"(name: "db hosts", on: EachReplica(of: "db"), every: "30d", lasts: Fixed("1h"), cause: Hardware)"#,
    r#"(name: "rollouts", on: EachDeployment(), every: "60d", lasts: LogNormal(median: "20m", p90: "2h"), cause: Config)"#,
    r#"(name: "cache rollouts", on: EachDeployment(of: "cache"), every: "30d", lasts: Exp(mean: "1h"), cause: Config)"#,
    r#"(name: "config pushes", on: EachService(), every: "1y", lasts: Exp(mean: "40m"), cause: Config)"#,
    r#"(name: "search index", on: Service("search"), every: "90d", lasts: Fixed("3h"), cause: Capacity)"#,
];

/// One service: its name, the text before its `depends_on` map, the map's
/// entries and the text after it.
struct Service {
    name: &'static str,
    head: &'static str,
    depends_on: &'static [&'static str],
    tail: &'static str,
}

/// ActiveActive with and without shift, ActivePassive, Manual; hard and soft
/// dependencies, same-region locality; several deployments per service; two
/// services with a cost.
const SERVICES: [Service; 6] = [
    Service {
        name: "web",
        head: r#"deployments: [
            (in: "aws/us-east-1", zones: ["a", "b", "c"], replicas: 6, need: 3),
            (in: "aws/us-west-2", zones: ["a", "b"], replicas: 4, need: 2),
            (in: "gcp/us-central1", zones: ["a", "b"], replicas: 2, need: 1),
        ],
        routing: ActiveActive(shift: "3m"),"#,
        depends_on: &[
            r#""api": Hard"#,
            r#""search": Soft(impact: 0.3)"#,
            r#""cache": Soft(impact: 0.05)"#,
        ],
        tail: r#"cost: (per_hour: 100000),"#,
    },
    Service {
        name: "api",
        head: r#"deployments: [
            (in: "aws/us-east-1", zones: ["a", "b", "c"], replicas: 3, need: 2),
            (in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1),
        ],"#,
        depends_on: &[
            r#""db": Hard"#,
            r#""queue": Hard"#,
            r#""cache": Soft(impact: 0.5)"#,
        ],
        tail: r#"cost: (per_hour: 2500.5),"#,
    },
    Service {
        name: "db",
        head: r#"deployments: [
            (in: "aws/us-east-1", zones: ["a", "b", "c"], replicas: 3, need: 2),
            (in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1),
            (in: "gcp/us-central1", zones: ["a"], replicas: 1),
        ],
        routing: ActivePassive(detect: Exp(mean: "3m"), switch: Uniform(min: "2m", max: "10m")),"#,
        depends_on: &[],
        tail: "",
    },
    Service {
        name: "queue",
        head: r#"deployments: [
            (in: "aws/us-east-1", zones: ["a", "b"], replicas: 2),
            (in: "aws/us-west-2", zones: ["a", "b"], replicas: 2),
        ],
        routing: Manual(respond: LogNormal(median: "15m", p90: "1h")),"#,
        depends_on: &[r#""db": Soft(impact: 0.5)"#, r#""cache": Soft(impact: 1)"#],
        tail: "",
    },
    Service {
        name: "cache",
        head: r#"deployments: [
            (in: "aws/us-east-1", zones: ["a"], replicas: 1),
            (in: "aws/us-west-2", zones: ["b"], replicas: 1),
        ],
        routing: ActiveActive(),"#,
        depends_on: &[],
        tail: "",
    },
    Service {
        name: "search",
        head: r#"deployments: [(in: "gcp/us-central1")],"#,
        depends_on: &[r#""cache": Hard"#],
        tail: "",
    },
];

/// The test scenario; `reorder` lists domains, failures, services and every
/// `depends_on` map in reverse order, which changes no meaning.
fn scenario(reorder: bool) -> String {
    fn ordered<T: Clone>(items: &[T], reverse: bool) -> Vec<T> {
        let mut items = items.to_vec();
        if reverse {
            items.reverse();
        }
        items
    }
    let domains = ordered(&DOMAINS, reorder).join(", ");
    let failures = ordered(&FAILURES, reorder).join(",\n        ");
    let services: Vec<String> = ordered(&SERVICES.iter().collect::<Vec<_>>(), reorder)
        .into_iter()
        .map(|s| {
            let depends_on = ordered(s.depends_on, reorder).join(", ");
            format!(
                "\"{}\": (\n        {}\n        depends_on: {{ {depends_on} }},\n        {}\n    )",
                s.name, s.head, s.tail
            )
        })
        .collect();
    format!(
        "Scenario(\n    name: \"determinism\", horizon: \"1y\", trials: {TRIALS}, seed: 20240601,\n    \
         domains: [{domains}],\n    failures: [\n        {failures},\n    ],\n    \
         services: {{\n    {}\n    }},\n)\n",
        services.join(",\n    ")
    )
}

/// The JSON document of a run through the library, `engine.seconds` zeroed.
fn document(text: &str, threads: Option<usize>) -> String {
    let options = RunOptions {
        threads,
        ..RunOptions::default()
    };
    let mut result = montecarlo::run(&model(text), &options).expect("run");
    result.engine.seconds = 0.0;
    Json.render(&result).expect("render")
}

/// `faultline run` of a file with `--format json` and extra arguments.
fn binary_document(path: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("run")
        .arg(path)
        .args(["--format", "json"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    without_key("seconds", &String::from_utf8(output).expect("UTF-8"))
}

/// Asserts two documents are identical, naming the first differing line.
fn assert_same(what: &str, a: &str, b: &str) {
    if a == b {
        return;
    }
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    panic!(
        "{what}: documents differ from line {}:\n  {:?}\n  {:?}",
        line + 1,
        a.lines().nth(line).unwrap_or("<end>"),
        b.lines().nth(line).unwrap_or("<end>")
    );
}

#[test]
fn the_test_scenario_exercises_every_routing_policy() {
    let doc: serde_json::Value =
        serde_json::from_str(&document(&scenario(false), None)).expect("JSON");
    // Every service loses something, and the failover services are degraded
    // through their dependencies.
    for service in ["web", "api", "db", "queue", "cache", "search"] {
        let lost = doc["services"][service]["lost_hours"]["mean"]
            .as_f64()
            .expect("lost hours");
        assert!(lost > 0.0, "`{service}` never lost service");
    }
    assert!(doc["services"]["web"]["degraded_hours"]["mean"].as_f64() > Some(0.0));
    assert!(doc["services"]["api"]["degraded_hours"]["mean"].as_f64() > Some(0.0));
    assert!(doc["services"]["queue"]["degraded_hours"]["mean"].as_f64() > Some(0.0));
}

#[test]
fn one_and_two_threads_give_the_same_document() {
    let text = scenario(false);
    let one = document(&text, Some(1));
    let two = document(&text, Some(2));
    let all = document(&text, None);
    assert_same("1 thread vs 2 threads", &one, &two);
    assert_same("1 thread vs the default pool", &one, &all);
}

#[test]
fn two_runs_give_the_same_document() {
    let text = scenario(false);
    assert_same(
        "first vs second run",
        &document(&text, Some(2)),
        &document(&text, Some(2)),
    );
}

#[test]
fn reordering_services_failures_and_domains_changes_no_number() {
    let forward = scenario(false);
    let reordered = scenario(true);
    assert_ne!(forward, reordered);
    assert_same(
        "file order",
        &without_key("scenario_fnv1a", &document(&forward, Some(2))),
        &without_key("scenario_fnv1a", &document(&reordered, Some(2))),
    );
}

#[test]
fn reordering_changes_no_number_in_an_example_either() {
    // shop-two-regions with its services listed in reverse: a change in the
    // scenario text only, checked against the committed example's document.
    let text = std::fs::read_to_string(repo("scenarios/shop-two-regions.ron")).expect("example");
    let start = text.find("services: {").expect("services map");
    let entries = [
        "\"web\": (",
        "\"api\": (",
        "\"db\": (",
        "\"recommendations\": (",
    ];
    let mut cuts: Vec<usize> = entries
        .iter()
        .map(|e| start + text[start..].find(e).expect("service entry"))
        .collect();
    let end = text.rfind("},").expect("end of services");
    cuts.push(end);
    let blocks: Vec<&str> = cuts
        .windows(2)
        .map(|w| text[w[0]..w[1]].trim_end())
        .collect();
    let mut reversed = text[..cuts[0]].to_string();
    for block in blocks.iter().rev() {
        reversed.push_str(block.trim_end_matches(','));
        reversed.push_str(",\n        ");
    }
    reversed.push_str(&text[end..]);
    assert_ne!(text, reversed);
    let options = RunOptions {
        trials: Some(TRIALS),
        ..RunOptions::default()
    };
    let render = |t: &str| {
        let mut r = montecarlo::run(&model(t), &options).expect("run");
        r.engine.seconds = 0.0;
        Json.render(&r).expect("render")
    };
    assert_same(
        "example in reverse order",
        &without_key("scenario_fnv1a", &render(&text)),
        &without_key("scenario_fnv1a", &render(&reversed)),
    );
}

#[test]
fn the_binary_gives_the_same_document_for_any_threads_and_any_run() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("determinism-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join("determinism.ron");
    std::fs::write(&path, scenario(false)).expect("write scenario");
    let one = binary_document(&path, &["--threads", "1"]);
    let two = binary_document(&path, &["--threads", "2"]);
    let again = binary_document(&path, &["--threads", "2"]);
    let library = without_key("seconds", &document(&scenario(false), Some(2)));
    std::fs::remove_dir_all(&dir).ok();
    assert_same("--threads 1 vs --threads 2", &one, &two);
    assert_same("two runs with --threads 2", &two, &again);
    assert_same("binary vs library", &two, &library);
}
