//! Shared fate through a third party: a service in a domain of its own
//! provider, in front of a service deployed on two providers, against the
//! closed form of an alternating renewal process.
//!
//! The third party's domain is up for Exp(mean `every`), then down for
//! Exp(mean `m`), starting up at time 0. With `l = 1/every` and `u = 1/m` it
//! is down at time t with probability `p(t) = l/(l+u) (1 - exp(-(l+u) t))`,
//! so its expected down time over a horizon T is
//! `l/(l+u) (T - (1 - exp(-(l+u) T)) / (l+u))`, and the expected number of
//! outages starting in [0, T] is `l (T - that)` (the rate of starts is `l`
//! while up). Everything behind it with a `Hard` edge loses exactly that,
//! whatever its own redundancy: the second provider does not help.

use super::exact::{assert_close, integrate, lost, p_down, std_error, HORIZON};
use super::support::run;

/// Mean up time of the third party's domain, hours.
const EVERY: f64 = 500.0;
/// Mean outage of the third party's domain, hours.
const DOWN: f64 = 10.0;
/// Money per hour of web outage.
const PER_HOUR: f64 = 1000.0;
const TRIALS: u64 = 4000;

/// Expected down hours over `horizon` of an Exp/Exp alternating renewal
/// process starting up: the integral of `p(t)` in closed form.
fn expected_down_hours(every: f64, mean_down: f64, horizon: f64) -> f64 {
    let (l, u) = (1.0 / every, 1.0 / mean_down);
    let rate = l + u;
    l / rate * (horizon - (1.0 - (-rate * horizon).exp()) / rate)
}

/// Two providers behind one DNS provider; `own_failures` adds failures of
/// the providers themselves.
fn design(own_failures: &str) -> String {
    format!(
        r#"Scenario(name: "two clouds, one dns", horizon: "8760h", trials: {TRIALS}, seed: 11,
            domains: ["aws/us-east-1/a", "gcp/us-central1/a", "dnsco/global"],
            failures: [
                (name: "dns provider outage", on: Domain("dnsco"), every: "{EVERY}h",
                 lasts: Exp(mean: "{DOWN}h"), cause: Dependency),
                {own_failures}
            ],
            services: {{
                "dns": (deployments: [(in: "dnsco/global")]),
                "web": (
                    deployments: [
                        (in: "aws/us-east-1", zones: ["a"], replicas: 3, need: 2),
                        (in: "gcp/us-central1", zones: ["a"], replicas: 3, need: 2),
                    ],
                    routing: ActiveActive(shift: "0s"),
                    depends_on: {{ "dns": Hard }},
                    cost: (per_hour: {PER_HOUR}),
                ),
            }})"#
    )
}

#[test]
fn the_closed_form_is_the_integral_of_the_unavailability() {
    let closed = expected_down_hours(EVERY, DOWN, HORIZON);
    let numeric = integrate(|t| p_down(EVERY, DOWN, t));
    assert!(
        (closed - numeric).abs() <= 1e-9 * closed,
        "closed form {closed} vs Simpson {numeric}"
    );
}

#[test]
fn a_shared_dns_provider_passes_its_outages_through_both_clouds() {
    let r = run(&design(""), TRIALS, 11);
    let exact = expected_down_hours(EVERY, DOWN, HORIZON);

    // web and dns each lose exactly the dns provider's down time.
    let web = lost(&r, "web");
    let dns = lost(&r, "dns");
    assert_close("web lost hours", &web, exact, 0.0);
    assert_close("dns lost hours", &dns, exact, 0.0);
    let cost = r.services["web"].cost;
    assert_close("web cost", &cost, PER_HOUR * exact, 0.0);

    // The one failure carries all of it, summed over the two services.
    let failure = &r.failures["dns provider outage"];
    let attributed = failure.lost_hours.mean;
    assert!(
        (attributed - (web.mean + dns.mean)).abs() <= 1e-9 * attributed,
        "attributed {attributed} vs web + dns {}",
        web.mean + dns.mean
    );
    assert_eq!(r.unattributed.lost_hours.mean, 0.0);
    // Per trial the attributed hours are web's plus dns's, whose standard
    // deviation is at most the sum of theirs (and so is the standard error).
    let tolerance = 4.0 * (std_error(&web) + std_error(&dns));
    assert!(
        (attributed - 2.0 * exact).abs() <= tolerance,
        "attributed lost hours {attributed} vs exact {} (tolerance {tolerance})",
        2.0 * exact
    );
    let attributed_cost = failure.cost.mean;
    let tolerance = 4.0 * std_error(&cost);
    assert!(
        (attributed_cost - PER_HOUR * exact).abs() <= tolerance,
        "attributed cost {attributed_cost} vs exact {} (tolerance {tolerance})",
        PER_HOUR * exact
    );

    // Every occurrence is attributed a loss in dns and in web, and nowhere
    // else: dns counts as a service of the blast radius, cost or not.
    assert_eq!(failure.blast_radius.services_max, 2);
    assert!(
        (failure.blast_radius.services_mean - 2.0).abs() <= 1e-12,
        "blast radius {}",
        failure.blast_radius.services_mean
    );

    // Outages start at rate 1/EVERY while up. The count of a renewal process
    // whose cycle (Exp + Exp) has a coefficient of variation below 1 varies
    // (over a horizon of many cycles) no more than a Poisson count of the
    // same mean, so sqrt(mean / trials) bounds its standard error.
    let starts = (HORIZON - exact) / EVERY;
    let error = (failure.occurrences.mean - starts).abs();
    let tolerance = 4.0 * (starts / TRIALS as f64).sqrt();
    assert!(
        error <= tolerance,
        "occurrences {} vs exact {starts} (tolerance {tolerance})",
        failure.occurrences.mean
    );
}

#[test]
fn the_second_provider_only_removes_the_loss_that_is_its_own() {
    // Each provider fails on its own too. Routing shifts at once, so web is
    // down when dns is, or when both providers are at the same time.
    let own = r#"(name: "aws outage", on: Domain("aws"), every: "300h", lasts: Exp(mean: "30h"), cause: Software),
                 (name: "gcp outage", on: Domain("gcp"), every: "400h", lasts: Exp(mean: "20h"), cause: Software),"#;
    let r = run(&design(own), TRIALS, 12);
    let exact_web = integrate(|t| {
        let both = p_down(300.0, 30.0, t) * p_down(400.0, 20.0, t);
        1.0 - (1.0 - p_down(EVERY, DOWN, t)) * (1.0 - both)
    });
    assert_close("web lost hours", &lost(&r, "web"), exact_web, 0.0);
    assert_close(
        "dns lost hours",
        &lost(&r, "dns"),
        expected_down_hours(EVERY, DOWN, HORIZON),
        0.0,
    );
}
