//! Ctrl-C (SIGINT) and SIGTERM stop a run within a second, exit 130 or 143,
//! and leave no partial output: a new file is not created, an existing one
//! keeps its content.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A scenario that takes minutes to simulate: 20 services of 6 replicas that
/// fail every 3 days, 200,000 trials.
fn long_scenario(dir: &Path) -> PathBuf {
    let services: String = (0..20)
        .map(|i| format!("\"s{i}\": (deployments: [(in: \"aws/r/a\", replicas: 6, need: 2)]),\n"))
        .collect();
    let text = format!(
        "Scenario(trials: 200000, domains: [\"aws/r/a\"],\n\
         failures: [(name: \"host\", on: EachReplica(), every: \"72h\", lasts: Exp(mean: \"2h\"))],\n\
         services: {{ {services} }})"
    );
    let path = dir.join("long.ron");
    std::fs::write(&path, text).expect("write the scenario");
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("interrupt-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

fn start(scenario: &Path, output: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["run", "--threads", "2", "--output"])
        .arg(output)
        .arg(scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start faultline")
}

/// Sends `signal` once the run is under way; returns the exit code and how
/// long the process took to stop after the signal.
fn interrupt(child: &mut Child, signal: &str) -> (Option<i32>, Duration) {
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("poll").is_none(),
        "the run finished before the signal"
    );
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let deadline = sent + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("poll") {
            return (status.code(), sent.elapsed());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("faultline did not stop within 10 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list the folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "long.ron" && n != "result.json")
        .collect()
}

#[test]
fn ctrl_c_stops_a_run_within_a_second_with_exit_130_and_writes_nothing() {
    let dir = scratch("sigint");
    let output = dir.join("result.json");
    let mut child = start(&long_scenario(&dir), &output);
    let (code, took) = interrupt(&mut child, "-INT");
    assert_eq!(code, Some(130));
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(!output.exists(), "a partial result was written");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn sigterm_exits_143_and_leaves_an_existing_output_intact() {
    let dir = scratch("sigterm");
    let output = dir.join("result.json");
    std::fs::write(&output, "previous result\n").expect("write the old result");
    let mut child = start(&long_scenario(&dir), &output);
    let (code, took) = interrupt(&mut child, "-TERM");
    assert_eq!(code, Some(143));
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let kept = std::fs::read_to_string(&output).expect("the old result is still there");
    assert_eq!(kept, "previous result\n");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

/// A scenario whose single trial takes minutes: an SLA measured over
/// 3e10 windows of a second on a service down for 1,000 years (allowed only
/// with `--max-trial-events` raised), in little memory.
fn long_trial_scenario(dir: &Path) -> PathBuf {
    let text = "Scenario(trials: 1, horizon: \"1000y\", domains: [\"aws/r/a\"],\n\
         failures: [(name: \"host\", on: EachReplica(), every: \"1m\", lasts: Fixed(\"2000y\"))],\n\
         services: { \"web\": (deployments: [(in: \"aws/r/a\")],\n\
           sla: (window: \"1s\", revenue: 1, credits: [(below: 0.5, refund: 1)])) })";
    let path = dir.join("long.ron");
    std::fs::write(&path, text).expect("write the scenario");
    path
}

/// SIGINT one second into `faultline ARGS` (a single long trial): exit 130
/// within two seconds.
fn interrupt_one_long_trial(name: &str, command: &[&str]) {
    let dir = scratch(name);
    let scenario = long_trial_scenario(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(command)
        .arg(&scenario)
        .args(["--max-trial-events", "1e12"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start faultline");
    let (code, took) = interrupt(&mut child, "-INT");
    assert_eq!(code, Some(130), "{name}");
    assert!(took < Duration::from_secs(2), "{name}: took {took:?}");
}

#[test]
fn ctrl_c_stops_a_single_long_trial_of_run_within_a_second() {
    interrupt_one_long_trial("long-trial-run", &["run", "--threads", "1"]);
}

#[test]
fn ctrl_c_stops_the_trial_explain_traces_within_a_second() {
    interrupt_one_long_trial("long-trial-explain", &["explain", "--trial", "0"]);
}
