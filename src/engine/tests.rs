//! Unit tests of the trial driver: bounded attribution walks, SLA windows, stopping, and the engine's numbering.

#![allow(clippy::unwrap_used)]
use super::*;

/// Examples with recovery cycles, exact deployments, failovers, data
/// loss, overload, SLA credits and traffic curves.
const EXAMPLES: [(&str, &str); 6] = [
    (
        "control-plane-recovery.ron",
        include_str!("../../scenarios/control-plane-recovery.ron"),
    ),
    (
        "data-loss.ron",
        include_str!("../../scenarios/data-loss.ron"),
    ),
    (
        "failover-that-fails.ron",
        include_str!("../../scenarios/failover-that-fails.ron"),
    ),
    (
        "overload-cascade.ron",
        include_str!("../../scenarios/overload-cascade.ron"),
    ),
    (
        "sla-credits.ron",
        include_str!("../../scenarios/sla-credits.ron"),
    ),
    (
        "shop-two-providers.ron",
        include_str!("../../scenarios/shop-two-providers.ron"),
    ),
];

/// Names in the reverse of the evaluation order (`a-web` needs `b-api`
/// needs `c-orders`...), every kind of target, exact deployments, a
/// recovery cycle, data loss, failover and collapse.
const REVERSED: &str = r#"Scenario(name: "reversed", horizon: "1y", trials: 10, seed: 7,
    domains: ["aws/us-east-1/a", "aws/us-east-1/b", "aws/us-west-2/a", "aws/us-west-2/b"],
    failures: [
        (name: "region", on: EachRegion(), every: "2y", lasts: LogNormal(median: "5h", p90: "20h"), cause: Capacity),
        (name: "zone", on: EachZone(), every: "1y", lasts: Exp(mean: "6h"), cause: Power),
        (name: "host", on: EachReplica(), every: "30d", lasts: Exp(mean: "3h"), cause: Hardware),
        (name: "rollout", on: EachDeployment(), every: "90d", lasts: Exp(mean: "1h"), cause: Software),
        (name: "config", on: EachService(), every: "1y", lasts: Exp(mean: "2h"), cause: Config),
        (name: "migration", on: Service("c-orders"), every: "5y", lasts: Exp(mean: "1h"), cause: Config, destroys_data: true),
    ],
    services: {
        "a-web": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 4, need: 2, capacity: 0.6),
                                (in: "aws/us-west-2", zones: ["a", "b"], replicas: 4, need: 2, capacity: 0.6)],
                  routing: ActiveActive(shift: "3m"),
                  overload: Collapse(after: "10m", recover: Exp(mean: "30m")),
                  depends_on: { "b-api": Hard, "d-search": Soft(impact: 0.2) }, cost: (per_hour: 1000)),
        "b-api": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                  depends_on: { "c-orders": Hard, "e-auth": Hard, "f-control": Recovery(catch_up: "20m") },
                  cost: (per_hour: 500)),
        "c-orders": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 2, need: 1),
                                   (in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1)],
                     routing: ActivePassive(detect: Exp(mean: "3m"), switch: Fixed("10m")),
                     data: (replication: Async(lag: Exp(mean: "30s")), backup: (every: "1d", restore: Exp(mean: "4h"))),
                     cost: (per_hour: 800, per_data_loss_hour: 5000)),
        "d-search": (deployments: [(in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1)]),
        "e-auth": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                   depends_on: { "f-control": Recovery(catch_up: "30m") }),
        "f-control": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                      depends_on: { "e-auth": Recovery() }),
    })"#;

/// `n` services in a chain (see [`crate::test_scenarios::chain`]).
fn chain(n: usize) -> crate::model::Model {
    crate::test_scenarios::chain(n, "30d")
}

/// The loss steps of a trial's service timelines (what is attributed).
fn loss_steps(model: &Model, ws: &Workspace) -> u64 {
    (0..model.services.len())
        .map(|s| {
            let range = ws.service[s].clone();
            ws.arena.steps[range].iter().filter(|x| x.v < 1.0).count() as u64
        })
        .sum()
}

#[test]
fn attributing_a_chain_walks_a_bounded_number_of_links_per_loss() {
    // an outage at the head of a chain is lost by every service below
    // it: walking each loss back to the head costs the chain's length
    // per loss step, the cube of the chain in all
    for n in [40, 160] {
        let model = chain(n);
        let plan = Plan::new(&model);
        let mut ws = Workspace::default();
        let (mut visits, mut steps) = (0, 0);
        for trial in 0..3 {
            ws.blame.visits = 0;
            run_trial(&plan, trial, &mut ws);
            visits += ws.blame.visits;
            steps += loss_steps(&plan.layout.model, &ws);
        }
        assert!(
            steps > 20 * n as u64,
            "{n}: {steps} loss steps: nothing is tested"
        );
        let per_step = visits as f64 / steps as f64;
        assert!(per_step < 3.0, "{n}: {per_step} nodes walked per loss step");
    }
}

#[test]
fn sla_windows_of_a_second_are_each_measured() {
    // down from the first failure (within seconds) to the horizon: every
    // one-second window from there on is below 50% and owes its refund
    let text = r#"Scenario(horizon: "10h", seed: 9, domains: ["aws/r/a"],
        failures: [(name: "host", on: EachReplica(), every: "1s", lasts: Fixed("20h"))],
        services: { "web": (deployments: [(in: "aws/r/a")],
            sla: (window: "1s", revenue: 1, credits: [(below: 0.5, refund: 1)])) })"#;
    let model = crate::scenario::load("sla.ron", text.as_bytes()).unwrap();
    let plan = Plan::new(&model);
    let window = 1.0 / 3600.0;
    for trial in 0..5 {
        let story = trace(&plan, trial, &mut Workspace::default());
        let start = story.occurrences[0].start;
        // windows wholly down, and the one the failure starts in if it
        // starts in its first half (36,000 windows in ten hours)
        let first = (start / window).floor();
        let into = start / window - first;
        let expected = 36_000.0 - first - 1.0 + if into < 0.5 { 1.0 } else { 0.0 };
        let breaches = f64::from(story.outcome.services[0].sla_breaches);
        assert!(
            (breaches - expected).abs() <= 1.0,
            "trial {trial}: {breaches} vs {expected}"
        );
    }
}

#[test]
fn a_stopped_trial_gives_up_and_the_next_one_is_whole() {
    let model = chain(30);
    let plan = Plan::new(&model);
    let mut ws = Workspace::default();
    assert!(!run_trial_until(&plan, 1, &mut ws, &AtomicBool::new(true)));
    run_trial(&plan, 1, &mut ws);
    let after = ws.outcome().clone();
    let mut fresh = Workspace::default();
    run_trial(&plan, 1, &mut fresh);
    assert_eq!(&after, fresh.outcome());
    assert!(after.services.iter().any(|s| s.lost_hours > 0.0));
}

#[test]
fn the_engine_numbering_changes_no_outcome_and_no_story() {
    let mut reordered = 0;
    let reversed = [("reversed.ron", REVERSED)];
    for (name, text) in EXAMPLES.into_iter().chain(reversed) {
        let model = crate::scenario::load(name, text.as_bytes()).unwrap();
        let renumbered = Plan::new(&model);
        let as_written = Plan::in_model_numbering(&model);
        if renumbered.layout.service != as_written.layout.service {
            reordered += 1;
        }
        let (mut a, mut b) = (Workspace::default(), Workspace::default());
        let mut lost = 0.0;
        for trial in 0..200 {
            run_trial(&renumbered, trial, &mut a);
            run_trial(&as_written, trial, &mut b);
            assert_eq!(a.outcome(), b.outcome(), "{name} trial {trial}");
            lost += a
                .outcome()
                .services
                .iter()
                .map(|s| s.lost_hours)
                .sum::<f64>();
        }
        assert!(
            lost > 0.0,
            "{name}: no loss in 200 trials: nothing is tested"
        );
        for trial in 0..20 {
            let x = trace(&renumbered, trial, &mut a);
            let y = trace(&as_written, trial, &mut b);
            assert_eq!(x, y, "{name} trial {trial}");
        }
    }
    // the test means something: most examples evaluate services in
    // another order than the file's
    assert!(reordered >= 3, "{reordered}");
}
