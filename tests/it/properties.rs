//! Property tests over randomly generated valid scenarios: random domain
//! trees, random dependency DAGs, every routing policy, distribution and
//! target kind (`All` and `Tagged` among them), up times from a
//! distribution, schedules and repair by crews.

use faultline::engine::{run_trial, Plan, TrialOutcome, Workspace};
use faultline::model::Model;
use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Json, Render};
use proptest::prelude::*;

use super::support::model;

/// A deployment: where, how many replicas, how many needed.
#[derive(Debug, Clone)]
struct DeploymentSpec {
    provider: usize,
    region: usize,
    zones: Vec<usize>,
    replicas: u32,
    need: u32,
    /// Capacity, when the money property renders it.
    capacity: Option<f64>,
}

#[derive(Debug, Clone)]
struct ServiceSpec {
    deployments: Vec<DeploymentSpec>,
    /// 0 ActiveActive, 1 ActivePassive, 2 Manual.
    routing: u8,
    shift_minutes: u32,
    /// (offset to a later service, soft impact if soft).
    depends_on: Vec<(usize, Option<f64>)>,
    /// When the money property renders them: a data policy, an SLA.
    data: bool,
    sla: bool,
    /// When the money property renders it: a `Recovery` edge to the
    /// service before it (a recovery cycle when that one depends on this
    /// one), broken by hand (`manual`) when true.
    recovery: Option<bool>,
}

#[derive(Debug, Clone)]
struct FailureSpec {
    target: u8,
    every_hours: f64,
    distribution: u8,
    hours: f64,
    spread: f64,
    /// When the money property renders it.
    destroys_data: bool,
    /// When the money property renders it: `effect: ControlPlane`.
    control_plane: bool,
    /// 0 to 2: `every` a duration; 3: a Weibull of up times; 4: a
    /// schedule; 5: repair by crews.
    timing: u8,
}

#[derive(Debug, Clone)]
pub(crate) struct Spec {
    providers: usize,
    regions: usize,
    zones: usize,
    services: Vec<ServiceSpec>,
    failures: Vec<FailureSpec>,
    /// Any number of hours, not only whole days.
    horizon_hours: u32,
    /// A daily traffic curve (weights 0 to 3), or flat.
    traffic: Option<Vec<u8>>,
}

fn deployment(
    providers: usize,
    regions: usize,
    zones: usize,
) -> impl Strategy<Value = DeploymentSpec> {
    (
        0..providers,
        0..regions,
        proptest::sample::subsequence((0..zones).collect::<Vec<_>>(), 0..=zones),
        1u32..=4,
        0.0..1.0f64,
        proptest::option::of(0.2..1.5f64),
    )
        .prop_map(
            |(provider, region, zones, replicas, need, capacity)| DeploymentSpec {
                provider,
                region,
                zones,
                replicas,
                need: 1 + (need * f64::from(replicas)) as u32 % replicas,
                capacity,
            },
        )
}

fn service(providers: usize, regions: usize, zones: usize) -> impl Strategy<Value = ServiceSpec> {
    (
        proptest::collection::vec(deployment(providers, regions, zones), 1..=3),
        0u8..3,
        0u32..30,
        proptest::collection::vec((1usize..4, proptest::option::of(0.05..=1.0f64)), 0..=2),
        (proptest::bool::ANY, proptest::bool::ANY),
        proptest::option::of(proptest::bool::ANY),
    )
        .prop_map(
            |(deployments, routing, shift_minutes, depends_on, (data, sla), recovery)| {
                ServiceSpec {
                    deployments,
                    routing,
                    shift_minutes,
                    depends_on,
                    data,
                    sla,
                    recovery,
                }
            },
        )
}

fn failure() -> impl Strategy<Value = FailureSpec> {
    (
        0u8..11,
        20.0..2000.0f64,
        0u8..6,
        0.05..20.0f64,
        1.5..6.0f64,
        proptest::bool::ANY,
        0u8..4,
        0u8..6,
    )
        .prop_map(
            |(target, every_hours, distribution, hours, spread, destroys_data, effect, timing)| {
                FailureSpec {
                    target,
                    every_hours,
                    distribution,
                    hours,
                    spread,
                    destroys_data,
                    control_plane: effect == 0,
                    timing,
                }
            },
        )
}

/// When a failure's occurrences start (and how its replicas come back).
fn timing(f: &FailureSpec) -> String {
    let every = f.every_hours;
    match f.timing {
        3 => format!(
            "every: Weibull(shape: {}, scale: \"{every}h\")",
            f.spread / 4.0
        ),
        4 => format!(
            "schedule: (every: \"{every}h\", first: \"{}h\", chance: {})",
            f.hours,
            [1.0, 0.5, 0.1][usize::from(f.distribution) % 3]
        ),
        5 => format!(
            "every: \"{every}h\", repair: (crews: {})",
            1 + usize::from(f.distribution) % 3
        ),
        _ => format!("every: \"{every}h\""),
    }
}

pub(crate) fn spec() -> impl Strategy<Value = Spec> {
    (1usize..=2, 1usize..=2, 1usize..=3).prop_flat_map(|(providers, regions, zones)| {
        (
            proptest::collection::vec(service(providers, regions, zones), 1..=5),
            proptest::collection::vec(failure(), 1..=4),
            1u32..=3000,
            proptest::option::of(
                proptest::collection::vec(0u8..=3, 24)
                    .prop_filter("a positive sum", |w| w.iter().any(|&x| x > 0)),
            ),
        )
            .prop_map(move |(services, failures, horizon_hours, traffic)| Spec {
                providers,
                regions,
                zones,
                services,
                failures,
                horizon_hours,
                traffic,
            })
    })
}

fn distribution(f: &FailureSpec) -> String {
    let h = f.hours;
    match f.distribution {
        0 => format!("Fixed(\"{h}h\")"),
        1 => format!("Exp(mean: \"{h}h\")"),
        2 => format!("LogNormal(median: \"{h}h\", p90: \"{}h\")", h * f.spread),
        3 => format!("Weibull(shape: {}, scale: \"{h}h\")", f.spread / 2.0),
        4 => format!("Uniform(min: \"{h}h\", max: \"{}h\")", h * f.spread),
        _ => format!("Empirical([\"{h}h\", \"{}h\", \"0s\"])", h * f.spread),
    }
}

fn target(t: u8) -> &'static str {
    [
        "Domain(\"p0\")",
        "EachProvider()",
        "EachRegion()",
        "EachZone(under: \"p0\")",
        "Service(\"s0\")",
        "EachService()",
        "EachDeployment()",
        "EachReplica()",
        "All([Domain(\"p0/r0\"), Service(\"s0\")])",
        "Tagged(\"t\")",
        "All([Tagged(\"t\"), Domain(\"p0\")])",
    ][usize::from(t) % 11]
}

/// The scenario text; `reverse` lists everything in the opposite order.
/// Capacities, data policies, SLAs and destroying failures are left out
/// (see [`render_with_money`]).
fn render(spec: &Spec, reverse: bool) -> String {
    render_all(spec, reverse, false)
}

/// The scenario text with the capacities, data policies, SLAs and
/// destroying failures of the spec as well.
pub(crate) fn render_with_money(spec: &Spec) -> String {
    render_all(spec, false, true)
}

fn render_all(spec: &Spec, reverse: bool, money: bool) -> String {
    let mut domains: Vec<String> = (0..spec.providers)
        .flat_map(|p| {
            (0..spec.regions)
                .flat_map(move |r| (0..spec.zones).map(move |z| format!("\"p{p}/r{r}/z{z}\"")))
        })
        .collect();
    let mut failures: Vec<String> = spec
        .failures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "(name: \"f{i}\", on: {}, {}, lasts: {}, cause: {}{})",
                target(f.target),
                timing(f),
                distribution(f),
                ["Hardware", "Power", "Config"][i % 3],
                match (money, f.control_plane, f.destroys_data) {
                    (true, true, _) => ", effect: ControlPlane",
                    (true, false, true) => ", destroys_data: true",
                    _ => "",
                }
            )
        })
        .collect();
    let n = spec.services.len();
    let mut services: Vec<String> = spec
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| service_text(i, s, n, money))
        .collect();
    if reverse {
        domains.reverse();
        failures.reverse();
        services.reverse();
    }
    let traffic = match &spec.traffic {
        Some(w) => {
            let w: Vec<String> = w.iter().map(u8::to_string).collect();
            format!("traffic: Daily([{}]), ", w.join(", "))
        }
        None => String::new(),
    };
    format!(
        "Scenario(horizon: \"{}h\", trials: 12, seed: 5, {traffic}domains: [{}], failures: [{}], services: {{ {} }})",
        spec.horizon_hours,
        domains.join(", "),
        failures.join(", "),
        services.join(", ")
    )
}

fn service_text(i: usize, s: &ServiceSpec, n: usize, money: bool) -> String {
    let deployments: Vec<String> = s
        .deployments
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let zones = if d.zones.is_empty() {
                String::new()
            } else {
                let z: Vec<String> = d.zones.iter().map(|z| format!("\"z{z}\"")).collect();
                format!(", zones: [{}]", z.join(", "))
            };
            let capacity = match d.capacity {
                Some(c) if money => format!(", capacity: {c}"),
                _ => String::new(),
            };
            // the first deployment of every service carries the tag
            let tags = if k == 0 { ", tags: [\"t\"]" } else { "" };
            format!(
                "(in: \"p{}/r{}\"{zones}, replicas: {}, need: {}{capacity}{tags})",
                d.provider, d.region, d.replicas, d.need
            )
        })
        .collect();
    let routing = match s.routing {
        0 => format!("ActiveActive(shift: \"{}m\")", s.shift_minutes),
        1 => "ActivePassive(detect: Exp(mean: \"5m\"), switch: Fixed(\"3m\"))".to_string(),
        _ => "Manual(respond: LogNormal(median: \"20m\", p90: \"1h\"))".to_string(),
    };
    let mut deps: Vec<String> = Vec::new();
    for &(offset, soft) in &s.depends_on {
        let j = i + offset;
        let name = format!("\"s{j}\"");
        if j < n && !deps.iter().any(|d| d.starts_with(&name)) {
            deps.push(match soft {
                Some(impact) => format!("{name}: Soft(impact: {impact})"),
                None => format!("{name}: Hard"),
            });
        }
    }
    match s.recovery {
        Some(manual) if money && i > 0 => deps.push(format!(
            "\"s{}\": Recovery(catch_up: \"10m\"{})",
            i - 1,
            if manual {
                ", manual: Exp(mean: \"2h\")"
            } else {
                ""
            }
        )),
        _ => {}
    }
    let mut extra = String::new();
    if money && s.data {
        extra.push_str(", data: (replication: Async(lag: Exp(mean: \"2m\")), backup: (every: \"1d\", restore: Exp(mean: \"3h\")))");
    }
    if money && s.sla {
        extra.push_str(", sla: (window: \"300h\", revenue: 5000, credits: [(below: 0.999, refund: 0.1), (below: 0.99, refund: 0.5)])");
    }
    let data_price = if money {
        ", per_data_loss_hour: 700"
    } else {
        ""
    };
    format!(
        "\"s{i}\": (deployments: [{}], routing: {routing}, depends_on: {{ {} }}, cost: (per_hour: {}{data_price}){extra})",
        deployments.join(", "),
        deps.join(", "),
        100 * (i + 1)
    )
}

/// The JSON document of a run, with the parts that are meant to vary removed.
fn document(text: &str, threads: usize) -> String {
    let options = RunOptions {
        threads: Some(threads),
        ..RunOptions::default()
    };
    let mut result = montecarlo::run(&model(text), &options).expect("run");
    faultline::fuzzing::check_invariants(&result);
    result.engine.seconds = 0.0;
    result.faultline.scenario_fnv1a.clear();
    Json.render(&result).expect("render")
}

/// The JSON document of a run split into `count` shards and merged, as
/// [`document`] cleans it.
fn sharded(text: &str, count: u64) -> String {
    let m = model(text);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let options = RunOptions::default();
    let parts: Vec<(String, faultline::shard::Partial)> = (0..count)
        .map(|index| {
            let shard = faultline::shard::Shard { index, count };
            let p = faultline::shard::run_shard(
                &m,
                ("test.ron", text),
                &options,
                (shard, faultline::uncertainty::DEFAULT_DRAWS),
                &stop,
            )
            .expect("run a shard");
            (format!("part-{index}.json"), p)
        })
        .collect();
    let (_, mut result, _) = faultline::shard::merge(parts).expect("merge");
    faultline::fuzzing::check_invariants(&result);
    result.engine.seconds = 0.0;
    result.faultline.scenario_fnv1a.clear();
    Json.render(&result).expect("render")
}

/// The outcomes of the scenario's trials, one by one.
fn outcomes(m: &Model) -> Vec<TrialOutcome> {
    let plan = Plan::new(m);
    let mut ws = Workspace::default();
    (0..m.trials)
        .map(|t| {
            run_trial(&plan, t, &mut ws);
            ws.outcome().clone()
        })
        .collect()
}

/// 256 cases from a fixed seed, unless the environment says otherwise.
pub(crate) fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 256;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(20261124);
    }
    config
}

proptest! {
    // A fixed seed keeps CI deterministic; explore with PROPTEST_RNG_SEED=<n>
    // and PROPTEST_CASES=<n> (the environment overrides these defaults).
    #![proptest_config(config())]

    #[test]
    fn results_are_sane_and_independent_of_threads_and_file_order(spec in spec()) {
        let text = render(&spec, false);
        let one = document(&text, 1);
        prop_assert_eq!(&one, &document(&text, 2));
        // crews repair in file order: reversing the file changes their order
        if !spec.failures.iter().any(|f| f.timing == 5) {
            prop_assert_eq!(&one, &document(&render(&spec, true), 1));
        }
    }

    #[test]
    fn attributions_add_up_to_lost_hours_and_money_in_every_trial(spec in spec()) {
        // with capacities (short of demand or not), data losses, SLA credits
        // and destroying failures: in every trial the failures and
        // `unattributed` add up to the services' lost hours and to the cost
        let text = render_with_money(&spec);
        let m = model(&text);
        for (trial, o) in outcomes(&m).iter().enumerate() {
            let lost: f64 = o.services.iter().map(|s| s.lost_hours).sum();
            let attributed: f64 =
                o.failures.iter().map(|f| f.lost_hours).sum::<f64>() + o.unattributed_hours;
            prop_assert!((lost - attributed).abs() <= 1e-9 * lost.max(1.0), "trial {trial}: lost {lost} vs {attributed}");
            let charged: f64 = o.failures.iter().map(|f| f.cost).sum::<f64>() + o.unattributed_cost;
            prop_assert!((o.cost - charged).abs() <= 1e-9 * o.cost.max(1.0), "trial {trial}: cost {} vs {charged}", o.cost);
        }
        let _ = document(&text, 1);
    }

    #[test]
    fn control_planes_and_broken_deadlocks_give_the_same_bytes_for_any_threads_and_shards(spec in spec()) {
        // the money rendering carries control-plane failures, recovery
        // cycles broken by hand (or not), capacities and traffic curves
        let text = render_with_money(&spec);
        let one = document(&text, 1);
        prop_assert_eq!(&one, &document(&text, 2));
        prop_assert_eq!(&one, &sharded(&text, 3));
    }

    #[test]
    fn a_single_deployment_is_never_more_available_than_a_hard_dependency_it_reads(spec in spec()) {
        let m = model(&render(&spec, false));
        let per_trial = outcomes(&m);
        for (s, service) in m.services.iter().enumerate() {
            if service.deployments.len() != 1 {
                continue;
            }
            for dep in service.depends_on.iter().filter(|d| d.kind == faultline::model::DependencyKind::Hard) {
                // the deployment reads the dependency's service-level fraction
                // unless locality gives it a same-region deployment
                let region = m.deployments[service.deployments.start].region;
                let target = &m.services[dep.service];
                let local = region.is_some()
                    && matches!(target.routing, faultline::model::Routing::ActiveActive { .. })
                    && target.deployments.clone().any(|d| m.deployments[d].region == region);
                if local {
                    continue;
                }
                for o in &per_trial {
                    let (mine, theirs) = (o.services[s].lost_hours, o.services[dep.service].lost_hours);
                    prop_assert!(mine >= theirs - 1e-9, "{} lost {mine} < {} lost {theirs}", service.name, target.name);
                }
            }
        }
    }

    #[test]
    fn adding_a_replica_never_increases_its_deployments_lost_hours_on_the_same_seed(spec in spec(), which in 0usize..100) {
        // Active-active everywhere: routing then draws nothing, so the same
        // seed replays the same failure history for both designs. The
        // property is about the deployment's own lost hours, here those of a
        // service with one deployment. (Not about the services around it:
        // under ActiveActive a deployment kept alive but degraded keeps its
        // share of traffic where a dead one is drained, so a service with
        // several deployments can lose a little more; SPEC's semantics.)
        let mut spec = spec;
        spec.services.iter_mut().for_each(|s| s.routing = 0);
        // not under crews: another replica to repair is another draw per
        // occurrence, and a later repair for the replicas after it
        spec.failures.iter_mut().filter(|f| f.timing == 5).for_each(|f| f.timing = 0);
        let service = which % spec.services.len();
        spec.services[service].deployments.truncate(1);
        let before = outcomes(&model(&render(&spec, false)));
        spec.services[service].deployments[0].replicas += 1;
        let after = outcomes(&model(&render(&spec, false)));
        for (b, a) in before.iter().zip(&after) {
            let (sb, sa) = (b.services[service].lost_hours, a.services[service].lost_hours);
            prop_assert!(sa <= sb + 1e-9, "s{service}: {sa} > {sb}");
        }
    }
}
