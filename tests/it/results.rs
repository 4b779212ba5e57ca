//! `results/`: the committed result document of every example scenario,
//! reproduced byte for byte.
//!
//! Each `scenarios/<stem>.ron` has a `results/<stem>.json`: the `--format json`
//! document of a run with the scenario's own trials and seed (with uncertain
//! inputs, the default draws), with
//! `engine.seconds` (wall-clock time, the one varying field) set to 0.
//! Regenerate them all, after a change that is meant to move the numbers, with
//!
//! ```text
//! UPDATE_RESULTS=1 cargo test --test it results
//! ```
//!
//! which also removes result files whose scenario is gone. Review the diff:
//! it is the effect of the change on every example design.

use std::path::{Path, PathBuf};

use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Json, Render};

use super::support::repo;

const REGENERATE: &str = "UPDATE_RESULTS=1 cargo test --test it results";

/// Whether this run writes the result files instead of checking them.
fn updating() -> bool {
    std::env::var_os("UPDATE_RESULTS").is_some_and(|v| v == "1")
}

/// The files in `folder` with the extension `ext`, sorted.
pub(crate) fn files_with_extension(folder: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// Every `scenarios/*.ron`, sorted, as absolute paths.
pub(crate) fn scenario_files() -> Vec<PathBuf> {
    files_with_extension(&repo("scenarios"), "ron")
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// The result file of a scenario.
fn result_file(scenario: &Path) -> PathBuf {
    repo("results").join(format!("{}.json", stem(scenario)))
}

/// The committed document of a scenario: its own trials and seed, default
/// threads, `engine.seconds` zeroed.
fn document(scenario: &Path) -> String {
    let name = format!("scenarios/{}.ron", stem(scenario));
    let read = |p: &Path| std::fs::read(p);
    let model = faultline::scenario::load_path(scenario, &name, &read, &[])
        .unwrap_or_else(|e| panic!("invalid example scenario:\n{e:?}"))
        .model;
    // a scenario with uncertain inputs runs in two levels, as `run` does
    let mut result = if model.uncertain.is_empty() {
        montecarlo::run(&model, &RunOptions::default())
            .unwrap_or_else(|e| panic!("{name}: run refused: {e}"))
    } else {
        let stop = std::sync::atomic::AtomicBool::new(false);
        let draws = faultline::uncertainty::DEFAULT_DRAWS;
        faultline::uncertainty::run::run_two_level(&model, draws, &RunOptions::default(), &stop)
            .unwrap_or_else(|e| panic!("{name}: run refused: {e}"))
            .result
    };
    result.engine.seconds = 0.0;
    Json.render(&result)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Where two texts first differ, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for line in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (e, a) if e != a => {
                return format!(
                    "line {line}: committed {:?}, now {:?}",
                    e.unwrap_or("<end of file>"),
                    a.unwrap_or("<end of file>")
                )
            }
            _ => {}
        }
    }
    "the texts differ only in line endings or a final newline".into()
}

#[test]
fn every_scenario_reproduces_its_committed_results_byte_for_byte() {
    let scenarios = scenario_files();
    assert!(!scenarios.is_empty(), "no scenarios/*.ron");
    let mut problems = Vec::new();
    for scenario in &scenarios {
        let text = document(scenario);
        let file = result_file(scenario);
        if updating() {
            faultline::cli::write_atomically(&file, text.as_bytes())
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
            continue;
        }
        match std::fs::read_to_string(&file) {
            Err(_) => problems.push(format!(
                "{} has no result file {}",
                scenario.display(),
                file.display()
            )),
            Ok(committed) if committed != text => problems.push(format!(
                "{} differs from a run of {}: {}",
                file.display(),
                scenario.display(),
                first_difference(&committed, &text)
            )),
            Ok(_) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nif the change is meant to move the numbers, regenerate with `{REGENERATE}` and review the diff",
        problems.join("\n")
    );
}

#[test]
fn every_results_file_has_its_scenario() {
    let scenarios: Vec<String> = scenario_files().iter().map(|p| stem(p)).collect();
    let mut orphans = Vec::new();
    for file in files_with_extension(&repo("results"), "json") {
        if scenarios.contains(&stem(&file)) {
            continue;
        }
        if updating() {
            std::fs::remove_file(&file)
                .unwrap_or_else(|e| panic!("cannot remove {}: {e}", file.display()));
            eprintln!("removed {}: its scenario is gone", file.display());
        } else {
            orphans.push(file.display().to_string());
        }
    }
    assert!(
        orphans.is_empty(),
        "result files without a scenario in scenarios/: {}\nremove them, or regenerate with `{REGENERATE}`",
        orphans.join(", ")
    );
}
