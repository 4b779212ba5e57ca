//! The harnesses shared by the fuzz targets (`fuzz/`) and the tests that
//! replay their corpora: load arbitrary bytes as a scenario, or as a top
//! scenario and the base it extends, or as partial results to merge, and,
//! when valid, run a few trials under a small event budget (or merge),
//! render every format and check the invariants of the result. A panic
//! here is a finding.

use crate::montecarlo::{self, RunOptions};
use crate::report::{Json, Markdown, Render, Table};
use crate::scenario;
use crate::shard;
use crate::stats::RunResult;

/// Loads `bytes` as a scenario and, if valid, runs up to 3 trials with at most
/// 2e5 expected events. Returns the result when there is one.
///
/// # Panics
/// When an invariant of the result does not hold (that is the point).
pub fn load_and_run(bytes: &[u8]) -> Option<RunResult> {
    let model = scenario::load("fuzz.ron", bytes).ok()?;
    run_briefly(&model)
}

/// Availability in [0, 1], lost hours within the horizon, downtime and
/// degraded time within the lost hours' bounds, attributions adding up (lost
/// hours and money, per failure and per cause).
///
/// # Panics
/// On the first invariant that does not hold.
pub fn check_invariants(result: &RunResult) {
    let horizon = result.horizon_hours;
    let slack = 1e-9 * horizon;
    let mut lost = 0.0;
    for (name, s) in &result.services {
        for (what, a) in [
            ("availability", &s.availability),
            ("availability_weighted", &s.availability_weighted),
        ] {
            let [lo, hi] = a.ci95.unwrap_or([a.mean, a.mean]);
            assert!(
                0.0 <= lo && lo <= a.mean && a.mean <= hi && hi <= 1.0,
                "{name}: {what} {} outside [0, 1] or its ci95 [{lo}, {hi}]",
                a.mean
            );
        }
        assert!(
            s.lost_hours.max <= horizon + slack,
            "{name}: lost more than the horizon"
        );
        assert!(
            s.downtime_hours.mean <= s.lost_hours.mean + slack,
            "{name}: downtime above lost hours"
        );
        let bound = s.downtime_hours.mean + s.degraded_hours.mean + slack;
        assert!(
            s.lost_hours.mean <= bound,
            "{name}: lost hours beyond downtime + degraded time"
        );
        lost += s.lost_hours.mean;
    }
    let attributed: f64 = result
        .failures
        .values()
        .map(|f| f.lost_hours.mean)
        .sum::<f64>()
        + result.unattributed.lost_hours.mean;
    assert!(
        (lost - attributed).abs() <= 1e-6 * lost.max(1.0),
        "attributions {attributed} do not add up to lost hours {lost}"
    );
    let cost = result.cost.mean;
    let charged: f64 =
        result.failures.values().map(|f| f.cost.mean).sum::<f64>() + result.unattributed.cost.mean;
    assert!(
        (cost - charged).abs() <= 1e-6 * cost.max(1.0),
        "attributed money {charged} does not add up to the cost {cost}"
    );
    let by_cause: f64 = result.causes.values().map(|c| c.lost_hours.mean).sum();
    let by_failure = attributed - result.unattributed.lost_hours.mean;
    assert!(
        (by_cause - by_failure).abs() <= 1e-6 * by_failure.abs().max(1.0),
        "causes {by_cause} do not add up to the failures {by_failure}"
    );
}

/// Separates the top file from its base in a [`compose_chain`] input.
pub const CHAIN_SEPARATOR: &[u8] = b"\n=====\n";

/// A folder of this thread's own for the files of [`compose_chain`]
/// (fuzzers and test threads run side by side).
fn scratch() -> Option<std::path::PathBuf> {
    thread_local! {
        static DIR: Option<std::path::PathBuf> = {
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("faultline-fuzz-{}-{n}", std::process::id()));
            // `.git` makes the folder the repository root of the chain
            std::fs::create_dir_all(dir.join(".git")).ok().map(|()| dir)
        };
    }
    DIR.with(Clone::clone)
}

/// Splits `bytes` at the first [`CHAIN_SEPARATOR`] into a top scenario and
/// the base it may extend (`extends: "base.ron"`), writes both to files and
/// loads the top through its `extends` chain as `faultline` does; a valid
/// result is run as in [`load_and_run`]. Without a separator the base is
/// missing. Returns the result when there is one.
///
/// # Panics
/// When a diagnostic is not located in one of the two files, or as
/// [`load_and_run`].
pub fn compose_chain(bytes: &[u8]) -> Option<RunResult> {
    let (top, base) = match bytes
        .windows(CHAIN_SEPARATOR.len())
        .position(|w| w == CHAIN_SEPARATOR)
    {
        Some(at) => (&bytes[..at], Some(&bytes[at + CHAIN_SEPARATOR.len()..])),
        None => (bytes, None),
    };
    let dir = scratch()?;
    let (top_path, base_path) = (dir.join("top.ron"), dir.join("base.ron"));
    std::fs::write(&top_path, top).ok()?;
    match base {
        Some(base) => std::fs::write(&base_path, base).ok()?,
        None => match std::fs::remove_file(&base_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(_) => return None,
        },
    }
    let read = |p: &std::path::Path| crate::input::read_regular(p, scenario::MAX_FILE_BYTES);
    let loaded = match scenario::load_path(&top_path, "top.ron", &read, &[]) {
        Ok(loaded) => loaded,
        Err(files) => {
            check_located(&files);
            return None;
        }
    };
    run_briefly(&loaded.model)
}

/// Every diagnostic names one of the chain's files and a position in it.
///
/// # Panics
/// On the first that does not.
fn check_located(files: &[scenario::FileDiagnostics]) {
    assert!(!files.is_empty(), "a refused chain without a diagnostic");
    for file in files {
        assert!(
            file.file == "top.ron" || file.file == "base.ron",
            "a diagnostic in `{}`",
            file.file
        );
        assert!(
            !file.diagnostics.is_empty(),
            "no diagnostic for {}",
            file.file
        );
        for d in &file.diagnostics {
            assert!(d.position.line >= 1 && d.position.col >= 1, "{d:?}");
            assert!(!d.message.is_empty(), "an empty message");
        }
    }
}

/// Runs up to 3 trials of `model` under a small event budget, checks the
/// result's invariants and renders it in every format.
fn run_briefly(model: &crate::model::Model) -> Option<RunResult> {
    let options = RunOptions {
        trials: Some(model.trials.min(3)),
        max_events: 2e5,
        max_trial_events: 1e5,
        ..RunOptions::default()
    };
    let result = montecarlo::run(model, &options).ok()?;
    check_invariants(&result);
    for format in [&Json as &dyn Render, &Table, &Markdown] {
        assert!(format.render(&result).is_ok(), "a result failed to render");
    }
    Some(result)
}

/// Reads each line of `bytes` as a partial result (`part-I.json`) and
/// merges them, in memory and, written back to files, streaming as
/// `faultline merge` does. Before merging, each partial's format, version,
/// random number scheme and scenario hash are set to what this build
/// writes, so that the fuzzer explores the values rather than the hash.
/// Returns the merged result when there is one.
///
/// # Panics
/// When a merge accepts partials whose result breaks an invariant or does
/// not render, or the two merges disagree.
pub fn merge_partials(bytes: &[u8]) -> Option<RunResult> {
    let parts: Vec<(String, shard::Partial)> = bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .enumerate()
        .map(|(i, line)| {
            let name = format!("part-{i}.json");
            shard::parse(&name, line)
                .ok()
                .map(|p| (name, as_written(p)))
        })
        .collect::<Option<_>>()?;
    let in_memory = shard::merge(parts.clone());
    let streamed = merge_from_files(&parts)?;
    let rendered = in_memory
        .as_ref()
        .map(|(_, result, _)| Json.render(result).map_err(|e| e.to_string()))
        .map_err(ToString::to_string);
    assert_eq!(rendered, streamed, "the merges disagree");
    let (_, result, _) = in_memory.ok()?;
    check_invariants(&result);
    for format in [&Json as &dyn Render, &Table, &Markdown] {
        assert!(
            format.render(&result).is_ok(),
            "a merged result failed to render"
        );
    }
    Some(result)
}

/// The partial with the format, version, random number scheme and hash
/// this build writes.
fn as_written(mut part: shard::Partial) -> shard::Partial {
    part.format = shard::PARTIAL_FORMAT.to_string();
    part.version = env!("CARGO_PKG_VERSION").to_string();
    part.rng = crate::stats::RNG_SCHEME.to_string();
    part.scenario_fnv1a = format!(
        "{:016x}",
        crate::model::fnv1a(part.scenario_source.as_bytes())
    );
    part
}

/// [`shard::merge_files`] of `parts` written to this thread's folder: the
/// result document, or the error with the files named as in `parts`.
fn merge_from_files(
    parts: &[(String, shard::Partial)],
) -> Option<Result<Result<String, String>, String>> {
    let dir = scratch()?;
    let mut paths = Vec::with_capacity(parts.len());
    for (name, part) in parts {
        let path = dir.join(name);
        std::fs::write(&path, shard::to_json(part).ok()?).ok()?;
        paths.push(path);
    }
    let files: Vec<&std::path::Path> = paths.iter().map(std::path::PathBuf::as_path).collect();
    let folder = format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    Some(
        shard::merge_files(&files)
            .map(|(_, result, _)| Json.render(&result).map_err(|e| e.to_string()))
            .map_err(|e| e.to_string().replace(&folder, "")),
    )
}
