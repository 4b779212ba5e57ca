//! Exact-answer tests of control-plane failures (`effect: ControlPlane`),
//! capacity against a traffic curve, and recovery deadlocks broken by hand
//! (`Recovery(manual: ...)`). Each simulated mean is checked against a
//! closed form, or against a small simulation written here from the
//! language's rules (its own random numbers, not the engine's), within four
//! standard errors of the two combined, at a fixed seed.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::exact::{p_down, std_error, HORIZON};
use super::support::run;
use faultline::stats::Distribution;

/// Trials of the reference simulations written in this file.
const REFERENCE_TRIALS: u32 = 200_000;

/// An exponential draw of mean `mean`.
fn exp(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// The outages of an alternating process from time 0 (up for an
/// exponential time of mean `every`, then down for `lasts`), those starting
/// within the horizon, cut at it.
fn outages(rng: &mut ChaCha8Rng, every: f64, lasts: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut t = 0.0;
    loop {
        t += exp(rng, every);
        if t >= HORIZON {
            return out;
        }
        out.push((t, (t + lasts).min(HORIZON)));
        t += lasts;
    }
}

/// The hours within the horizon covered by the union of `intervals`.
fn union_hours(intervals: &mut [(f64, f64)]) -> f64 {
    intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut total, mut reach) = (0.0, 0.0_f64);
    for &(a, b) in intervals.iter() {
        let (a, b) = (a.max(reach), b.min(HORIZON));
        if b > a {
            total += b - a;
        }
        reach = reach.max(b);
    }
    total
}

/// The end of the occurrence of `cp` in effect at `t`, if one is.
fn in_effect(cp: &[(f64, f64)], t: f64) -> Option<f64> {
    cp.iter().find(|c| c.0 <= t && t < c.1).map(|c| c.1)
}

/// Mean and standard error of a reference simulation's values.
struct Reference {
    sum: f64,
    squares: f64,
    n: f64,
}

impl Reference {
    fn new() -> Reference {
        Reference {
            sum: 0.0,
            squares: 0.0,
            n: 0.0,
        }
    }

    fn add(&mut self, x: f64) {
        self.sum += x;
        self.squares += x * x;
        self.n += 1.0;
    }

    fn mean(&self) -> f64 {
        self.sum / self.n
    }

    fn std_error(&self) -> f64 {
        let mean = self.mean();
        ((self.squares / self.n - mean * mean).max(0.0) / (self.n - 1.0)).sqrt()
    }
}

/// Asserts the engine's mean `(mean, standard error)` is within four
/// combined standard errors of the reference, and that both vary.
fn assert_matches(what: &str, (mean, error): (f64, f64), reference: &Reference) {
    let tolerance = 4.0 * (error.powi(2) + reference.std_error().powi(2)).sqrt();
    assert!(
        (mean - reference.mean()).abs() <= tolerance,
        "{what}: simulated {mean} vs reference {} (tolerance {tolerance})",
        reference.mean()
    );
    assert!(error > 0.0, "{what}: no spread, the test is too weak");
}

fn estimate(d: &Distribution) -> (f64, f64) {
    (d.mean, std_error(d))
}

fn interval(ci95: [f64; 2]) -> f64 {
    (ci95[1] - ci95[0]) / (2.0 * 1.959_963_984_540_054)
}

#[test]
fn a_control_plane_occurrence_holds_a_replica_outage_until_it_ends() {
    // a host fails every 10 days for 1 h; the region's control plane is out
    // every 5 days for 24 h: a host outage that would end meanwhile stays
    // down until the control plane is back, and that time is its alone
    let text = r#"Scenario(name: "held", horizon: "8760h", trials: 4000, seed: 3,
        domains: ["aws/r/a"],
        failures: [
            (name: "host", on: EachReplica(), every: "240h", lasts: Fixed("1h"), cause: Hardware),
            (name: "control plane", on: Domain("aws/r"), every: "120h", lasts: Fixed("24h"),
             cause: Dependency, effect: ControlPlane),
        ],
        services: { "app": (deployments: [(in: "aws/r", zones: ["a"])]) })"#;
    let r = run(text, 4000, 3);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut lost, mut own, mut held) = (Reference::new(), Reference::new(), Reference::new());
    for _ in 0..REFERENCE_TRIALS {
        let host = outages(&mut rng, 240.0, 1.0);
        let cp = outages(&mut rng, 120.0, 24.0);
        let mut down: Vec<(f64, f64)> = host
            .iter()
            .map(|&(a, b)| {
                let mut end = b;
                while let Some(until) = in_effect(&cp, end) {
                    end = until;
                }
                (a, end)
            })
            .collect();
        let d = union_hours(&mut down);
        let o: f64 = host.iter().map(|o| o.1 - o.0).sum();
        lost.add(d);
        own.add(o);
        held.add(d - o);
    }
    assert_matches("lost hours", estimate(&r.services["app"].lost_hours), &lost);
    let failure = |name: &str| {
        let f = &r.failures[name];
        (
            f.lost_hours.mean,
            interval(f.lost_hours.ci95.expect("known ci95")),
        )
    };
    assert_matches("host's hours", failure("host"), &own);
    assert_matches("control plane's hours", failure("control plane"), &held);
    // the control plane took nothing down by itself: its hours are holds
    assert!(held.mean() > 30.0, "{}", held.mean());
}

#[test]
fn a_switch_to_a_deployment_under_a_control_plane_outage_completes_when_it_ends() {
    // the active region fails every 30 days for 10 h; the switch takes 30
    // min but does not complete while the standby region's control plane
    // is out (every 5 days for 12 h); no failback: once switched, the
    // standby (which never fails) serves for good
    let text = r#"Scenario(name: "switch", horizon: "8760h", trials: 4000, seed: 5,
        domains: ["aws/r1/a", "aws/r2/a"],
        failures: [
            (name: "r1 outage", on: Domain("aws/r1"), every: "720h", lasts: Fixed("10h"), cause: Power),
            (name: "r2 control plane", on: Domain("aws/r2"), every: "120h", lasts: Fixed("12h"),
             cause: Dependency, effect: ControlPlane),
        ],
        services: { "db": (deployments: [(in: "aws/r1"), (in: "aws/r2")],
            routing: ActivePassive(detect: Fixed("6m"), switch: Fixed("24m"))) })"#;
    let r = run(text, 4000, 5);
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let (mut lost, mut own, mut held) = (Reference::new(), Reference::new(), Reference::new());
    for _ in 0..REFERENCE_TRIALS {
        let r1 = outages(&mut rng, 720.0, 10.0);
        let cp = outages(&mut rng, 120.0, 12.0);
        // the service's outages, and the stretches its switch was held
        let (mut down, mut windows) = (Vec::new(), Vec::new());
        // the switch pending (a timer that fires at this time), if any
        let mut pending: Option<f64> = None;
        for &(a, b) in &r1 {
            let mut p = match pending {
                Some(p) if p >= a => p,
                _ => a + 0.5,
            };
            let switched = loop {
                if p >= b {
                    break false;
                }
                match in_effect(&cp, p) {
                    Some(until) => {
                        windows.push((p, until));
                        p = until;
                    }
                    None => break true,
                }
            };
            down.push((a, if switched { p } else { b }));
            if switched {
                break;
            }
            pending = Some(p);
        }
        let total: f64 = down.iter().map(|d| d.1 - d.0).sum();
        let by_cp: f64 = (down.iter())
            .flat_map(|d| {
                windows
                    .iter()
                    .map(move |w| (d.1.min(w.1) - d.0.max(w.0)).max(0.0))
            })
            .sum();
        lost.add(total);
        own.add(total - by_cp);
        held.add(by_cp);
    }
    assert_matches("lost hours", estimate(&r.services["db"].lost_hours), &lost);
    let failure = |name: &str| {
        let f = &r.failures[name];
        (
            f.lost_hours.mean,
            interval(f.lost_hours.ci95.expect("known ci95")),
        )
    };
    assert_matches("r1 outage's hours", failure("r1 outage"), &own);
    assert_matches("control plane's hours", failure("r2 control plane"), &held);
    assert!(held.mean() > 0.5, "{}", held.mean());
}

/// Simpson's rule over each hour of the horizon (the demand's weight steps
/// at the hours).
fn integrate_by_hour(f: impl Fn(f64) -> f64) -> f64 {
    let mut sum = 0.0;
    for h in 0..HORIZON as usize {
        let (a, m, b) = (h as f64, h as f64 + 0.5, h as f64 + 1.0);
        // the hour's own weight at its end: evaluate just inside it
        let end = b - 1e-9;
        sum += (f(a) + 4.0 * f(m) + f(end)) / 6.0;
    }
    sum
}

#[test]
fn capacity_against_a_two_level_traffic_curve_sheds_the_exact_share() {
    // demand weights 0.5 from midnight to noon and 1.5 from noon to
    // midnight; two replicas of 0.6 each: the peak exceeds the capacity
    // even with both up (20% shed, nobody's fault), and by 60% with one down
    let weights = format!("[{}{}]", "1, ".repeat(12), "3, ".repeat(12));
    let text = format!(
        r#"Scenario(name: "peak", horizon: "8760h", trials: 4000, seed: 9,
        domains: ["aws/r/a", "aws/r/b"], traffic: Daily({weights}),
        failures: [(name: "host", on: EachReplica(), every: "240h", lasts: Exp(mean: "12h"))],
        services: {{ "app": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: 2,
            need: 1, capacity: 1.2)]) }})"#
    );
    let r = run(&text, 4000, 9);
    let loss = |t: f64, shed_only: bool| {
        let p = p_down(240.0, 12.0, t);
        let (p0, p1, p2) = ((1.0 - p).powi(2), 2.0 * p * (1.0 - p), p * p);
        let peak = t - (t / 24.0).floor() * 24.0 >= 12.0;
        let shed = if peak { p0 * 0.2 + p1 * 0.6 } else { 0.0 };
        if shed_only {
            shed
        } else {
            shed + p2
        }
    };
    let exact_lost = integrate_by_hour(|t| loss(t, false));
    let exact_shed = integrate_by_hour(|t| loss(t, true));
    super::exact::assert_close("lost hours", &r.services["app"].lost_hours, exact_lost, 0.0);
    let shed = r.services["app"].shed_hours.mean;
    assert!(
        (shed - exact_shed).abs() <= 0.02 * exact_shed,
        "shed hours: simulated {shed} vs exact {exact_shed}"
    );
    // the peak's 20% with everything up is the design's: 12 h a day
    let design = 0.2 * 12.0 * 365.0;
    let unattributed = r.unattributed.lost_hours.mean;
    assert!(
        (unattributed - design).abs() <= 1e-6 * design,
        "unattributed {unattributed} vs {design}"
    );
    let host = r.failures["host"].lost_hours.mean;
    assert!((host + unattributed - r.services["app"].lost_hours.mean).abs() < 1e-6);
}

#[test]
fn a_recovery_deadlock_broken_by_hand_lasts_its_formation_plus_the_manual_draw() {
    // a region outage of 5 h takes both services down; each needs the
    // other to relaunch, so at its end they deadlock; people break it 3 h
    // later, and `a` then needs `b` up for its 1 h catch-up
    let text = r#"Scenario(name: "deadlock", horizon: "8760h", trials: 4000, seed: 4,
        domains: ["aws/r/a"],
        failures: [(name: "region", on: Domain("aws/r"), every: "720h", lasts: Fixed("5h"), cause: Power)],
        services: {
            "a": (deployments: [(in: "aws/r")],
                  depends_on: { "b": Recovery(catch_up: "1h", manual: Fixed("3h")) }),
            "b": (deployments: [(in: "aws/r")], depends_on: { "a": Recovery() }),
        })"#;
    let r = run(text, 4000, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let (mut a_lost, mut b_lost) = (Reference::new(), Reference::new());
    for _ in 0..REFERENCE_TRIALS {
        let region = outages(&mut rng, 720.0, 5.0);
        let mut a: Vec<(f64, f64)> = region.iter().map(|&(s, e)| (s, e + 4.0)).collect();
        let mut b: Vec<(f64, f64)> = region.iter().map(|&(s, e)| (s, e + 3.0)).collect();
        a_lost.add(union_hours(&mut a));
        b_lost.add(union_hours(&mut b));
    }
    assert_matches("a", estimate(&r.services["a"].lost_hours), &a_lost);
    assert_matches("b", estimate(&r.services["b"].lost_hours), &b_lost);
    // no deadlock lasts to the horizon but one formed within 3 h of it
    assert!(r.services["a"].recovery_deadlocks.mean < 0.01);
    // it is all the region outage's (the wait and the break follow it)
    let region = r.failures["region"].lost_hours.mean;
    let total = r.services["a"].lost_hours.mean + r.services["b"].lost_hours.mean;
    assert!(
        (region - total).abs() <= 1e-9 * total,
        "{region} vs {total}"
    );
}
