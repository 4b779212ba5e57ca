//! Work that grows faster than the events of a trial is bounded too: the
//! changes a chain of dependencies propagates, SLA windows, `blast`'s
//! units times the model, `rank`'s runs times a run, and `explain`'s
//! trial. Each is refused before any work, at the field that causes it,
//! with the flag that raises the limit; small inputs whose cost grows
//! faster than their size stand in for the large ones.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::support;
use assert_cmd::Command;

/// Runs `faultline ARGS`; returns the exit code and stderr (a hang fails).
fn faultline(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::cargo_bin("faultline")
        .expect("the faultline binary")
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("faultline runs");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    (output.status.code(), stderr)
}

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("limits", test)
}

/// `n` services in a chain, each hard-depending on the one before, one
/// replica each failing once a year: 4 expected events a service, and the
/// last one's timeline carries the changes of all (4 n (n + 1) / 2 in all).
pub fn chain(n: usize, extra: &str) -> String {
    let services: String = (0..n)
        .map(|i| {
            let dependency = if i > 0 {
                format!(", depends_on: {{ \"s{}\": Hard }}", i - 1)
            } else {
                String::new()
            };
            format!("    \"s{i}\": (deployments: [(in: \"aws/r/a\")]{dependency}{extra}),\n")
        })
        .collect();
    format!(
        "Scenario(\n    trials: 1,\n    domains: [\"aws/r/a\", \"aws/r/b\"],\n    failures: [(name: \"host\", on: EachReplica(), every: \"1y\", lasts: Exp(mean: \"1h\"))],\n    services: {{\n{services}    }},\n)\n"
    )
}

fn write(test: &str, text: &str) -> String {
    let path = scratch(test).join("scenario.ron");
    std::fs::write(&path, text).expect("write the scenario");
    path.display().to_string()
}

/// The 1-based line of the first occurrence of `needle` in `text`, at or
/// after the line holding `after`.
fn line_of(text: &str, after: &str, needle: &str) -> usize {
    let start = text
        .lines()
        .position(|l| l.contains(after))
        .expect("anchor");
    start
        + 1
        + text
            .lines()
            .skip(start)
            .position(|l| l.contains(needle))
            .expect("needle")
}

fn assert_refused_at(stderr: &str, path: &str, line: usize, flag: &str) {
    let prefix = format!("{path}:{line}:");
    assert!(stderr.starts_with(&prefix), "expected {prefix}: {stderr}");
    assert!(stderr.contains(": error: "), "{stderr}");
    assert!(stderr.contains(flag), "no `{flag}` in: {stderr}");
}

#[test]
fn a_dependency_chain_counts_the_changes_it_propagates_not_only_its_events() {
    // 300 services: 1,200 events a trial, but 180,600 timeline changes
    let text = chain(300, "");
    let path = write("chain", &text);
    let limit = ["--max-trial-events", "1e5"];
    let (code, stderr) = faultline(&[&["run", &path][..], &limit].concat());
    assert_eq!(code, Some(1), "{stderr}");
    let line = line_of(&text, "\"s299\"", "depends_on");
    assert_refused_at(&stderr, &path, line, "--max-trial-events");
    assert!(stderr.contains("about 1.81e5 changes"), "{stderr}");
    // explain's one trial is held to the same limit
    let (code, stderr) = faultline(&[&["explain", &path, "--trial", "0"][..], &limit].concat());
    assert_eq!(code, Some(1), "{stderr}");
    assert_refused_at(&stderr, &path, line, "--max-trial-events");
    // within the default limit the chain runs, quickly
    let started = Instant::now();
    let (code, stderr) = faultline(&["run", &path, "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn sla_windows_of_a_second_over_a_year_are_refused_at_window() {
    // 3.15e7 windows a trial, beyond the default 2e7 (windows under a
    // second are refused at validation)
    let sla = ", sla: (window: \"1s\", revenue: 1000, credits: [(below: 0.999, refund: 0.1)])";
    let text = chain(2, sla);
    let path = write("sla", &text);
    let (code, stderr) = faultline(&["run", &path]);
    assert_eq!(code, Some(1), "{stderr}");
    let line = line_of(&text, "\"s0\"", "window");
    assert_refused_at(&stderr, &path, line, "--max-trial-events");
    assert!(stderr.contains("about 3.15e7 windows"), "{stderr}");
}

#[test]
fn blast_is_refused_when_units_times_the_model_exceed_its_limit() {
    // 301 units, each evaluating 300 services twice: superlinear in the file
    let text = chain(300, "");
    let path = write("blast", &text);
    let (code, stderr) = faultline(&["blast", &path, "--max-work", "1e5"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_refused_at(
        &stderr,
        &path,
        line_of(&text, "", "services:"),
        "--max-work",
    );
    let (code, stderr) = faultline(&["blast", &path, "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn rank_is_refused_when_its_runs_together_exceed_the_run_limit() {
    // one run per failure definition (and domain): the work grows with
    // the square of the definitions
    let failures: String = (0..100)
        .map(|i| {
            format!(
                "(name: \"f{i}\", on: EachReplica(), every: \"10y\", lasts: Exp(mean: \"1h\")),\n"
            )
        })
        .collect();
    let text = format!(
        "Scenario(\n    domains: [\"aws/r/a\"],\n    failures: [\n{failures}    ],\n    services: {{ \"web\": (deployments: [(in: \"aws/r/a\", replicas: 2)]) }},\n)\n"
    );
    let path = write("rank", &text);
    let (code, stderr) = faultline(&["rank", &path, "--max-events", "1e7"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_refused_at(
        &stderr,
        &path,
        line_of(&text, "", "failures:"),
        "--max-events",
    );
    assert!(stderr.contains("its 104 runs"), "{stderr}");
}
