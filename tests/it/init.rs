//! `faultline init`: the starting scenario passes `check`, is already in
//! the layout of `fmt`, and every failure rate it writes (from the catalog)
//! is the count of the data/outages.csv rows it cites.

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

pub(super) fn scratch(test: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("init-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// `init`'s provider and region choices the tests write.
pub(super) const CHOICES: [&[&str]; 5] = [
    &[],
    &["--providers", "aws,gcp"],
    &["--providers", "gcp", "--regions", "1"],
    &["--providers", "azure,aws", "--regions", "3"],
    &["--providers", "aws,gcp,azure", "--regions", "2"],
];

/// The scenario `faultline init CHOICE` prints.
pub(super) fn starter(dir: &Path, choice: &[&str]) -> String {
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

/// The rows of data/outages.csv as (id, provider, scope, regions).
fn rows() -> Vec<[String; 4]> {
    let csv = std::fs::read_to_string(repo("data/outages.csv")).expect("data/outages.csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (id, provider, scope, regions) = (
        column("id"),
        column("provider"),
        column("scope"),
        column("regions"),
    );
    (csv.lines().skip(1))
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            [id, provider, scope, regions]
                .map(|i| cells.get(i).copied().unwrap_or_default().to_string())
        })
        .collect()
}

/// A failure that cites rows: its name, its `every` as written
/// (`Observed(events: N, years: Y)`: the count and the target-years), and
/// its citation `data/outages.csv: ID, ID = N in Y y over T target(s) -> every Xy.`.
struct Cited {
    name: String,
    events: f64,
    years: f64,
    citation: String,
}

/// Each failure after a `data/outages.csv:` citation comment.
fn citations(text: &str) -> Vec<Cited> {
    let mut out = Vec::new();
    let (mut citation, mut name) = (None, None);
    for line in text.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix("// data/outages.csv: ") {
            citation = Some(c.to_string());
        } else if let Some(n) = line.strip_prefix("name: \"") {
            name = n.strip_suffix("\",").map(str::to_string);
        } else if let Some(every) = line
            .strip_prefix("every: Observed(events: ")
            .and_then(|e| e.strip_suffix("),"))
        {
            if let (Some(citation), Some(name)) = (citation.take(), name.take()) {
                let (events, years) = every.split_once(", years: ").expect("events, years");
                out.push(Cited {
                    name,
                    events: events.parse().expect("events"),
                    years: years.parse().expect("years"),
                    citation,
                });
            }
        }
    }
    out
}

/// The provider of data/outages.csv a failure named `name` is of.
fn provider(name: &str) -> &'static str {
    match name.split(['/', ' ']).next() {
        Some("aws") => "AWS",
        Some("gcp") => "Google Cloud",
        Some("azure") => "Azure",
        other => panic!("{name}: provider {other:?}"),
    }
}

/// The scopes of data/outages.csv a failure named `name` may count.
fn scopes(name: &str) -> &'static [&'static str] {
    let ends = [
        "zone outage",
        "region outage",
        "global control plane",
        "global edge",
    ];
    let scopes: [&[&str]; 4] = [
        &["single AZ"],
        &["single region", "multi-region"],
        &["global control plane"],
        &["global edge"],
    ];
    let at = ends.iter().position(|e| name.ends_with(e));
    scopes[at.unwrap_or_else(|| panic!("{name}: which scope?"))]
}

#[test]
fn every_rate_is_the_count_of_the_rows_it_cites_over_its_years_and_targets() {
    let rows = rows();
    let dir = scratch("rates");
    let text = starter(&dir, &["--providers", "aws,gcp,azure", "--regions", "3"]);
    let cited = citations(&text);
    // 9 regions with a zone and a region outage, 4 provider-wide processes
    assert_eq!(cited.len(), 22, "{text}");
    for Cited {
        name,
        events,
        years: observed,
        citation,
    } in cited
    {
        let (ids, count) = citation.split_once(" = ").expect("ids = count");
        let ids: Vec<&str> = ids.split(", ").collect();
        for id in &ids {
            let row = rows.iter().find(|r| r[0] == *id);
            let row = row.unwrap_or_else(|| panic!("{name}: no row {id}"));
            assert_eq!(row[1], provider(&name), "{name}: {id}");
            assert!(scopes(&name).contains(&row[2].as_str()), "{name}: {id}");
            if name.starts_with("aws/") {
                let in_us_east_1 = row[3].contains("us-east-1");
                assert_eq!(
                    in_us_east_1,
                    name.starts_with("aws/us-east-1 "),
                    "{name}: {id}"
                );
            }
        }
        // `N in Y y over T target(s) -> every Xy.`: written as observed,
        // N events in Y x T target-years, and X = Y x T / N
        let words: Vec<&str> = count.split(' ').collect();
        let n: f64 = words[0].parse().expect("count");
        assert_eq!(n, ids.len() as f64, "{name}: {citation}");
        assert_eq!(events, n, "{name}: {citation}");
        let years: f64 = words[2].parse().expect("years");
        let targets: f64 = words[5].parse().expect("targets");
        assert!(
            (observed / (years * targets) - 1.0).abs() < 1e-3,
            "{name}: observed over {observed} y, rows over {} y",
            years * targets
        );
        let every: f64 = (words[9].strip_suffix("y."))
            .and_then(|y| y.parse().ok())
            .expect("every Xy.");
        let expected = years * targets / n;
        assert!(
            (every / expected - 1.0).abs() < 0.1,
            "{name}: every {every}y, rows give {expected:.1}y"
        );
    }
}
