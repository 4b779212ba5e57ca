//! `run --shard auto` as each scheduler starts it: the shipped examples
//! (GitHub Actions matrix, Kubernetes Indexed Job, Slurm job array) name the
//! right command, and their own commands, run here with the variables each
//! scheduler sets (and fewer trials), merge into the single run's document
//! byte for byte (`engine.seconds` aside). Usage errors for the rest.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::{repo, without_key};

const SCENARIO: &str = "scenarios/shop-two-regions.ron";
const TRIALS: &str = "300";

/// A fresh folder with a `parts/` folder and the example scenario.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("shard-auto")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parts")).expect("scratch folder");
    std::fs::create_dir_all(dir.join("scenarios")).expect("scratch folder");
    std::fs::copy(repo(SCENARIO), dir.join(SCENARIO)).expect("copy scenario");
    dir
}

/// `sh -c script` in `dir` with `$BIN` the faultline binary, `env` set and
/// no scheduler variable inherited.
fn sh(dir: &Path, script: &str, env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir)
        .env("BIN", env!("CARGO_BIN_EXE_faultline"))
        .args(["-c", script]);
    for name in faultline::shard::scheduler::VARIABLES {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let output = cmd.output().expect("sh runs");
    assert!(
        output.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The shell command of a YAML folded or plain scalar that starts on the
/// line holding `start`: that line's text from `start` on, and the lines
/// after it indented at least as deep.
fn command(yaml: &str, start: &str) -> String {
    let lines: Vec<&str> = yaml.lines().collect();
    let first = (lines.iter().position(|l| l.contains(start)))
        .unwrap_or_else(|| panic!("no `{start}` in the example"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let depth = indent(lines[first]);
    let mut words = vec![lines[first][lines[first].find(start).unwrap_or(0)..].trim()];
    for line in &lines[first + 1..] {
        let item = line.trim_start().starts_with("- ");
        if line.trim().is_empty() || indent(line) < depth || item || line.contains(": ") {
            break;
        }
        words.push(line.trim());
    }
    words.join(" ")
}

/// The rest of the line holding `start`, from `start` on.
fn line(text: &str, start: &str) -> String {
    let line = (text.lines().find(|l| l.contains(start)))
        .unwrap_or_else(|| panic!("no `{start}` in the example"));
    line[line.find(start).unwrap_or(0)..].trim().to_string()
}

/// The merged document of `parts/part-*.json` (by `merge_script`) against
/// the single run's, in `dir`.
fn assert_merges_into_the_single_run(dir: &Path, merge_script: &str) {
    let merged = String::from_utf8(sh(dir, merge_script, &[]).stdout).expect("utf-8");
    let single = sh(
        dir,
        &format!("\"$BIN\" run {SCENARIO} --trials {TRIALS} --format json"),
        &[],
    );
    let single = String::from_utf8(single.stdout).expect("utf-8");
    assert!(
        merged.contains(&format!("\"trials\": {TRIALS}")),
        "{merged}"
    );
    assert_eq!(
        without_key("seconds", &merged),
        without_key("seconds", &single)
    );
}

#[test]
fn the_github_matrix_example_sets_faultline_shard_per_runner_and_merges_into_the_single_run() {
    let yaml = std::fs::read_to_string(repo("examples/shards/github-matrix.yml")).expect("example");
    assert!(yaml.contains("shard: [0, 1, 2, 3, 4, 5, 6, 7]"), "{yaml}");
    assert!(yaml.contains("SHARDS: \"8\""), "{yaml}");
    assert!(yaml.contains("FAULTLINE_SHARD: ${{ matrix.shard }}/${{ env.SHARDS }}"));
    let run = command(&yaml, "./target/release/faultline run");
    assert!(run.contains("--shard auto"), "{run}");
    let merge = line(
        &yaml,
        "./target/release/faultline merge part-*.json --format json",
    );
    let dir = scratch("github");
    for shard in 0..8 {
        // what the runner of matrix.shard = `shard` runs
        let script = (run.replace("${{ matrix.shard }}", &shard.to_string()))
            .replace("./target/release/faultline", "\"$BIN\"");
        let env = [
            ("SCENARIO", SCENARIO.to_string()),
            ("TRIALS", TRIALS.to_string()),
            ("SHARDS", "8".to_string()),
            ("FAULTLINE_SHARD", format!("{shard}/8")),
        ];
        sh(&dir, &script, &env);
    }
    let merge = merge
        .replace("./target/release/faultline", "\"$BIN\"")
        .replace("--output result.json", "");
    assert_merges_into_the_single_run(&dir, &merge);
}

#[test]
fn the_kubernetes_indexed_job_example_counts_its_completions_and_merges_into_the_single_run() {
    let yaml = std::fs::read_to_string(repo("examples/shards/kubernetes-indexed-job.yaml"))
        .expect("example");
    for line in [
        "completionMode: Indexed",
        "completions: 8",
        "kind: Job",
        "kind: CronJob",
    ] {
        assert!(yaml.lines().any(|l| l.trim() == line), "no `{line}`");
    }
    assert!(!yaml.contains('\t'), "a YAML file indents with spaces");
    let run = command(&yaml, "faultline run /scenario/scenario.ron");
    assert!(run.contains("--shard auto --shard-count 8"), "{run}");
    let merge = command(&yaml, "faultline merge /parts/part-*.json");
    let dir = scratch("kubernetes");
    let local = |s: &str| {
        (s.replace("/scenario/scenario.ron", SCENARIO))
            .replace("/parts/", "parts/")
            .replace("--trials 1000000", &format!("--trials {TRIALS}"))
            .replacen("faultline ", "\"$BIN\" ", 1)
    };
    for index in 0..8 {
        // what the pod of completion index `index` runs
        sh(
            &dir,
            &local(&run),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
    }
    let merge = local(&merge);
    assert_merges_into_the_single_run(&dir, &merge);
}

#[test]
fn the_slurm_array_script_takes_each_task_and_merges_into_the_single_run() {
    let path = repo("examples/shards/slurm-array.sh");
    let script = std::fs::read_to_string(&path).expect("example");
    assert!(script.contains("#SBATCH --array=0-7\n"), "{script}");
    assert!(script.contains("--shard auto"), "{script}");
    let merge = line(&script, "faultline merge parts/part-*.json");
    let merge = (merge.trim_end_matches('\'')).replacen("faultline ", "\"$BIN\" ", 1);
    let dir = scratch("slurm");
    for task in 0..8 {
        // what Slurm sets for task `task` of --array=0-7
        let env = [
            ("SLURM_ARRAY_TASK_ID", task.to_string()),
            ("SLURM_ARRAY_TASK_COUNT", "8".to_string()),
            ("SLURM_ARRAY_TASK_MIN", "0".to_string()),
            ("SLURM_ARRAY_TASK_MAX", "7".to_string()),
            ("TRIALS", TRIALS.to_string()),
        ];
        let env: Vec<(&str, String)> = (env.into_iter())
            .chain([("FAULTLINE", env!("CARGO_BIN_EXE_faultline").to_string())])
            .collect();
        sh(&dir, &format!("sh {}", path.display()), &env);
    }
    assert_merges_into_the_single_run(&dir, &merge.replace("--output result.json", ""));
}

/// `faultline ARGS` in `dir` with `env` and no other scheduler variable.
fn faultline_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(dir).args(args);
    for name in faultline::shard::scheduler::VARIABLES {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run faultline")
}

/// Environment variables of a case.
type Vars<'a> = &'a [(&'a str, &'a str)];

#[test]
fn shard_auto_without_a_scheduler_or_with_bad_values_is_a_usage_error_with_a_hint() {
    let dir = scratch("errors");
    let run = ["run", SCENARIO, "--trials", "10", "--shard", "auto"];
    let cases: [(Vars, &[&str], &str); 5] = [
        (
            &[],
            &[],
            "none of FAULTLINE_SHARD, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID is set",
        ),
        (
            &[("JOB_COMPLETION_INDEX", "3")],
            &[],
            "gives the index (3) but not the number of shards",
        ),
        (
            &[("JOB_COMPLETION_INDEX", "x")],
            &["--shard-count", "4"],
            "JOB_COMPLETION_INDEX=`x` is not a whole number",
        ),
        (
            &[("FAULTLINE_SHARD", "4/4")],
            &[],
            "FAULTLINE_SHARD=`4/4` is not `I/N`",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
            ],
            &[],
            "gives shard 9 of 4, which does not exist",
        ),
    ];
    for (env, extra, expected) in cases {
        let args: Vec<&str> = run.iter().chain(extra).copied().collect();
        let out = faultline_with(&dir, &args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {stderr}");
        assert!(stderr.contains(expected), "{env:?}: {stderr}");
        assert!(stderr.contains("  hint: "), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = faultline_with(
        &dir,
        &["run", SCENARIO, "--shard", "0/2", "--shard-count", "2"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}
