//! The syntax of uncertain inputs: `Between` on durations and
//! probabilities, `Observed` on a failure's `every`; each becomes a located
//! input of the model whose field holds the law's median, and every misuse
//! is a located error.

use faultline::uncertainty::{Law, Parameter, Target};

use crate::support::model;

const UNCERTAIN: &str = r#"Scenario(name: "uncertain", trials: 100,
    domains: ["aws/r/a", "aws/r/b"],
    failures: [
        (name: "host", on: EachReplica(), every: Between("100h", "400h"), lasts: Exp(mean: Between("4h", "16h"))),
        (name: "zone", on: EachZone(), every: Observed(events: 8, years: 14.7), lasts: Fixed(Between("1h", "9h"))),
    ],
    services: {
        "db": (deployments: [(in: "aws/r/a")]),
        "web": (
            deployments: [(in: "aws/r/a"), (in: "aws/r/b")],
            routing: ActivePassive(detect: Fixed("5m"), switch: Fixed("5m"), success: Between(0.6, 0.9), manual: Fixed("1h")),
            depends_on: { "db": Soft(impact: Between(0.2, 0.4)) },
        ),
    })"#;

/// `LINE:COL` of the first occurrence of `needle` in `text` (1-based, in
/// characters), counted here independently of the loader.
fn line_col(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle in text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("test.ron:{line}:{col}")
}

#[test]
fn uncertain_values_become_located_inputs_at_their_medians() {
    let m = model(UNCERTAIN);
    let got: Vec<(&str, &str, Target)> = (m.uncertain.iter())
        .map(|i| (i.name.as_str(), i.at.as_str(), i.target))
        .collect();
    let at = |needle| line_col(UNCERTAIN, needle);
    let want = [
        (
            "host every",
            at("Between(\"100h\""),
            Target::FailureEvery(0),
        ),
        (
            "host lasts mean",
            at("Between(\"4h\""),
            Target::FailureLasts(0, Parameter::Mean),
        ),
        ("zone every", at("Observed("), Target::FailureEvery(1)),
        (
            "zone lasts Fixed",
            at("Between(\"1h\""),
            Target::FailureLasts(1, Parameter::Fixed),
        ),
        ("web routing success", at("Between(0.6"), Target::Success(1)),
        (
            "web depends_on db impact",
            at("Between(0.2"),
            Target::Impact(1, 0),
        ),
    ];
    let want: Vec<(&str, &str, Target)> =
        want.iter().map(|(n, a, t)| (*n, a.as_str(), *t)).collect();
    // in file order
    assert_eq!(got, want);
    // the laws as written
    assert_eq!(
        m.uncertain[0].law,
        Law::LogNormal {
            p5: 100.0,
            p95: 400.0
        }
    );
    assert!(m.uncertain.iter().any(|i| i.law
        == Law::Observed {
            events: 8.0,
            years: 14.7
        }));
    assert!(m.uncertain.iter().any(|i| i.law
        == Law::Uniform {
            low: 0.6,
            high: 0.9
        }));
    // the fields hold the medians: geometric means of the ends, the middle
    // of a probability range, and for Observed 8760 h over the Gamma(8.5,
    // 14.7) median rate
    assert!((m.failures[0].every - 200.0).abs() < 1e-9);
    let faultline::model::Distribution::Exp { mean } = m.failures[0].lasts else {
        panic!("Exp")
    };
    assert!((mean - 8.0).abs() < 1e-9);
    assert!((m.failures[1].lasts.mean() - 3.0).abs() < 1e-9);
    let median_rate = 8760.0 / m.failures[1].every;
    let p = faultline::uncertainty::laws::lower_gamma(8.5, median_rate * 14.7);
    assert!((p - 0.5).abs() < 1e-9, "{p}");
    let faultline::model::Routing::ActivePassive { success, .. } = m.services[1].routing else {
        panic!("ActivePassive")
    };
    assert!((success - 0.75).abs() < 1e-12);
    let faultline::model::DependencyKind::Soft { impact } = m.services[1].depends_on[0].kind else {
        panic!("Soft")
    };
    assert!((impact - 0.3).abs() < 1e-12);
}

#[test]
fn a_scenario_without_uncertain_values_has_no_inputs() {
    let m = model(&UNCERTAIN.replace("Between(\"100h\", \"400h\")", "\"200h\""));
    assert_eq!(m.uncertain.len(), 5);
    let plain = r#"Scenario(domains: ["aws/r/a"],
        failures: [(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "8h"))],
        services: { "web": (deployments: [(in: "aws/r/a")]) })"#;
    assert!(model(plain).uncertain.is_empty());
}

/// The first error of loading `text`: `test.ron:LINE:COL: error: ...`.
fn first_error(text: &str) -> String {
    match faultline::scenario::load("test.ron", text.as_bytes()) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn misused_uncertain_values_are_located_errors() {
    let cases = [
        // ends in the wrong order
        (
            "Between(\"100h\", \"400h\")",
            "Between(\"400h\", \"100h\")",
            "first end is greater",
        ),
        (
            "Between(0.6, 0.9)",
            "Between(0.9, 0.6)",
            "first end is greater",
        ),
        ("Between(0.6, 0.9)", "Between(0.6, 1.5)", "between 0 and 1"),
        // Observed's counts
        ("events: 8", "events: -1", "`events` of `Observed`"),
        ("years: 14.7", "years: 0", "`years` of `Observed`"),
        // Observed where only Between is taken
        (
            "mean: Between(\"4h\", \"16h\")",
            "mean: Observed(events: 1, years: 2)",
            "only by a failure's `every`",
        ),
        (
            "success: Between(0.6, 0.9)",
            "success: Observed(events: 1, years: 2)",
            "only by a failure's `every`",
        ),
        // a range not written as Between
        ("every: Between(", "every: Beside(", "not as `Between(...)`"),
        // Between on a distribution outside `lasts`
        (
            "detect: Fixed(\"5m\")",
            "detect: Fixed(Between(\"1m\", \"9m\"))",
            "only a failure's `lasts`",
        ),
        // a field that takes no uncertain value at all
        (
            "trials: 100",
            "trials: 100, horizon: Between(\"1y\", \"2y\")",
            "horizon",
        ),
    ];
    for (from, to, message) in cases {
        assert!(UNCERTAIN.contains(from), "{from}");
        let text = UNCERTAIN.replacen(from, to, 1);
        let error = first_error(&text);
        let first = error.lines().next().unwrap_or("");
        assert!(error.contains(message), "{to}: {error}");
        // located on the line of the edit
        let line = text[..text.find(to).unwrap()].matches('\n').count() + 1;
        assert!(
            first.starts_with(&format!("test.ron:{line}:")),
            "{to}: {first}"
        );
    }
}
