//! The HTML report: self-contained, escaped, deterministic, consistent with
//! the result document, and rendered by a real browser (headless chromium)
//! into a PNG that is not blank.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

use super::support::repo;

const EXAMPLE: &str = "scenarios/shop-two-regions.ron";

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
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
        failures: [(name: "<img src=x onerror=alert(2)>", on: EachReplica(), every: "30d", lasts: Fixed("2h"))],
        services: { "a&b\"'<svg>": (deployments: [(in: "aws/r")], cost: (per_hour: 10)) })"#,
    )
    .expect("write");
    let html = report(scenario.to_str().expect("utf-8"), &dir, "r.html", &[]);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("a&amp;b&quot;&#39;&lt;svg&gt;"));
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
    let url = format!("file://{}", dir.join("r.html").display());
    let png = dir.join("r.png");
    let status = headless(&browser, &dir.join("profile"))
        .arg(format!("--screenshot={}", png.display()))
        .args(["--window-size=1200,2000", &url])
        .output()
        .expect("start chromium");
    assert!(status.status.success(), "{status:?}");
    let (distinct, ink) = picture(&png);
    // text, a red curve, blue bars and green-to-red nodes: many colours, much ink
    assert!(distinct > 100, "only {distinct} distinct colours");
    assert!(
        ink > 0.03,
        "only {:.1}% of the pixels are not white",
        ink * 100.0
    );
    let dom = headless(&browser, &dir.join("profile"))
        .args(["--dump-dom", &url])
        .output()
        .expect("start chromium");
    assert!(dom.status.success(), "{dom:?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    for heading in [
        "Summary",
        "Loss exceedance curve",
        "Failure modes",
        "Dependency graph",
    ] {
        assert!(dom.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
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
