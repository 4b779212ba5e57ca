//! Replays the fuzzer's corpus and every crash case it ever found through the
//! fuzz harness, so each finding stays fixed under plain `cargo test`.

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
