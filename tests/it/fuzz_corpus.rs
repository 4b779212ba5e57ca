//! Replays the fuzzers' corpora and every crash case they ever found through
//! the fuzz harnesses, so each finding stays fixed under plain `cargo test`.

use super::support::repo;

fn files(folder: &str) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(repo(folder)) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fuzz_corpus_entry_and_crash_case_loads_or_fails_cleanly() {
    let cases: Vec<_> = ["fuzz/corpus/load_and_run", "fuzz/artifacts/load_and_run"]
        .iter()
        .flat_map(|f| files(f))
        .collect();
    assert!(
        cases.len() >= 50,
        "the corpus is missing: {} files",
        cases.len()
    );
    let mut valid = 0;
    for path in &cases {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let outcome = std::panic::catch_unwind(|| faultline::fuzzing::load_and_run(&bytes));
        match outcome {
            Ok(result) => valid += usize::from(result.is_some()),
            Err(_) => panic!("{} panics the harness", path.display()),
        }
    }
    assert!(
        valid > 0,
        "no corpus entry is a valid scenario: the corpus is not exercising the engine"
    );
}

/// Runs `harness` over the corpus and crash cases of fuzz target `target`:
/// none may panic; returns how many gave a result.
fn replay(target: &str, harness: fn(&[u8]) -> Option<faultline::stats::RunResult>) -> usize {
    let cases: Vec<_> = [
        format!("fuzz/corpus/{target}"),
        format!("fuzz/artifacts/{target}"),
    ]
    .iter()
    .flat_map(|f| files(f))
    .collect();
    assert!(cases.len() >= 8, "the {target} corpus is missing");
    let mut valid = 0;
    for path in &cases {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        match std::panic::catch_unwind(|| harness(&bytes)) {
            Ok(result) => valid += usize::from(result.is_some()),
            Err(_) => panic!("{} panics the {target} harness", path.display()),
        }
    }
    valid
}

#[test]
fn every_extends_chain_of_the_corpus_composes_or_fails_with_located_messages() {
    let valid = replay("compose_chain", faultline::fuzzing::compose_chain);
    assert!(valid > 0, "no chain of the corpus is a valid design");
}

#[test]
fn every_partial_of_the_corpus_merges_or_is_refused_cleanly() {
    let valid = replay("merge_partials", faultline::fuzzing::merge_partials);
    assert!(
        valid > 0,
        "no corpus entry merges: the corpus is not exercising merge"
    );
}

#[test]
fn every_invalid_corpus_entry_gets_a_located_message() {
    for path in files("fuzz/corpus/load_and_run") {
        // a running fuzzer may have removed the file since it was listed
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if let Err(e) = faultline::scenario::load("case.ron", &bytes) {
            assert!(
                !e.diagnostics.is_empty(),
                "{}: no diagnostic",
                path.display()
            );
            for d in &e.diagnostics {
                assert!(
                    d.position.line >= 1 && d.position.col >= 1,
                    "{}: {d:?}",
                    path.display()
                );
                assert!(!d.message.is_empty(), "{}: empty message", path.display());
            }
            assert!(
                e.to_string().starts_with("case.ron:"),
                "{}: {e}",
                path.display()
            );
        }
    }
}

/// The corpus entries the loader rejects, in a stable order.
fn invalid_entries() -> Vec<std::path::PathBuf> {
    files("fuzz/corpus/load_and_run")
        .into_iter()
        .filter(|p| std::fs::read(p).is_ok_and(|b| faultline::scenario::load("x.ron", &b).is_err()))
        .collect()
}

/// Asserts every stderr line is a located diagnostic or its hint.
fn assert_all_located(stderr: &str) {
    for line in stderr.lines() {
        let located = line
            .split_once(": error: ")
            .or_else(|| line.split_once(": warning: "))
            .is_some_and(|(at, _)| {
                let mut parts = at.rsplitn(3, ':');
                let col = parts.next().and_then(|c| c.parse::<usize>().ok());
                let row = parts.next().and_then(|r| r.parse::<usize>().ok());
                col.is_some() && row.is_some()
            });
        assert!(
            located || line.starts_with("  ") || super::support::is_source_line(line),
            "not located: {line:?}"
        );
    }
}

#[test]
fn the_binary_rejects_every_invalid_corpus_entry_with_located_messages() {
    let invalid = invalid_entries();
    assert!(!invalid.is_empty());
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("check")
        .args(&invalid)
        .output()
        .expect("run faultline check");
    assert_eq!(check.status.code(), Some(1));
    assert_all_located(&String::from_utf8_lossy(&check.stderr));
    for path in invalid.iter().take(150) {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
            .arg("run")
            .arg(path)
            .output()
            .expect("run faultline run");
        assert_eq!(run.status.code(), Some(1), "{}", path.display());
        assert_all_located(&String::from_utf8_lossy(&run.stderr));
    }
}
