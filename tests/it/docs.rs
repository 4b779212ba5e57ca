//! The documentation works when pasted: every RON block of the README and
//! of `docs/` is a valid scenario, every command of the README's quick start
//! and tutorial runs, and every faultline command anywhere in them parses
//! and names files that exist.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;

use super::support::repo;

/// The Markdown files whose blocks are checked.
fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo("README.md"), repo("scenarios/README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo("docs"))
        .expect("docs folder")
        .map(|e| e.expect("docs entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The fenced blocks of `markdown` with the info string `lang`.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) if info.trim() == lang => current = Some(String::new()),
            (None, Some(_)) => current = Some(String::from("\u{0}skip")),
            (Some(block), Some(_)) => {
                if !block.starts_with('\u{0}') {
                    out.push(std::mem::take(block));
                }
                current = None;
            }
            (Some(block), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The file name a RON block gives itself on its first line
/// (`// my-shop.ron`), if any.
fn block_name(block: &str) -> Option<&str> {
    let first = block.lines().next()?.trim().strip_prefix("//")?.trim();
    (first.ends_with(".ron") && !first.contains(' ')).then_some(first)
}

/// A fresh folder holding a copy of every example scenario, both at the top
/// (for `extends: "shop-two-regions.ron"`) and under `scenarios/` (for
/// commands run as from the repository root).
fn workspace(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("docs")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).expect("create workspace");
    for entry in std::fs::read_dir(repo("scenarios")).expect("scenarios") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ron") {
            let name = path.file_name().expect("file name");
            std::fs::copy(&path, dir.join(name)).expect("copy");
            std::fs::copy(&path, dir.join("scenarios").join(name)).expect("copy");
        }
    }
    dir
}

/// Writes the RON blocks of `markdown` into `dir`, each under the name it
/// gives itself or `PREFIX-N.ron`; returns their paths in order.
fn write_ron_blocks(markdown: &str, prefix: &str, dir: &Path) -> Vec<PathBuf> {
    (blocks(markdown, "ron").iter().enumerate())
        .map(|(i, block)| {
            let name = block_name(block).map_or_else(|| format!("{prefix}-{i}.ron"), String::from);
            let path = dir.join(name);
            std::fs::write(&path, block).expect("write block");
            path
        })
        .collect()
}

/// Runs faultline with `args` in `dir`.
fn faultline_in(dir: &Path, args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run faultline")
}

#[test]
fn every_ron_block_of_the_readme_and_docs_is_a_valid_scenario() {
    let dir = workspace("ron");
    let mut checked = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("read document");
        let stem = doc.file_stem().expect("stem").to_string_lossy().to_string();
        for path in write_ron_blocks(&text, &stem, &dir) {
            let args = vec!["check".to_string(), path.display().to_string()];
            let output = faultline_in(&dir, &args);
            assert!(
                output.status.success(),
                "a RON block of {} is not a valid scenario ({}):\n{}\n{}",
                doc.display(),
                path.display(),
                std::fs::read_to_string(&path).unwrap_or_default(),
                String::from_utf8_lossy(&output.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} RON blocks found");
}

/// Splits one shell command line into words: single and double quotes,
/// backslash escapes outside single quotes, `#` comments.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.get_or_insert_with(String::new).extend(chars.next()),
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '\\') => word.get_or_insert_with(String::new).extend(chars.next()),
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => out.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// The commands of the `sh` blocks of `markdown`, continuation lines joined.
fn commands(markdown: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for block in blocks(markdown, "sh") {
        let joined = block.replace("\\\n", " ");
        out.extend(joined.lines().map(words).filter(|w| !w.is_empty()));
    }
    out
}

/// The arguments after `faultline` (or `cargo run --release --`), when the
/// command runs faultline.
fn faultline_args(command: &[String]) -> Option<Vec<String>> {
    let start = match command {
        [first, ..] if first == "faultline" => 1,
        [c, r, release, dashes, ..]
            if c == "cargo" && r == "run" && release == "--release" && dashes == "--" =>
        {
            4
        }
        _ => return None,
    };
    Some(command[start..].to_vec())
}

#[test]
fn every_command_of_the_readme_runs_as_pasted() {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    let dir = workspace("readme");
    write_ron_blocks(&readme, "README", &dir);
    let mut ran = 0;
    for command in commands(&readme) {
        match faultline_args(&command) {
            Some(args) => {
                let output = faultline_in(&dir, &args);
                assert!(
                    output.status.success(),
                    "`{}` failed:\n{}",
                    command.join(" "),
                    String::from_utf8_lossy(&output.stderr)
                );
                ran += 1;
            }
            // building and testing faultline itself: what runs this test
            None => assert!(
                matches!(
                    command.iter().map(String::as_str).collect::<Vec<_>>()[..],
                    ["cargo", "install", "--path", "."] | ["cargo", "test"]
                ),
                "a README command this test does not know how to check: {command:?}"
            ),
        }
    }
    assert!(ran >= 5, "only {ran} faultline commands ran");
}

/// The value-taking flags whose values are files faultline writes.
const OUTPUT_FLAGS: [&str; 3] = ["--output", "-o", "--junit"];

#[test]
fn every_faultline_command_in_the_docs_parses_and_names_existing_files() {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    let tutorial: Vec<String> = (blocks(&readme, "ron").iter())
        .filter_map(|b| block_name(b).map(String::from))
        .collect();
    let mut parsed = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("read document");
        for command in commands(&text) {
            let Some(args) = faultline_args(&command) else {
                // scripts of the repository named by path must exist
                for word in command.iter().filter(|w| w.ends_with(".sh")) {
                    assert!(
                        repo(word).exists(),
                        "{}: {word} does not exist",
                        doc.display()
                    );
                }
                continue;
            };
            let argv = std::iter::once("faultline".to_string()).chain(args.iter().cloned());
            if let Err(e) = faultline::cli::Cli::try_parse_from(argv) {
                panic!(
                    "{}: `{}` does not parse:\n{e}",
                    doc.display(),
                    command.join(" ")
                );
            }
            for (i, arg) in args.iter().enumerate() {
                let written = i > 0 && OUTPUT_FLAGS.contains(&args[i - 1].as_str());
                let input = arg.ends_with(".ron") && !arg.contains('*') && !written;
                if input && !arg.contains("SCENARIO") {
                    assert!(
                        repo(arg).exists() || tutorial.contains(arg),
                        "{}: `{}` names {arg}, which does not exist",
                        doc.display(),
                        command.join(" ")
                    );
                }
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 10, "only {parsed} faultline commands found");
}

#[test]
fn the_readme_is_a_short_front_door() {
    let readme = std::fs::read_to_string(repo("README.md")).expect("README");
    let lines = readme.lines().count();
    assert!(lines <= 260, "README.md has {lines} lines");
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("read document");
        assert!(
            !text.contains("../shared"),
            "{} refers outside the repository",
            doc.display()
        );
        // every relative link of the page points at a file that exists
        for (start, _) in text.match_indices("](") {
            let rest = &text[start + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            let path = target.split('#').next().unwrap_or("");
            if path.is_empty() || path.contains("://") {
                continue;
            }
            let base = doc.parent().expect("folder");
            assert!(
                base.join(path).exists(),
                "{}: dead link {target}",
                doc.display()
            );
        }
    }
}
