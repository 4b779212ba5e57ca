//! `faultline fmt`: the canonical layout keeps every comment and the
//! scenario's meaning (the same model, the same result document), is a
//! fixed point of itself, and leaves the files it cannot read alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Json, Render};
use faultline::scenario::format::format;

use super::results::scenario_files;
use super::support::repo;

/// Every shipped scenario: `scenarios/*.ron` and `benches/w1.ron`.
fn shipped() -> Vec<PathBuf> {
    let mut files = scenario_files();
    files.push(repo("benches/w1.ron"));
    files
}

fn formatted(text: &str) -> String {
    format(text).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// The same scenario in another layout: no indentation, every line that
/// holds no comment and no string break joined to the next, and no comma
/// before a line that closes a group.
fn uglified(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        let closes = line.starts_with([')', ']', '}']);
        let kept = out.trim_end().len();
        if closes && out[..kept].ends_with(',') {
            out.truncate(kept - 1);
        }
        out.push_str(line);
        out.push(if line.contains("//") { '\n' } else { ' ' });
    }
    out
}

/// Every shipped scenario's text after `transform`, by file name.
fn texts(transform: &dyn Fn(&str) -> String) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for path in shipped() {
        let text = std::fs::read_to_string(&path).expect("read scenario");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        out.insert(name, transform(&text));
    }
    out
}

/// The model (its debug text, the hash of its bytes left out) and the
/// result document of a run of `trials` (its hash and timing left out) of the
/// scenario `name` among `files`, `extends` read from `files` as well.
fn meaning(files: &BTreeMap<String, String>, name: &str, trials: Option<u64>) -> (String, String) {
    let read = |p: &Path| {
        let key = p.file_name().map(|n| n.to_string_lossy().into_owned());
        (key.and_then(|k| files.get(&k))
            .map(|t| t.clone().into_bytes()))
        .ok_or_else(|| std::io::Error::other("no such file"))
    };
    let path = repo("scenarios").join(name);
    let loaded = faultline::scenario::load_path(&path, name, &read, &[])
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let mut model = loaded.model;
    model.source_hash = 0;
    // where an uncertain input is written moves with the layout
    for input in &mut model.uncertain {
        input.at.clear();
    }
    let options = RunOptions {
        trials,
        ..RunOptions::default()
    };
    let mut result = montecarlo::run(&model, &options).expect("run");
    result.engine.seconds = 0.0;
    result.faultline.scenario_fnv1a.clear();
    (format!("{model:?}"), Json.render(&result).expect("render"))
}

#[test]
fn every_shipped_scenario_is_already_formatted() {
    let mut files = shipped();
    files.extend(super::results::files_with_extension(
        &repo("examples/ci"),
        "ron",
    ));
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read scenario");
        assert!(
            formatted(&text) == text,
            "{} is not formatted: run `faultline fmt {}`",
            path.display(),
            path.display()
        );
    }
}

#[test]
fn formatting_another_layout_of_every_shipped_scenario_keeps_its_model_and_its_results() {
    let original = texts(&|t| t.to_string());
    let ugly = texts(&uglified);
    let reformatted = texts(&|t| formatted(&uglified(t)));
    for name in original.keys() {
        assert_ne!(
            original[name], ugly[name],
            "{name}: the layout did not change"
        );
        let expected = meaning(&original, name, Some(200));
        assert_eq!(
            meaning(&ugly, name, Some(200)),
            expected,
            "{name}: the other layout is another scenario"
        );
        assert_eq!(
            meaning(&reformatted, name, Some(200)),
            expected,
            "{name}: formatting changed it"
        );
        let again = formatted(&reformatted[name]);
        assert_eq!(
            again, reformatted[name],
            "{name}: formatting twice changes it"
        );
    }
}

#[test]
fn every_ron_block_of_the_docs_formats_to_a_fixed_point() {
    let mut documents = vec![repo("README.md")];
    for doc in std::fs::read_dir(repo("docs")).expect("docs") {
        documents.push(doc.expect("entry").path());
    }
    let mut blocks = 0;
    for path in documents {
        let text = std::fs::read_to_string(&path).expect("read doc");
        for block in text.split("```ron\n").skip(1) {
            let block = block.split("```").next().unwrap_or_default();
            let once = formatted(block);
            assert_eq!(formatted(&once), once, "{}: {block}", path.display());
            blocks += 1;
        }
    }
    assert!(blocks >= 5, "only {blocks} RON blocks found");
}

/// A scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fmt-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn fmt(args: &[&Path], check: bool) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.arg("fmt").args(args);
    if check {
        cmd.arg("--check");
    }
    cmd.output().expect("run faultline")
}

const UNFORMATTED: &str = "Scenario(name: \"x\", horizon: \"1y\", // the year\n services: {\"a\": (deployments: [(in: \"p/r\", replicas: 1, need: 1)])})";

#[test]
fn fmt_check_names_each_unformatted_file_changes_nothing_and_exits_1() {
    let dir = scratch("check");
    let (ugly, fine) = (dir.join("ugly.ron"), dir.join("fine.ron"));
    std::fs::write(&ugly, UNFORMATTED).expect("write");
    std::fs::write(&fine, formatted(UNFORMATTED)).expect("write");
    let out = fmt(&[&ugly, &fine], true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: not formatted", ugly.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("fine.ron"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&ugly).expect("read"), UNFORMATTED);
}

#[test]
fn fmt_rewrites_files_in_place_after_which_check_passes() {
    let dir = scratch("rewrite");
    let file = dir.join("s.ron");
    std::fs::write(&file, UNFORMATTED).expect("write");
    let out = fmt(&[&file], false);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&file).expect("read");
    assert_eq!(text, formatted(UNFORMATTED));
    assert!(text.contains("horizon: \"1y\", // the year\n"), "{text}");
    assert!(fmt(&[&file], true).status.success());
}

#[test]
fn fmt_of_a_file_that_does_not_parse_gives_the_located_error_and_leaves_it_alone() {
    let dir = scratch("bad");
    let cases = [
        (
            "unclosed.ron",
            "Scenario(\n  name: \"x\",\n  domains: [\"a\", \"b\"\n)".to_string(),
            ":3:21: error: missing `,`",
        ),
        (
            "deep.ron",
            format!("Scenario(\n  a: {}{})", "[".repeat(500), "]".repeat(500)),
            ":2:",
        ),
        (
            "not.ron",
            "[package]\nname = 1\n".to_string(),
            ":1:1: error: this file is not a scenario",
        ),
        (
            "string.ron",
            "Scenario(name: \"x)\n".to_string(),
            ":1:16: error: unterminated string",
        ),
    ];
    for (name, text, expected) in cases {
        let file = dir.join(name);
        std::fs::write(&file, &text).expect("write");
        for check in [false, true] {
            let out = fmt(&[&file], check);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
            assert!(
                stderr.contains(&format!("{}{expected}", file.display())),
                "{name}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
        }
    }
}

#[test]
fn fmt_keeps_a_base_file_of_extends_as_text_without_reading_its_base() {
    let dir = scratch("extends");
    let file = dir.join("child.ron");
    let text = "Scenario(extends: \"missing-base.ron\", services: {\"db\": (infra: (per_replica_month: 5))})";
    std::fs::write(&file, text).expect("write");
    assert!(fmt(&[&file], false).status.success());
    let expected = "Scenario(\n    extends: \"missing-base.ron\",\n    services: { \"db\": (infra: (per_replica_month: 5)) },\n)\n";
    assert_eq!(std::fs::read_to_string(&file).expect("read"), expected);
}

/// `text` with a comment after each comma that `mask` picks: a line
/// comment (bit set in `lines`) or a block comment, numbered in order.
fn with_comments(text: &str, mask: &[bool], lines: &[bool]) -> (String, Vec<String>) {
    let (mut out, mut comments) = (String::new(), Vec::new());
    for (i, piece) in text.split(',').enumerate() {
        if i > 0 {
            out.push(',');
            if mask.get(i).copied().unwrap_or(false) {
                let comment = if lines.get(i).copied().unwrap_or(false) {
                    format!("// c{i}\n")
                } else {
                    format!("/* c{i} */")
                };
                comments.push(comment.trim_end().to_string());
                out.push_str(&comment);
            }
        }
        out.push_str(piece);
    }
    (out, comments)
}

proptest::proptest! {
    #![proptest_config(super::properties::config())]

    #[test]
    fn formatting_a_random_commented_scenario_keeps_its_meaning_and_comments_and_is_idempotent(
        spec in super::properties::spec(),
        mask in proptest::collection::vec(proptest::bool::ANY, 0..200),
        lines in proptest::collection::vec(proptest::bool::ANY, 0..200),
    ) {
        let plain = super::properties::render_with_money(&spec);
        let (text, comments) = with_comments(&plain, &mask, &lines);
        let once = formatted(&text);
        proptest::prop_assert_eq!(&formatted(&once), &once);
        // every comment, in order
        let mut rest = once.as_str();
        for c in &comments {
            let at = rest.find(c.as_str());
            proptest::prop_assert!(at.is_some(), "{} lost:\n{}", c, once);
            rest = &rest[at.unwrap_or(0) + c.len()..];
        }
        let files = |t: &str| BTreeMap::from([("s.ron".to_string(), t.to_string())]);
        proptest::prop_assert_eq!(meaning(&files(&once), "s.ron", None), meaning(&files(&plain), "s.ron", None));
    }
}

#[test]
fn the_pre_commit_hooks_and_the_ci_examples_run_fmt_check_and_check() {
    use clap::Parser;
    let hooks = std::fs::read_to_string(repo(".pre-commit-hooks.yaml")).expect("hooks");
    for (id, entry) in [
        ("faultline-fmt", "faultline fmt"),
        ("faultline-check", "faultline check"),
    ] {
        let hook = (hooks
            .split("\n- id: ")
            .find(|h| h.starts_with(&format!("{id}\n"))))
        .unwrap_or_else(|| panic!("no hook {id}"));
        assert!(hook.contains(&format!("\n  entry: {entry}\n")), "{hook}");
        assert!(hook.contains("\n  language: rust\n"), "{hook}");
        // pre-commit appends the staged files
        let argv = entry.split(' ').chain(["a.ron", "b.ron"]);
        faultline::cli::Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{entry}: {e}"));
    }
    assert!(!hooks.contains('\t'));
    for example in [
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(repo(example)).expect("example");
        let fmt = "./target/release/faultline fmt --check scenarios/*.ron examples/ci/*.ron";
        let check = "./target/release/faultline check scenarios/*.ron examples/ci/*.ron";
        let (f, c) = (text.find(fmt), text.find(check));
        assert!(
            f.is_some() && c.is_some() && f < c,
            "{example}: fmt --check, then check"
        );
    }
}
