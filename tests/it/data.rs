//! `data/`: the outage history and SLA tiers the example scenarios cite.
//!
//! Every outage the examples cite (a date such as 2017-02-28, often with a
//! provider, a scope class, a region or a quoted phrase) must be a row of
//! `data/outages.csv` that fits what the text says about it, and every count
//! they quote ("19 of 61") must be the file's. The texts: the comments of
//! `scenarios/*.ron` and `examples/ci/*.ron`, `scenarios/README.md` and
//! `data/README.md`.

use std::path::Path;

use super::results::{files_with_extension, scenario_files};
use super::support::repo;

pub(super) const OUTAGE_COLUMNS: [&str; 13] = [
    "id",
    "date",
    "provider",
    "scope",
    "regions",
    "services",
    "cause_class",
    "other_causes",
    "duration_h",
    "cascaded",
    "what_happened",
    "sources",
    "source_note",
];
const SLA_COLUMNS: [&str; 13] = [
    "provider",
    "service",
    "deployment",
    "sla_pct",
    "tier_unit",
    "tier_from",
    "tier_to",
    "credit",
    "credit_unit",
    "credit_basis",
    "verified",
    "note",
    "sources",
];
const CAUSE_CLASSES: [&str; 10] = [
    "configuration/human error",
    "hardware/power/cooling",
    "software bug",
    "capacity/overload/retry storm",
    "natural disaster",
    "network",
    "DNS",
    "security/attack",
    "dependency on another provider",
    "unknown",
];
/// The providers the texts may name, longest first (so that a longer name
/// is read before a shorter one it starts with).
const PROVIDERS: [&str; 11] = [
    "Facebook/Meta",
    "Google Cloud",
    "Oracle Cloud",
    "CrowdStrike",
    "Cloudflare",
    "IBM Cloud",
    "Akamai",
    "Fastly",
    "Azure",
    "AWS",
    "Dyn",
];
const SCOPES: [&str; 5] = [
    "single AZ",
    "single region",
    "multi-region",
    "global control plane",
    "global edge",
];

/// Splits CSV text (RFC 4180: fields in double quotes may hold commas,
/// line breaks and doubled quotes) into records of fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') => {}
            (false, _) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// The records of a CSV file in `data/`, checking its header.
pub(super) fn read_table(name: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let path = repo("data").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut records = parse_csv(&text).into_iter();
    let header = records.next().expect("a header line");
    assert_eq!(header, columns, "{name}: header");
    let rows: Vec<Vec<String>> = records.collect();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row.len(),
            columns.len(),
            "{name}:{}: {} fields, the header has {}",
            i + 2,
            row.len(),
            columns.len()
        );
    }
    rows
}

/// One row of `data/outages.csv`, the fields the citations are checked
/// against.
#[derive(Debug)]
struct Outage {
    date: String,
    provider: String,
    scope: String,
    regions: String,
    cause_class: String,
    cascaded: String,
    what_happened: String,
}

fn outages() -> Vec<Outage> {
    read_table("outages.csv", &OUTAGE_COLUMNS)
        .into_iter()
        .map(|f| Outage {
            date: f[1].clone(),
            provider: f[2].clone(),
            scope: f[3].clone(),
            regions: f[4].clone(),
            cause_class: f[6].clone(),
            cascaded: f[9].clone(),
            what_happened: f[10].clone(),
        })
        .collect()
}

/// Whether `text` has a `YYYY-MM-DD` date at byte `at`, not inside a
/// longer run of digits.
fn date_at(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let shape = (0..10).all(|k| match k {
        4 | 7 => b.get(at + k) == Some(&b'-'),
        _ => digit(at + k),
    });
    shape && !(at > 0 && digit(at - 1)) && !digit(at + 10)
}

/// The byte offsets of every date in `text`.
fn dates_in(text: &str) -> Vec<usize> {
    (0..text.len()).filter(|&i| date_at(text, i)).collect()
}

/// Dates written as one list ("2011-04-21, 2012-06-14 and 2012-06-29"):
/// groups of offsets.
fn date_lists(text: &str) -> Vec<Vec<usize>> {
    let mut lists: Vec<Vec<usize>> = Vec::new();
    for at in dates_in(text) {
        let joined = lists
            .last()
            .and_then(|list| list.last())
            .is_some_and(|&prev| matches!(&text[prev + 10..at], ", " | " and " | ", and "));
        match lists.last_mut() {
            Some(list) if joined => list.push(at),
            _ => lists.push(vec![at]),
        }
    }
    lists
}

/// Whether `name` occurs in `text` at `at` as a whole word.
fn word_at(text: &str, at: usize, name: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text[at..].starts_with(name)
        && !alnum(text[..at].chars().next_back())
        && !alnum(text[at + name.len()..].chars().next())
}

/// The last of `names` that `text` mentions as a whole word.
fn last_named<'a>(text: &str, names: &[&'a str]) -> Option<&'a str> {
    let mut found = None;
    for at in text.char_indices().map(|(i, _)| i) {
        for &name in names {
            if word_at(text, at, name) {
                found = Some(name);
            }
        }
    }
    found
}

/// Whether `word` names a region or zone (`us-east-1`, `europe-west2-a`,
/// `use1-az2`).
fn is_region(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.contains('-')
        && word.contains(|c: char| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The last region named in `text`, and whether it follows "outside".
fn last_region(text: &str) -> Option<(&str, bool)> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",:;()\"`'.".contains(c)))
        .collect();
    let at = words.iter().rposition(|w| is_region(w))?;
    Some((words[at], at > 0 && words[at - 1] == "outside"))
}

/// The clause a date list belongs to: the text before it, back to the end
/// of the previous list or the last delimiter (`(`, `)`, `;`, `|`, ". ").
fn clause_before(text: &str, start: usize, previous_end: usize) -> &str {
    let before = &text[previous_end..start];
    let cut = before
        .rfind(['(', ')', ';', '|'])
        .map(|i| i + 1)
        .into_iter()
        .chain(before.rfind(". ").map(|i| i + 2))
        .max()
        .unwrap_or(0);
    &before[cut..]
}

/// What a text says about one cited outage.
#[derive(Debug, Default)]
struct Citation {
    date: String,
    provider: Option<String>,
    scope: Option<String>,
    region: Option<String>,
    outside_region: Option<String>,
    phrase: Option<String>,
}

impl Citation {
    /// Whether a row fits everything the citation says.
    fn fits(&self, row: &Outage) -> bool {
        let lower = row.what_happened.to_lowercase();
        row.date == self.date
            && self.provider.as_ref().is_none_or(|p| *p == row.provider)
            && self.scope.as_ref().is_none_or(|s| *s == row.scope)
            && self
                .region
                .as_ref()
                .is_none_or(|r| row.regions.contains(r.as_str()))
            && self
                .outside_region
                .as_ref()
                .is_none_or(|r| !row.regions.contains(r.as_str()))
            && self
                .phrase
                .as_ref()
                .is_none_or(|q| lower.contains(&q.to_lowercase()))
    }
}

/// What follows the last date of a list, up to the next delimiter: a
/// provider, a region and a quoted phrase. Returns the length of the text
/// the provider and region took, which belongs to this date and not to the
/// next list's clause.
fn read_after(after: &str, providers: &[&str], citation: &mut Citation) -> usize {
    let end = after.find(['(', ')', ';']).unwrap_or(after.len());
    let end = dates_in(&after[..end]).first().copied().unwrap_or(end);
    let segment = &after[..end];
    let mut rest = segment.trim_start();
    if let Some(&p) = providers.iter().find(|p| word_at(rest, 0, p)) {
        citation.provider = Some(p.to_string());
        rest = rest[p.len()..].trim_start();
    }
    let mut taken = segment.len() - rest.len();
    let first = rest.split_whitespace().next().unwrap_or("");
    let first = first.trim_end_matches([',', ':', '.']);
    if is_region(first) {
        citation.region = Some(first.to_string());
        taken += first.len();
    }
    let mut quoted = rest.split('"');
    if let (Some(_), Some(phrase), Some(_)) = (quoted.next(), quoted.next(), quoted.next()) {
        citation.phrase = Some(phrase.to_string());
    }
    taken
}

/// Every outage citation in one block of text (a comment, a paragraph or a
/// table row).
fn citations(block: &str, providers: &[&str]) -> Vec<Citation> {
    let mut found = Vec::new();
    let mut previous_end = 0;
    for list in date_lists(block) {
        let clause = clause_before(block, list[0], previous_end);
        let last = *list.last().expect("a list has a date");
        previous_end = last + 10;
        for &at in &list {
            let mut c = Citation {
                date: block[at..at + 10].to_string(),
                provider: last_named(clause, providers).map(str::to_string),
                scope: last_named(clause, &SCOPES).map(str::to_string),
                ..Citation::default()
            };
            match last_region(clause) {
                Some((r, true)) => c.outside_region = Some(r.to_string()),
                Some((r, false)) => c.region = Some(r.to_string()),
                None => {}
            }
            if at == last {
                previous_end += read_after(&block[at + 10..], providers, &mut c);
            }
            found.push(c);
        }
    }
    found
}

/// The comment blocks of a scenario file: consecutive `//` lines, joined.
fn comment_blocks(text: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        match line.split_once("//") {
            Some((_, comment)) => {
                if !open {
                    blocks.push(String::new());
                }
                let block = blocks.last_mut().expect("just pushed");
                block.push(' ');
                block.push_str(comment.trim());
                open = line.trim_start().starts_with("//");
            }
            None => open = false,
        }
    }
    blocks
}

/// The blocks of a Markdown file: each table row, and each run of other
/// non-blank lines, joined. Fenced code (program output) is left out.
fn markdown_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let table_row = line.trim_start().starts_with('|');
        if line.trim().is_empty() || table_row {
            blocks.push(std::mem::take(&mut paragraph));
        }
        if table_row {
            blocks.push(line.to_string());
        } else if !line.trim().is_empty() {
            paragraph.push(' ');
            paragraph.push_str(line.trim());
        }
    }
    blocks.push(paragraph);
    blocks.retain(|b| !b.trim().is_empty());
    blocks
}

/// Every text that cites the data: (path from the repository root, blocks).
fn citing_texts() -> Vec<(String, Vec<String>)> {
    let mut ron = scenario_files();
    ron.extend(files_with_extension(&repo("examples/ci"), "ron"));
    let read = |p: &Path| {
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    };
    let name = |p: &Path| p.strip_prefix(repo("")).unwrap_or(p).display().to_string();
    let mut texts: Vec<(String, Vec<String>)> = ron
        .iter()
        .map(|p| (name(p), comment_blocks(&read(p))))
        .collect();
    for md in ["scenarios/README.md", "data/README.md"] {
        texts.push((md.to_string(), markdown_blocks(&read(&repo(md)))));
    }
    texts
}

#[test]
fn the_data_files_are_well_formed() {
    let rows = outages();
    for (i, r) in rows.iter().enumerate() {
        let line = i + 2;
        assert!(
            PROVIDERS.contains(&r.provider.as_str()),
            "outages.csv:{line}: provider {:?} is not in PROVIDERS",
            r.provider
        );
        assert!(
            date_at(&r.date, 0) && r.date.len() == 10,
            "outages.csv:{line}: date {:?}",
            r.date
        );
        assert!(
            CAUSE_CLASSES.contains(&r.cause_class.as_str()),
            "outages.csv:{line}: cause_class"
        );
        assert!(
            ["yes", "no", "unknown"].contains(&r.cascaded.as_str()),
            "outages.csv:{line}: cascaded"
        );
    }
    let mut ids = std::collections::BTreeSet::new();
    for (i, f) in read_table("outages.csv", &OUTAGE_COLUMNS)
        .iter()
        .enumerate()
    {
        let line = i + 2;
        let slug: String = f[2]
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let id = format!("{}-{slug}", f[1]);
        assert_eq!(f[0], id, "outages.csv:{line}: id is the date and provider");
        assert!(ids.insert(id), "outages.csv:{line}: id {:?} twice", f[0]);
        let duration_ok = f[8].is_empty() || f[8].parse::<f64>().is_ok_and(|h| h > 0.0);
        assert!(duration_ok, "outages.csv:{line}: duration_h {:?}", f[8]);
        let others = f[7].split("; ").filter(|c| !c.is_empty());
        assert!(
            others.clone().all(|c| CAUSE_CLASSES.contains(&c)),
            "outages.csv:{line}: other_causes"
        );
        assert!(
            f[11].split(' ').all(|u| u.starts_with("http")),
            "outages.csv:{line}: sources"
        );
    }
    for (i, f) in read_table("slas.csv", &SLA_COLUMNS).iter().enumerate() {
        let line = i + 2;
        assert!(
            ["uptime_pct", "unavailable_min"].contains(&f[4].as_str()),
            "slas.csv:{line}: tier_unit"
        );
        assert!(
            ["yes", "uptime"].contains(&f[10].as_str()),
            "slas.csv:{line}: verified"
        );
        assert!(
            f[12].split(' ').all(|u| u.starts_with("http")),
            "slas.csv:{line}: sources"
        );
    }
}

#[test]
fn every_cited_outage_is_a_row_of_the_data() {
    let rows = outages();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (file, blocks) in citing_texts() {
        for block in &blocks {
            for c in citations(block, &PROVIDERS) {
                checked += 1;
                if !rows.iter().any(|r| c.fits(r)) {
                    problems.push(format!("{file}: {c:?} has no row in data/outages.csv"));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} citations found: is the scanner broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A count the examples quote, as written, and the numbers it states.
struct Claim {
    text: &'static str,
    stated: &'static [usize],
    actual: fn(&[Outage]) -> Vec<usize>,
}

fn count(rows: &[Outage], keep: impl Fn(&Outage) -> bool) -> usize {
    rows.iter().filter(|r| keep(r)).count()
}

fn cause(rows: &[Outage], class: &str) -> usize {
    count(rows, |r| r.cause_class == class)
}

/// AWS rows in us-east-1 of one scope.
fn us_east_1<'a>(rows: &'a [Outage], scope: &str) -> Vec<&'a Outage> {
    rows.iter()
        .filter(|r| r.provider == "AWS" && r.scope == scope && r.regions.contains("us-east-1"))
        .collect()
}

/// The most common primary cause among rows and its count.
fn top_cause(rows: &[&Outage]) -> usize {
    CAUSE_CLASSES
        .iter()
        .map(|c| rows.iter().filter(|r| r.cause_class == *c).count())
        .max()
        .unwrap_or(0)
}

const CLAIMS: &[Claim] = &[
    Claim {
        text: "19 of 61",
        stated: &[19, 61],
        actual: |r| vec![cause(r, "configuration/human error"), r.len()],
    },
    Claim {
        text: "53 of 61 rows cascaded",
        stated: &[53, 61],
        actual: |r| vec![count(r, |o| o.cascaded == "yes"), r.len()],
    },
    Claim {
        text: "6 of the 61 rows are capacity/overload/retry storms",
        stated: &[6, 61],
        actual: |r| vec![cause(r, "capacity/overload/retry storm"), r.len()],
    },
    Claim {
        text: "2 security and 5 natural-disaster rows",
        stated: &[2, 5],
        actual: |r| vec![cause(r, "security/attack"), cause(r, "natural disaster")],
    },
    Claim {
        text: "capacity/overload/retry storm is the most common cause in those 8 rows (4 of 8)",
        stated: &[8, 4, 4],
        actual: |r| {
            let rows = us_east_1(r, "single region");
            let storms = rows
                .iter()
                .filter(|o| o.cause_class == "capacity/overload/retry storm")
                .count();
            vec![rows.len(), storms, top_cause(&rows)]
        },
    },
    Claim {
        text: "2021-12-22 = 6 in 2011-2025",
        stated: &[6],
        actual: |r| vec![us_east_1(r, "single AZ").len()],
    },
    Claim {
        text: "(6 in ~14.7 y over 6 AZs)",
        stated: &[6],
        actual: |r| vec![us_east_1(r, "single AZ").len()],
    },
    Claim {
        text: "2025-10-19 = 8 in ~14.7 y",
        stated: &[8],
        actual: |r| vec![us_east_1(r, "single region").len()],
    },
    Claim {
        text: "61 large public cloud and infrastructure outages",
        stated: &[61],
        actual: |r| vec![r.len()],
    },
];

#[test]
fn every_count_the_examples_quote_is_the_datas() {
    let rows = outages();
    let texts: Vec<(String, String)> = citing_texts()
        .into_iter()
        .map(|(file, blocks)| (file, blocks.join("\n")))
        .collect();
    for claim in CLAIMS {
        assert!(
            texts.iter().any(|(_, t)| t.contains(claim.text)),
            "no text quotes {:?} any more: update CLAIMS",
            claim.text
        );
        assert_eq!(
            (claim.actual)(&rows),
            claim.stated,
            "{:?} does not match data/outages.csv",
            claim.text
        );
    }
    for (file, text) in &texts {
        let sixty_ones = text
            .match_indices(" 61")
            .filter(|(at, _)| !text[at + 3..].starts_with(|c: char| c.is_ascii_digit()));
        for (space, _) in sixty_ones {
            let at = space + 1;
            let covered = CLAIMS.iter().any(|c| {
                text.match_indices(c.text)
                    .any(|(start, _)| start <= at && at < start + c.text.len())
            });
            let near: String = text[at..].chars().take(60).collect();
            assert!(
                covered,
                "{file}: an unchecked count of 61: {near:?}; add it to CLAIMS"
            );
        }
    }
}

#[test]
fn the_citation_scanner_reads_lists_providers_regions_and_quotes() {
    let providers = ["Google Cloud", "AWS", "Azure"];
    let text = "AWS \"single AZ\" rows outside us-east-1: 2011-08-07, 2013-12-17 and \
                2016-06-04; e.g. 2014-11-19 Azure, 2021-04-01 Azure DNS \"query surge\" \
                (2019-06-02 us-central1) 2014-2025";
    let found = citations(text, &providers);
    let dates: Vec<&str> = found.iter().map(|c| c.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2011-08-07",
            "2013-12-17",
            "2016-06-04",
            "2014-11-19",
            "2021-04-01",
            "2019-06-02"
        ]
    );
    assert!(found[..3]
        .iter()
        .all(|c| c.provider.as_deref() == Some("AWS")
            && c.scope.as_deref() == Some("single AZ")
            && c.outside_region.as_deref() == Some("us-east-1")));
    assert_eq!(found[3].provider.as_deref(), Some("Azure"));
    assert_eq!(found[4].phrase.as_deref(), Some("query surge"));
    assert_eq!(
        (found[5].provider.as_deref(), found[5].region.as_deref()),
        (None, Some("us-central1"))
    );
    let quoted = "a \"b,c\" field";
    assert_eq!(
        parse_csv(&format!("x,\"{}\"\n", quoted.replace('"', "\"\""))),
        [["x", quoted]]
    );
}
