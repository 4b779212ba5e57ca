//! `faultline rank`: the dominant failure mode first on a constructed case,
//! savings equal to an independent re-run without the failure (common
//! random numbers make them exact) and to the Exp/Exp closed form, domains
//! removing the processes under them, and the priced design changes against
//! closed forms: only changes whose paired saving is significantly positive
//! are suggested, an unpriced change says its cost is unknown, and a switch
//! to ActiveActive that the data model rules out is not tried.

use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use faultline::analysis::rank::{self, Candidate};
use faultline::montecarlo::RunOptions;

use super::exact::{integrate, p_down};
use super::support::{model, repo, run};

const BIG: &str =
    r#"(name: "big", on: Service("web"), every: "30d", lasts: Exp(mean: "10h"), cause: Config)"#;
const SMALL: &str =
    r#"(name: "small", on: Service("web"), every: "60d", lasts: Exp(mean: "1h"), cause: Software)"#;
const ZONE: &str =
    r#"(name: "zone", on: EachZone(), every: "2y", lasts: Exp(mean: "4h"), cause: Power)"#;

fn scenario(failures: &[&str]) -> String {
    format!(
        r#"Scenario(name: "rank", horizon: "8760h", trials: 1000, seed: 11,
        domains: ["aws/r/a", "aws/r/b"], failures: [{}],
        services: {{ "web": (deployments: [(in: "aws/r", zones: ["a"])], cost: (per_hour: 1000)) }})"#,
        failures.join(", ")
    )
}

fn ranking(text: &str, trials: u64) -> rank::Ranking {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(11),
        ..RunOptions::default()
    };
    rank::rank(&model(text), &options, &[], &AtomicBool::new(false)).unwrap()
}

fn saving<'a>(r: &'a rank::Ranking, m: &faultline::model::Model, name: &str) -> &'a rank::Saving {
    r.savings
        .iter()
        .find(|s| rank::candidate_name(m, s.candidate) == name)
        .unwrap()
}

#[test]
fn the_dominant_failure_mode_comes_first() {
    let text = scenario(&[SMALL, ZONE, BIG]);
    let m = model(&text);
    let r = ranking(&text, 1000);
    let names: Vec<&str> = r
        .savings
        .iter()
        .map(|s| rank::candidate_name(&m, s.candidate))
        .collect();
    // big: ~12 x 10 h a year; small: ~6 x 1 h; the zone: ~0.5 x 4 h, named
    // twice (its failure, and the zone it strikes); zone b holds nothing
    assert_eq!(names[0], "big");
    assert_eq!(names[1], "small");
    assert_eq!(names[2..], ["zone", "aws", "aws/r", "aws/r/a", "aws/r/b"]);
    assert_eq!(saving(&r, &m, "aws/r/b").cost.mean, 0.0);
    assert_eq!(saving(&r, &m, "aws/r/a").processes, 1);
    assert_eq!(saving(&r, &m, "aws").processes, 2);
    // the zone failure and the zone it strikes remove the same process: same saving
    assert_eq!(saving(&r, &m, "zone").cost, saving(&r, &m, "aws/r/a").cost);
}

#[test]
fn a_saving_is_the_difference_with_a_run_without_the_failure() {
    let with = scenario(&[BIG, SMALL]);
    let m = model(&with);
    let r = ranking(&with, 1000);
    let without_big = run(&scenario(&[SMALL]), 1000, 11);
    let both = run(&with, 1000, 11);
    let big = saving(&r, &m, "big");
    let independent = both.cost.mean - without_big.cost.mean;
    assert!(
        (big.cost.mean - independent).abs() <= 1e-9 * both.cost.mean,
        "{} vs {independent}",
        big.cost.mean
    );
    assert!((r.baseline.0.mean - both.cost.mean).abs() <= 1e-9 * both.cost.mean);
    // closed form: removing `big` saves the time only it held the service down
    let exact = integrate(|t| p_down(720.0, 10.0, t) * (1.0 - p_down(1440.0, 1.0, t)));
    let se = (big.lost_hours.ci95[1] - big.lost_hours.ci95[0]) / (2.0 * 1.96);
    assert!(se > 0.0);
    assert!(
        (big.lost_hours.mean - exact).abs() < 4.0 * se,
        "{} vs {exact} (se {se})",
        big.lost_hours.mean
    );
    // paired: the saving's CI is far narrower than the run's own
    let own = both.cost.ci95.unwrap()[1] - both.cost.ci95.unwrap()[0];
    let small = saving(&r, &m, "small");
    assert!(small.cost.ci95[1] - small.cost.ci95[0] < own / 3.0);
}

#[test]
fn removing_a_failure_leaves_the_others_histories_unchanged() {
    let text = scenario(&[BIG, SMALL]);
    let m = model(&text);
    let (variant, removed) = rank::without(&m, Candidate::Failure(0));
    assert_eq!(removed, 1);
    let keys = |m: &faultline::model::Model| -> Vec<(String, u64)> {
        m.processes
            .iter()
            .map(|p| (p.label.clone(), p.stream_key))
            .collect()
    };
    assert_eq!(keys(&variant), keys(&model(&scenario(&[SMALL]))));
}

fn faultline(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .args(args)
        .output()
        .expect("run faultline")
}

#[test]
fn one_more_replica_saves_the_closed_form_and_costs_twelve_months() {
    let text = r#"Scenario(name: "priced", horizon: "8760h", seed: 3, domains: ["aws/r/a", "aws/r/b"],
        failures: [(name: "host", on: EachReplica(), every: "500h", lasts: Exp(mean: "20h"), cause: Hardware)],
        services: { "web": (deployments: [(in: "aws/r", zones: ["a"])], cost: (per_hour: 100),
                            infra: (per_replica_month: 50)) })"#;
    let dir = std::env::temp_dir().join(format!("faultline-rank-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("priced.ron");
    std::fs::write(&path, text).unwrap();
    let out = faultline(&[
        "rank",
        path.to_str().unwrap(),
        "--trials",
        "2000",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    let replica = changes
        .iter()
        .find(|c| {
            c["change"]
                .as_str()
                .unwrap()
                .starts_with("one more replica")
        })
        .unwrap();
    let zone = changes
        .iter()
        .find(|c| c["change"].as_str().unwrap().starts_with("one more zone"))
        .unwrap();
    assert_eq!(replica["infra_per_year"], 600.0);
    assert_eq!(zone["infra_per_year"], 600.0);
    assert_eq!(
        zone["sets"][0],
        r#"services."web".deployments.0.zones=["a", "b"]"#
    );
    // one replica is down with p(t); two independent ones with p(t)^2
    let exact = integrate(|t| {
        let p = p_down(500.0, 20.0, t);
        p - p * p
    });
    let lost = &replica["lost_hours"];
    let se = (lost["ci95"][1].as_f64().unwrap() - lost["ci95"][0].as_f64().unwrap()) / (2.0 * 1.96);
    let mean = lost["mean"].as_f64().unwrap();
    assert!(
        (mean - exact).abs() < 4.0 * se,
        "{mean} vs {exact} (se {se})"
    );
    assert!((replica["cost"]["mean"].as_f64().unwrap() - 100.0 * mean).abs() < 1e-6 * mean);
    // suggested: the saving (about 32,400 a year) is significant, and its
    // paired CI holds the exact value; the net is the saving less 600
    assert!(contains(&replica["cost"], 100.0 * exact), "{replica}");
    assert!(contains(lost, exact), "{replica}");
    let net = &replica["net_per_year"];
    assert_eq!(
        net["mean"].as_f64(),
        replica["cost"]["mean"].as_f64().map(|x| x - 600.0)
    );
    assert_eq!(
        net["ci95"][0].as_f64(),
        replica["cost"]["ci95"][0].as_f64().map(|x| x - 600.0)
    );
    assert!(net["ci95"][0].as_f64().unwrap() > 0.0, "{replica}");
    // a host failure is per replica: the second zone buys what a second replica buys
    assert_eq!(zone["cost"], replica["cost"]);
    assert!(doc["best_per_dollar"]
        .as_str()
        .unwrap()
        .starts_with("one more replica"));
    let again = faultline(&[
        "rank",
        path.to_str().unwrap(),
        "--trials",
        "2000",
        "--format",
        "json",
        "--threads",
        "1",
    ]);
    assert_eq!(again.stdout, out.stdout, "threads change nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rank_of_the_two_region_shop_puts_the_global_config_push_first() {
    let out = faultline(&[
        "rank",
        "scenarios/shop-two-regions.ron",
        "--trials",
        "300",
        "--top",
        "3",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("never fails"))
        .skip(1)
        .take(3)
        .collect();
    assert!(rows[0].starts_with("global config push"), "{text}");
    assert!(text.contains("13 more not shown (see `--top`)"), "{text}");
}

/// Whether an estimate's 95% CI holds `x`.
fn contains(estimate: &serde_json::Value, x: f64) -> bool {
    let ci = |i: usize| estimate["ci95"][i].as_f64().unwrap();
    ci(0) <= x && x <= ci(1)
}

/// `faultline rank` of a scenario text (written to a file named `name`)
/// with more arguments: its stdout.
fn rank_of(name: &str, text: &str, args: &[&str]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("rank");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.ron"));
    std::fs::write(&path, text).unwrap();
    let mut all = vec!["rank", path.to_str().unwrap()];
    all.extend(args);
    let out = faultline(&all);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn rank_json(name: &str, text: &str) -> serde_json::Value {
    let text = rank_of(name, text, &["--trials", "400", "--format", "json"]);
    serde_json::from_str(&text).unwrap()
}

/// The labels of a list of changes.
fn labels(list: &serde_json::Value) -> Vec<&str> {
    (list.as_array().unwrap().iter())
        .map(|c| c["change"].as_str().unwrap())
        .collect()
}

#[test]
fn a_change_that_saves_exactly_nothing_is_not_suggested() {
    // `cache` never fails, and a replica more of `web` cannot help against
    // failures of the whole deployment: each of these changes saves exactly
    // 0 in every trial (common random numbers), so none is suggested
    let text = r#"Scenario(name: "zero", horizon: "8760h", seed: 3, domains: ["aws/r/a", "aws/r/b"],
        failures: [(name: "rollout", on: EachDeployment(of: "web"), every: "300h", lasts: Exp(mean: "5h"), cause: Config)],
        services: {
            "web": (deployments: [(in: "aws/r", zones: ["a"])], cost: (per_hour: 100),
                    infra: (per_replica_month: 50)),
            "cache": (deployments: [(in: "aws/r", zones: ["a"], replicas: 2)], cost: (per_hour: 100),
                      infra: (per_replica_month: 50)),
        })"#;
    let doc = rank_json("zero", text);
    assert_eq!(labels(&doc["changes"]), Vec::<&str>::new(), "{doc}");
    let tried = doc["not_significant"].as_array().unwrap();
    assert_eq!(tried.len(), 4, "{doc}");
    for c in tried {
        assert_eq!(c["cost"]["mean"], 0.0, "{c}");
        assert_eq!(c["cost"]["ci95"], serde_json::json!([0.0, 0.0]), "{c}");
    }
    assert_eq!(doc["best_per_dollar"], serde_json::Value::Null);
    // the deployment failures themselves are worth removing: ~29 a year of ~5 h
    let rollout = &doc["savings"][0];
    assert_eq!(rollout["name"], "rollout");
    assert!(rollout["cost"]["ci95"][0].as_f64().unwrap() > 0.0);
    let table = rank_of("zero", text, &["--trials", "400"]);
    assert!(
        table.contains("none of the 4 design change(s) tried saves money significantly"),
        "{table}"
    );
    assert!(
        !table.contains("most saved per infrastructure dollar"),
        "{table}"
    );
}

/// `web` hard on `db`, both losing hosts; `db` priced, `web` not.
const HALF_PRICED: &str = r#"Scenario(name: "half priced", horizon: "8760h", seed: 3, domains: ["aws/r/a", "aws/r/b"],
    failures: [(name: "host", on: EachReplica(), every: "500h", lasts: Exp(mean: "20h"), cause: Hardware)],
    services: {
        "web": (deployments: [(in: "aws/r/a")], depends_on: { "db": Hard }, cost: (per_hour: 100)),
        "db": (deployments: [(in: "aws/r/a")], infra: (per_replica_month: 50)),
    })"#;

#[test]
fn a_change_without_a_price_is_of_unknown_cost_not_free() {
    let doc = rank_json("half-priced", HALF_PRICED);
    // both replicas save ~100 x 324 h a year; the db's costs 600 a year, the
    // web's is unknown: listed after every change of known cost
    assert_eq!(
        labels(&doc["changes"]),
        [
            "one more replica: db @ aws/r/a (1 -> 2)",
            "one more replica: web @ aws/r/a (1 -> 2)"
        ],
        "{doc}"
    );
    let web = &doc["changes"][1];
    assert_eq!(web["infra_per_year"], serde_json::Value::Null);
    assert_eq!(web["net_per_year"], serde_json::Value::Null);
    assert_eq!(web["saved_per_infra"], serde_json::Value::Null);
    assert_eq!(doc["changes"][0]["infra_per_year"], 600.0);
    assert_eq!(
        doc["best_per_dollar"],
        "one more replica: db @ aws/r/a (1 -> 2)"
    );
    let table = rank_of("half-priced", HALF_PRICED, &["--trials", "400"]);
    let row = table
        .lines()
        .find(|l| l.starts_with("one more replica: web"))
        .unwrap();
    assert!(row.contains("unknown") && !row.contains("free"), "{table}");
    assert!(table.contains("infra cost unknown"), "{table}");
    // `--top 1` says the list is cut
    let top = rank_of(
        "half-priced",
        HALF_PRICED,
        &["--trials", "400", "--top", "1"],
    );
    assert!(top.contains("1 more not shown (see `--top`)"), "{top}");
    assert!(!top.contains("one more replica: web"), "{top}");
}

/// An ActivePassive pair of deployments of `orders` in two zones, each lost
/// with its zone; `DATA` is replaced by the service's `data` block.
const FAILOVER: &str = r#"Scenario(name: "failover", horizon: "8760h", seed: 3, domains: ["aws/r/a", "aws/r/b"],
    failures: [(name: "zone", on: EachZone(), every: "500h", lasts: Exp(mean: "20h"), cause: Power)],
    services: {
        "orders": (deployments: [(in: "aws/r/a"), (in: "aws/r/b")],
                   routing: ActivePassive(detect: Fixed("1h"), switch: Fixed("1h")),
                   DATA cost: (per_hour: 100), infra: (per_replica_month: 50)),
    })"#;

#[test]
fn active_active_is_tried_only_where_the_data_model_allows_it() {
    let with = |data: &str| FAILOVER.replace("DATA", data);
    let backup = r#"backup: (every: "1d", restore: Fixed("1h"))"#;
    let sync = with(&format!("data: (replication: Sync, {backup}),"));
    let asynchronous = with(&format!(
        r#"data: (replication: Async(lag: Fixed("1m")), {backup}),"#
    ));
    let tried = |doc: &serde_json::Value| -> Vec<String> {
        let mut all = labels(&doc["changes"]);
        all.extend(labels(&doc["not_significant"]));
        all.into_iter().map(String::from).collect()
    };
    // Sync: tried
    let doc = rank_json("sync", &sync);
    let switch = |c: &String| c.starts_with("orders: ActiveActive (shift ");
    assert!(tried(&doc).iter().any(switch), "{doc}");
    assert_eq!(doc["ruled_out"], serde_json::json!([]));
    // Async, or no data declared: not tried, and said why
    for (name, text, why) in [
        ("async", asynchronous, "Async replication"),
        ("no-data", with(""), "declares no `data`"),
    ] {
        let doc = rank_json(name, &text);
        assert!(!tried(&doc).iter().any(switch), "{doc}");
        let ruled = &doc["ruled_out"][0];
        assert_eq!(ruled["change"], "orders: ActiveActive");
        assert!(ruled["reason"].as_str().unwrap().contains(why), "{doc}");
        let table = rank_of(name, &text, &["--trials", "400"]);
        assert!(
            table.contains("not tried: orders: ActiveActive, as"),
            "{table}"
        );
    }
}

#[test]
fn rank_of_the_automated_failover_shop_suggests_nothing_it_cannot_back() {
    let text = String::from_utf8(
        faultline(&[
            "rank",
            "scenarios/shop-two-regions-auto-failover.ron",
            "--trials",
            "200",
            "--format",
            "json",
        ])
        .stdout,
    )
    .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    // the db declares no `data`: no switch to ActiveActive
    assert_eq!(doc["ruled_out"][0]["change"], "db: ActiveActive");
    for c in doc["changes"].as_array().unwrap() {
        assert!(c["cost"]["ci95"][0].as_f64().unwrap() > 0.0, "{c}");
        assert!(!c["change"].as_str().unwrap().contains("ActiveActive"));
    }
    // web, api and recommendations have no price: unknown, never 0
    let all = doc["changes"].as_array().unwrap().iter();
    for c in all.chain(doc["not_significant"].as_array().unwrap()) {
        let label = c["change"].as_str().unwrap();
        if !label.contains("db @") {
            assert_eq!(c["infra_per_year"], serde_json::Value::Null, "{c}");
        }
    }
}
