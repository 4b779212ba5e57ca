//! The HTML report: self-contained, escaped, deterministic, consistent with
//! the result document, and rendered by a real browser (headless chromium)
//! into a PNG that is not blank.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

use super::support::{self, repo};

const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

/// A fresh scratch folder for test `name`.
fn scratch(name: &str) -> PathBuf {
    support::scratch("report", name)
}

/// Runs faultline from the repository root; returns stdout, checking success.
fn faultline(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run faultline");
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

/// `faultline report SCENARIO --trials 400 -o DIR/NAME ARGS...`, read back.
fn report(scenario: &str, dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = path.to_str().expect("utf-8 path");
    let mut all = vec!["report", scenario, "--trials", "400", "-o", out];
    all.extend_from_slice(args);
    assert_eq!(faultline(&all), "");
    std::fs::read_to_string(&path).expect("the report")
}

#[test]
fn the_report_has_every_section_and_fetches_nothing() {
    let dir = scratch("sections");
    let html = report(EXAMPLE, &dir, "r.html", &[]);
    for heading in [
        "Summary",
        "Loss exceedance curve",
        "Lost hours per year, per service",
        "Failure modes",
        "Dependency graph",
    ] {
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    // one exceedance curve, one histogram per service, one graph
    assert_eq!(html.matches("<polyline").count(), 1);
    assert_eq!(html.matches("<figure>").count(), 4);
    assert_eq!(html.matches("aria-label=\"dependency graph\"").count(), 1);
    // nothing to load: no script, no link, no image, no URL but the SVG namespace
    for forbidden in [
        "<script", "<link", "<img", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    let urls = html.matches("http").count();
    assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
}

#[test]
fn the_report_agrees_with_the_result_document() {
    let dir = scratch("agrees");
    let html = report(EXAMPLE, &dir, "r.html", &[]);
    let json = faultline(&["run", EXAMPLE, "--trials", "400", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let money = |x: &serde_json::Value| faultline::report::money(x.as_f64().expect("number"));
    let web = &doc["services"]["web"];
    let row = format!(
        "<tr><td>web</td><td>{}</td>",
        faultline::report::percent(web["availability"]["mean"].as_f64().expect("number"))
    );
    assert!(html.contains(&row), "{row}");
    assert!(html.contains(&format!(
        "<td>{}</td><td>{}</td></tr>",
        money(&web["cost"]["mean"]),
        money(&web["cost"]["p99"])
    )));
    assert!(html.contains(&format!("p99 {}", money(&doc["cost"]["p99"]))));
    // the p99 mark of the curve sits at the scenario's p99 cost
    assert!(html.contains(&format!(">p99 {}</text>", money(&doc["cost"]["p99"]))));
}

#[test]
fn the_report_is_deterministic_and_run_format_html_writes_the_same_file() {
    let dir = scratch("deterministic");
    let one = report(EXAMPLE, &dir, "one.html", &["--threads", "1"]);
    let two = report(EXAMPLE, &dir, "two.html", &["--threads", "2"]);
    // the report carries no wall-clock time: byte-identical
    assert_eq!(one, two);
    let path = dir.join("run.html");
    let out = path.to_str().expect("utf-8 path");
    faultline(&[
        "run", EXAMPLE, "--trials", "400", "--format", "html", "--output", out,
    ]);
    assert_eq!(std::fs::read_to_string(&path).expect("the report"), one);
}

#[test]
fn names_from_the_scenario_are_escaped() {
    let dir = scratch("escaped");
    let scenario = dir.join("hostile.ron");
    std::fs::write(
        &scenario,
        r#"Scenario(name: "<script>alert(1)</script>", trials: 50, domains: ["aws/r/a"],
        failures: [(name: "<img src=x onerror=alert(2)>", on: EachReplica(), every: Between("20d", "40d"), lasts: Fixed("2h"))],
        services: { "a&b\"'<svg>": (deployments: [(in: "aws/r")], cost: (per_hour: 10)) })"#,
    )
    .expect("write");
    let html = report(scenario.to_str().expect("utf-8"), &dir, "r.html", &[]);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("a&amp;b&quot;&#39;&lt;svg&gt;"));
    // the uncertain `every` makes it a two-level run: the tornado's bar
    // (tooltip and label) names the input escaped
    assert_eq!(html.matches("<g class=\"tornado-bar\">").count(), 1);
    assert!(
        html.contains("<g class=\"tornado-bar\"><title>&lt;img src=x onerror=alert(2)&gt; every: ")
    );
    assert!(html.contains(">&lt;img src=x onerror=alert(2)&gt; every</text>"));
}

#[test]
fn the_tornado_has_one_bar_per_input_in_swing_order() {
    let dir = scratch("tornado");
    let path = dir.join("uncertain.html");
    let scenario = "scenarios/shop-uncertain.ron";
    let few = ["--trials", "400", "--draws", "8"];
    let out = path.to_str().expect("utf-8 path");
    let mut args = vec!["run", scenario, "--format", "html", "--output", out];
    args.extend_from_slice(&few);
    assert_eq!(faultline(&args), "");
    let html = std::fs::read_to_string(&path).expect("the report");
    let mut args = vec!["run", scenario, "--format", "json"];
    args.extend_from_slice(&few);
    let doc: serde_json::Value = serde_json::from_str(&faultline(&args)).expect("json");
    let entries = doc["sensitivity"].as_array().expect("sensitivity");
    assert_eq!(
        entries.len(),
        doc["uncertainty"]["inputs"]
            .as_array()
            .expect("inputs")
            .len()
    );
    let money = |x: &serde_json::Value| faultline::report::money(x.as_f64().expect("number"));
    // the bars in the document's order, which is by swing, largest first
    let bars: Vec<&str> = html.split("<g class=\"tornado-bar\">").skip(1).collect();
    assert_eq!(bars.len(), entries.len());
    let swings: Vec<f64> = entries
        .iter()
        .map(|e| e["swing"].as_f64().expect("swing"))
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    for (bar, e) in bars.iter().zip(entries) {
        let name = e["input"].as_str().expect("name");
        assert!(
            bar.starts_with(&format!("<title>{name}: ")),
            "{name}: {bar}"
        );
        // each estimate with its interval, or marked rare beside its bound
        let interval = |key: &str| match e[format!("{key}_ci95")].as_array() {
            Some(ci) => format!("{} [{} - {}]", money(&e[key]), money(&ci[0]), money(&ci[1])),
            None => {
                assert!(e.get(format!("{key}_rare")).is_some(), "{key}: {e}");
                format!("~{} rare", money(&e[key]))
            }
        };
        let tooltip = format!(
            "mean cost {} at p5, {} at p95, swing {}</title>",
            interval("cost_at_low"),
            interval("cost_at_high"),
            interval("swing")
        );
        assert!(bar.contains(&tooltip), "{tooltip}: {bar}");
        assert!(bar.contains(&format!(">swing {}</text></g>", interval("swing"))));
        // two bars: one to the cost at p5, one to the cost at p95
        assert_eq!(
            bar.split("</g>")
                .next()
                .expect("bar")
                .matches("<rect")
                .count(),
            2
        );
    }
    // the centre: the median over the draws of the mean cost
    let centre = money(&doc["uncertainty"]["cost"]["p50"]);
    assert!(html.contains(&format!("the mean cost ({centre}, dashed)")));
}

/// The failure-modes row of failure `name` (its `<tr>` line).
fn failure_row<'a>(html: &'a str, name: &str) -> &'a str {
    let start = format!("<tr><td>{name}");
    (html.lines())
        .find(|l| {
            l.strip_prefix(&start)
                .is_some_and(|rest| rest.starts_with([' ', '<']))
        })
        .unwrap_or_else(|| panic!("no row for {name}: {html}"))
}

#[test]
fn a_tagged_failure_shows_the_providers_it_spans_and_a_third_party_is_named() {
    let dir = scratch("shared-fate");
    let html = report(
        "scenarios/security-agent-update.ron",
        &dir,
        "agent.html",
        &[],
    );
    let row = failure_row(&html, "security agent update");
    assert!(row.contains("(shared fate across aws, azure)"), "{row}");
    // a failure of one region is not shared
    assert!(!failure_row(&html, "eastus region outage").contains("shared fate"));
    assert!(html.contains(
        "<li>Shared fate: <b>security agent update</b> takes down web, api at once, across providers aws, azure.</li>"
    ));
    let html = report(
        "scenarios/shop-two-providers-shared-dns.ron",
        &dir,
        "dns.html",
        &[],
    );
    let row = failure_row(&html, "dns/cdn provider outage");
    assert!(row.contains("(shared fate across aws, gcp)"), "{row}");
    assert!(html.contains("<b>dns</b> is a third party (dnsco), shared by aws, gcp."));
    assert!(
        html.contains("stroke=\"#8250df\" stroke-width=\"3\""),
        "the third party's border"
    );
}

#[test]
fn a_control_plane_failure_is_labelled_as_such() {
    let dir = scratch("control-plane");
    let html = report("scenarios/aws-us-east-1-2025.ron", &dir, "r.html", &[]);
    let row = failure_row(&html, "us-east-1 control plane");
    assert!(
        row.contains("(control plane: holds recovery, takes nothing down)"),
        "{row}"
    );
    assert!(!failure_row(&html, "us-east-1 region outage").contains("control plane"));
}

const AUTO_FAILOVER: &str = "scenarios/shop-two-regions-auto-failover.ron";

/// `faultline compare DESIGNS --trials 400 --format html -o DIR/NAME`, read back.
fn compare_html(designs: &[&str], dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = path.to_str().expect("utf-8 path");
    let mut all = vec!["compare"];
    all.extend_from_slice(designs);
    all.extend_from_slice(&["--trials", "400", "--format", "html", "--output", out]);
    all.extend_from_slice(args);
    assert_eq!(faultline(&all), "");
    std::fs::read_to_string(&path).expect("the page")
}

/// The two-regions example against its automated failover, as HTML.
fn compare_page(dir: &Path, name: &str, args: &[&str]) -> String {
    compare_html(&[EXAMPLE, AUTO_FAILOVER], dir, name, args)
}

#[test]
fn the_compare_page_has_every_section_and_fetches_nothing() {
    let dir = scratch("compare-sections");
    let html = compare_page(&dir, "c.html", &[]);
    for heading in ["Designs", "Total cost of ownership", "Paired differences"] {
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    // one chart: two bars (infra, loss) per design, one whisker per later design
    assert_eq!(html.matches("aria-label=\"TCO per design\"").count(), 1);
    assert_eq!(html.matches("<rect").count(), 4);
    assert_eq!(
        html.matches("paired 95% CI of the TCO difference").count(),
        1
    );
    assert_eq!(
        html.matches(&format!(
            "<h3><code>{AUTO_FAILOVER}</code> against <code>{EXAMPLE}</code>: better</h3>"
        ))
        .count(),
        1
    );
    for forbidden in [
        "<script", "<link", "<img", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    let urls = html.matches("http").count();
    assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
}

/// Money as the comparison writes a difference: `+` on positive values.
fn signed(x: f64) -> String {
    let text = faultline::report::money(x);
    if x > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

#[test]
fn the_compare_page_agrees_with_the_comparison_document() {
    let dir = scratch("compare-agrees");
    let html = compare_page(&dir, "c.html", &[]);
    let json = faultline(&[
        "compare",
        EXAMPLE,
        AUTO_FAILOVER,
        "--trials",
        "400",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    let number = |x: &serde_json::Value| x.as_f64().expect("number");
    let money = |x: &serde_json::Value| faultline::report::money(number(x));
    let designs = doc["designs"].as_array().expect("designs");
    assert_eq!(designs.len(), 2);
    // the designs side by side: one row per measure, one column per design
    let row = |measure: &str, cell: &dyn Fn(&serde_json::Value) -> String| {
        let cells: String = designs
            .iter()
            .map(|d| format!("<td>{}</td>", cell(d)))
            .collect();
        format!("<tr><td>{measure}</td>{cells}</tr>")
    };
    for (measure, key) in [
        ("loss/yr", "annual_loss"),
        ("p99 loss/yr", "p99_annual_loss"),
        ("infra/yr", "infra_cost"),
        ("TCO/yr", "tco"),
    ] {
        let expected = row(measure, &|d| money(&d[key]));
        assert!(html.contains(&expected), "{expected}");
    }
    let web = row("web avail", &|d| {
        faultline::report::percent(number(&d["services"]["web"]["availability"]))
    });
    assert!(html.contains(&web), "{web}");
    // the paired difference of the TCO, its intervals, P(better) and verdict
    let tco = &doc["differences"][0]["tco"];
    let ci = |key: &str| {
        format!(
            "[{}, {}]",
            signed(number(&tco[key][0])),
            signed(number(&tco[key][1]))
        )
    };
    let expected = format!(
        "<tr><td>TCO/yr</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>better</td></tr>",
        signed(number(&tco["mean"])),
        ci("ci95"),
        ci("unpaired_ci95"),
        number(&tco["p_better"])
    );
    assert_eq!(tco["verdict"], "better");
    assert!(html.contains(&expected), "{expected}");
    let reduction = number(&tco["variance_reduction"]);
    assert!(reduction > 1.0);
    assert!(html.contains(&format!("is {reduction:.1}x smaller")));
    // the whisker spans the paired CI, drawn at the first design's TCO
    assert!(html.contains(&format!(
        "paired 95% CI of the TCO difference: {}",
        ci("ci95")
    )));
}

#[test]
fn the_compare_page_is_the_same_for_any_thread_count() {
    let dir = scratch("compare-deterministic");
    let one = compare_page(&dir, "one.html", &["--threads", "1"]);
    let two = compare_page(&dir, "two.html", &["--threads", "2"]);
    assert_eq!(one, two);
}

#[test]
fn names_from_the_compared_scenarios_are_escaped() {
    let dir = scratch("compare-escaped");
    let design = |file: &str, name: &str, every: &str| {
        let path = dir.join(file);
        std::fs::write(
            &path,
            format!(
                r#"Scenario(name: "{name}", trials: 50, domains: ["aws/r/a"],
                failures: [(name: "host", on: EachReplica(), every: "{every}", lasts: Fixed("2h"))],
                services: {{ "a&b\"'<svg>": (deployments: [(in: "aws/r")], cost: (per_hour: 10)) }})"#
            ),
        )
        .expect("write");
        path.to_str().expect("utf-8").to_string()
    };
    let a = design("a&<b>.ron", "<script>alert(1)</script>", "30d");
    let b = design("b.ron", "<img src=x onerror=alert(2)>", "60d");
    let html = compare_html(&[&a, &b], &dir, "c.html", &[]);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("a&amp;&lt;b&gt;.ron"));
    assert!(html.contains("<td>a&amp;b&quot;&#39;&lt;svg&gt; avail</td>"));
}

/// The chromium binary, if installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        let out = Process::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()?;
        let path = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !path.trim().is_empty()).then(|| PathBuf::from(path.trim()))
    })
}

fn headless(browser: &Path, profile: &Path) -> Process {
    let mut cmd = Process::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn a_headless_browser_renders_the_report_into_a_picture_that_is_not_blank() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("FAULTLINE_REQUIRE_BROWSER").is_none(),
            "FAULTLINE_REQUIRE_BROWSER is set but chromium is not installed"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium; .ci/run does)");
        return;
    };
    let dir = scratch("browser");
    report(EXAMPLE, &dir, "r.html", &[]);
    let (distinct, ink, dom) = render_in(&browser, &dir, "r.html");
    // text, a red curve, blue bars and green-to-red nodes: many colours, much ink
    assert!(distinct > 100, "only {distinct} distinct colours");
    assert!(
        ink > 0.03,
        "only {:.1}% of the pixels are not white",
        ink * 100.0
    );
    for heading in [
        "Summary",
        "Loss exceedance curve",
        "Failure modes",
        "Dependency graph",
    ] {
        assert!(dom.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    // the page of a comparison: tables, grey and red bars, black whiskers
    compare_page(&dir, "c.html", &[]);
    let (distinct, ink, dom) = render_in(&browser, &dir, "c.html");
    assert!(distinct > 100, "only {distinct} distinct colours");
    assert!(
        ink > 0.03,
        "only {:.1}% of the pixels are not white",
        ink * 100.0
    );
    for heading in ["Designs", "Total cost of ownership", "Paired differences"] {
        assert!(dom.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
}

/// Renders DIR/NAME headless: the screenshot's distinct colours and share
/// of ink, and the DOM the browser built.
fn render_in(browser: &Path, dir: &Path, name: &str) -> (usize, f64, String) {
    let url = format!("file://{}", dir.join(name).display());
    let png = dir.join(format!("{name}.png"));
    let status = headless(browser, &dir.join("profile"))
        .arg(format!("--screenshot={}", png.display()))
        .args(["--window-size=1200,2000", &url])
        .output()
        .expect("start chromium");
    assert!(status.status.success(), "{status:?}");
    let (distinct, ink) = picture(&png);
    let dom = headless(browser, &dir.join("profile"))
        .args(["--dump-dom", &url])
        .output()
        .expect("start chromium");
    assert!(dom.status.success(), "{dom:?}");
    (
        distinct,
        ink,
        String::from_utf8_lossy(&dom.stdout).into_owned(),
    )
}

/// The number of distinct RGB colours of a PNG, and the share of its pixels
/// that are not white.
fn picture(path: &Path) -> (usize, f64) {
    let file = std::fs::File::open(path).expect("the screenshot exists");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buffer).expect("a frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels = &buffer[..info.buffer_size()];
    let mut colours = std::collections::BTreeSet::new();
    let mut ink = 0usize;
    let mut total = 0usize;
    for p in pixels.chunks_exact(channels) {
        colours.insert((p[0], p[1], p[2]));
        ink += usize::from(p[..3] != [255, 255, 255]);
        total += 1;
    }
    (colours.len(), ink as f64 / total.max(1) as f64)
}

#[test]
fn a_run_past_the_progress_delay_prints_nothing_without_a_terminal() {
    // grow the run until it lasts well past the one-second delay of the bar
    let mut trials = 4000u64;
    loop {
        let started = std::time::Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .current_dir(repo(""))
            .args([
                "run",
                EXAMPLE,
                "--format",
                "json",
                "--trials",
                &trials.to_string(),
            ])
            .output()
            .expect("run faultline");
        let elapsed = started.elapsed().as_secs_f64();
        assert!(output.status.success(), "{output:?}");
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if elapsed > 1.5 || trials > 1_000_000 {
            assert!(elapsed > 1.5, "the run never lasted past the delay");
            break;
        }
        trials *= 4;
    }
}
