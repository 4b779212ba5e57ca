//! Criterion benchmarks of the engine.
//!
//! - `trial/w1`: one trial of the W1 workload (`benches/w1.ron`: 200
//!   services, 18 zones, ~29,000 events per simulated year), throughput in
//!   events per second;
//! - `montecarlo_w1_100_trials/threads/{1,2}`: a whole 100-trial run of W1
//!   through `faultline::montecarlo::run`, throughput in trials per second;
//! - `scaling/w1_{200,1000,5000}`: one trial of W1 with 200, 1,000 and 5,000
//!   services (written by `benches/support/w1.rs`, the generator of
//!   `benches/w1.ron`), in events per second: linear scaling shows as the same
//!   events per second at every size (`benches/scaling.sh` compares whole
//!   runs the same way, sizes interleaved);
//! - `trial/<stem>`: one trial of each `scenarios/*.ron`, in events per second.
//!
//! Run with `cargo bench --bench engine` (add `-- --quick` for a short run,
//! or a filter such as `-- montecarlo`).

// Test code may unwrap and panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/w1.rs"]
mod w1;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use faultline::engine::{run_trial, Plan, Workspace};
use faultline::model::Model;
use faultline::montecarlo::{self, RunOptions};

/// Single-trial benchmarks cycle through this many trial indices, so the
/// measured time and the events per trial are averages over as many
/// different simulated horizons.
const CYCLE: u64 = 64;

/// Trials of a benchmarked Monte Carlo run.
const RUN_TRIALS: u64 = 100;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Loads a scenario; `None` (with a message) when it is missing or invalid.
fn load(path: &Path) -> Option<Model> {
    let read = |p: &Path| std::fs::read(p);
    let name = path.display().to_string();
    match faultline::scenario::load_path(path, &name, &read, &[]) {
        Ok(loaded) => Some(loaded.model),
        Err(diagnostics) => {
            eprintln!("skipping {name}: cannot load it");
            for d in diagnostics {
                eprintln!("{d}");
            }
            None
        }
    }
}

/// The W1 workload.
fn w1() -> Option<Model> {
    load(&repo("benches/w1.ron"))
}

/// Every `scenarios/*.ron`, sorted by name, with its file stem.
fn examples() -> Vec<(String, Model)> {
    let Ok(entries) = std::fs::read_dir(repo("scenarios")) else {
        eprintln!("skipping the example scenarios: no scenarios/ folder");
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().into_owned();
            Some((stem, load(&p)?))
        })
        .collect()
}

/// Mean events of trials `0..CYCLE`, at least 1.
fn events_per_trial(plan: &Plan, ws: &mut Workspace) -> u64 {
    let total: u64 = (0..CYCLE)
        .map(|trial| {
            run_trial(plan, trial, ws);
            ws.outcome().events
        })
        .sum();
    (total / CYCLE).max(1)
}

/// W1 with `n` services, from the generator of `benches/w1.ron`.
fn w1_with(n: usize) -> Option<Model> {
    let text = w1::scenario(n);
    match faultline::scenario::load(&format!("w1_{n}.ron"), text.as_bytes()) {
        Ok(model) => Some(model),
        Err(diagnostics) => {
            eprintln!("skipping W1 with {n} services: {diagnostics}");
            None
        }
    }
}

/// Benchmarks one trial of `model` as `trial/<name>`, in events per second.
fn bench_one_trial(c: &mut Criterion, name: &str, model: &Model) {
    bench_trial(c, "trial", name, model);
}

/// Benchmarks one trial of `model` as `<group>/<name>`, in events per second.
fn bench_trial(c: &mut Criterion, group: &str, name: &str, model: &Model) {
    let plan = Plan::new(model);
    let mut ws = Workspace::default();
    let events = events_per_trial(&plan, &mut ws);
    let mut group = c.benchmark_group(group);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(events));
    let mut trial = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            run_trial(&plan, trial % CYCLE, &mut ws);
            trial += 1;
            black_box(ws.outcome().events)
        })
    });
    group.finish();
}

/// One trial of W1: the engine's speed in events per second.
fn w1_trial(c: &mut Criterion) {
    if let Some(model) = w1() {
        bench_one_trial(c, "w1", &model);
    }
}

/// A 100-trial Monte Carlo run of W1 on 1 and on 2 threads, in trials per
/// second. The run includes building the plan and the thread pool, and
/// reducing the statistics, as `faultline run` does.
fn w1_montecarlo(c: &mut Criterion) {
    let Some(model) = w1() else {
        return;
    };
    let mut group = c.benchmark_group(format!("montecarlo_w1_{RUN_TRIALS}_trials"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(RUN_TRIALS));
    for threads in [1, 2] {
        let options = RunOptions {
            trials: Some(RUN_TRIALS),
            threads: Some(threads),
            ..RunOptions::default()
        };
        group.bench_function(format!("threads/{threads}"), |b| {
            b.iter(|| match montecarlo::run(&model, &options) {
                Ok(result) => black_box(result.engine.events),
                Err(e) => panic!("W1 run refused: {e}"),
            })
        });
    }
    group.finish();
}

/// One trial of W1 at 200, 1,000 and 5,000 services: the same events per
/// second at every size is linear scaling.
fn w1_scaling(c: &mut Criterion) {
    for n in [200, 1000, 5000] {
        if let Some(model) = w1_with(n) {
            bench_trial(c, "scaling", &format!("w1_{n}"), &model);
        }
    }
}

/// One trial of each example scenario.
fn example_trials(c: &mut Criterion) {
    for (stem, model) in examples() {
        bench_one_trial(c, &stem, &model);
    }
}

criterion_group!(benches, w1_trial, w1_montecarlo, w1_scaling, example_trials);
criterion_main!(benches);
