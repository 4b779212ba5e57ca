//! How errors and warnings look on stderr: the first line stays
//! `FILE:LINE:COL: error: MESSAGE`; the offending source line follows with a
//! caret under the token; colour only on a terminal without `NO_COLOR`;
//! GitHub workflow commands under `GITHUB_ACTIONS=true`.

use std::path::Path;
use std::process::Command;

use super::support::{is_source_line, repo};

/// `faultline ARGS` from the repository root with `env` set (and neither
/// `GITHUB_ACTIONS` nor `NO_COLOR` inherited): exit code and stderr.
fn faultline(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_faultline"));
    command
        .current_dir(repo(""))
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run faultline");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    (output.status.code(), stderr)
}

const UNKNOWN_FIELD: &str = "tests/fixtures/invalid/unknown_field.ron";

#[test]
fn the_first_line_of_an_error_is_file_line_col_error_message() {
    let (code, stderr) = faultline(&["check", UNKNOWN_FIELD], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("{UNKNOWN_FIELD}:2:5: error: unknown field `horizn` in `Scenario`")
    );
    let last = stderr.lines().last().unwrap_or_default();
    assert_eq!(last, "  hint: did you mean `horizon`?");
}

#[test]
fn an_error_shows_its_source_line_with_a_caret_under_the_token() {
    let path = "tests/fixtures/invalid/several_problems.ron";
    let (code, stderr) = faultline(&["check", path], &[]);
    assert_eq!(code, Some(1), "{stderr}");
    insta::assert_snapshot!("diagnostics_several_problems", stderr);
}

/// For each diagnostic of the file `name` in `stderr` that shows its
/// source: its `LINE:COL`, the source line shown (after its `N | ` gutter)
/// and the column, from 1, of the first caret under it.
fn carets(stderr: &str, name: &str) -> Vec<((usize, usize), String, usize)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = Vec::new();
    let mut at = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(p) = position(line, name) {
            at = Some(p);
            continue;
        }
        let caret = lines.get(i + 1).copied().unwrap_or_default();
        let numbered = line.trim_start().starts_with(|c: char| c.is_ascii_digit());
        let (Some(p), true) = (at, is_source_line(line) && numbered && caret.contains('^')) else {
            continue;
        };
        let gutter = line.find('|').unwrap_or_default();
        let text = line.get(gutter + 2..).unwrap_or_default().to_string();
        let caret_at = caret.find('^').unwrap_or_default();
        let col = caret
            .get(gutter + 2..caret_at)
            .unwrap_or("")
            .chars()
            .count()
            + 1;
        found.push((p, text, col));
        at = None;
    }
    found
}

#[test]
fn every_caret_sits_under_the_reported_column_of_the_file() {
    let folder = repo("tests/fixtures/invalid");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("read the fixtures") {
        let path = entry.expect("a fixture").path();
        let name = format!(
            "tests/fixtures/invalid/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: the line is shown with replacement characters
        };
        let (_, stderr) = faultline(&["check", &name], &[]);
        for ((line, col), shown, caret) in carets(&stderr, &name) {
            let Some(source) = text.lines().nth(line - 1) else {
                continue;
            };
            if shown.starts_with("...") || source.chars().any(char::is_control) {
                continue; // cut on the left, or with characters shown escaped
            }
            // a long line is cut on the right
            let shown = shown.strip_suffix("...").unwrap_or(&shown);
            assert!(source.starts_with(shown), "{name}:{line}:{col}\n{stderr}");
            assert_eq!(caret, col, "{name}:{line}:{col}\n{stderr}");
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} carets checked");
}

/// `LINE:COL` of a first line `NAME:LINE:COL: error: ...`.
fn position(line: &str, name: &str) -> Option<(usize, usize)> {
    let rest = line.strip_prefix(name)?.strip_prefix(':')?;
    let (at, _) = rest.split_once(": error: ")?;
    let (l, c) = at.split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

#[test]
fn under_github_actions_errors_and_warnings_become_workflow_commands() {
    let env = [("GITHUB_ACTIONS", "true")];
    let (_, stderr) = faultline(&["check", UNKNOWN_FIELD], &env);
    let commands: Vec<&str> = stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        commands,
        [format!("::error file={UNKNOWN_FIELD},line=2,col=5::unknown field `horizn` in `Scenario`%0Ahint: did you mean `horizon`?")],
        "{stderr}"
    );
    let warned = "tests/fixtures/warning/collapse_without_active_active.ron";
    let (code, stderr) = faultline(&["check", warned], &env);
    assert_eq!(code, Some(0), "{stderr}");
    let command = stderr.lines().find(|l| l.starts_with("::"));
    let prefix = format!("::warning file={warned},line=10,col=13::`overload: Collapse`");
    assert!(command.is_some_and(|c| c.starts_with(&prefix)), "{stderr}");
    for env in [[("GITHUB_ACTIONS", "false")], [("CI", "true")]] {
        let (_, stderr) = faultline(&["check", UNKNOWN_FIELD], &env);
        assert!(!stderr.contains("::"), "{env:?}: {stderr}");
    }
}

#[test]
fn workflow_commands_escape_what_would_end_or_split_them() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diagnostics");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    // a comma and a colon in the file name, a percent sign in the message
    let name = "a,b:c.ron";
    std::fs::write(dir.join(name), "Scenario(\n    trials: 0,\n)\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(&dir)
        .env("GITHUB_ACTIONS", "true")
        .args(["check", name])
        .output()
        .expect("run faultline");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let command = stderr.lines().find(|l| l.starts_with("::error"));
    assert!(
        command.is_some_and(|c| c.starts_with("::error file=a%2Cb%3Ac.ron,line=")),
        "{stderr}"
    );
}

/// Runs `faultline check` on a bad file under a pseudo-terminal (util-linux
/// `script`), with `env`; its output, or `None` where `script` is missing.
fn on_a_terminal(env: &[(&str, &str)]) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_faultline");
    let mut command = Command::new("script");
    command
        .current_dir(repo(""))
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env("TERM", "xterm-256color")
        .args(["-qec", &format!("{bin} check {UNKNOWN_FIELD}"), "/dev/null"]);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // a pipe: never colour
    let (_, piped) = faultline(&["check", UNKNOWN_FIELD], &[]);
    assert!(!piped.contains('\u{1b}'), "{piped:?}");
    let Some(coloured) = on_a_terminal(&[]) else {
        eprintln!("skipped: `script` (util-linux) is needed for a pseudo-terminal");
        return;
    };
    assert!(coloured.contains('\u{1b}'), "{coloured:?}");
    let first = coloured.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("{UNKNOWN_FIELD}:2:5: error: unknown field")),
        "the first line is never coloured: {first:?}"
    );
    let plain = on_a_terminal(&[("NO_COLOR", "1")]).unwrap_or_default();
    assert!(plain.contains("horizn: \"1y\""), "{plain:?}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    // an empty NO_COLOR is as if unset
    let empty = on_a_terminal(&[("NO_COLOR", "")]).unwrap_or_default();
    assert!(empty.contains('\u{1b}'), "{empty:?}");
}
