//! Names from untrusted scenario files and file names cannot crash a
//! command, blow up its output, or rewrite a terminal, a CI log, a Markdown
//! comment or a graph: names are limited and checked at validation, and
//! every output escapes what it prints for its format.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use super::support;
use assert_cmd::Command;

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("untrusted", test)
}

/// Runs `faultline ARGS` in `dir`; a hang fails the test.
fn faultline(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("faultline")
        .expect("the faultline binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("faultline runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

/// A two-service scenario whose service `db` and failure are named as given.
fn scenario(service: &str, failure: &str) -> String {
    format!(
        r#"Scenario(
    name: "design", horizon: "1y", trials: 200, seed: 3,
    domains: ["aws/us-east-1/a", "aws/us-east-1/b"],
    failures: [
        (name: "{failure}", on: EachZone(), every: "60d", lasts: Fixed("4h")),
    ],
    services: {{
        "web": (deployments: [(in: "aws/us-east-1/a"), (in: "aws/us-east-1/b")],
                depends_on: {{ "{service}": Hard }}, cost: (per_hour: 1000),
                infra: (per_replica_month: 100)),
        "{service}": (deployments: [(in: "aws/us-east-1/a")], cost: (per_hour: 500)),
    }},
    objectives: [Availability(service: "{service}", at_least: 0.5)],
)
"#
    )
}

/// Every command that renders names, with its arguments after the scenario.
const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["run", "--trials", "50"],
    &["run", "--trials", "50", "--format", "markdown"],
    &["blast"],
    &["rank", "--trials", "50"],
    &["explain", "--trials", "50", "--worst"],
    &["graph"],
    &[
        "sweep",
        "--trials",
        "50",
        "--set",
        "services.web.deployments.0.replicas=1,2",
    ],
];

fn command_on(command: &[&str], file: &str) -> Vec<String> {
    let mut args = vec![command[0].to_string(), file.to_string()];
    args.extend(command[1..].iter().map(|s| s.to_string()));
    args
}

#[test]
fn names_longer_than_the_limit_are_a_located_error_in_every_command() {
    let dir = scratch("long_names");
    let long = "n".repeat(70_000);
    let cases = [
        ("service.ron", scenario(&long, "zone outage")),
        ("failure.ron", scenario("db", &long)),
    ];
    for (file, text_of_file) in cases {
        std::fs::write(dir.join(file), text_of_file).expect("write the scenario");
        let mut commands: Vec<Vec<String>> = COMMANDS.iter().map(|c| command_on(c, file)).collect();
        commands.push(vec!["compare".into(), file.into(), file.into()]);
        for args in commands {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = faultline(&dir, &args);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            let first = stderr.lines().next().unwrap_or_default();
            assert!(first.starts_with(&format!("{file}:")), "{args:?}: {first}");
            assert!(
                first.contains("characters long; at most 256"),
                "{args:?}: {first}"
            );
            // the message quotes the start of the name, not all of it
            assert!(stderr.len() < 1_000, "{args:?}: {} bytes", stderr.len());
        }
    }
}

#[test]
fn a_hundred_kilobyte_failure_name_is_refused_before_explain_builds_a_story() {
    let dir = scratch("explain_amplification");
    std::fs::write(dir.join("big.ron"), scenario("db", &"f".repeat(100_000))).expect("write");
    let out = faultline(&dir, &["explain", "big.ron", "--trials", "20", "--worst"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("big.ron:5:16: error: failure name `fff"),
        "{stderr}"
    );
}

#[test]
fn the_story_of_a_trial_with_many_events_is_bounded() {
    let dir = scratch("explain_bounded");
    let name = "x".repeat(faultline::scenario::validate::MAX_NAME_CHARS);
    // one outage an hour for a year: about 4 events each, 35,000 in all
    let text_of_file = format!(
        r#"Scenario(horizon: "1y", trials: 1, seed: 1, domains: ["aws/us-east-1/a"],
    failures: [(name: "{name}", on: EachReplica(), every: "1h", lasts: Fixed("1m"))],
    services: {{ "{name}": (deployments: [(in: "aws/us-east-1/a")]) }})"#
    );
    std::fs::write(dir.join("busy.ron"), text_of_file).expect("write");
    let max = faultline::analysis::explain::MAX_STORY_EVENTS;
    for format in ["table", "markdown"] {
        let out = faultline(
            &dir,
            &["explain", "busy.ron", "--trial", "0", "--format", format],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.lines().count() < max + 50, "{format}");
        assert!(
            stdout.len() < (max + 50) * 1_500,
            "{format}: {} bytes",
            stdout.len()
        );
        assert!(stdout.contains("later event(s) not shown"), "{format}");
    }
    let out = faultline(
        &dir,
        &["explain", "busy.ron", "--trial", "0", "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let events = doc["events"].as_array().expect("events").len();
    let left_out = doc["events_left_out"].as_u64().expect("events_left_out") as usize;
    assert!(events <= max, "{events}");
    assert!(left_out > 20_000, "{left_out}");
    let occurrences = doc["occurrences"].as_array().expect("occurrences").len();
    assert!(occurrences <= max, "{occurrences}");
}

/// Pipes that split a Markdown table row into cells: those not escaped.
fn cells(line: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in line.chars() {
        if c == '|' && !escaped {
            n += 1;
        }
        escaped = c == '\\' && !escaped;
    }
    n
}

/// Asserts that a Markdown document has no raw HTML from a name, no table
/// row with more cells than its header, and no line a name started.
fn assert_inert_markdown(what: &str, markdown: &str) {
    assert!(!markdown.contains("<img"), "{what}:\n{markdown}");
    assert!(!markdown.contains("`oops`"), "{what}:\n{markdown}");
    let mut header = None;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = cells(line);
        let expected = *header.get_or_insert(n);
        assert_eq!(n, expected, "{what}: a row with extra cells: {line}");
    }
    assert!(
        !markdown.lines().any(|l| l.starts_with("| ✅ | met")),
        "{what}:\n{markdown}"
    );
}

/// A service name and a failure name that are valid (no control characters)
/// but full of Markdown and HTML.
const HOSTILE_SERVICE: &str =
    r#"db<img src=x onerror=alert(1)> | ✅ | met | [x](http://e) *b* _i_ ~s~ $m$"#;
const HOSTILE_FAILURE: &str = r#"`oops` </td><script>x</script> & 'q' \" #h"#;

#[test]
fn markdown_output_renders_hostile_names_as_text() {
    let dir = scratch("markdown");
    std::fs::write(
        dir.join("hostile.ron"),
        scenario(HOSTILE_SERVICE, HOSTILE_FAILURE),
    )
    .expect("write");
    let runs: &[&[&str]] = &[
        &[
            "run",
            "hostile.ron",
            "--trials",
            "50",
            "--format",
            "markdown",
        ],
        &["blast", "hostile.ron", "--format", "markdown"],
        &[
            "rank",
            "hostile.ron",
            "--trials",
            "50",
            "--format",
            "markdown",
        ],
        &[
            "explain",
            "hostile.ron",
            "--trials",
            "50",
            "--worst",
            "--format",
            "markdown",
        ],
        &[
            "compare",
            "hostile.ron",
            "hostile.ron",
            "--trials",
            "50",
            "--format",
            "markdown",
        ],
        &[
            "sweep",
            "hostile.ron",
            "--trials",
            "50",
            "--set",
            "services.web.deployments.0.replicas=1,2",
            "--format",
            "markdown",
        ],
    ];
    for args in runs {
        let out = faultline(&dir, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_inert_markdown(args[0], &text(&out.stdout));
    }
}

#[test]
fn the_markdown_escaper_on_a_hostile_name() {
    let escaped = faultline::text::markdown(HOSTILE_SERVICE);
    let escaped_failure = faultline::text::markdown(HOSTILE_FAILURE);
    let list = faultline::text::markdown("- 1. [a]\n::error::x\r\u{1b}[2J\u{202e}");
    insta::assert_snapshot!(
        "markdown_escaper_hostile_names",
        format!("{escaped}\n{escaped_failure}\n{list}\n")
    );
}

#[test]
fn a_file_name_with_a_line_break_cannot_start_a_workflow_command() {
    let dir = scratch("file_name");
    let file = "ok\n::error file=x.ron::pwned\r\u{1b}[2J.ron";
    std::fs::write(dir.join(file), scenario("db", "zone outage")).expect("write");
    let out = faultline(&dir, &["check", file]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "{stderr:?}"
    );
    assert!(stderr.starts_with("ok\\n::error"), "{stderr}");
}

#[test]
fn graphs_quote_names_so_that_none_injects_a_directive() {
    let dir = scratch("graph");
    let name = r#"%%{init: {\"theme\": \"dark\"}}%%"#;
    std::fs::write(dir.join("directive.ron"), scenario(name, "zone outage")).expect("write");
    let out = faultline(&dir, &["graph", "directive.ron"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mermaid = text(&out.stdout);
    assert!(!mermaid.contains("%%"), "{mermaid}");
    assert!(mermaid.contains("#37;#37;#123;init"), "{mermaid}");
    let out = faultline(&dir, &["graph", "directive.ron", "--format", "dot"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(
        dot.contains(r#""%%{init: {\"theme\": \"dark\"}}%%""#),
        "{dot}"
    );
}

#[test]
fn a_subnormal_horizon_is_refused_at_horizon_by_rank_compare_and_sweep() {
    let dir = scratch("subnormal_horizon");
    let tiny = format!("0.{}1h", "0".repeat(318));
    let text_of_file =
        scenario("db", "zone outage").replace(r#"horizon: "1y""#, &format!(r#"horizon: "{tiny}""#));
    std::fs::write(dir.join("tiny.ron"), text_of_file).expect("write");
    for args in [
        vec!["rank", "tiny.ron", "--format", "json"],
        vec!["compare", "tiny.ron", "tiny.ron"],
        vec![
            "sweep",
            "tiny.ron",
            "--set",
            "services.web.deployments.0.replicas=1,2",
        ],
    ] {
        let out = faultline(&dir, &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("tiny.ron:2:30: error: invalid `horizon`: duration"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("shorter than one second"), "{stderr}");
        assert!(!stderr.contains("bug"), "{stderr}");
    }
}
