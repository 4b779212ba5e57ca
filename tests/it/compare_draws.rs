//! `compare` with uncertain inputs: every design run on the same draws,
//! paired draw by draw, and the share of draws in which a design's mean
//! TCO is lower than the baseline's, against the value the Latin hypercube
//! and the closed-form per-draw costs give.

use std::sync::atomic::AtomicBool;

use faultline::analysis::compare::Design;
use faultline::montecarlo::RunOptions;
use faultline::uncertainty::paired::{clopper_pearson, over_inputs};
use faultline::uncertainty::{latin_hypercube, Law};

use super::support::{faultline, model, scratch};

/// The standard normal quantiles of 0.25 and 0.95.
const Z25: f64 = -0.674_489_750_196_081_7;
const Z95: f64 = 1.644_853_626_951_472_2;

/// One replica down at hours 0, 1000, ..., 8000 (9 times a year, by
/// schedule: no trial noise) for `lasts`, each lost hour costing 100: the
/// mean cost per year is exactly 900 x the drawn duration.
fn patched(lasts: &str, infra_per_month: f64) -> String {
    format!(
        r#"Scenario(name: "patched", horizon: "8760h", trials: 20, seed: 7,
    domains: ["aws/r/a"],
    failures: [(name: "patch", on: Service("web"), schedule: (every: "1000h", first: "0s"),
                lasts: Fixed({lasts}), cause: Software)],
    services: {{ "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 100.0),
                        infra: (per_replica_month: {infra_per_month})) }})"#
    )
}

/// The `p`-quantile of `Between(a, b)` on a duration, hours: log-normal
/// with `a` and `b` its 5th and 95th percentiles.
fn between(a: f64, b: f64, z: f64) -> f64 {
    let (mu, sigma) = (0.5 * (a.ln() + b.ln()), (b.ln() - a.ln()) / (2.0 * Z95));
    (mu + sigma * z).exp()
}

/// The baseline: outages of 1 to 4 h (90% sure). The challenger: its
/// outages last half as long (the same assumption, written 30 min to 2 h:
/// the same rank gives half the baseline's duration in every draw) but it
/// costs 450 x the baseline's 25th-percentile duration more a year. Per
/// draw, TCO difference = infra - 450 d: the challenger is better exactly
/// when the drawn rank is above 0.25, in 48 of 64 Latin hypercube draws
/// (one per stratum), whatever falls within the strata.
fn baseline_and_challenger() -> (String, String, f64) {
    let extra = 450.0 * between(1.0, 4.0, Z25);
    (
        patched(r#"Between("1h", "4h")"#, 0.0),
        patched(r#"Between("30m", "2h")"#, extra / 12.0),
        extra,
    )
}

fn designs(texts: &[&str]) -> Vec<Design> {
    (texts.iter().enumerate())
        .map(|(i, t)| (format!("design{i}.ron"), model(t)))
        .collect()
}

#[test]
fn p_better_is_the_share_of_draws_the_closed_form_says() {
    let (base, challenger, extra) = baseline_and_challenger();
    let same_but_dearer = patched(r#"Between("1h", "4h")"#, 1.0);
    let designs = designs(&[&base, &challenger, &same_but_dearer]);
    let options = RunOptions::default();
    let over = over_inputs(&designs, &options, 64, &AtomicBool::new(false)).unwrap();
    let o = &over[0];
    assert_eq!((o.draws, o.better_draws), (64, 48));
    assert_eq!(o.p_better, 0.75);
    assert_eq!(o.ci95, clopper_pearson(48, 64));
    assert!(o.ci95[0] < 0.75 && 0.75 < o.ci95[1]);
    assert_eq!(
        o.shared_inputs,
        vec![designs[0].1.uncertain[0].name.clone()]
    );
    // the TCO difference per draw in closed form (900 x the duration for
    // the baseline, 450 x it plus the infra for the challenger), from the
    // same ranks: the seed's Latin hypercube of one uniform column, each
    // rank through the baseline's law
    let ranks = latin_hypercube(
        7,
        64,
        &[Law::Uniform {
            low: 0.0,
            high: 1.0,
        }],
    );
    let law = Law::LogNormal { p5: 1.0, p95: 4.0 };
    let mut exact: Vec<f64> = (ranks.iter())
        .map(|r| extra - 450.0 * law.quantile(r[0]))
        .collect();
    assert_eq!(exact.iter().filter(|&&x| x < 0.0).count(), 48);
    exact.sort_by(f64::total_cmp);
    // nearest rank: 4th, 32nd and 61st of 64
    let t = &o.tco_difference;
    for (got, want) in [(t.p5, exact[3]), (t.p50, exact[31]), (t.p95, exact[60])] {
        assert!(
            (got - want).abs() < 1e-9 * want.abs().max(1.0),
            "{got} vs {want}"
        );
    }
    // the same design at $12 a year more: worse in every draw, exactly
    let o = &over[1];
    assert_eq!((o.better_draws, o.p_better), (0, 0.0));
    assert_eq!(o.ci95[0], 0.0);
    assert!((o.ci95[1] - (1.0 - 0.025f64.powf(1.0 / 64.0))).abs() < 1e-12);
    assert!(
        (o.tco_difference.p5 - 12.0).abs() < 1e-9 && (o.tco_difference.p95 - 12.0).abs() < 1e-9
    );
}

#[test]
fn the_table_markdown_and_json_give_p_better_with_its_interval() {
    let dir = scratch("compare_draws", "formats");
    let (base, challenger, _) = baseline_and_challenger();
    let (a, b) = (dir.join("a.ron"), dir.join("b.ron"));
    std::fs::write(&a, &base).unwrap();
    std::fs::write(&b, &challenger).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let [lo, hi] = clopper_pearson(48, 64);
    let json = faultline(&["compare", a, b, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let o = &doc["differences"][0]["over_inputs"];
    assert_eq!(o["draws"], 64);
    assert_eq!(o["better_draws"], 48);
    assert_eq!(o["p_better"], 0.75);
    assert_eq!(o["ci95"], serde_json::json!([lo, hi]));
    let line = format!(
        "in 48 of 64 draws (paired draw by draw): P(better) 0.750 [95% CI {lo:.3}, {hi:.3}]"
    );
    let table = faultline(&["compare", a, b, "--draws", "64"]);
    assert!(table.contains(&line), "{table}");
    let html = faultline(&["compare", a, b, "--format", "html"]);
    assert!(html.contains(&line), "{html}");
    // Markdown escapes the brackets
    let markdown = faultline(&["compare", a, b, "--format", "markdown"]);
    let line = line.replace('[', "\\[").replace(']', "\\]");
    assert!(markdown.contains(&line), "{markdown}");
    // fewer draws: the interval widens; 4 draws, one per quarter: 3 better
    let json = faultline(&["compare", a, b, "--format", "json", "--draws", "4"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["differences"][0]["over_inputs"]["better_draws"], 3);
    // designs without uncertain inputs: no draws, no key
    let certain = patched(r#""2h""#, 0.0);
    std::fs::write(dir.join("c.ron"), &certain).unwrap();
    let c = dir.join("c.ron");
    let json = faultline(&[
        "compare",
        c.to_str().unwrap(),
        c.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(!json.contains("over_inputs"), "{json}");
}

#[test]
fn inputs_are_matched_by_name_and_position_whatever_their_order() {
    let failure = |name: &str, every: &str| {
        format!(
            r#"(name: "{name}", on: Service("web"), every: {every}, lasts: Fixed("1h"), cause: Software)"#
        )
    };
    let scenario = |failures: &[String]| {
        format!(
            r#"Scenario(domains: ["aws/r/a"], failures: [{}],
    services: {{ "web": (deployments: [(in: "aws/r/a")]) }})"#,
            failures.join(", ")
        )
    };
    let first = scenario(&[
        failure("x", r#"Between("1y", "2y")"#),
        failure("y", r#"Between("1y", "2y")"#),
    ]);
    // y written another way, a new input z before it, x last
    let second = scenario(&[
        failure("z", r#"Between("1y", "2y")"#),
        failure("y", "Observed(events: 3, years: 5)"),
        failure("x", r#"Between("3y", "9y")"#),
    ]);
    let designs = designs(&[&first, &second]);
    let columns = faultline::uncertainty::paired::match_inputs(&designs);
    assert_eq!(columns, vec![vec![0, 1], vec![2, 1, 0]]);
}

#[test]
fn the_draws_count_against_the_work_limits_and_give_the_same_bytes_for_any_threads() {
    let dir = scratch("compare_draws", "limits");
    let hostile = r#"<script>x</script>|*"#;
    let (base, challenger, _) = baseline_and_challenger();
    let (base, challenger) = (
        base.replace("patch", hostile),
        challenger.replace("patch", hostile),
    );
    let (a, b) = (dir.join("a.ron"), dir.join("b.ron"));
    std::fs::write(&a, &base).unwrap();
    std::fs::write(&b, &challenger).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    // 20 trials of 9 events run at the median inputs; 64 draws of them do not
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["compare", a, b, "--max-events", "1000"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("a.ron"), "{stderr}");
    let one = faultline(&["compare", a, b, "--format", "json", "--threads", "1"]);
    let two = faultline(&["compare", a, b, "--format", "json", "--threads", "2"]);
    assert_eq!(one, two);
    // the input's name, from the file, is inert in every format
    let html = faultline(&["compare", a, b, "--format", "html"]);
    assert!(!html.contains("<script>"));
    assert!(html.contains("alike in both: &lt;script&gt;x&lt;/script&gt;|* lasts Fixed</p>"));
    let markdown = faultline(&["compare", a, b, "--format", "markdown"]);
    assert!(
        markdown.contains("alike in both: &lt;script&gt;x&lt;/script&gt;\\|\\* lasts Fixed"),
        "{markdown}"
    );
}
