//! Exact-answer tests of the outage mechanics: capacity and
//! overload collapse, recovery dependencies, failover success and failback,
//! data loss, SLA credits and traffic by hour. Each simulated mean is checked
//! against a closed form or an independent numerical computation, within 4
//! standard errors (plus a stated slack where the closed form neglects an
//! effect of known small size), with a fixed seed.

use super::exact::{assert_close, integrate, lost, p_down, std_error, HORIZON};
use super::support::{model, run};

/// Asserts a mean whose standard error is `se` is within 4 of them plus
/// `slack` (relative) of `exact`.
fn assert_mean(what: &str, mean: f64, exact: f64, se: f64, slack: f64) {
    let tolerance = 4.0 * se + slack * exact.abs();
    assert!(
        (mean - exact).abs() <= tolerance,
        "{what}: simulated {mean} vs exact {exact} (tolerance {tolerance})"
    );
}

/// The standard error of a mean count per trial, for Poisson-like counts.
fn count_se(mean: f64, trials: f64) -> f64 {
    (mean.max(1e-9) / trials).sqrt()
}

/// Expected outages started in `[0, horizon]` by a process that is up for
/// Exp(mean `every`), then down for a fixed `down`: the sum over k of the
/// probability that the k-th start, `Erlang(k, every) + (k - 1) down`, is
/// within the horizon.
fn expected_outages(every: f64, down: f64, horizon: f64) -> f64 {
    let mut total = 0.0;
    for k in 1..10_000u32 {
        let x = horizon - f64::from(k - 1) * down;
        if x <= 0.0 {
            break;
        }
        // P(Erlang(k, every) <= x) = 1 - sum_{j<k} e^{-y} y^j / j!
        let y = x / every;
        let (mut term, mut below) = ((-y).exp(), 0.0);
        for j in 0..k {
            if j > 0 {
                term *= y / f64::from(j);
            }
            below += term;
        }
        let p = (1.0 - below).max(0.0);
        if p < 1e-15 {
            break;
        }
        total += p;
    }
    total
}

fn scenario(domains: &str, failures: &str, services: &str, trials: u64) -> String {
    format!(
        r#"Scenario(name: "mechanics", horizon: "8760h", trials: {trials}, seed: 11,
            domains: [{domains}], failures: [{failures}], services: {{ {services} }})"#
    )
}

const THREE_REGIONS: &str = r#""aws/r1/a", "aws/r2/a", "aws/r3/a""#;

#[test]
fn three_regions_of_capacity_0_4_serve_0_8_with_one_drained() {
    let text = scenario(
        THREE_REGIONS,
        r#"(name: "region", on: EachRegion(), every: "100h", lasts: Exp(mean: "20h"))"#,
        r#""web": (deployments: [(in: "aws/r1", capacity: 0.4), (in: "aws/r2", capacity: 0.4),
                                 (in: "aws/r3", capacity: 0.4)])"#,
        3000,
    );
    let r = run(&text, 3000, 1);
    let p = |t| p_down(100.0, 20.0, t);
    let one_down = |t| 3.0 * p(t) * (1.0 - p(t)).powi(2);
    let two_down = |t| 3.0 * p(t).powi(2) * (1.0 - p(t));
    // one drained: the two left take 1/2 each and serve 0.4 of it: 0.8;
    // two drained: the last one serves 0.4
    let shed = integrate(|t| 0.2 * one_down(t) + 0.6 * two_down(t));
    let exact = shed + integrate(|t| p(t).powi(3));
    assert_close("lost hours", &lost(&r, "web"), exact, 0.0);
    let se = std_error(&lost(&r, "web"));
    assert_mean(
        "shed hours",
        r.services["web"].shed_hours.mean,
        shed,
        se,
        0.0,
    );
}

#[test]
fn capacity_scales_with_the_replicas_that_are_up() {
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "host", on: EachReplica(), every: "100h", lasts: Exp(mean: "25h"))"#,
        r#""web": (deployments: [(in: "aws/r1/a", replicas: 2, need: 1, capacity: 1.0)])"#,
        3000,
    );
    let r = run(&text, 3000, 2);
    let p = |t| p_down(100.0, 25.0, t);
    // one replica down: half the capacity for all the demand; both: nothing
    let exact = integrate(|t| 0.5 * 2.0 * p(t) * (1.0 - p(t)) + p(t) * p(t));
    assert_close("lost hours", &lost(&r, "web"), exact, 0.0);
}

/// Two regions of capacity 0.6; the first one fails (fixed 1.8 h outages).
fn overload_scenario(overload: &str) -> String {
    scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "r1 outage", on: Domain("aws/r1"), every: "4000h", lasts: Fixed("1.8h"))"#,
        &format!(
            r#""web": (deployments: [(in: "aws/r1", capacity: 0.6), (in: "aws/r2", capacity: 0.6)]{overload})"#
        ),
        4000,
    )
}

#[test]
fn an_overloaded_survivor_collapses_and_outlives_its_trigger() {
    // The outage leaves the second region overloaded (share 1 > 0.6): it
    // serves 0.6 for 30 min, then collapses for 1 h, comes back overloaded
    // at 1.5 h and serves 0.6 until the first region returns at 1.8 h:
    // 0.4 * 0.5 + 1 + 0.4 * 0.3 = 1.32 lost hours per outage, 0.32 of them
    // shed, one collapse. (Slack: an outage cut by the horizon.)
    let text = overload_scenario(r#", overload: Collapse(after: "30m", recover: Fixed("1h"))"#);
    let r = run(&text, 4000, 3);
    let outages = expected_outages(4000.0, 1.8, HORIZON);
    assert_close("lost hours", &lost(&r, "web"), 1.32 * outages, 0.002);
    let web = &r.services["web"];
    let se = std_error(&lost(&r, "web"));
    assert_mean("shed hours", web.shed_hours.mean, 0.32 * outages, se, 0.002);
    let collapses = web.collapses.mean;
    assert_mean(
        "collapses",
        collapses,
        outages,
        count_se(outages, 4000.0),
        0.002,
    );
    // the collapse outlives its trigger and is still charged to it
    let attributed = r.failures["r1 outage"].lost_hours.mean;
    assert!((attributed - web.lost_hours.mean).abs() < 1e-6);
}

#[test]
fn without_collapse_the_survivor_only_sheds() {
    let r = run(&overload_scenario(""), 4000, 3);
    let outages = expected_outages(4000.0, 1.8, HORIZON);
    assert_close("lost hours", &lost(&r, "web"), 0.4 * 1.8 * outages, 0.002);
    let web = &r.services["web"];
    assert_eq!(web.collapses.mean, 0.0);
    assert!((web.shed_hours.mean - web.lost_hours.mean).abs() < 1e-9);
}

/// The control plane's failures, and an app whose failed replica can only
/// relaunch while the control plane is up.
fn recovery_scenario(catch_up: &str) -> String {
    scenario(
        r#""aws/r1/a""#,
        r#"(name: "app host", on: EachReplica(of: "app"), every: "50h", lasts: Exp(mean: "2h")),
           (name: "control plane", on: Service("cp"), every: "100h", lasts: Exp(mean: "10h"))"#,
        &format!(
            r#""app": (deployments: [(in: "aws/r1/a")], depends_on: {{ "cp": Recovery(catch_up: "{catch_up}") }}),
               "cp": (deployments: [(in: "aws/r1/a")])"#
        ),
        4000,
    )
}

#[test]
fn a_recovery_edge_stretches_repairs_to_the_end_of_the_dependency_outage() {
    let r = run(&recovery_scenario("0s"), 4000, 4);
    let (l_app, m_app) = (1.0 / 50.0, 1.0 / 2.0);
    let (l_cp, m_cp) = (1.0 / 100.0, 1.0 / 10.0);
    let up_app = |t: f64| 1.0 - p_down(50.0, 2.0, t);
    let up_cp = |t: f64| 1.0 - p_down(100.0, 10.0, t);
    let _ = m_app;
    // Beyond its own outages the app is down at t when the control plane is
    // down at t, its outage began at c, and the app was down at some moment
    // in [c, t) but is up at t: integrate over c the rate of control-plane
    // outage starts, that it lasts past t, and the app's part.
    let waiting = |t: f64| {
        let from = (t - 200.0).max(0.0);
        let n = 400;
        let h = (t - from) / f64::from(n);
        if h == 0.0 {
            return 0.0;
        }
        let f = |c: f64| {
            l_cp * up_cp(c)
                * (-m_cp * (t - c)).exp()
                * (up_app(t) - up_app(c) * (-l_app * (t - c)).exp())
        };
        let mut sum = f(from) + f(t);
        for i in 1..n {
            let c = from + f64::from(i) * h;
            sum += f(c) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        sum * h / 3.0
    };
    let exact = integrate(|t| p_down(50.0, 2.0, t) + waiting(t));
    assert_close("app lost hours", &lost(&r, "app"), exact, 0.0);
    // static stability: the app serves while the control plane is down
    let own = integrate(|t| p_down(50.0, 2.0, t));
    assert!(exact > own * 1.2, "the test must see the stretch");
    assert_eq!(r.services["app"].recovery_deadlocks.mean, 0.0);
}

#[test]
fn a_catch_up_time_lengthens_the_stretch() {
    let plain = run(&recovery_scenario("0s"), 2000, 5);
    let backlog = run(&recovery_scenario("1h"), 2000, 5);
    assert!(lost(&backlog, "app").mean > lost(&plain, "app").mean);
}

#[test]
fn services_that_need_each_other_to_recover_deadlock_after_a_shared_outage() {
    // a and b each relaunch only while the other is up; a region outage
    // takes both down at once, and neither can come back: both stay down
    // from the first outage to the end of the year.
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "region", on: EachRegion(), every: "5000h", lasts: Exp(mean: "2h"))"#,
        r#""a": (deployments: [(in: "aws/r1/a")], depends_on: { "b": Recovery() }),
           "b": (deployments: [(in: "aws/r1/a")], depends_on: { "a": Recovery() })"#,
        2000,
    );
    let r = run(&text, 2000, 6);
    let every: f64 = 5000.0;
    // E[(H - T)+] for T ~ Exp(every)
    let exact = HORIZON - every * (1.0 - (-HORIZON / every).exp());
    assert_close("a lost hours", &lost(&r, "a"), exact, 0.0);
    assert_close("b lost hours", &lost(&r, "b"), exact, 0.0);
    let hit = 1.0 - (-HORIZON / every).exp();
    let deadlocks = r.services["a"].recovery_deadlocks.mean;
    assert_mean(
        "deadlocks",
        deadlocks,
        hit,
        (hit * (1.0 - hit) / 2000.0).sqrt(),
        0.0,
    );
    let warnings = faultline::scenario::load_with_warnings("cycle.ron", text.as_bytes())
        .map(|(_, w)| w.to_string())
        .unwrap_or_default();
    assert!(
        warnings.contains("recovery cycle: `a -> b -> a`"),
        "check warns about the cycle: {warnings}"
    );
}

/// An ActivePassive service whose first deployment's region fails (fixed
/// 10 h outages), with the given routing options and data block.
fn failover_scenario(options: &str, data: &str) -> String {
    scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "r1 outage", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("10h"))"#,
        &format!(
            r#""db": (deployments: [(in: "aws/r1"), (in: "aws/r2")],
                      routing: ActivePassive(detect: Fixed("6m"), switch: Fixed("12m"){options}),
                      {data} cost: (per_hour: 1000, per_data_loss_hour: 50000))"#
        ),
        4000,
    )
}

#[test]
fn a_failover_that_fails_waits_for_a_human_with_probability_one_minus_success() {
    // Without failback only the first outage matters: the second region
    // never fails. Downtime: 0.1 + 0.2 h, plus 1 h when the automation
    // fails (probability 0.3): 0.6 h on average.
    let text = failover_scenario(r#", success: 0.7, manual: Fixed("1h")"#, "");
    let r = run(&text, 4000, 7);
    let first = 1.0 - (-HORIZON / 1000.0_f64).exp();
    assert_close("lost hours", &lost(&r, "db"), 0.6 * first, 0.0);
    let db = &r.services["db"];
    assert_mean(
        "failovers",
        db.failovers.mean,
        first,
        count_se(first, 4000.0),
        0.0,
    );
    let failed = 0.3 * first;
    assert_mean(
        "failed",
        db.failed_failovers.mean,
        failed,
        count_se(failed, 4000.0),
        0.0,
    );
}

#[test]
fn failback_returns_to_the_first_deployment_at_the_cost_of_one_more_switch() {
    // Every outage now costs detect + switch + 0.3 * manual, and the return
    // one more switch (0.2 h) an hour after the first region is back.
    let text = failover_scenario(
        r#", success: 0.7, manual: Fixed("1h"), failback: After("1h")"#,
        "",
    );
    let r = run(&text, 4000, 8);
    let outages = expected_outages(1000.0, 10.0, HORIZON);
    assert_close("lost hours", &lost(&r, "db"), 0.8 * outages, 0.002);
    let db = &r.services["db"];
    assert_mean(
        "failbacks",
        db.failbacks.mean,
        outages,
        count_se(outages, 4000.0),
        0.002,
    );
}

#[test]
fn asynchronous_replication_loses_one_lag_per_failover() {
    let data = r#"data: (replication: Async(lag: Fixed("5m")), backup: (every: "1d", restore: Fixed("2h"))),"#;
    let text = failover_scenario(r#", failback: After("1h")"#, data);
    let r = run(&text, 2000, 9);
    let db = &r.services["db"];
    let per_trial = db.failovers.mean * 5.0 / 60.0;
    assert!(
        (db.data_loss_hours.mean - per_trial).abs() < 1e-9,
        "data loss {} vs failovers x lag {per_trial}",
        db.data_loss_hours.mean
    );
    assert!(db.failovers.mean > 1.0);
    // its money: downtime plus writes lost
    let cost = 1000.0 * db.lost_hours.mean + 50_000.0 * db.data_loss_hours.mean;
    assert!((db.cost.mean - cost).abs() < 1e-6 * cost);
    // synchronous replication loses nothing
    let sync = r#"data: (replication: Sync, backup: (every: "1d", restore: Fixed("2h"))),"#;
    let r = run(
        &failover_scenario(r#", failback: After("1h")"#, sync),
        500,
        9,
    );
    assert_eq!(r.services["db"].data_loss_hours.max, 0.0);
}

#[test]
fn a_flood_without_a_surviving_copy_restores_the_last_backup() {
    // One deployment, destroyed by each outage (fixed 1 h): down 1 h plus a
    // 2 h restore, and the writes since the last daily backup are lost:
    // uniform over the day, 12 h on average (outage starts are spread
    // evenly over the day: every >> 24 h).
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "flood", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("1h"), destroys_data: true)"#,
        r#""db": (deployments: [(in: "aws/r1")],
                  data: (replication: Sync, backup: (every: "1d", restore: Fixed("2h"))))"#,
        4000,
    );
    let r = run(&text, 4000, 10);
    let outages = expected_outages(1000.0, 1.0, HORIZON);
    assert_close("lost hours", &lost(&r, "db"), 3.0 * outages, 0.002);
    assert_close(
        "data loss",
        &r.services["db"].data_loss_hours,
        12.0 * outages,
        0.01,
    );
    // the restore is attributed to the flood that caused it
    let flood = &r.failures["flood"];
    assert!((flood.lost_hours.mean - lost(&r, "db").mean).abs() < 1e-6);
}

#[test]
fn a_surviving_copy_in_another_region_limits_the_loss_to_the_lag() {
    let text = scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "flood", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("1h"), destroys_data: true)"#,
        r#""db": (deployments: [(in: "aws/r1"), (in: "aws/r2")], routing: ActiveActive(shift: "30m"),
                  data: (replication: Async(lag: Fixed("3m")), backup: (every: "1d", restore: Fixed("2h"))))"#,
        2000,
    );
    let r = run(&text, 2000, 10);
    let outages = expected_outages(1000.0, 1.0, HORIZON);
    let db = &r.services["db"];
    assert_close("data loss", &db.data_loss_hours, 0.05 * outages, 0.002);
    // half the traffic is lost until the flooded region is drained
    assert_close("lost hours", &lost(&r, "db"), 0.5 * 0.5 * outages, 0.002);
}

#[test]
fn sla_credits_are_owed_for_each_window_an_outage_touches() {
    // Any 2 h outage puts a 30-day window below 99.99%: refund 10% of that
    // window's revenue. P(window [s, e) untouched) = P(up at s) * e^{-(e-s)/every}
    // (memoryless up times); P(up at s) is 1 at 0 and 1000/1002 later
    // (slack: the fixed-down renewal is stationary after its first cycle).
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "outage", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("2h"))"#,
        r#""api": (deployments: [(in: "aws/r1")],
                   sla: (window: "30d", revenue: 100000, credits: [(below: 0.9999, refund: 0.10)]))"#,
        4000,
    );
    let r = run(&text, 4000, 12);
    let (mut breaches, mut credits) = (0.0, 0.0);
    let mut s = 0.0;
    while s < HORIZON {
        let e = (s + 720.0).min(HORIZON);
        let up = if s == 0.0 { 1.0 } else { 1000.0 / 1002.0 };
        let touched = 1.0 - up * (-(e - s) / 1000.0_f64).exp();
        breaches += touched;
        credits += touched * 0.10 * 100_000.0 * (e - s) / 720.0;
        s = e;
    }
    let api = &r.services["api"];
    assert_close("credits", &api.credits, credits, 0.003);
    let se = std_error(&api.credits) / 10_000.0;
    assert_mean("breaches", api.sla_breaches.mean, breaches, se, 0.003);
    // the scenario's cost includes the credits
    assert!((r.cost.mean - api.credits.mean).abs() < 1e-6 * credits);
}

#[test]
fn the_largest_matching_refund_applies() {
    // 2 h outages every ~100 h: most windows fall below 99% too.
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "outage", on: Domain("aws/r1"), every: "100h", lasts: Fixed("2h"))"#,
        r#""api": (deployments: [(in: "aws/r1")],
                   sla: (window: "30d", revenue: 1000, credits: [(below: 0.9999, refund: 0.10), (below: 0.99, refund: 0.30)]))"#,
        200,
    );
    let r = run(&text, 200, 13);
    let api = &r.services["api"];
    // 13 windows a year at most; each pays 100 or 300 (the last one pro rata)
    assert!(api.credits.max <= 300.0 * (HORIZON / 720.0) + 1e-9);
    assert!(api.credits.mean > 100.0 * 12.0, "the higher tier is used");
}

#[test]
fn traffic_weights_lost_service_by_the_hour_it_happens() {
    // One day: a process that starts up and fails often, so its
    // unavailability p(t) climbs through the day; traffic only in the
    // afternoon (weights 0 then 2 after normalisation). Weighted lost hours
    // are the integral of w(t) p(t).
    let text = r#"Scenario(name: "traffic", horizon: "24h", trials: 20000, seed: 14,
        domains: ["aws/r1/a"],
        failures: [(name: "host", on: EachReplica(), every: "10h", lasts: Exp(mean: "10h"))],
        traffic: Daily([0,0,0,0,0,0,0,0,0,0,0,0, 1,1,1,1,1,1,1,1,1,1,1,1]),
        services: { "web": (deployments: [(in: "aws/r1/a")], cost: (per_hour: 100)) })"#;
    let r = run(text, 20000, 15);
    let n = 2400;
    let h = 24.0 / f64::from(n);
    let mut weighted = 0.0;
    let mut plain = 0.0;
    for i in 0..n {
        let t = (f64::from(i) + 0.5) * h;
        let p = p_down(10.0, 10.0, t);
        plain += p * h;
        weighted += if t >= 12.0 { 2.0 * p * h } else { 0.0 };
    }
    let web = &r.services["web"];
    assert_close("lost hours", &web.lost_hours, plain, 0.0);
    let a = web.availability_weighted.mean;
    let se = std_error(&web.lost_hours) * 2.0 / 24.0;
    assert_mean("weighted availability", a, 1.0 - weighted / 24.0, se, 0.0);
    assert!(weighted > plain * 1.2, "the test must see the weighting");
    // cost follows the traffic, and so do the failures' attributions
    assert!((web.cost.mean - 100.0 * 24.0 * (1.0 - a)).abs() < 1e-6 * web.cost.mean);
    assert!((r.failures["host"].cost.mean - web.cost.mean).abs() < 1e-6 * web.cost.mean);
}

/// The exact share of requests served over `[0, horizon)`: weights `w(t)`,
/// a replica down with probability `p_down(10 h, 10 h, t)`.
fn exact_share_served(horizon: f64, w: impl Fn(f64) -> f64) -> f64 {
    let n = 4800;
    let h = horizon / f64::from(n);
    let (mut lost, mut carried) = (0.0, 0.0);
    for i in 0..n {
        let t = (f64::from(i) + 0.5) * h;
        lost += w(t) * p_down(10.0, 10.0, t) * h;
        carried += w(t) * h;
    }
    1.0 - lost / carried
}

#[test]
fn traffic_weighted_availability_is_the_share_of_requests_served_for_any_horizon() {
    // Traffic only in the afternoon (weight 2 from 12:00 to 24:00). A 36 h
    // horizon carries 24 h of mean traffic, not 36; a 12 h horizon from
    // midnight that lies wholly in the peak of a curve peaking in the
    // morning carries 24 h (weight 2 for 12 h).
    let afternoon = |t: f64| if t % 24.0 >= 12.0 { 2.0 } else { 0.0 };
    let morning = |t: f64| if t % 24.0 < 12.0 { 2.0 } else { 0.0 };
    /// A horizon as written and in hours, the daily weights, the weight.
    type Case<'a> = (&'a str, f64, &'a str, &'a dyn Fn(f64) -> f64);
    let cases: [Case; 2] = [
        (
            "36h",
            36.0,
            "0,0,0,0,0,0,0,0,0,0,0,0, 1,1,1,1,1,1,1,1,1,1,1,1",
            &afternoon,
        ),
        (
            "12h",
            12.0,
            "1,1,1,1,1,1,1,1,1,1,1,1, 0,0,0,0,0,0,0,0,0,0,0,0",
            &morning,
        ),
    ];
    for (horizon, hours, weights, w) in cases {
        let text = format!(
            r#"Scenario(name: "traffic", horizon: "{horizon}", trials: 20000, seed: 14,
            domains: ["aws/r1/a"],
            failures: [(name: "host", on: EachReplica(), every: "10h", lasts: Exp(mean: "10h"))],
            traffic: Daily([{weights}]),
            services: {{ "web": (deployments: [(in: "aws/r1/a")]) }})"#
        );
        let web = &run(&text, 20000, 15).services["web"];
        let a = &web.availability_weighted;
        let exact = exact_share_served(hours, w);
        // the weighted loss is at most 2x the plain one, spread over the
        // traffic carried (24 mean-weight hours in both cases)
        let se = std_error(&web.lost_hours) * 2.0 / 24.0;
        assert_mean(horizon, a.mean, exact, se, 0.0);
        assert!((0.0..=1.0).contains(&a.mean), "{horizon}: {a:?}");
        assert!(
            a.ci95.unwrap()[0] <= a.mean && a.mean <= a.ci95.unwrap()[1],
            "{horizon}: {a:?}"
        );
    }
}

#[test]
fn every_example_scenario_of_a_mechanism_loads() {
    for name in [
        "overload-cascade",
        "control-plane-recovery",
        "failover-that-fails",
        "data-loss",
        "sla-credits",
        "traffic-by-hour",
    ] {
        let path = super::support::repo(&format!("scenarios/{name}.ron"));
        let text = std::fs::read_to_string(&path).unwrap();
        let _ = model(&text);
    }
}

#[test]
fn a_collapse_that_could_cycle_every_second_is_refused_before_running() {
    let text = scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "region", on: EachRegion(), every: "1y", lasts: Fixed("1h"))"#,
        r#""web": (deployments: [(in: "aws/r1", capacity: 0.6), (in: "aws/r2", capacity: 0.6)],
                   overload: Collapse(after: "1s", recover: Fixed("1s")))"#,
        10,
    );
    let options = faultline::montecarlo::RunOptions::default();
    let refused = faultline::montecarlo::run(&model(&text), &options);
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("overload: Collapse"), "{message}");
}

#[test]
fn a_capacity_short_of_demand_loses_from_time_zero_and_is_nobodys_fault() {
    // three regions of 0.3 serve 0.9 with everything up: 10% lost all year,
    // reported as unattributed (no failure caused it)
    let text = scenario(
        THREE_REGIONS,
        r#"(name: "region", on: EachRegion(), every: "100000y", lasts: Fixed("1h"))"#,
        r#""web": (deployments: [(in: "aws/r1", capacity: 0.3), (in: "aws/r2", capacity: 0.3),
                                 (in: "aws/r3", capacity: 0.3)], cost: (per_hour: 10))"#,
        50,
    );
    let r = run(&text, 50, 21);
    let web = &r.services["web"];
    assert!(
        (web.lost_hours.mean - 0.1 * HORIZON).abs() < 0.01,
        "{}",
        web.lost_hours.mean
    );
    assert!((web.shed_hours.mean - web.lost_hours.mean).abs() < 1e-6);
    assert!((r.unattributed.lost_hours.mean - web.lost_hours.mean).abs() < 0.01);
    assert!((r.unattributed.cost.mean - web.cost.mean).abs() < 0.1);
}

#[test]
fn a_lone_deployment_short_of_capacity_collapses_over_and_over_from_the_start() {
    // capacity 0.5 alone: overloaded from 0, collapses after 10 min, back
    // after 1 h, overloaded again: per 70-minute cycle 10 min at 0.5 and
    // 60 min at 0, i.e. (5 + 60) / 70 of the time lost
    let text = scenario(
        r#""aws/r1/a""#,
        "",
        r#""web": (deployments: [(in: "aws/r1", capacity: 0.5)],
                   overload: Collapse(after: "10m", recover: Fixed("1h")))"#,
        10,
    );
    let r = run(&text, 10, 22);
    let web = &r.services["web"];
    let cycle = 70.0 / 60.0;
    let expected = HORIZON * 65.0 / 70.0;
    // the last cycle is cut by the horizon: within one cycle's loss
    assert!(
        (web.lost_hours.mean - expected).abs() < cycle,
        "{}",
        web.lost_hours.mean
    );
    let collapses = (HORIZON / cycle).floor();
    assert!(
        (web.collapses.mean - collapses).abs() <= 1.0,
        "{}",
        web.collapses.mean
    );
}

#[test]
fn a_symmetric_recovery_cycle_treats_its_members_alike_whatever_the_file_order() {
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "host", on: EachReplica(), every: "100h", lasts: Fixed("1h"))"#,
        r#""a": (deployments: [(in: "aws/r1", zones: ["a"])], depends_on: { "b": Recovery(catch_up: "10m") }),
           "b": (deployments: [(in: "aws/r1", zones: ["a"])], depends_on: { "c": Recovery(catch_up: "10m") }),
           "c": (deployments: [(in: "aws/r1", zones: ["a"])], depends_on: { "a": Recovery(catch_up: "10m") })"#,
        2000,
    );
    let r = run(&text, 2000, 3);
    let (a, b, c) = (lost(&r, "a"), lost(&r, "b"), lost(&r, "c"));
    for (x, y) in [(&a, &b), (&b, &c), (&a, &c)] {
        let se = (std_error(x).powi(2) + std_error(y).powi(2)).sqrt();
        assert!(
            (x.mean - y.mean).abs() < 4.0 * se,
            "{} vs {}",
            x.mean,
            y.mean
        );
    }
    let d = |s: &str| r.services[s].recovery_deadlocks.mean;
    assert!((d("a") - d("b")).abs() < 0.02 && (d("b") - d("c")).abs() < 0.02);
}

#[test]
fn destroyed_writes_are_charged_to_the_failure_that_destroyed_them() {
    // as above (no surviving copy): each flood costs its 3 h of lost service
    // and the writes since the last daily backup, 12 h on average
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "flood", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("1h"), destroys_data: true, cause: Disaster)"#,
        r#""db": (deployments: [(in: "aws/r1")],
                  data: (replication: Sync, backup: (every: "1d", restore: Fixed("2h"))),
                  cost: (per_hour: 100, per_data_loss_hour: 1000))"#,
        4000,
    );
    let r = run(&text, 4000, 14);
    let outages = expected_outages(1000.0, 1.0, HORIZON);
    let flood = &r.failures["flood"].cost;
    let exact = (100.0 * 3.0 + 1000.0 * 12.0) * outages;
    let se = (flood.ci95.unwrap()[1] - flood.ci95.unwrap()[0]) / (2.0 * 1.959_963_984_540_054);
    assert_mean("flood cost", flood.mean, exact, se, 0.01);
    assert_eq!(r.unattributed.cost.mean, 0.0);
    assert!((flood.mean - r.cost.mean).abs() <= 1e-9 * r.cost.mean);
    assert_eq!(r.causes["Disaster"].cost, *flood);
}

#[test]
fn writes_lost_at_a_failover_are_charged_to_the_outage_behind_it() {
    // ActivePassive, no failback: the first outage of r1 (2 h, longer than
    // detect + switch = 2 min) moves traffic to r2 for good, losing one lag
    // (3 min) of writes; later outages of r1 cost nothing. So each trial
    // with an outage costs 2 min of service and 3 min of writes:
    // P(an outage) = 1 - e^{-8760/1000}.
    let text = scenario(
        r#""aws/r1/a", "aws/r2/a""#,
        r#"(name: "r1", on: Domain("aws/r1"), every: "1000h", lasts: Fixed("2h"), cause: Power)"#,
        r#""db": (deployments: [(in: "aws/r1"), (in: "aws/r2")],
                  routing: ActivePassive(detect: Fixed("1m"), switch: Fixed("1m")),
                  data: (replication: Async(lag: Fixed("3m")), backup: (every: "1d", restore: Fixed("2h"))),
                  cost: (per_hour: 600, per_data_loss_hour: 10000))"#,
        2000,
    );
    let r = run(&text, 2000, 15);
    let p_outage = 1.0 - (-HORIZON / 1000.0_f64).exp();
    let exact = p_outage * (600.0 / 30.0 + 10_000.0 * 0.05);
    let cost = &r.failures["r1"].cost;
    let se = (cost.ci95.unwrap()[1] - cost.ci95.unwrap()[0]) / (2.0 * 1.959_963_984_540_054);
    assert_mean("r1 cost", cost.mean, exact, se.max(1e-9), 1e-9);
    assert_eq!(r.unattributed.cost.mean, 0.0);
    assert!((cost.mean - r.cost.mean).abs() <= 1e-9 * r.cost.mean);
}

#[test]
fn sla_credits_are_shared_pro_rata_by_the_loss_in_their_window() {
    // capacity 0.99 with everything up: 1% of each window is lost, nobody's
    // fault, and already below 99.99% (refund 10%); a replica down halves
    // the capacity (the failure's part is the loss beyond 1%), and a window
    // below 98% refunds 30%. Each window's credit is split between the host
    // failures and `unattributed` in proportion to their lost hours in it,
    // computed here from the service's timeline.
    let text = scenario(
        r#""aws/r1/a""#,
        r#"(name: "host", on: EachReplica(), every: "400h", lasts: Exp(mean: "6h"), cause: Hardware)"#,
        r#""api": (deployments: [(in: "aws/r1", replicas: 2, need: 1, capacity: 0.99)],
                   sla: (window: "30d", revenue: 1000, credits: [(below: 0.9999, refund: 0.10), (below: 0.98, refund: 0.30)]))"#,
        100,
    );
    let m = model(&text);
    let plan = faultline::engine::Plan::new(&m);
    let mut ws = faultline::engine::Workspace::default();
    let window = 720.0;
    let mut shared = 0;
    for trial in 0..100 {
        let t = faultline::engine::trace(&plan, trial, &mut ws);
        let steps = &t.services[0];
        // per window: (unattributed lost hours, the failures' lost hours)
        let mut windows = vec![(0.0, 0.0); (HORIZON / window).ceil() as usize];
        for (i, &(start, v)) in steps.iter().enumerate() {
            let end = steps.get(i + 1).map_or(HORIZON, |s| s.0);
            let mut a = start;
            while a < end {
                let w = (a / window).floor();
                let b = end.min((w + 1.0) * window);
                let own = (1.0 - v).min(0.01);
                windows[w as usize].0 += own * (b - a);
                windows[w as usize].1 += (1.0 - v - own) * (b - a);
                a = b;
            }
        }
        let (mut theirs, mut nobodys, mut total) = (0.0, 0.0, 0.0);
        for (w, &(u, f)) in windows.iter().enumerate() {
            let length = (HORIZON - w as f64 * window).min(window);
            let availability = 1.0 - (u + f) / length;
            let refund = if availability < 0.98 { 0.30 } else { 0.10 };
            let credit = refund * 1000.0 * length / window;
            total += credit;
            theirs += credit * f / (u + f);
            nobodys += credit * u / (u + f);
            if f > 0.0 {
                shared += 1;
            }
        }
        let o = &t.outcome;
        assert!(
            (o.services[0].credits - total).abs() < 1e-9,
            "trial {trial}"
        );
        let host = o.failures[0].cost;
        assert!(
            (host - theirs).abs() < 1e-9 * total,
            "trial {trial}: {host} vs {theirs}"
        );
        assert!(
            (o.unattributed_cost - nobodys).abs() < 1e-9 * total,
            "trial {trial}"
        );
    }
    assert!(shared > 50, "too few windows with a failure: {shared}");
}
