//! Shards: `run --shard I/N` partials merged by `faultline merge` give the
//! single run's result document byte for byte (`engine.seconds` aside, the
//! sum of the shards' wall-clock times), for shard counts that do not divide
//! the trials and that exceed the 64-trial blocks; partials of different runs
//! are refused.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Json, Render};
use faultline::shard::{self, MergeError, Partial, Shard};
use faultline::uncertainty::DEFAULT_DRAWS;

use super::support::{repo, without_key};

const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

/// 250 trials: blocks of 64, 64, 64 and 58.
const TRIALS: u64 = 250;

fn options(trials: u64, seed: u64) -> RunOptions {
    RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        ..RunOptions::default()
    }
}

fn source() -> String {
    std::fs::read_to_string(repo(EXAMPLE)).expect("the example")
}

/// The partial of shard `index` of `count`, through its JSON text and back.
fn partial(source: &str, options: &RunOptions, index: u64, count: u64) -> Partial {
    let model = faultline::scenario::load(EXAMPLE, source.as_bytes()).expect("valid");
    let shard = Shard { index, count };
    let stop = AtomicBool::new(false);
    let p = shard::run_shard(
        &model,
        (EXAMPLE, source),
        options,
        (shard, DEFAULT_DRAWS),
        &stop,
    )
    .expect("run");
    let json = shard::to_json(&p).expect("serialize");
    shard::parse("part.json", &json).expect("parse back")
}

fn parts(source: &str, options: &RunOptions, count: u64) -> Vec<(String, Partial)> {
    (0..count)
        .map(|i| (format!("part-{i}.json"), partial(source, options, i, count)))
        .collect()
}

#[test]
fn merged_shards_reproduce_the_single_run_byte_for_byte() {
    let source = source();
    let model = faultline::scenario::load(EXAMPLE, source.as_bytes()).expect("valid");
    let options = options(TRIALS, 42);
    let single = montecarlo::run(&model, &options).expect("run");
    let single_json = Json.render(&single).expect("render");
    // 7 shards outnumber the 4 blocks; 260 outnumber the trials (some are empty)
    for count in [1, 2, 3, 7, 260] {
        let mut parts = parts(&source, &options, count);
        parts.reverse(); // any order
        let (_, merged, _) = shard::merge(parts).expect("merge");
        let merged_json = Json.render(&merged).expect("render");
        assert_eq!(
            without_key("seconds", &merged_json),
            without_key("seconds", &single_json),
            "{count} shards"
        );
        assert_eq!(merged.engine.events, single.engine.events);
    }
}

#[test]
fn shard_ranges_split_the_trials_in_order_without_gaps() {
    for (trials, count) in [
        (250, 7),
        (10, 3),
        (5, 8),
        (64, 64),
        (1_000_000, 4),
        (70_001, 9),
    ] {
        let ranges: Vec<_> = (0..count)
            .map(|index| Shard { index, count }.range(trials))
            .collect();
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges[count as usize - 1].end, trials);
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        // each starts on a segment and is at most a segment from its even share
        for (index, range) in ranges.iter().enumerate() {
            assert!(range.start % montecarlo::SEGMENT_TRIALS == 0, "{range:?}");
            let even = index as u64 * trials / count;
            assert!(even - range.start < montecarlo::SEGMENT_TRIALS, "{range:?}");
        }
    }
    // a run of one segment is simulated by the last shard
    assert_eq!(Shard { index: 2, count: 7 }.range(250), 0..0);
    assert_eq!(Shard { index: 6, count: 7 }.range(250), 0..250);
    assert_eq!(
        Shard { index: 1, count: 4 }.range(1_000_000),
        249_856..499_712
    );
}

#[test]
fn parts_of_different_runs_are_refused() {
    let source = source();
    let base = options(TRIALS, 42);
    let good = || parts(&source, &base, 3);
    let with = |i: usize, p: Partial| {
        let mut parts = good();
        parts[i].1 = p;
        parts
    };
    let cases: Vec<(Vec<(String, Partial)>, &str)> = vec![
        (
            with(2, partial(&source, &options(TRIALS, 43), 2, 3)),
            "seed `43` differs from `42`",
        ),
        (
            with(1, partial(&source, &options(300, 42), 1, 3)),
            "trials `300` differs from `250`",
        ),
        (
            with(1, partial(&source, &base, 1, 4)),
            "shard count `4` differs from `3`",
        ),
        (
            with(
                2,
                partial(&source.replace("seed: 42", "seed: 42 "), &base, 2, 3),
            ),
            "scenario hash",
        ),
        (
            good().into_iter().take(2).collect(),
            "shard(s) 2 of 3 are missing",
        ),
        (
            good()
                .into_iter()
                .chain(good().into_iter().skip(1).take(1))
                .collect(),
            "shard 1 of 3 is also given",
        ),
    ];
    for (parts, expected) in cases {
        let e = shard::merge(parts).expect_err(expected);
        assert!(e.to_string().contains(expected), "{e}");
        assert!(e.hint().is_some(), "{e}");
    }
}

/// One service in one zone: cheap trials, for runs of several segments.
const TINY: &str = r#"Scenario(
    name: "tiny",
    horizon: "1y",
    domains: ["aws/us-east-1/a"],
    failures: [(name: "zone outage", on: EachZone(), every: "30d", lasts: Exp(mean: "1d"))],
    services: {"web": (deployments: [(in: "aws/us-east-1/a")], cost: (per_hour: 100))},
)
"#;

/// The partials of `count` shards of a run of `TINY`, as JSON text.
fn tiny_parts(options: &RunOptions, count: u64) -> Vec<(String, Vec<u8>)> {
    let model = faultline::scenario::load("tiny.ron", TINY.as_bytes()).expect("valid");
    let stop = AtomicBool::new(false);
    (0..count)
        .map(|index| {
            let shard = Shard { index, count };
            let p = shard::run_shard(
                &model,
                ("tiny.ron", TINY),
                options,
                (shard, DEFAULT_DRAWS),
                &stop,
            );
            let json = shard::to_json(&p.expect("run")).expect("serialize");
            (format!("part-{index}.json"), json)
        })
        .collect()
}

#[test]
fn shards_of_a_run_of_several_segments_reproduce_it_byte_for_byte() {
    let model = faultline::scenario::load("tiny.ron", TINY.as_bytes()).expect("valid");
    // 40,000 trials: 39 whole segments of 1,024 trials and one of 64,
    // merged in a tree; shard ends inside blocks and inside segments
    for (trials, sketched) in [(40_000, false), (40_000, true), (70_001, false)] {
        let options = RunOptions {
            trials: Some(trials),
            seed: Some(11),
            max_exact_values: if sketched { 10.0 } else { 1e9 },
            ..RunOptions::default()
        };
        let single = Json
            .render(&montecarlo::run(&model, &options).expect("run"))
            .expect("render");
        for count in [2, 3, 7] {
            let parts = (tiny_parts(&options, count).into_iter())
                .map(|(name, json)| {
                    let p = shard::parse(&name, &json).expect("parse");
                    (name, p)
                })
                .collect();
            let (_, merged, _) = shard::merge(parts).expect("merge");
            let merged = Json.render(&merged).expect("render");
            assert_eq!(
                without_key("seconds", &merged),
                without_key("seconds", &single),
                "{trials} trials in {count} shards"
            );
        }
    }
}

#[test]
fn a_sketched_partial_keeps_nothing_per_trial() {
    let size = |trials: u64| {
        let options = RunOptions {
            trials: Some(trials),
            max_exact_values: 10.0,
            ..RunOptions::default()
        };
        let parts = tiny_parts(&options, 2);
        parts
            .iter()
            .map(|(_, json)| json.len())
            .max()
            .expect("two parts")
    };
    let (small, large) = (size(40_000), size(400_000));
    eprintln!("partial of 20,000 trials: {small} bytes; of 200,000: {large}");
    // every value sketched (the scenario's cost too): ten times the trials
    // add only the reduction tree's extra levels (at most two nodes a
    // level, log2 of ten: under four levels) and the buckets first reached
    // by rarer values (bounded by the values' range, not by the trials),
    // not one number a trial (180,000 numbers: over 1 MB)
    assert!(
        large - small < 16_384,
        "{small} bytes for 40,000 trials, {large} for 400,000"
    );
}

#[test]
fn edited_or_foreign_partials_are_refused() {
    let source = source();
    let base = options(TRIALS, 42);
    let edit = |f: &dyn Fn(&mut Partial)| {
        let mut parts = parts(&source, &base, 2);
        f(&mut parts[1].1);
        shard::merge(parts).expect_err("refused")
    };
    let e = edit(&|p| p.version = "0.0.1".into());
    assert!(matches!(e, MergeError::Version { .. }), "{e}");
    assert!(e.to_string().contains("written by faultline 0.0.1"), "{e}");
    // 250 trials are one segment: shard 1 of 2 simulates them all
    let e = edit(&|p| p.first_trial = 125);
    assert!(
        e.to_string()
            .contains("should hold trials 0 to 250, it holds 125 to 250"),
        "{e}"
    );
    let e = edit(&|p| p.scenario_source.push(' '));
    assert!(e.to_string().contains("does not match its hash"), "{e}");
    let e = edit(&|p| {
        p.reduced.nodes[0].summary.services.pop();
    });
    assert!(
        e.to_string()
            .contains("does not sum trials of the scenario"),
        "{e}"
    );
    let e = shard::parse("result.json", b"{\"scenario\": \"x\"}").expect_err("not a partial");
    assert!(
        e.to_string()
            .starts_with("result.json: error: not a faultline partial"),
        "{e}"
    );
}

/// A fresh folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("shards")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// `sh -c SCRIPT` in `dir` with `$BIN` the faultline binary and `$S` the example.
fn sh(dir: &Path, script: &str) -> std::process::Output {
    Command::new("sh")
        .current_dir(dir)
        .env("BIN", assert_cmd::cargo::cargo_bin!("faultline"))
        .env("S", repo(EXAMPLE))
        .args(["-c", script])
        .output()
        .expect("sh runs")
}

#[test]
fn four_shards_run_by_xargs_merge_into_the_single_run() {
    // the documented example itself: xargs -P 4, then merge
    let dir = scratch("xargs");
    let script = format!(
        r#"set -e
        FAULTLINE="$BIN" sh {} "$S" 4 300 > merged.json
        "$BIN" run "$S" --trials 300 --format json --output single.json"#,
        repo("examples/shards/xargs.sh").display()
    );
    let output = sh(&dir, &script);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("a document");
    let (merged, single) = (read("merged.json"), read("single.json"));
    assert_eq!(
        without_key("seconds", &merged),
        without_key("seconds", &single)
    );
    assert!(merged.contains("\"trials\": 300"));
}

#[test]
fn merge_evaluates_objectives_and_exits_one_when_one_fails() {
    let dir = scratch("merge_objectives");
    let gated = source().replacen(
        "services: {",
        "objectives: [Availability(service: \"web\", at_least: 0.99999)],\n    services: {",
        1,
    );
    std::fs::write(dir.join("gated.ron"), gated).expect("write");
    let script = r#"for i in 0 1; do "$BIN" run gated.ron --trials 200 --shard $i/2 --output part-$i.json || exit 9; done
        "$BIN" merge part-0.json part-1.json --format markdown --junit junit.xml"#;
    let output = sh(&dir, script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("**Objectives:** 0 met, 1 failed, 0 undecided"),
        "{stdout}"
    );
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit");
    assert!(junit.contains("<failure message=\"failed:"), "{junit}");
    // a missing shard: a clear message, exit 1, nothing written
    let output = sh(&dir, r#""$BIN" merge part-1.json --output never.json"#);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: shard(s) 0 of 2 are missing"),
        "{stderr}"
    );
    assert!(!dir.join("never.json").exists());
}

/// A scenario with uncertain inputs runs in two levels: every draw and the
/// tornado's runs on the same trials. 1 thread, 2 threads and 3 shards
/// merged (through their JSON) give the same document byte for byte, the
/// `uncertainty` and `sensitivity` keys included: 2,500 trials make 3
/// segments (the last one cut short) and a partial last block.
#[test]
fn a_two_level_run_gives_the_same_document_on_any_threads_and_shards() {
    let file = "scenarios/shop-uncertain.ron";
    let source = std::fs::read_to_string(repo(file)).expect("the example");
    let model = faultline::scenario::load(file, source.as_bytes()).expect("valid");
    let draws = 6;
    let options = |threads| RunOptions {
        trials: Some(2500),
        threads,
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    let single = |threads| {
        let two =
            faultline::uncertainty::run::run_two_level(&model, draws, &options(threads), &stop)
                .expect("run");
        let json = Json.render(&two.result).expect("render");
        (without_key("seconds", &json), two.result)
    };
    let (one, result) = single(Some(1));
    assert_eq!(one, single(Some(2)).0, "1 and 2 threads");
    let count = 3;
    let mut parts: Vec<(String, Partial)> = (0..count)
        .map(|index| {
            let shard = (Shard { index, count }, draws);
            let p = shard::run_shard(&model, (file, &source), &options(None), shard, &stop)
                .expect("run a shard");
            let json = shard::to_json(&p).expect("serialize");
            let name = format!("part-{index}.json");
            let back = shard::parse(&name, &json).expect("parse back");
            (name, back)
        })
        .collect();
    parts.reverse(); // any order
    let (_, merged, _) = shard::merge(parts.clone()).expect("merge");
    let merged_json = Json.render(&merged).expect("render");
    assert_eq!(without_key("seconds", &merged_json), one, "3 shards merged");
    let u = result.uncertainty.as_ref().expect("an uncertainty key");
    assert_eq!((u.draws, result.trials), (draws, 2500));
    assert_eq!(result.sensitivity.as_ref().map(Vec::len), Some(9));
    // the draws are part of the run: partials of other draws do not merge
    let other = shard::run_shard(
        &model,
        (file, &source),
        &options(None),
        (Shard { index: 0, count }, 5),
        &stop,
    )
    .expect("run a shard");
    parts[count as usize - 1] = ("other.json".into(), other);
    let refused = shard::merge(parts).expect_err("other draws");
    assert!(refused.to_string().contains("draws"), "{refused}");
}
