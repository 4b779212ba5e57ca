//! `faultline init`: the starting scenario passes `check`, is already in
//! the layout of `fmt`, and every failure rate it writes is the count of the
//! data/outages.csv rows it cites.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::repo;

fn faultline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run faultline")
}

fn scratch(test: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("init-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

const CHOICES: [&[&str]; 5] = [
    &[],
    &["--providers", "aws,gcp"],
    &["--providers", "gcp", "--regions", "1"],
    &["--providers", "azure,aws", "--regions", "3"],
    &["--providers", "aws,gcp,azure", "--regions", "2"],
];

fn starter(dir: &Path, choice: &[&str]) -> String {
    let args: Vec<&str> = std::iter::once("init")
        .chain(choice.iter().copied())
        .collect();
    let out = faultline(dir, &args);
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_starting_scenario_passes_check_and_is_already_formatted() {
    let dir = scratch("check");
    for (i, choice) in CHOICES.iter().enumerate() {
        let text = starter(&dir, choice);
        let file = dir.join(format!("s{i}.ron"));
        std::fs::write(&file, &text).expect("write");
        let name = file.to_str().expect("path");
        for command in [["check", name], ["fmt", "--check"]] {
            let mut args = command.to_vec();
            if args[0] == "fmt" {
                args.push(name);
            }
            let out = faultline(&dir, &args);
            assert!(out.status.success(), "{choice:?} {args:?}: {out:?}\n{text}");
        }
        let model = faultline::scenario::load("s.ron", text.as_bytes()).expect("valid");
        assert_eq!(model.services.len(), 3, "{choice:?}");
    }
}

#[test]
fn init_output_writes_a_new_file_and_never_replaces_one() {
    let dir = scratch("output");
    let out = faultline(&dir, &["init", "--output", "mine.ron"]);
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(dir.join("mine.ron")).expect("written");
    assert_eq!(written, starter(&dir, &[]));
    std::fs::write(dir.join("mine.ron"), "keep me").expect("write");
    let out = faultline(&dir, &["init", "--output", "mine.ron"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("mine.ron")).expect("read"),
        "keep me"
    );
}

/// The rows of data/outages.csv as (date, provider, scope, regions).
fn rows() -> Vec<[String; 4]> {
    let csv = std::fs::read_to_string(repo("data/outages.csv")).expect("data/outages.csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (date, provider, scope, regions) = (
        column("date"),
        column("provider"),
        column("scope"),
        column("regions"),
    );
    (csv.lines().skip(1))
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            [date, provider, scope, regions]
                .map(|i| cells.get(i).copied().unwrap_or_default().to_string())
        })
        .collect()
}

/// Each citation comment and the `every` of the failure after it.
fn citations(text: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut comment = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix("//") {
            if c.starts_with(" data/outages.csv") {
                comment.clear();
            }
            comment.push_str(c);
        } else if let Some(every) = line
            .strip_prefix("every: \"")
            .and_then(|e| e.strip_suffix("y\","))
        {
            if comment.contains("data/outages.csv, ") && comment.contains(" row") {
                out.push((std::mem::take(&mut comment), every.parse().expect("years")));
            }
        } else if line != "(" && !line.starts_with("name:") && !line.starts_with("on:") {
            comment.clear();
        }
    }
    out
}

#[test]
fn every_rate_is_the_count_of_the_rows_it_cites_over_its_years_and_targets() {
    let rows = rows();
    let dir = scratch("rates");
    let text = starter(&dir, &["--providers", "aws,gcp,azure", "--regions", "3"]);
    let cited = citations(&text);
    assert!(cited.len() >= 12, "{cited:?}");
    for (comment, every) in cited {
        let provider = ["AWS", "Google Cloud", "Azure"]
            .into_iter()
            .find(|p| comment.contains(&format!(" {p} ")))
            .expect("a provider");
        let scope = [
            "single AZ",
            "single region",
            "global control plane",
            "global edge",
        ]
        .into_iter()
        .find(|s| comment.contains(&format!(" {s} row")));
        let dates: Vec<&str> = (comment.split(|c: char| !(c.is_ascii_digit() || c == '-')))
            .filter(|w| w.len() == 10 && w.matches('-').count() == 2)
            .collect();
        for date in &dates {
            let row = rows.iter().find(|r| r[0] == *date && r[1] == provider);
            let row = row.unwrap_or_else(|| panic!("{comment}: no {provider} row of {date}"));
            if let Some(scope) = scope {
                assert_eq!(row[2], scope, "{comment}: {date}");
            }
            let in_us_east_1 = row[3].contains("us-east-1");
            if comment.contains(" in us-east-1") {
                assert!(in_us_east_1, "{comment}: {date}");
            }
            if comment.contains("outside us-east-1") {
                assert!(!in_us_east_1, "{comment}: {date}");
            }
        }
        // `N in ~Y y over [its|~]T zones/regions`: every = Y x T / N
        let count: f64 = (comment
            .split(": ")
            .nth(1)
            .and_then(|r| r.split(" in ~").next()))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{comment}: no count"));
        assert_eq!(count, dates.len() as f64, "{comment}");
        let years: f64 = (comment
            .split(" in ~")
            .nth(1)
            .and_then(|r| r.split(" y").next()))
        .and_then(|y| y.parse().ok())
        .expect("years");
        let targets: f64 = (comment.split(" over ").nth(1))
            .map(|r| r.trim_start_matches("its ").trim_start_matches('~'))
            .and_then(|r| r.split(' ').next())
            .map_or(1.0, |t| t.parse().expect("targets"));
        let expected = years * targets / count;
        assert!(
            (every / expected - 1.0).abs() < 0.1,
            "{comment}: every {every}y, rows give {expected:.1}y"
        );
    }
}
