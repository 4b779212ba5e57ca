//! The command line: `run` in every format, the flags that override the
//! scenario, `check`, exit codes (0 success, 1 invalid scenario or failed
//! run, 2 usage error) and `--output`.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

use super::support::{self, repo, without_key};

/// Small enough to keep each run well under a second.
const TRIALS: &str = "200";

/// The example every `run` test uses: ActiveActive, ActivePassive, a soft
/// dependency and seven failure definitions.
const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

/// The failure definitions of [`EXAMPLE`].
const EXAMPLE_FAILURES: [&str; 7] = [
    "us-east-1 zone outage",
    "us-east-1 region outage",
    "us-west-2 zone outage",
    "us-west-2 region outage",
    "host failure",
    "bad rollout",
    "global config push",
];

/// The services of every example scenario.
const SHOP_SERVICES: [&str; 4] = ["web", "api", "db", "recommendations"];

const CAUSES: [&str; 10] = [
    "Hardware",
    "Software",
    "Config",
    "Network",
    "Power",
    "Capacity",
    "Security",
    "Disaster",
    "Dependency",
    "Other",
];

/// The binary, run from the repository root (so relative scenario paths work).
fn faultline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(repo("")).env("NO_COLOR", "1");
    cmd
}

/// `faultline run EXAMPLE --trials 200 ARGS...`
fn run_example(args: &[&str]) -> Command {
    let mut cmd = faultline();
    cmd.args(["run", EXAMPLE, "--trials", TRIALS]).args(args);
    cmd
}

/// Stdout of a command that must succeed.
fn stdout_of(mut cmd: Command) -> String {
    let output = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(output).expect("stdout is UTF-8")
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{json}"))
}

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("cli", test)
}

/// The value at a path of keys (a slice, since failure names hold spaces).
fn at<'a>(doc: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(doc, |v, key| match v.get(key) {
        Some(next) => next,
        None => panic!("missing key `{}` in the result document", path.join(".")),
    })
}

fn number(doc: &Value, path: &[&str]) -> f64 {
    at(doc, path)
        .as_f64()
        .unwrap_or_else(|| panic!("`{}` is not a number", path.join(".")))
}

/// Asserts `mean` lies in `ci95`, an array of two ordered numbers.
fn assert_ci(doc: &Value, path: &[&str]) {
    let mut p = path.to_vec();
    p.push("ci95");
    let ci = at(doc, &p)
        .as_array()
        .unwrap_or_else(|| panic!("`{}` is not an array", p.join(".")));
    assert_eq!(ci.len(), 2, "`{}` has two bounds", p.join("."));
    let (lo, hi) = (
        ci[0].as_f64().expect("lower"),
        ci[1].as_f64().expect("upper"),
    );
    p.pop();
    p.push("mean");
    let mean = number(doc, &p);
    assert!(
        lo <= mean && mean <= hi,
        "{lo} <= {mean} <= {hi} at `{}`",
        path.join(".")
    );
}

/// Asserts mean and p50 <= p90 <= p99 <= max.
fn assert_percentiles(doc: &Value, path: &[&str]) {
    let get = |key: &str| {
        let mut p = path.to_vec();
        p.push(key);
        number(doc, &p)
    };
    let (mean, p50, p90, p99, max) = (get("mean"), get("p50"), get("p90"), get("p99"), get("max"));
    assert!(
        0.0 <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max && mean <= max,
        "percentiles out of order at `{}`: mean {mean}, p50 {p50}, p90 {p90}, p99 {p99}, max {max}",
        path.join(".")
    );
}

#[test]
fn run_prints_a_table_by_default() {
    let out = stdout_of(run_example(&[]));
    assert!(
        out.starts_with("shop: two AWS regions, active-passive database\n"),
        "{out}"
    );
    assert!(out.contains("200 trials"), "{out}");
    for service in SHOP_SERVICES {
        assert!(
            out.lines().any(|l| l.starts_with(service)),
            "no row for `{service}`:\n{out}"
        );
    }
    for failure in EXAMPLE_FAILURES {
        assert!(out.contains(failure), "no row for `{failure}`:\n{out}");
    }
    assert!(
        !out.trim_start().starts_with('{'),
        "the default is not JSON"
    );
}

#[test]
fn run_prints_nothing_on_stderr_when_all_is_well() {
    run_example(&["--format", "json"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn run_json_has_every_key_of_the_result_document() {
    let doc = parse(&stdout_of(run_example(&["--format", "json"])));
    assert_eq!(
        at(&doc, &["scenario"]).as_str(),
        Some("shop: two AWS regions, active-passive database")
    );
    assert_eq!(at(&doc, &["seed"]).as_u64(), Some(42));
    assert_eq!(at(&doc, &["trials"]).as_u64(), Some(200));
    assert_eq!(number(&doc, &["horizon_hours"]), 8760.0);

    let services = at(&doc, &["services"])
        .as_object()
        .expect("services is an object");
    let mut names: Vec<&str> = services.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut expected = SHOP_SERVICES.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);
    for s in SHOP_SERVICES {
        let availability = number(&doc, &["services", s, "availability", "mean"]);
        assert!((0.0..=1.0).contains(&availability), "{s}: {availability}");
        assert_ci(&doc, &["services", s, "availability"]);
        assert_percentiles(&doc, &["services", s, "downtime_hours"]);
        assert!(number(&doc, &["services", s, "degraded_hours", "mean"]) >= 0.0);
        assert!(number(&doc, &["services", s, "outages", "mean"]) >= 0.0);
        assert_percentiles(&doc, &["services", s, "cost"]);
    }
    // web carries the cost of downtime: the scenario's cost is web's.
    assert!(number(&doc, &["services", "web", "cost", "mean"]) > 0.0);
    assert_eq!(number(&doc, &["services", "db", "cost", "max"]), 0.0);

    assert_ci(&doc, &["cost"]);
    assert_percentiles(&doc, &["cost"]);

    let failures = at(&doc, &["failures"])
        .as_object()
        .expect("failures is an object");
    assert_eq!(
        failures.len(),
        EXAMPLE_FAILURES.len(),
        "{:?}",
        failures.keys()
    );
    for f in EXAMPLE_FAILURES {
        let cause = at(&doc, &["failures", f, "cause"])
            .as_str()
            .expect("cause is a string");
        assert!(CAUSES.contains(&cause), "`{f}` has cause `{cause}`");
        assert!(number(&doc, &["failures", f, "occurrences", "mean"]) >= 0.0);
        let mean = number(&doc, &["failures", f, "blast_radius", "services_mean"]);
        let max = at(&doc, &["failures", f, "blast_radius", "services_max"])
            .as_u64()
            .expect("services_max is an integer");
        assert!(
            mean <= max as f64 && max <= 4,
            "`{f}`: blast mean {mean}, max {max}"
        );
        assert!(number(&doc, &["failures", f, "lost_hours", "mean"]) >= 0.0);
        assert!(number(&doc, &["failures", f, "cost", "mean"]) >= 0.0);
    }

    assert!(
        at(&doc, &["engine", "events"])
            .as_u64()
            .expect("events is an integer")
            > 0
    );
    assert!(number(&doc, &["engine", "seconds"]) >= 0.0);
}

#[test]
fn run_markdown_prints_tables_with_a_heading() {
    let out = stdout_of(run_example(&["--format", "markdown"]));
    assert!(out.starts_with('#'), "{out}");
    assert!(out.contains("| --- |"), "{out}");
    for service in SHOP_SERVICES {
        assert!(
            out.contains(&format!("| <code>{service}</code> |")),
            "no row for `{service}`:\n{out}"
        );
    }
    for failure in EXAMPLE_FAILURES {
        assert!(
            out.contains(&format!("| {failure} |")),
            "no row for `{failure}`:\n{out}"
        );
    }
}

#[test]
fn trials_and_seed_flags_override_the_scenario() {
    let mut cmd = faultline();
    cmd.args([
        "run", EXAMPLE, "--trials", "150", "--seed", "7", "--format", "json",
    ]);
    let doc = parse(&stdout_of(cmd));
    assert_eq!(at(&doc, &["trials"]).as_u64(), Some(150));
    assert_eq!(at(&doc, &["seed"]).as_u64(), Some(7));
}

#[test]
fn another_seed_gives_other_numbers() {
    let a = stdout_of(run_example(&["--format", "json", "--seed", "1"]));
    let b = stdout_of(run_example(&["--format", "json", "--seed", "2"]));
    let (a, b) = (parse(&a), parse(&b));
    assert_ne!(a["services"], b["services"]);
}

#[test]
fn check_accepts_every_example_scenario() {
    let scenarios = super::results::scenario_files();
    assert!(scenarios.len() >= 4, "{scenarios:?}");
    faultline().arg("check").args(&scenarios).assert().success();
}

#[test]
fn check_rejects_an_invalid_scenario_with_exit_code_1() {
    let dir = scratch("check-invalid");
    let bad = dir.join("bad.ron");
    let text = std::fs::read_to_string(repo(EXAMPLE))
        .expect("example")
        .replace(r#""api": Hard"#, r#""apx": Hard"#);
    std::fs::write(&bad, text).expect("write fixture");
    let good = repo(EXAMPLE);
    let assert = faultline()
        .arg("check")
        .arg(&good)
        .arg(&bad)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let prefix = format!("{}:", bad.display());
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&prefix) && l.contains(": error: "))
        .unwrap_or_else(|| panic!("no `FILE:LINE:COL: error:` line:\n{stderr}"));
    let position: Vec<&str> = line[prefix.len()..].splitn(3, ':').collect();
    assert!(
        position[0].parse::<u32>().is_ok() && position[1].parse::<u32>().is_ok(),
        "no line and column in `{line}`"
    );
    assert!(line.contains("`apx`"), "{line}");
    assert!(stderr.contains("`api`"), "a hint names `api`:\n{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn run_of_a_missing_scenario_fails_with_exit_code_1() {
    let assert = faultline()
        .args(["run", "scenarios/no-such-file.ron"])
        .assert()
        .code(1)
        .stdout("");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("no-such-file.ron"), "{stderr}");
}

/// Asserts a usage error: exit code 2, nothing on stdout, a message on stderr.
fn assert_usage_error(args: &[&str]) {
    let assert = faultline().args(args).assert().code(2).stdout("");
    let stderr = &assert.get_output().stderr;
    assert!(!stderr.is_empty(), "no message for {args:?}");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--trails", "10"]);
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    assert_usage_error(&["simulate", EXAMPLE]);
}

#[test]
fn a_missing_argument_is_a_usage_error() {
    assert_usage_error(&["run"]);
    assert_usage_error(&["check"]);
    assert_usage_error(&[]);
}

#[test]
fn a_flag_without_its_value_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--trials"]);
}

#[test]
fn zero_threads_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--threads", "0"]);
}

#[test]
fn zero_trials_or_a_non_positive_work_limit_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--trials", "0"]);
    assert_usage_error(&["run", EXAMPLE, "--max-events", "0"]);
    assert_usage_error(&["run", EXAMPLE, "--max-trial-events", "NaN"]);
}

#[test]
fn a_non_numeric_trials_count_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--trials", "many"]);
    assert_usage_error(&["run", EXAMPLE, "--seed", "-1"]);
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    assert_usage_error(&["run", EXAMPLE, "--format", "xml"]);
}

#[test]
fn output_writes_what_stdout_would_show() {
    let dir = scratch("output-same");
    let file = dir.join("result.json");
    run_example(&["--format", "json", "--output"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let written = std::fs::read_to_string(&file).expect("output file");
    let printed = stdout_of(run_example(&["--format", "json"]));
    assert_eq!(
        without_key("seconds", &written),
        without_key("seconds", &printed)
    );
    assert!(written.ends_with("}\n"), "the file ends with a newline");
    assert_eq!(
        support::entries(&dir),
        ["result.json"],
        "no temporary file is left"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn output_replaces_an_existing_file_by_renaming_over_it() {
    let dir = scratch("output-replace");
    let file = dir.join("result.md");
    std::fs::write(&file, "old result\n").expect("old file");
    // A second name for the old file: an atomic replacement (a new file renamed
    // over the name) leaves it intact, rewriting in place would not.
    let old = dir.join("old.md");
    std::fs::hard_link(&file, &old).expect("hard link");
    run_example(&["--format", "markdown", "--output"])
        .arg(&file)
        .assert()
        .success();
    let written = std::fs::read_to_string(&file).expect("output file");
    assert!(
        written.starts_with("### shop: two AWS regions"),
        "{written}"
    );
    assert_eq!(
        std::fs::read_to_string(&old).expect("old file"),
        "old result\n"
    );
    assert_eq!(
        support::entries(&dir),
        ["old.md", "result.md"],
        "no temporary file is left"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn output_into_a_missing_folder_fails_and_leaves_nothing() {
    let dir = scratch("output-missing-folder");
    let file = dir.join("missing").join("result.json");
    let assert = run_example(&["--format", "json", "--output"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("result.json"),
        "the message names the file:\n{stderr}"
    );
    assert!(
        support::entries(&dir).is_empty(),
        "{:?}",
        support::entries(&dir)
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn output_is_untouched_when_the_scenario_is_invalid() {
    let dir = scratch("output-invalid");
    let bad = dir.join("bad.ron");
    std::fs::write(&bad, "Scenario(").expect("fixture");
    let file = dir.join("result.json");
    std::fs::write(&file, "previous\n").expect("old file");
    faultline()
        .arg("run")
        .arg(&bad)
        .arg("--output")
        .arg(&file)
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read_to_string(&file).expect("old file"),
        "previous\n"
    );
    assert_eq!(support::entries(&dir), ["bad.ron", "result.json"]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn json_of_an_example_run_matches_its_committed_document() {
    // The same document as tests/it/results.rs checks through the library,
    // here through the binary with the scenario's own trials and seed.
    let stem = "shop-three-zones";
    let committed = repo(&format!("results/{stem}.json"));
    let Ok(committed) = std::fs::read_to_string(&committed) else {
        panic!(
            "missing {}; run `UPDATE_RESULTS=1 cargo test --test it results`",
            committed.display()
        );
    };
    let mut cmd = faultline();
    cmd.args(["run", &format!("scenarios/{stem}.ron"), "--format", "json"]);
    let printed = stdout_of(cmd);
    assert_eq!(
        without_key("seconds", &printed),
        without_key("seconds", &committed)
    );
}
