//! Where the command line writes: a reader that leaves early (closed stdout
//! or stderr pipe) ends the output quietly and never panics; a full disk is
//! one clear message; `--output` and `--junit` write a FIFO in place, refuse
//! a symbolic link to a regular file, and refuse to overwrite an input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::support::{self, repo, without_key};

/// A scenario without objectives.
const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

/// A scenario with objectives (all met): a summary line goes to stderr after the run.
const GATED: &str = "examples/ci/shop-gated.ron";

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("output", test)
}

/// The binary with `args`, run from the repository root.
fn faultline(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(repo("")).env("NO_COLOR", "1").args(args);
    cmd
}

/// Which end of the command's output the test closes before it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    Stdout,
    Stderr,
}

/// Runs `cmd` with stdout and stderr on pipes and closes the read end of
/// `closed` at once (well before the command writes, after its simulation);
/// the exit code and what the other stream received.
fn with_closed_pipe(mut cmd: Command, closed: Closed) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start faultline");
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let mut other = String::new();
    match closed {
        Closed::Stdout => {
            drop(stdout);
            stderr
                .expect("stderr")
                .read_to_string(&mut other)
                .expect("read stderr");
        }
        Closed::Stderr => {
            drop(stderr);
            stdout
                .expect("stdout")
                .read_to_string(&mut other)
                .expect("read stdout");
        }
    }
    let status = child.wait().expect("wait for faultline");
    (status.code(), other)
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_with_exit_zero() {
    let commands: [&[&str]; 6] = [
        &["run", EXAMPLE, "--trials", "300"],
        &["run", EXAMPLE, "--trials", "300", "--format", "json"],
        &["run", EXAMPLE, "--trials", "300", "--shard", "0/2"],
        &["compare", EXAMPLE, EXAMPLE, "--trials", "300"],
        &["explain", EXAMPLE, "--worst", "--trials", "300"],
        &["graph", EXAMPLE],
    ];
    for args in commands {
        let (code, stderr) = with_closed_pipe(faultline(args), Closed::Stdout);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: nothing on stderr");
    }
}

#[test]
fn a_closed_stdout_still_writes_the_junit_file_and_lets_objectives_decide() {
    let dir = scratch("closed-stdout-junit");
    let junit = dir.join("junit.xml");
    let mut run = faultline(&["run", GATED, "--trials", "2000", "--format", "markdown"]);
    run.arg("--junit").arg(&junit);
    let (code, stderr) = with_closed_pipe(run, Closed::Stdout);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stderr, "objectives: 3 met, 0 failed, 0 undecided\n");
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert!(xml.contains("<testsuite"), "{xml}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_closed_stderr_never_panics() {
    let dir = scratch("closed-stderr");
    let output = dir.join("result.txt");
    // the objectives' summary goes to stderr once the run is done
    let mut run = faultline(&["run", GATED, "--trials", "2000", "--output"]);
    run.arg(&output);
    let (code, stdout) = with_closed_pipe(run, Closed::Stderr);
    assert_eq!(code, Some(0), "{stdout}");
    let written = std::fs::read_to_string(&output).expect("the output");
    assert!(written.contains("objectives: 3 met"), "{written}");
    // the refusal of a run, and a failed run, keep their exit codes
    let (code, _) = with_closed_pipe(
        faultline(&["run", EXAMPLE, "--max-events", "10"]),
        Closed::Stderr,
    );
    assert_eq!(code, Some(1), "a refused run");
    let (code, stdout) = with_closed_pipe(faultline(&["check", EXAMPLE, GATED]), Closed::Stderr);
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), ""),
        "`check` prints on stderr"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_full_stdout_is_one_clear_message_and_exit_one() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return; // not Linux: no device that is always full
    }
    let commands: [&[&str]; 6] = [
        &["run", EXAMPLE, "--trials", "300"],
        &[
            "compare", EXAMPLE, EXAMPLE, "--trials", "300", "--format", "json",
        ],
        &["show", EXAMPLE],
        &["graph", EXAMPLE],
        &["blast", EXAMPLE],
        &["rank", EXAMPLE, "--trials", "100", "--top", "2"],
    ];
    for args in commands {
        let device = std::fs::OpenOptions::new()
            .write(true)
            .open(full)
            .expect("open /dev/full");
        let output = faultline(args)
            .stdout(device)
            .output()
            .expect("run faultline");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr, "error: cannot write to stdout: No space left on device\n",
            "{args:?}"
        );
    }
}

/// Makes a FIFO with the `mkfifo` command.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Reads the FIFO at `path` in a thread: the receiver gets what was written
/// (nothing arrives if the FIFO was replaced, rather than written).
fn read_fifo(path: &Path) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let bytes = std::fs::read(path).expect("read the FIFO");
        let _ = send.send(bytes);
    });
    receive
}

#[cfg(unix)]
fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

#[cfg(unix)]
#[test]
fn output_into_a_fifo_is_written_in_place_not_replaced() {
    let dir = scratch("fifo");
    let fifo = dir.join("result.fifo");
    mkfifo(&fifo);
    // through a symbolic link too: a link is followed to a FIFO or device
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    let printed = faultline(&["run", EXAMPLE, "--trials", "300", "--format", "json"])
        .output()
        .expect("run faultline");
    for target in [&fifo, &link] {
        let received = read_fifo(&fifo);
        let status = faultline(&[
            "run", EXAMPLE, "--trials", "300", "--format", "json", "--output",
        ])
        .arg(target)
        .status()
        .expect("run faultline");
        assert!(status.success(), "{}", target.display());
        assert!(is_fifo(&fifo), "the FIFO is still a FIFO");
        let bytes = received
            .recv_timeout(Duration::from_secs(60))
            .expect("the document arrives through the FIFO");
        assert_eq!(
            without_key("seconds", &String::from_utf8_lossy(&bytes)),
            without_key("seconds", &String::from_utf8_lossy(&printed.stdout))
        );
    }
    assert_eq!(
        support::entries(&dir),
        ["link.json", "result.fifo"],
        "no temporary file"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_to_a_regular_file_is_refused() {
    let dir = scratch("symlink");
    let target = dir.join("real.json");
    std::fs::write(&target, "old\n").expect("target");
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let dangling = dir.join("dangling.json");
    std::os::unix::fs::symlink(dir.join("missing.json"), &dangling).expect("symlink");
    for (flag, path) in [
        ("--output", &link),
        ("--junit", &link),
        ("--output", &dangling),
    ] {
        let output = faultline(&["run", GATED, "--trials", "300", flag])
            .arg(path)
            .output()
            .expect("run faultline");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{flag} {}: {stderr}",
            path.display()
        );
        assert!(stderr.contains("symbolic link"), "{stderr}");
        assert_eq!(output.stdout, b"", "nothing is run or written");
    }
    assert_eq!(std::fs::read_to_string(&target).expect("target"), "old\n");
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(
        support::entries(&dir),
        ["dangling.json", "link.json", "real.json"]
    );
    std::fs::remove_dir_all(dir).ok();
}

/// Copies a repository file into `dir`.
fn copy(dir: &Path, from: &str, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(repo(from), &to).expect("copy");
    to
}

/// Runs `args` in `dir`: the exit code and stderr.
fn in_dir(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run faultline");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn an_output_naming_an_input_is_a_usage_error_and_the_input_is_kept() {
    let dir = scratch("input");
    copy(&dir, EXAMPLE, "shop-two-regions.ron");
    copy(
        &dir,
        "scenarios/shop-two-regions-auto-failover.ron",
        "auto.ron",
    );
    for shard in ["0/2", "1/2"] {
        let index = &shard[..1];
        let part = format!("p{index}.json");
        let args = [
            "run", "auto.ron", "--trials", "300", "--shard", shard, "--output", &part,
        ];
        assert_eq!(in_dir(&dir, &args).0, Some(0));
    }
    let before: Vec<Vec<u8>> = support::entries(&dir)
        .iter()
        .map(|n| std::fs::read(dir.join(n)).expect("read"))
        .collect();
    let cases: [&[&str]; 9] = [
        &["run", "auto.ron", "--output", "auto.ron"],
        &[
            "run",
            "auto.ron",
            "--output",
            "./auto.ron",
            "--format",
            "json",
        ],
        &["run", "auto.ron", "--junit", "auto.ron"],
        // the base `auto.ron` extends
        &["run", "auto.ron", "--output", "shop-two-regions.ron"],
        &["run", "auto.ron", "--shard", "0/2", "--output", "auto.ron"],
        &["report", "auto.ron", "--output", "auto.ron"],
        &[
            "compare",
            "shop-two-regions.ron",
            "auto.ron",
            "--output",
            "auto.ron",
        ],
        &[
            "sweep",
            "auto.ron",
            "--set",
            "trials=300,400",
            "--output",
            "shop-two-regions.ron",
        ],
        &["merge", "p0.json", "p1.json", "--output", "p0.json"],
    ];
    for args in cases {
        let mut args = args.to_vec();
        if args[0] != "merge" && args[0] != "sweep" {
            args.extend(["--trials", "300"]);
        }
        let (code, stderr) = in_dir(&dir, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("an input of this command"),
            "{args:?}: {stderr}"
        );
    }
    let after: Vec<Vec<u8>> = support::entries(&dir)
        .iter()
        .map(|n| std::fs::read(dir.join(n)).expect("read"))
        .collect();
    assert_eq!(
        support::entries(&dir),
        ["auto.ron", "p0.json", "p1.json", "shop-two-regions.ron"]
    );
    assert!(before == after, "every input is unchanged");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn output_and_junit_naming_one_file_is_a_usage_error() {
    let dir = scratch("same");
    copy(&dir, GATED, "gated.ron");
    std::fs::write(dir.join("old.xml"), "old\n").expect("old file");
    for (output, junit) in [("new.xml", "./new.xml"), ("old.xml", "old.xml")] {
        let args = [
            "run",
            "gated.ron",
            "--trials",
            "300",
            "--output",
            output,
            "--junit",
            junit,
        ];
        let (code, stderr) = in_dir(&dir, &args);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("name the same file"), "{stderr}");
    }
    assert_eq!(support::entries(&dir), ["gated.ron", "old.xml"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("old.xml")).expect("old"),
        "old\n"
    );
    std::fs::remove_dir_all(dir).ok();
}
