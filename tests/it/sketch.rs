//! Bounded memory: above `max_exact_values` (lowered here through the hidden
//! option, so that a few thousand trials stand for a million) per-service
//! percentiles come from the quantile sketch: within its relative error of
//! the exact ones, everything else unchanged, the same document for any
//! number of threads and through merged shards, and named in the document.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use faultline::montecarlo::{self, RunOptions, WorkLimits};
use faultline::report::{Json, Render};
use faultline::shard::{self, Shard};
use faultline::stats::sketch::RELATIVE_ERROR;
use faultline::stats::{Distribution, RunResult, Verdict};
use faultline::uncertainty::DEFAULT_DRAWS;

use super::support::{self, faultline, model, repo, without_key};

const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

fn options(trials: u64, threads: Option<usize>, sketched: bool) -> RunOptions {
    let mut options = RunOptions {
        trials: Some(trials),
        seed: Some(42),
        threads,
        ..RunOptions::default()
    };
    if sketched {
        options.max_exact_values = 1.0;
    }
    options
}

fn example() -> (String, faultline::model::Model) {
    let source = std::fs::read_to_string(repo(EXAMPLE)).expect("the example");
    let model = faultline::scenario::load(EXAMPLE, source.as_bytes()).expect("valid");
    (source, model)
}

fn json(result: &RunResult) -> String {
    without_key("seconds", &Json.render(result).expect("render"))
}

/// Within the relative error of the exact value (and a hair of rounding).
fn close(sketched: f64, exact: f64) -> bool {
    (sketched - exact).abs() <= RELATIVE_ERROR * (1.0 + 1e-9) * exact.abs() + 1e-9
}

/// Means, intervals and maxima are the exact ones; percentiles are close.
/// Returns how many percentiles were not zero (so the check had teeth).
fn compare(name: &str, sketched: &Distribution, exact: &Distribution) -> usize {
    assert_eq!(
        (sketched.mean, sketched.ci95, sketched.max),
        (exact.mean, exact.ci95, exact.max),
        "{name}"
    );
    let pairs = [
        (sketched.p50, exact.p50),
        (sketched.p90, exact.p90),
        (sketched.p99, exact.p99),
    ];
    for (s, e) in pairs {
        assert!(close(s, e), "{name}: sketched {s}, exact {e}");
    }
    pairs.iter().filter(|(_, e)| *e != 0.0).count()
}

#[test]
fn sketched_percentiles_lie_within_the_relative_error_of_the_exact_ones() {
    let (_, model) = example();
    let exact = montecarlo::run(&model, &options(3000, None, false)).expect("run");
    let sketched = montecarlo::run(&model, &options(3000, None, true)).expect("run");
    assert_eq!(exact.percentile_sketch, None);
    let named = sketched
        .percentile_sketch
        .as_ref()
        .expect("the sketch is named");
    assert_eq!(named.relative_error, RELATIVE_ERROR);
    let mut nonzero = 0;
    for (name, e) in &exact.services {
        let s = &sketched.services[name];
        assert_eq!(s.availability, e.availability, "{name}");
        nonzero += compare(name, &s.lost_hours, &e.lost_hours);
        nonzero += compare(name, &s.downtime_hours, &e.downtime_hours);
        nonzero += compare(name, &s.cost, &e.cost);
    }
    // the scenario's cost is sketched too
    nonzero += compare("cost", &sketched.cost, &exact.cost);
    assert!(nonzero >= 7, "only {nonzero} percentiles were not zero");
    assert_eq!(sketched.failures, exact.failures);
}

#[test]
fn a_sketched_document_is_the_same_for_one_and_two_threads_over_several_windows() {
    let (_, model) = example();
    // 9000 trials: three merge windows on one thread, two on two
    let one = montecarlo::run(&model, &options(9000, Some(1), true)).expect("run");
    let two = montecarlo::run(&model, &options(9000, Some(2), true)).expect("run");
    assert_eq!(json(&one), json(&two));
    assert!(one.percentile_sketch.is_some());
}

/// A fresh scratch folder for test `name`.
fn scratch(name: &str) -> PathBuf {
    support::scratch("sketch", name)
}

#[test]
fn merged_shards_of_a_sketched_run_reproduce_it_byte_for_byte() {
    let (source, model) = example();
    let options = options(1000, None, true);
    let single = json(&montecarlo::run(&model, &options).expect("run"));
    let dir = scratch("shards");
    let stop = AtomicBool::new(false);
    let mut parts = Vec::new();
    let mut files = Vec::new();
    for index in 0..3 {
        let shard = Shard { index, count: 3 };
        let p = shard::run_shard(
            &model,
            (EXAMPLE, &source),
            &options,
            (shard, DEFAULT_DRAWS),
            &stop,
        )
        .expect("run");
        let text = shard::to_json(&p).expect("serialize");
        let file = dir.join(format!("part-{index}.json"));
        std::fs::write(&file, &text).expect("write");
        parts.push((file.display().to_string(), p));
        files.push(file);
    }
    files.reverse(); // any order
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (_, streamed, _) = shard::merge_files(&paths).expect("merge files");
    assert_eq!(json(&streamed), single);
    let (_, in_memory, _) = shard::merge(parts).expect("merge");
    assert_eq!(json(&in_memory), single);
    assert!(streamed.percentile_sketch.is_some());
}

#[test]
fn merge_refuses_partials_that_disagree_on_the_exact_value_bound() {
    let (source, model) = example();
    let stop = AtomicBool::new(false);
    let part = |index, sketched| {
        let shard = Shard { index, count: 2 };
        let options = options(200, None, sketched);
        let p = shard::run_shard(
            &model,
            (EXAMPLE, &source),
            &options,
            (shard, DEFAULT_DRAWS),
            &stop,
        );
        (format!("part-{index}.json"), p.expect("run"))
    };
    let e = shard::merge(vec![part(0, true), part(1, false)]).expect_err("refused");
    assert!(e.to_string().contains("max exact values"), "{e}");
}

/// One replica down 10 h every 30 d: lost hours are multiples of 10 h but
/// for the last outage of a year.
const ONE_BOX: &str = r#"Scenario(
    name: "one box",
    horizon: "1y",
    domains: ["aws/us-east-1/a"],
    failures: [(name: "host", on: EachReplica(), every: "30d", lasts: Fixed("10h"), cause: Hardware)],
    services: {"web": (deployments: [(in: "aws/us-east-1", zones: ["a"])])},
    objectives: [
        LostHours(service: "web", p99_at_most: "10h"),
        LostHours(service: "web", p99_at_most: "2000h"),
        LostHours(service: "web", p99_at_most: "50h"),
    ],
)"#;

#[test]
fn sketched_percentile_objectives_keep_their_verdicts_on_intervals_widened_by_the_error() {
    let model = model(ONE_BOX);
    let run = |sketched| montecarlo::run(&model, &options(2000, None, sketched)).expect("run");
    let (exact, sketched) = (run(false), run(true));
    let verdicts = |r: &RunResult| r.objectives.iter().map(|o| o.verdict).collect::<Vec<_>>();
    assert_eq!(verdicts(&sketched), verdicts(&exact));
    assert_eq!(verdicts(&exact)[..2], [Verdict::Failed, Verdict::Met]);
    for (s, e) in sketched.objectives.iter().zip(&exact.objectives) {
        assert!(
            close(s.estimate, e.estimate),
            "{} {}",
            s.estimate,
            e.estimate
        );
        // the sketched interval contains the exact one, and is wider by at
        // most the error on each side (twice: estimate, then widening)
        assert!(
            s.ci95.unwrap()[0] <= e.ci95.unwrap()[0] && s.ci95.unwrap()[1] >= e.ci95.unwrap()[1],
            "{s:?} {e:?}"
        );
        assert!(
            e.ci95.unwrap()[0] - s.ci95.unwrap()[0] <= 2.1 * RELATIVE_ERROR * e.ci95.unwrap()[0]
        );
        assert!(
            s.ci95.unwrap()[1] - e.ci95.unwrap()[1] <= 2.1 * RELATIVE_ERROR * e.ci95.unwrap()[1]
        );
    }
}

/// The trials each histogram bar counts, summed over the page.
fn histogram_trials(html: &str) -> u64 {
    html.split("<title>")
        .skip(1)
        .filter_map(|t| t.split_once(" trials</title>"))
        .map(|(n, _)| n.parse::<u64>().expect("a count"))
        .sum()
}

#[test]
fn the_cli_names_the_sketch_and_plots_histograms_from_its_buckets() {
    let run = |extra: &[&str]| {
        let mut args = vec!["run", EXAMPLE, "--trials", "400", "--seed", "3"];
        args.extend_from_slice(extra);
        faultline(&args)
    };
    let sketched = run(&["--max-exact-values", "1", "--format", "json"]);
    assert!(sketched.contains("\"percentile_sketch\""), "{sketched}");
    assert!(sketched.contains("\"relative_error\": 0.005"), "{sketched}");
    assert!(!run(&["--format", "json"]).contains("percentile_sketch"));
    let dir = scratch("html");
    let page = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let mut args = vec!["--format", "html", "--output", out.to_str().expect("utf-8")];
        args.extend_from_slice(extra);
        run(&args);
        std::fs::read_to_string(&out).expect("the page")
    };
    let exact = page("exact.html", &[]);
    let sketched = page("sketched.html", &["--max-exact-values", "1"]);
    let counted = histogram_trials(&exact);
    assert!(counted > 0 && counted.is_multiple_of(400), "{counted}");
    assert_eq!(histogram_trials(&sketched), counted);
    // the loss exceedance curve is drawn from the cost's sketch, and says so
    let note = "Drawn from the run's quantile sketch of the costs";
    assert!(
        sketched.contains(note) && !exact.contains(note),
        "{sketched}"
    );
    let curve = "aria-label=\"loss exceedance curve\"";
    assert!(
        exact.contains(curve) && sketched.contains(curve),
        "{sketched}"
    );
}

#[test]
fn a_partial_written_while_simulating_equals_one_built_in_memory() {
    let (source, model) = example();
    let stop = AtomicBool::new(false);
    // 3000 trials of 2 shards: each shard spans several merge windows on one thread
    let options = RunOptions {
        threads: Some(1),
        ..options(9000, None, true)
    };
    for index in 0..2 {
        let shard = Shard { index, count: 2 };
        let mut streamed = Vec::new();
        shard::write_shard(
            &model,
            (EXAMPLE, &source),
            &options,
            (shard, DEFAULT_DRAWS),
            (&stop, &mut streamed),
        )
        .expect("write");
        let mut read = shard::parse("streamed.json", &streamed).expect("parse back");
        let built = shard::run_shard(
            &model,
            (EXAMPLE, &source),
            &options,
            (shard, DEFAULT_DRAWS),
            &stop,
        )
        .expect("run");
        assert!(read.seconds > 0.0);
        read.seconds = built.seconds;
        assert_eq!(read, built, "shard {index}");
    }
}

/// A scenario of `n` one-replica services.
fn services(n: usize) -> String {
    let services: Vec<String> = (0..n)
        .map(|i| format!("\"s{i:03}\": (deployments: [(in: \"aws/us-east-1\", zones: [\"a\"])])"))
        .collect();
    format!(
        r#"Scenario(
    name: "many", horizon: "1y",
    domains: ["aws/us-east-1/a"],
    failures: [(name: "host", on: EachReplica(), every: "30d", lasts: Fixed("1h"), cause: Hardware)],
    services: {{ {} }},
)"#,
        services.join(", ")
    )
}

#[test]
fn a_million_trials_of_200_services_are_sketched_instead_of_refused() {
    let model = model(&services(200));
    let defaults = WorkLimits::default();
    // 3 per-service values a trial: 600 a trial
    assert!(!montecarlo::sketches(&model, 50_000, &defaults));
    assert!(montecarlo::sketches(&model, 50_001, &defaults));
    assert_eq!(montecarlo::check_work(&model, 1_000_000, &defaults), Ok(()));
    // a sketched run keeps nothing per trial (the scenario's cost is
    // sketched too): no trial count is too many values
    let unbounded = WorkLimits {
        max_events: 1e20,
        ..defaults
    };
    assert_eq!(montecarlo::check_work(&model, 1 << 40, &unbounded), Ok(()));
    // one that keeps its values exact stays within 1.5e8 of them (601 a trial)
    let exact = WorkLimits {
        max_exact_values: 1e20,
        ..unbounded
    };
    assert_eq!(montecarlo::check_work(&model, 249_584, &exact), Ok(()));
    let e = montecarlo::check_work(&model, 249_585, &exact);
    assert!(
        matches!(e, Err(montecarlo::RunError::TooManyValues { .. })),
        "{e:?}"
    );
    // every example keeps exact values at its 10,000 trials
    for entry in std::fs::read_dir(repo("scenarios")).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ron") {
            let text = std::fs::read_to_string(&path).expect("read");
            if text.contains("extends:") {
                continue; // a composed example has its base's services, checked with it
            }
            let example = faultline::scenario::load("x.ron", text.as_bytes()).expect("valid");
            assert!(
                !montecarlo::sketches(&example, example.trials, &defaults),
                "{path:?}"
            );
        }
    }
}
