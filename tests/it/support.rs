//! Helpers shared by the integration tests.

#![allow(dead_code)]

use faultline::model::Model;
use faultline::montecarlo::{self, RunOptions};
use faultline::stats::RunResult;

/// Loads a scenario from text, panicking with the diagnostics if invalid.
pub fn model(text: &str) -> Model {
    match faultline::scenario::load("test.ron", text.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("invalid test scenario:\n{e}"),
    }
}

/// Runs a scenario text with the given trials and seed.
pub fn run(text: &str, trials: u64, seed: u64) -> RunResult {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        ..RunOptions::default()
    };
    montecarlo::run(&model(text), &options).expect("run")
}

/// The path of a file in the repository.
pub fn repo(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The JSON text without the lines of `key` (e.g. `seconds`, which differs
/// between runs, or `scenario_fnv1a`, which a reordered file changes).
pub fn without_key(key: &str, json: &str) -> String {
    let prefix = format!("\"{key}\":");
    json.lines()
        .filter(|line| !line.trim_start().starts_with(&prefix))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `faultline ARGS` from the repository root, without colour, checking
/// success.
fn succeeded(args: &[&str]) -> std::process::Output {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run faultline");
    assert!(output.status.success(), "{output:?}");
    output
}

/// `faultline ARGS` from the repository root: its stdout, checking success.
pub fn faultline(args: &[&str]) -> String {
    String::from_utf8(succeeded(args).stdout).expect("utf-8")
}

/// `faultline ARGS` from the repository root: its stderr, checking success.
pub fn faultline_stderr(args: &[&str]) -> String {
    String::from_utf8(succeeded(args).stderr).expect("utf-8")
}

/// A fresh, empty scratch folder for test `test` of module `group`, under
/// the target's temporary folder (the process id keeps runs apart).
pub fn scratch(group: &str, test: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// The names of the entries of a folder, sorted.
pub fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read scratch folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether `line` of stderr belongs to the source excerpt printed under a
/// diagnostic: `  |`, `12 |     trials: 0,` or `   |     ^^^^^^`.
pub fn is_source_line(line: &str) -> bool {
    let rest = line.trim_start();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.trim_start().starts_with('|')
}
