//! Files that are not regular files: a scenario, an `extends` base or a
//! partial that is (or links to) a FIFO, a device or the process's own
//! standard streams is refused at once with a located message and exit
//! code 1, never read, never waited on.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::support;
use assert_cmd::Command;

/// A fresh scratch folder for test `test`, with a `.git` in it.
fn scratch(test: &str) -> PathBuf {
    let dir = support::scratch("special_files", test);
    std::fs::create_dir_all(dir.join(".git")).expect("create .git");
    dir
}

/// A design over `base.ron`.
const TOP: &str = r#"Scenario(
    extends: "base.ron",
    name: "top",
)
"#;

/// `mkfifo PATH`.
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// `faultline ARGS` in `dir` with `stdin` as its standard input: exit code
/// and stderr. The timeout turns a hang into a failure.
fn faultline(dir: &Path, args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin(stdin)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("faultline runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// A folder where `top.ron` extends `base.ron`, a link to `target`.
fn design_over_link(test: &str, target: &Path) -> PathBuf {
    let dir = scratch(test);
    std::fs::write(dir.join("top.ron"), TOP).expect("write top");
    std::os::unix::fs::symlink(target, dir.join("base.ron")).expect("symlink");
    dir
}

/// `check top.ron` fails at once, at the `extends` value, saying what the base is.
fn assert_base_refused(dir: &Path, what: &str, stdin: &str) -> String {
    let (code, stderr) = faultline(dir, &["check", "top.ron"], stdin);
    assert_eq!(code, Some(1), "{stderr}");
    let expected = format!(
        "top.ron:2:14: error: cannot read the base `base.ron`: it is {what}, not a regular file"
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(stderr.contains("  hint: "), "{stderr}");
    stderr
}

#[test]
fn a_base_that_links_to_a_fifo_is_refused_without_waiting_on_it() {
    let dir = scratch("fifo_target");
    let fifo = dir.join("pipe");
    mkfifo(&fifo);
    let dir = {
        std::fs::write(dir.join("top.ron"), TOP).expect("write top");
        std::os::unix::fs::symlink(&fifo, dir.join("base.ron")).expect("symlink");
        dir
    };
    assert_base_refused(&dir, "a FIFO (a named pipe)", "");
    // the FIFO itself, named directly
    std::fs::remove_file(dir.join("base.ron")).expect("remove link");
    std::fs::rename(&fifo, dir.join("base.ron")).expect("rename");
    assert_base_refused(&dir, "a FIFO (a named pipe)", "");
}

#[test]
fn a_base_that_links_to_a_device_is_refused() {
    // devices live outside the repository: refused for that, unread
    for (test, device) in [("dev_zero", "/dev/zero"), ("dev_null", "/dev/null")] {
        let dir = design_over_link(test, Path::new(device));
        let (code, stderr) = faultline(&dir, &["check", "top.ron"], "");
        assert_eq!(code, Some(1), "{stderr}");
        let expected = "top.ron:2:14: error: `base.ron` is outside the repository root";
        assert!(stderr.starts_with(expected), "{stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_base_that_links_to_standard_output_or_input_is_refused_and_nothing_is_echoed() {
    // stdout is the test's pipe: reading it would wait for ever
    let dir = design_over_link("proc_stdout", Path::new("/proc/self/fd/1"));
    assert_base_refused(&dir, "a FIFO (a named pipe)", "");
    // stdin is a pipe holding a secret: it must not be read, let alone echoed
    let dir = design_over_link("dev_stdin", Path::new("/dev/stdin"));
    let secret = "HUNTER2_SECRET_TOKEN";
    let stderr = assert_base_refused(&dir, "a FIFO (a named pipe)", secret);
    assert!(!stderr.contains(secret), "{stderr}");
}

#[test]
fn a_scenario_that_is_a_fifo_or_a_device_is_refused_by_every_command() {
    let dir = scratch("top_level");
    mkfifo(&dir.join("pipe"));
    std::os::unix::fs::symlink(dir.join("pipe"), dir.join("top.ron")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ron")).expect("symlink");
    for (file, what) in [
        ("top.ron", "a FIFO (a named pipe)"),
        ("zero.ron", "a device"),
    ] {
        for command in ["check", "run", "show"] {
            let (code, stderr) = faultline(&dir, &[command, file], "Scenario(");
            assert_eq!(code, Some(1), "{command} {file}: {stderr}");
            let expected = format!(
                "{file}:1:1: error: cannot read the scenario: it is {what}, not a regular file"
            );
            assert!(stderr.starts_with(&expected), "{command} {file}: {stderr}");
        }
    }
}

#[test]
fn a_partial_that_is_a_fifo_or_a_device_is_refused_by_merge() {
    let dir = scratch("partials");
    mkfifo(&dir.join("part-0.json"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("part-1.json")).expect("symlink");
    for (file, what) in [
        ("part-0.json", "a FIFO (a named pipe)"),
        ("part-1.json", "a device"),
    ] {
        let (code, stderr) = faultline(&dir, &["merge", file, "--output", "out.json"], "");
        assert_eq!(code, Some(1), "{file}: {stderr}");
        let expected = format!(
            "{file}: error: not a faultline partial result (cannot read it: it is {what}, not a regular file"
        );
        assert!(stderr.starts_with(&expected), "{file}: {stderr}");
        assert!(!dir.join("out.json").exists());
    }
}

#[test]
fn a_file_that_is_not_a_scenario_is_refused_without_quoting_it() {
    let secret = "AWS_SECRET_ACCESS_KEY";
    let dir = scratch("not_a_scenario");
    std::fs::write(dir.join("top.ron"), TOP).expect("write top");
    std::fs::write(dir.join("base.ron"), format!("\n  {secret}=abc\n")).expect("write base");
    std::fs::write(
        dir.join("key.ron"),
        format!("// a comment\n{secret}(x: 1)\n"),
    )
    .expect("write");
    for (file, at) in [("top.ron", "base.ron:2:3"), ("key.ron", "key.ron:2:1")] {
        let (code, stderr) = faultline(&dir, &["check", file], "");
        assert_eq!(code, Some(1), "{stderr}");
        let expected =
            format!("{at}: error: this file is not a scenario: it does not start with `Scenario(`");
        assert!(stderr.starts_with(&expected), "{stderr}");
        assert!(!stderr.contains(secret), "{stderr}");
    }
    // comments and attributes before `Scenario(` are a scenario's
    let scenario = "/* a /* nested */ comment */\n#![enable(implicit_some)]\n// x\nScenario(";
    std::fs::write(dir.join("scenario.ron"), scenario).expect("write");
    let (_, stderr) = faultline(&dir, &["check", "scenario.ron"], "");
    assert!(!stderr.contains("not a scenario"), "{stderr}");
}
