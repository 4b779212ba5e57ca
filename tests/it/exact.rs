//! Exact-answer tests: each modelling feature's simulated mean against a closed
//! form or a simple independent computation, within 4 standard errors plus a
//! small model slack, with a fixed seed.
//!
//! Most processes here have exponential up and down times, so the probability
//! that a component is down at time t, starting up at 0, is exactly
//! `p(t) = l / (l + m) * (1 - exp(-(l + m) t))` with rates `l = 1/every` and
//! `m = 1/mean_down`; the expected lost hours of a structure are then the
//! integral over the horizon of its unavailability, computed numerically.

use super::support::run;
use faultline::stats::{Distribution, RunResult};

pub const HORIZON: f64 = 8760.0;

/// Probability that an Exp/Exp component is down at time `t`.
pub fn p_down(every: f64, mean_down: f64, t: f64) -> f64 {
    let (l, m) = (1.0 / every, 1.0 / mean_down);
    l / (l + m) * (1.0 - (-(l + m) * t).exp())
}

/// Simpson's rule over [0, HORIZON].
pub fn integrate(f: impl Fn(f64) -> f64) -> f64 {
    let n = 20_000;
    let h = HORIZON / n as f64;
    let mut sum = f(0.0) + f(HORIZON);
    for i in 1..n {
        sum += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

/// Standard error of a mean, recovered from its 95% CI.
pub fn std_error(d: &Distribution) -> f64 {
    (d.ci95.unwrap()[1] - d.ci95.unwrap()[0]) / (2.0 * 1.959_963_984_540_054)
}

/// Asserts a simulated mean is within 4 standard errors plus `slack` (relative) of `exact`.
pub fn assert_close(what: &str, simulated: &Distribution, exact: f64, slack: f64) {
    let tolerance = 4.0 * std_error(simulated) + slack * exact.abs();
    let error = (simulated.mean - exact).abs();
    assert!(
        error <= tolerance,
        "{what}: simulated {} vs exact {exact} (error {error}, tolerance {tolerance})",
        simulated.mean
    );
    assert!(
        std_error(simulated) > 0.0 || exact == 0.0,
        "{what}: no spread, the test is too weak"
    );
}

pub fn lost(result: &RunResult, service: &str) -> Distribution {
    result.services[service].lost_hours
}

fn scenario(domains: &str, failures: &str, services: &str) -> String {
    format!(
        r#"Scenario(name: "exact", horizon: "8760h", trials: 4000, seed: 7,
            domains: [{domains}], failures: [{failures}], services: {{ {services} }})"#
    )
}

#[test]
fn one_replica_matches_mttf_over_mttf_plus_mttr() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "8h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")])"#,
    );
    let r = run(&text, 4000, 1);
    let exact = integrate(|t| p_down(200.0, 8.0, t));
    assert_close("lost hours", &lost(&r, "web"), exact, 0.0);
    let a = r.services["web"].availability.mean;
    let steady = 200.0 / 208.0;
    assert!(
        (a - steady).abs() < 0.002,
        "availability {a} vs MTTF/(MTTF+MTTR) {steady}"
    );
    // With a single component, full outages are the failures: downtime equals lost hours.
    assert_eq!(r.services["web"].downtime_hours.mean, lost(&r, "web").mean);
}

#[test]
fn two_of_three_quorum_matches_binomial_availability() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "host", on: EachReplica(), every: "100h", lasts: Exp(mean: "20h"), cause: Hardware)"#,
        r#""db": (deployments: [(in: "aws/r/a", replicas: 3, need: 2)])"#,
    );
    let r = run(&text, 4000, 2);
    let exact = integrate(|t| {
        let p = p_down(100.0, 20.0, t);
        // down when at least two of three replicas are down
        3.0 * p * p * (1.0 - p) + p * p * p
    });
    assert_close("quorum lost hours", &lost(&r, "db"), exact, 0.0);
}

#[test]
fn series_hard_dependency_multiplies_availabilities() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "web host", on: EachReplica(of: "web"), every: "300h", lasts: Exp(mean: "6h"), cause: Hardware),
           (name: "db host", on: EachReplica(of: "db"), every: "150h", lasts: Exp(mean: "10h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")], depends_on: { "db": Hard }),
           "db": (deployments: [(in: "aws/r/a")])"#,
    );
    let r = run(&text, 4000, 3);
    let exact = integrate(|t| 1.0 - (1.0 - p_down(300.0, 6.0, t)) * (1.0 - p_down(150.0, 10.0, t)));
    assert_close("web lost hours", &lost(&r, "web"), exact, 0.0);
    assert_close(
        "db lost hours",
        &lost(&r, "db"),
        integrate(|t| p_down(150.0, 10.0, t)),
        0.0,
    );
}

#[test]
fn replicas_in_two_zones_fail_only_when_both_sides_are_down() {
    let text = scenario(
        r#""aws/r/a", "aws/r/b""#,
        r#"(name: "zone", on: EachZone(), every: "400h", lasts: Exp(mean: "40h"), cause: Power),
           (name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "20h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: 2, need: 1)])"#,
    );
    let r = run(&text, 4000, 4);
    let exact = integrate(|t| {
        let zone = p_down(400.0, 40.0, t);
        let host = p_down(200.0, 20.0, t);
        let side = 1.0 - (1.0 - zone) * (1.0 - host);
        side * side
    });
    assert_close("two-zone lost hours", &lost(&r, "web"), exact, 0.0);
}

#[test]
fn nested_zone_region_and_provider_outages_all_take_a_replica_down() {
    let text = scenario(
        r#""aws/r1/a", "aws/r1/b", "aws/r2/a", "gcp/x/a""#,
        r#"(name: "zone", on: EachZone(under: "aws"), every: "500h", lasts: Exp(mean: "5h"), cause: Power),
           (name: "region", on: EachRegion(), every: "1000h", lasts: Exp(mean: "10h"), cause: Software),
           (name: "provider", on: EachProvider(), every: "2000h", lasts: Exp(mean: "20h"), cause: Network),
           (name: "other zone", on: Domain("aws/r1/b"), every: "10h", lasts: Exp(mean: "10h"), cause: Power)"#,
        r#""web": (deployments: [(in: "aws/r1", zones: ["a"])])"#,
    );
    let r = run(&text, 4000, 5);
    let exact = integrate(|t| {
        let up = (1.0 - p_down(500.0, 5.0, t))
            * (1.0 - p_down(1000.0, 10.0, t))
            * (1.0 - p_down(2000.0, 20.0, t));
        1.0 - up
    });
    assert_close("nested lost hours", &lost(&r, "web"), exact, 0.0);
    // a sibling zone's outages never touch it
    assert_eq!(r.failures["other zone"].lost_hours.mean, 0.0);
}

#[test]
fn lognormal_durations_given_as_median_and_p90_have_the_lognormal_mean() {
    // median 5h, p90 20h: sigma = ln(4) / z90, mean = median * exp(sigma^2 / 2).
    let sigma = 4.0f64.ln() / 1.281_551_565_544_600_4;
    let mean_down = 5.0 * (sigma * sigma / 2.0).exp();
    let text = r#"Scenario(name: "lognormal", horizon: "100y", trials: 400, seed: 7, domains: ["aws/r/a"],
            failures: [(name: "host", on: EachReplica(), every: "100h", lasts: LogNormal(median: "5h", p90: "20h"), cause: Hardware)],
            services: { "web": (deployments: [(in: "aws/r/a")]) })"#;
    let r = run(text, 400, 6);
    let availability = r.services["web"].availability;
    // long-run fraction down of an alternating renewal process: E[D] / (E[U] + E[D])
    let exact = 100.0 / (100.0 + mean_down);
    let se = (availability.ci95.unwrap()[1] - availability.ci95.unwrap()[0]) / (2.0 * 1.96);
    let slack = 0.001 * (1.0 - exact); // the start-up transient over a 100-year horizon
    assert!(
        (availability.mean - exact).abs() <= 4.0 * se + slack,
        "availability {} vs exact {exact} (se {se})",
        availability.mean
    );
}

#[test]
fn soft_dependency_degrades_by_its_impact_and_costs_per_lost_hour() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "recs host", on: EachReplica(of: "recs"), every: "100h", lasts: Exp(mean: "10h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")], depends_on: { "recs": Soft(impact: 0.3) }, cost: (per_hour: 1000)),
           "recs": (deployments: [(in: "aws/r/a")])"#,
    );
    let r = run(&text, 4000, 8);
    let recs_down = integrate(|t| p_down(100.0, 10.0, t));
    assert_close("web lost hours", &lost(&r, "web"), 0.3 * recs_down, 0.0);
    let web = &r.services["web"];
    // every hour recs is down, web is degraded (at 0.7), never fully down
    assert_eq!(web.downtime_hours.mean, 0.0);
    assert!((web.degraded_hours.mean - r.services["recs"].downtime_hours.mean).abs() < 1e-9);
    assert!((web.cost.mean - 1000.0 * web.lost_hours.mean).abs() < 1e-6 * web.cost.mean);
    assert_close("web cost", &web.cost, 1000.0 * 0.3 * recs_down, 0.0);
}

/// Lost hours of a two-deployment ActiveActive service whose first deployment
/// alone fails (Exp/Exp): it keeps half the traffic (lost) for the shift, then
/// the other serves all. Per outage 0.5 * min(D, shift); outages start at rate
/// l while up: E[L] = 0.5 * l * (H - E[down]) * E[min(D, shift)].
fn shift_lost_hours(every: f64, mean_down: f64, shift: f64) -> f64 {
    let down = integrate(|t| p_down(every, mean_down, t));
    let e_min = mean_down * (1.0 - (-shift / mean_down).exp());
    0.5 / every * (HORIZON - down) * e_min
}

#[test]
fn active_active_loses_half_the_traffic_until_the_shift_completes() {
    // Only zone a fails. While it is down, its deployment keeps half the
    // traffic (lost) for the shift, then the other deployment serves all.
    // Lost hours per outage: 0.5 * min(D, shift); outages start at rate l
    // while up: E[L] = 0.5 * l * (H - E[down]) * E[min(D, shift)].
    let text = scenario(
        r#""aws/r/a", "aws/r/b""#,
        r#"(name: "zone a", on: Domain("aws/r/a"), every: "50h", lasts: Exp(mean: "1h"), cause: Power)"#,
        r#""web": (deployments: [(in: "aws/r", zones: ["a"]), (in: "aws/r", zones: ["b"])], routing: ActiveActive(shift: "30m"))"#,
    );
    let r = run(&text, 4000, 9);
    let exact = shift_lost_hours(50.0, 1.0, 0.5);
    assert_close("active-active lost hours", &lost(&r, "web"), exact, 0.002);
    assert_eq!(
        r.services["web"].downtime_hours.mean, 0.0,
        "one side is always up"
    );
}

/// For ActivePassive / Manual with only the primary failing (Exp(m) outages)
/// and a failover delay T: each outage costs min(D, T) and ends in a switch to
/// the never-failing secondary when D > T, after which nothing is lost (no
/// failback). By Wald's identity E[L] = m (1 - phi) / phi, phi = E[exp(-T/m)].
fn failover_lost_hours(m: f64, phi: f64) -> f64 {
    m * (1.0 - phi) / phi
}

#[test]
fn active_passive_fails_over_after_detect_plus_switch_and_never_fails_back() {
    let text = scenario(
        r#""aws/r/a", "aws/r/b""#,
        r#"(name: "zone a", on: Domain("aws/r/a"), every: "100h", lasts: Exp(mean: "1h"), cause: Power)"#,
        r#""db": (deployments: [(in: "aws/r", zones: ["a"]), (in: "aws/r", zones: ["b"])],
                  routing: ActivePassive(detect: Exp(mean: "15m"), switch: Fixed("15m")))"#,
    );
    let r = run(&text, 4000, 10);
    let m = 1.0;
    let phi = 1.0 / (1.0 + 0.25 / m) * (-0.25f64 / m).exp();
    assert_close(
        "active-passive lost hours",
        &lost(&r, "db"),
        failover_lost_hours(m, phi),
        0.002,
    );
}

#[test]
fn manual_failover_waits_one_human_response() {
    let text = scenario(
        r#""aws/r/a", "aws/r/b""#,
        r#"(name: "zone a", on: Domain("aws/r/a"), every: "100h", lasts: Exp(mean: "2h"), cause: Power)"#,
        r#""db": (deployments: [(in: "aws/r", zones: ["a"]), (in: "aws/r", zones: ["b"])],
                  routing: Manual(respond: Fixed("1h")))"#,
    );
    let r = run(&text, 4000, 11);
    let m = 2.0;
    let phi = (-1.0f64 / m).exp();
    assert_close(
        "manual lost hours",
        &lost(&r, "db"),
        failover_lost_hours(m, phi),
        0.002,
    );
}

#[test]
fn cost_is_per_hour_times_lost_hours_and_the_scenario_cost_is_their_sum() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "5h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")], depends_on: { "api": Hard }, cost: (per_hour: 5000)),
           "api": (deployments: [(in: "aws/r/a")], cost: (per_hour: 1000))"#,
    );
    let r = run(&text, 2000, 12);
    for (name, per_hour) in [("web", 5000.0), ("api", 1000.0)] {
        let s = &r.services[name];
        assert!((s.cost.mean - per_hour * s.lost_hours.mean).abs() <= 1e-9 * s.cost.mean);
        assert!((s.cost.p99 - per_hour * s.lost_hours.p99).abs() <= 1e-9 * s.cost.p99.max(1.0));
    }
    let total = r.services["web"].cost.mean + r.services["api"].cost.mean;
    assert!((r.cost.mean - total).abs() <= 1e-9 * total);
    let web_down = integrate(|t| 1.0 - (1.0 - p_down(200.0, 5.0, t)).powi(2));
    let api_down = integrate(|t| p_down(200.0, 5.0, t));
    assert_close(
        "scenario cost",
        &r.cost,
        5000.0 * web_down + 1000.0 * api_down,
        0.0,
    );
}

#[test]
fn attributions_add_up_to_the_lost_hours_and_costs() {
    // every example: capacity short of demand, collapses, failovers, data
    // loss, SLA credits, traffic curves, recovery cycles; the failures and
    // `unattributed` add up to the lost hours and to the scenario's cost
    // (downtime, data loss and credits), and the causes to the failures
    for path in super::results::scenario_files() {
        let file = path.display();
        let read = |p: &std::path::Path| std::fs::read(p);
        let model = faultline::scenario::load_path(&path, "example.ron", &read, &[])
            .unwrap_or_else(|e| panic!("{file}: {e:?}"))
            .model;
        let options = faultline::montecarlo::RunOptions {
            trials: Some(1000),
            seed: Some(13),
            ..faultline::montecarlo::RunOptions::default()
        };
        let r = faultline::montecarlo::run(&model, &options).expect("run");
        let lost: f64 = r.services.values().map(|s| s.lost_hours.mean).sum();
        let attributed: f64 = r.failures.values().map(|f| f.lost_hours.mean).sum::<f64>()
            + r.unattributed.lost_hours.mean;
        assert!(
            (lost - attributed).abs() <= 1e-9 * lost.max(1.0),
            "{file}: {lost} vs {attributed}"
        );
        let cost: f64 =
            r.failures.values().map(|f| f.cost.mean).sum::<f64>() + r.unattributed.cost.mean;
        assert!(
            (r.cost.mean - cost).abs() <= 1e-9 * cost.max(1.0),
            "{file}: {} vs {cost}",
            r.cost.mean
        );
        let by_cause: f64 = r.causes.values().map(|c| c.cost.mean).sum();
        let by_failure: f64 = r.failures.values().map(|f| f.cost.mean).sum();
        assert!(
            (by_cause - by_failure).abs() <= 1e-9 * by_failure.max(1.0),
            "{file}: {by_cause} vs {by_failure}"
        );
        for (name, c) in &r.causes {
            let of_cause = r
                .failures
                .values()
                .filter(|f| format!("{:?}", f.cause) == *name);
            let occurrences: f64 = of_cause.map(|f| f.occurrences.mean).sum();
            assert!((c.occurrences.mean - occurrences).abs() <= 1e-9 * occurrences.max(1.0));
        }
    }
}

#[test]
fn attributions_add_up_when_dependents_reuse_a_dependencys_culprits() {
    // a diamond under one zone: a zone outage takes every service down over
    // the same window (dependents reuse their dependencies' culprits), host
    // failures give each service windows of its own (they walk instead)
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "zone", on: EachZone(), every: "500h", lasts: Exp(mean: "3h"), cause: Power),
           (name: "host", on: EachReplica(), every: "300h", lasts: Exp(mean: "4h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")], depends_on: { "left": Hard, "right": Hard }, cost: (per_hour: 100)),
           "left": (deployments: [(in: "aws/r/a")], depends_on: { "db": Hard }),
           "right": (deployments: [(in: "aws/r/a")], depends_on: { "db": Hard }),
           "db": (deployments: [(in: "aws/r/a")])"#,
    );
    let r = run(&text, 2000, 15);
    let lost: f64 = r.services.values().map(|s| s.lost_hours.mean).sum();
    let attributed: f64 = r.failures.values().map(|f| f.lost_hours.mean).sum();
    assert!(
        (lost - attributed).abs() <= 1e-9 * lost,
        "{lost} vs {attributed}"
    );
    let cost: f64 = r.failures.values().map(|f| f.cost.mean).sum();
    assert!(
        (r.cost.mean - cost).abs() <= 1e-9 * cost,
        "{} vs {cost}",
        r.cost.mean
    );
    assert_eq!(r.failures["zone"].blast_radius.services_max, 4);
    // a zone outage's loss is the zone's alone: 4 services x its hours,
    // less the hours a host failure shares with it
    let zone = r.failures["zone"].lost_hours.mean;
    let zone_hours = 4.0 * integrate(|t| p_down(500.0, 3.0, t));
    assert!(
        zone > 0.5 * zone_hours && zone <= zone_hours * 1.05,
        "{zone} vs {zone_hours}"
    );
}

#[test]
fn a_zone_outage_under_a_single_zone_stack_hits_every_service() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "zone", on: EachZone(), every: "1000h", lasts: Exp(mean: "3h"), cause: Power)"#,
        r#""web": (deployments: [(in: "aws/r/a")], depends_on: { "api": Hard }),
           "api": (deployments: [(in: "aws/r/a")], depends_on: { "db": Hard }),
           "db": (deployments: [(in: "aws/r/a")])"#,
    );
    let r = run(&text, 2000, 14);
    let zone = &r.failures["zone"];
    assert_eq!(zone.blast_radius.services_mean, 3.0);
    assert_eq!(zone.blast_radius.services_max, 3);
    let exact_occurrences = integrate(|t| 1.0 - p_down(1000.0, 3.0, t)) / 1000.0;
    let occurrences = zone.occurrences.mean;
    assert!(
        (occurrences - exact_occurrences).abs() < 0.05 * exact_occurrences,
        "{occurrences} vs {exact_occurrences}"
    );
}

#[test]
fn confidence_intervals_cover_the_exact_mean_about_95_percent_of_the_time() {
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "host", on: EachReplica(), every: "300h", lasts: Exp(mean: "10h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a")])"#,
    );
    let exact = integrate(|t| p_down(300.0, 10.0, t));
    let runs = 300;
    let covered = (0..runs)
        .filter(|&seed| {
            let d = lost(&run(&text, 200, 1000 + seed), "web");
            d.ci95.unwrap()[0] <= exact && exact <= d.ci95.unwrap()[1]
        })
        .count();
    let rate = covered as f64 / runs as f64;
    // binomial sd at 95% over 300 runs is 1.3%: allow about 3.5 sd either side
    assert!((0.90..=0.995).contains(&rate), "coverage {rate}");
}

#[test]
fn a_deployment_uses_the_same_region_deployment_of_an_active_active_dependency() {
    // api's deployment in r1 fails (zone r1/a); web's deployment in r1 (zone
    // r1/b) reads that deployment's fraction (locality), so it falls to 0 too
    // and web loses 0.5 * min(D, shift) per outage, as in the shift test.
    // Reading api's service fraction instead would never take web-r1 to 0.
    let text = scenario(
        r#""aws/r1/a", "aws/r1/b", "aws/r2/a""#,
        r#"(name: "zone r1/a", on: Domain("aws/r1/a"), every: "50h", lasts: Exp(mean: "1h"), cause: Power)"#,
        r#""web": (deployments: [(in: "aws/r1", zones: ["b"]), (in: "aws/r2", zones: ["a"])],
                   routing: ActiveActive(shift: "30m"), depends_on: { "api": Hard }),
           "api": (deployments: [(in: "aws/r1", zones: ["a"]), (in: "aws/r2", zones: ["a"])],
                   routing: ActiveActive(shift: "5m"))"#,
    );
    let r = run(&text, 4000, 15);
    let exact = shift_lost_hours(50.0, 1.0, 0.5);
    assert_close(
        "web lost hours with locality",
        &lost(&r, "web"),
        exact,
        0.002,
    );
}

/// Asserts an attributed mean with its CI is within 4 standard errors plus
/// `slack` (relative) of `exact`.
fn assert_estimate_close(what: &str, e: &faultline::stats::Estimate, exact: f64, slack: f64) {
    let se = (e.ci95.unwrap()[1] - e.ci95.unwrap()[0]) / (2.0 * 1.959_963_984_540_054);
    let tolerance = 4.0 * se + slack * exact.abs();
    assert!(
        (e.mean - exact).abs() <= tolerance && se > 0.0,
        "{what}: {} vs exact {exact} (tolerance {tolerance})",
        e.mean
    );
}

#[test]
fn capacity_a_replica_failure_takes_is_attributed_to_it() {
    // one deployment of 2 replicas, need 1, capacity 1.0: one replica down
    // serves 0.5, both down 0, so the lost rate is 0.5 * 2p(1 - p) + p^2 = p
    // for each replica down with probability p. Everything up serves 100%:
    // nothing is unattributed, and every host failure costs web something.
    let text = scenario(
        r#""aws/r/a""#,
        r#"(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "10h"), cause: Hardware)"#,
        r#""web": (deployments: [(in: "aws/r/a", replicas: 2, need: 1, capacity: 1.0)],
                   cost: (per_hour: 100))"#,
    );
    let r = run(&text, 4000, 31);
    let exact = integrate(|t| p_down(200.0, 10.0, t));
    assert_close("lost hours", &lost(&r, "web"), exact, 0.0);
    let host = &r.failures["host"];
    assert_estimate_close("host lost hours", &host.lost_hours, exact, 0.0);
    assert_estimate_close("host cost", &host.cost, 100.0 * exact, 0.0);
    assert_eq!(r.unattributed.lost_hours.mean, 0.0);
    assert_eq!(r.unattributed.cost.mean, 0.0);
    assert_eq!(host.blast_radius.services_mean, 1.0);
    let cause = &r.causes["Hardware"];
    assert_eq!(cause.lost_hours, host.lost_hours);
    assert_eq!(cause.cost, host.cost);
}

#[test]
fn a_capacity_shortfall_is_unattributed_and_what_failures_take_beyond_it_is_theirs() {
    // two regions of capacity 0.45 serve 0.9 with everything up: 0.1 of
    // the demand is lost all year, nobody's fault. A region outage drains
    // its region (shift 0): the other serves 0.45, a loss of 0.55, of which
    // 0.45 is the outage's. Both down: 1, of which 0.9 is theirs.
    let text = scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "region", on: EachRegion(), every: "300h", lasts: Exp(mean: "12h"), cause: Power)"#,
        r#""web": (deployments: [(in: "aws/r1", capacity: 0.45), (in: "aws/r2", capacity: 0.45)],
                   cost: (per_hour: 10))"#,
    );
    let r = run(&text, 4000, 32);
    let p = |t| p_down(300.0, 12.0, t);
    let one_down = |t| 2.0 * p(t) * (1.0 - p(t));
    let both_down = |t| p(t) * p(t);
    let theirs = integrate(|t| 0.45 * one_down(t) + 0.9 * both_down(t));
    assert_estimate_close(
        "region lost hours",
        &r.failures["region"].lost_hours,
        theirs,
        0.0,
    );
    assert_close("lost hours", &lost(&r, "web"), 0.1 * HORIZON + theirs, 0.0);
    assert!(
        (r.unattributed.lost_hours.mean - 0.1 * HORIZON).abs() < 1e-6,
        "{}",
        r.unattributed.lost_hours.mean
    );
    assert!((r.unattributed.cost.mean - 10.0 * 0.1 * HORIZON).abs() < 1e-5);
}
