//! Shared fate against exact answers: one `Tagged` process across two
//! providers and one `All` process over two regions (closed forms of
//! Exp/Exp alternating renewal processes), repair by crews (the list
//! schedule of the replicas, occurrence by occurrence), scheduled failures
//! (binomial counts of the starts) and up times from a Weibull (an
//! independent simulation written here from the specification).

use faultline::analysis::blast::{analyse, Unit};
use faultline::engine::{trace, Plan, Workspace};
use rand::{RngExt, SeedableRng};

use super::exact::{assert_close, integrate, lost, p_down, HORIZON};
use super::support::{model, run};

const TRIALS: u64 = 4000;

/// A security agent on the hosts of both providers (`Tagged`), and each
/// provider's own outages. `a` runs on aws, `b` on gcp, `web` on both
/// (active-active, shifting at once) and `checkout` needs `a` and `b`.
fn agent_design() -> String {
    format!(
        r#"Scenario(name: "agent", horizon: "8760h", trials: {TRIALS}, seed: 21,
            domains: ["aws/r/a", "gcp/r/a", "ext/global"],
            failures: [
                (name: "agent update", on: Tagged("falcon"), every: "400h", lasts: Exp(mean: "8h"), cause: Config),
                (name: "aws outage", on: Domain("aws"), every: "300h", lasts: Exp(mean: "30h")),
                (name: "gcp outage", on: Domain("gcp"), every: "500h", lasts: Exp(mean: "20h")),
            ],
            services: {{
                "a": (deployments: [(in: "aws/r/a", replicas: 2, tags: ["falcon"])]),
                "b": (deployments: [(in: "gcp/r/a", replicas: 2, tags: ["falcon", "windows"])]),
                "web": (deployments: [(in: "aws/r/a", tags: ["falcon"]), (in: "gcp/r/a", tags: ["falcon"])],
                        routing: ActiveActive(shift: "0s")),
                "checkout": (deployments: [(in: "ext/global")], depends_on: {{ "a": Hard, "b": Hard }}),
            }})"#
    )
}

#[test]
fn a_tagged_failure_takes_both_providers_down_at_once() {
    let r = run(&agent_design(), TRIALS, 21);
    let tag = |t| p_down(400.0, 8.0, t);
    let aws = |t| p_down(300.0, 30.0, t);
    let gcp = |t| p_down(500.0, 20.0, t);
    // web is down when the agent is, or when both providers are
    let web = integrate(|t| 1.0 - (1.0 - tag(t)) * (1.0 - aws(t) * gcp(t)));
    assert_close("web lost hours", &lost(&r, "web"), web, 0.0);
    // checkout needs both: down when any of the three is
    let checkout = integrate(|t| 1.0 - (1.0 - tag(t)) * (1.0 - aws(t)) * (1.0 - gcp(t)));
    assert_close("checkout lost hours", &lost(&r, "checkout"), checkout, 0.0);
    let a = integrate(|t| 1.0 - (1.0 - tag(t)) * (1.0 - aws(t)));
    assert_close("a lost hours", &lost(&r, "a"), a, 0.0);

    // one process: its occurrences are counted once, at rate 1/every while
    // up (a renewal count varies no more than a Poisson count of its mean)
    let agent = &r.failures["agent update"];
    let up = HORIZON - integrate(tag);
    let starts = up / 400.0;
    let tolerance = 4.0 * (starts / TRIALS as f64).sqrt();
    let error = (agent.occurrences.mean - starts).abs();
    assert!(
        error <= tolerance,
        "occurrences {} vs {starts}",
        agent.occurrences.mean
    );
    // and each one hits the four services, across providers
    assert_eq!(agent.blast_radius.services_max, 4);
    assert!(
        agent.blast_radius.services_mean > 3.99,
        "{}",
        agent.blast_radius.services_mean
    );
}

#[test]
fn the_blast_radius_of_a_tag_spans_the_providers_it_is_on() {
    let m = model(&agent_design());
    let analysis = analyse(&m);
    let group = (analysis.blasts.iter())
        .find(|b| matches!(b.unit, Unit::Group(_)))
        .expect("a unit for the tagged failure");
    assert_eq!(
        faultline::analysis::blast::unit_name(&m, group.unit),
        "agent update"
    );
    // every service is at 0 after failover: the tag is on both providers
    assert!(group.after_failover.fractions.iter().all(|&s| s == 0.0));
    // while each provider alone leaves web and the other side serving
    let aws = (analysis.blasts.iter())
        .find(|b| faultline::analysis::blast::unit_name(&m, b.unit) == "aws")
        .expect("aws");
    let web = m.service_by_name("web").expect("web");
    assert_eq!(aws.after_failover.fractions[web], 1.0);
}

#[test]
fn all_is_one_process_over_every_listed_target() {
    let text = format!(
        r#"Scenario(name: "metro", horizon: "8760h", trials: {TRIALS}, seed: 22,
            domains: ["aws/us-east-1/a", "gcp/us-east4/a", "gcp/europe-west1/a"],
            failures: [(name: "metro", on: All([Domain("aws/us-east-1"), Domain("gcp/us-east4")]),
                        every: "300h", lasts: Exp(mean: "12h"), cause: Disaster)],
            services: {{
                "east": (deployments: [(in: "aws/us-east-1/a"), (in: "gcp/us-east4/a")]),
                "everywhere": (deployments: [(in: "aws/us-east-1/a"), (in: "gcp/europe-west1/a")]),
            }})"#
    );
    let r = run(&text, TRIALS, 22);
    let down = integrate(|t| p_down(300.0, 12.0, t));
    // both of east's deployments go down together: never one without the other
    assert_close("east lost hours", &lost(&r, "east"), down, 0.0);
    assert_eq!(r.services["everywhere"].lost_hours.mean, 0.0);
    let metro = &r.failures["metro"];
    let starts = (HORIZON - down) / 300.0;
    let tolerance = 4.0 * (starts / TRIALS as f64).sqrt();
    assert!(
        (metro.occurrences.mean - starts).abs() <= tolerance,
        "occurrences {} vs {starts}",
        metro.occurrences.mean
    );
}

/// Seven replicas in file order: `first` (ranks 0, 1, needs both),
/// `second` (ranks 2, 3, needs one), `third` (ranks 4, 5, 6, needs all),
/// repaired by two crews in one hour each.
const CREWS: &str = r#"Scenario(name: "crews", horizon: "8760h", trials: 300, seed: 23,
    domains: ["aws/r/a", "gcp/r/a"],
    failures: [(name: "agent update", on: Tagged("falcon"), every: "600h", lasts: Fixed("1h"),
                repair: (crews: 2), cause: Config)],
    services: {
        "first": (deployments: [(in: "aws/r/a", replicas: 2, need: 2, tags: ["falcon"])]),
        "second": (deployments: [(in: "gcp/r/a", replicas: 2, need: 1, tags: ["falcon"])]),
        "third": (deployments: [(in: "aws/r/a", replicas: 1, tags: ["falcon"]),
                                (in: "gcp/r/a", replicas: 2, need: 2, tags: ["falcon"])],
                  routing: ActivePassive(detect: Fixed("0s"), switch: Fixed("0s"))),
        "idle": (deployments: [(in: "gcp/r/a", replicas: 3)]),
    })"#;

#[test]
fn crews_repair_the_replicas_in_file_order_in_waves() {
    // with `lasts: Fixed(r)` replica i is back at start + (floor(i / N) + 1) r:
    // first at +1h (ranks 0, 1), second at +2h (its first replica, rank 2),
    // third's active deployment (rank 4) at +3h and its passive one
    // (ranks 5, 6) at +4h: ActivePassive keeps the first listed one
    let m = model(CREWS);
    let plan = Plan::new(&m);
    let mut ws = Workspace::default();
    let expected = [
        ("first", 1.0),
        ("second", 2.0),
        ("third", 3.0),
        ("idle", 0.0),
    ];
    let mut occurrences = 0;
    for t in 0..m.trials {
        let story = trace(&plan, t, &mut ws);
        occurrences += story.occurrences.len();
        assert_eq!(
            story.outcome.failures[0].occurrences,
            story.occurrences.len() as u64,
            "one occurrence per start, however many replicas it took down"
        );
        for o in &story.occurrences {
            // the occurrence lasts until its last replica is back
            let last = (o.start + 4.0).min(HORIZON);
            assert!((o.end - last).abs() < 1e-9, "{o:?}");
            assert_eq!(o.services.len(), 3, "{o:?}");
        }
        for (name, hours) in expected {
            let s = m.service_by_name(name).expect("service");
            let exact: f64 = (story.occurrences.iter())
                .map(|o| (o.start + hours).min(HORIZON) - o.start)
                .sum();
            let simulated = story.outcome.services[s].lost_hours;
            assert!(
                (simulated - exact).abs() < 1e-9,
                "trial {t}: {name} lost {simulated} vs {exact}"
            );
        }
    }
    assert!(occurrences > 1000, "{occurrences}: too few to test");
}

#[test]
fn without_repair_every_replica_comes_back_together() {
    let without = CREWS.replace("repair: (crews: 2), ", "");
    assert!(!without.contains("repair"));
    let m = model(&without);
    let plan = Plan::new(&m);
    let mut ws = Workspace::default();
    for t in 0..50 {
        let story = trace(&plan, t, &mut ws);
        for name in ["first", "second", "third"] {
            let s = m.service_by_name(name).expect("service");
            let exact: f64 = (story.occurrences.iter())
                .map(|o| (o.start + 1.0).min(HORIZON) - o.start)
                .sum();
            let simulated = story.outcome.services[s].lost_hours;
            assert!(
                (simulated - exact).abs() < 1e-9,
                "trial {t}: {name} lost {simulated} vs {exact} {:?}",
                story.occurrences
            );
        }
    }
}

/// A release every 168 h from hour 38 that breaks `web` with probability
/// `chance` for 2 h.
fn release(chance: f64, lasts: &str, every: &str) -> String {
    format!(
        r#"Scenario(name: "release", horizon: "8760h", trials: {TRIALS}, seed: 24,
            domains: ["aws/r/a"],
            failures: [(name: "release", on: Service("web"),
                        schedule: (every: "{every}", first: "38h", chance: {chance}),
                        lasts: Fixed("{lasts}"), cause: Config)],
            services: {{ "web": (deployments: [(in: "aws/r/a")]) }})"#
    )
}

#[test]
fn a_scheduled_failure_happens_at_each_start_with_its_chance() {
    // starts at 38 + 168 k below 8760: k = 0..=51, 52 of them
    let starts = ((HORIZON - 38.0) / 168.0).ceil();
    assert_eq!(starts, 52.0);
    let p = 0.3;
    let r = run(&release(p, "2h", "7d"), TRIALS, 24);
    let occurrences = r.failures["release"].occurrences.mean;
    let sd = (starts * p * (1.0 - p) / TRIALS as f64).sqrt();
    assert!(
        (occurrences - p * starts).abs() <= 4.0 * sd,
        "occurrences {occurrences} vs {}",
        p * starts
    );
    assert_close("web lost hours", &lost(&r, "web"), p * starts * 2.0, 0.0);
    let attributed = r.failures["release"].lost_hours.mean;
    assert!((attributed - lost(&r, "web").mean).abs() < 1e-9 * attributed);
}

#[test]
fn a_certain_schedule_is_exact_and_overlapping_occurrences_merge() {
    let r = run(&release(1.0, "2h", "7d"), 20, 24);
    assert_eq!(r.failures["release"].occurrences.mean, 52.0);
    assert!((r.services["web"].lost_hours.mean - 104.0).abs() < 1e-9);
    assert_eq!(r.services["web"].outages.mean, 52.0);
    // 15 h outages every 10 h from hour 38: one outage to the horizon, yet
    // every start counts
    let r = run(&release(1.0, "15h", "10h"), 20, 24);
    let starts = ((HORIZON - 38.0) / 10.0).ceil();
    assert_eq!(r.failures["release"].occurrences.mean, starts);
    assert_eq!(r.services["web"].outages.mean, 1.0);
    assert!((r.services["web"].lost_hours.mean - (HORIZON - 38.0)).abs() < 1e-6);
}

#[test]
fn fixed_up_times_give_a_periodic_failure() {
    let text = r#"Scenario(horizon: "8760h", trials: 5, seed: 1, domains: ["aws/r/a"],
        failures: [(name: "f", on: Service("web"), every: Fixed("98h"), lasts: Fixed("2h"))],
        services: { "web": (deployments: [(in: "aws/r/a")]) })"#;
    let r = run(text, 5, 1);
    // down at 98 + 100 k for k = 0..=86
    assert_eq!(r.failures["f"].occurrences.mean, 87.0);
    assert!((r.services["web"].lost_hours.mean - 174.0).abs() < 1e-9);
}

#[test]
fn weibull_up_times_match_an_independent_simulation() {
    let (shape, scale, down) = (0.7, 3000.0, 6.0);
    let text = format!(
        r#"Scenario(horizon: "8760h", trials: {TRIALS}, seed: 25, domains: ["aws/r/a"],
            failures: [(name: "wear", on: Service("web"),
                        every: Weibull(shape: {shape}, scale: "{scale}h"), lasts: Fixed("{down}h"))],
            services: {{ "web": (deployments: [(in: "aws/r/a")]) }})"#
    );
    let r = run(&text, TRIALS, 25);
    // the specification: up for a Weibull draw (from 0), down for 6 h, again
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let histories = 100_000;
    let (mut sum, mut squares, mut starts) = (0.0, 0.0, 0.0);
    for _ in 0..histories {
        let (mut t, mut lost) = (0.0f64, 0.0);
        loop {
            let u: f64 = rng.random();
            t += scale * (-(1.0 - u).ln()).powf(1.0 / shape);
            if t >= HORIZON {
                break;
            }
            starts += 1.0;
            lost += (t + down).min(HORIZON) - t;
            t += down;
        }
        sum += lost;
        squares += lost * lost;
    }
    let n = f64::from(histories);
    let mean = sum / n;
    let se = ((squares / n - mean * mean) / n).sqrt();
    let engine = lost(&r, "web");
    let [low, high] = engine.ci95.expect("a known interval");
    let engine_se = (high - low) / (2.0 * 1.959_963_984_540_054);
    let tolerance = 4.0 * (se * se + engine_se * engine_se).sqrt();
    assert!(
        (engine.mean - mean).abs() <= tolerance,
        "engine {} vs simulation {mean} (tolerance {tolerance})",
        engine.mean
    );
    // far from exponential up times of the same mean (Γ(1 + 1/0.7) times
    // the scale): early failures come sooner, and the horizon is short
    let exponential = integrate(|t| p_down(scale * 1.265_823, down, t));
    assert!(
        (mean - exponential).abs() > tolerance,
        "{mean} vs {exponential}"
    );
    let per_trial = starts / n;
    let occurrences = r.failures["wear"].occurrences.mean;
    assert!(
        (occurrences - per_trial).abs() <= tolerance / down,
        "{occurrences} vs {per_trial}"
    );
}
