//! `faultline rank`: what to fix next. For each failure definition and each
//! domain, the lost hours and money that would disappear if it never
//! failed, measured on common random numbers: the scenario is re-run with
//! the same seed and that candidate's failure processes removed. Streams are
//! keyed per process by names ([`crate::model::Process::stream_key`]), so
//! every other process replays exactly the same history and the per-trial
//! differences are paired. Then, where the scenario prices its replicas,
//! the same for a few built-in design changes ([`changes`]), with what each
//! adds to the infrastructure bill. A change is suggested only when its
//! paired saving is significantly positive ([`significant`]).

pub mod changes;
mod render;

pub use changes::{changes, Change, ChangeKind, RuledOut};
pub use render::{json, markdown, table};

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::model::{Model, Target, HOURS_PER_YEAR};
use crate::montecarlo::{self, DefaultTrials, RunError, RunOptions, RunSettings};
use crate::stats::Moments;

pub use crate::montecarlo::DEFAULT_RANK_TRIALS;

/// What is switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    /// Every process of one failure definition.
    Failure(usize),
    /// Every process targeting a domain or a domain under it.
    Domain(usize),
}

/// A mean per year with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean over trials, per year.
    pub mean: f64,
    /// 95% CI of the mean (from the paired per-trial values).
    pub ci95: [f64; 2],
}

/// What removing one candidate saves.
#[derive(Debug, Clone, PartialEq)]
pub struct Saving {
    /// What was removed.
    pub candidate: Candidate,
    /// Failure processes removed.
    pub processes: usize,
    /// Lost-service hours saved per year, summed over services.
    pub lost_hours: Estimate,
    /// Money saved per year (the scenario's cost: downtime, data loss, credits).
    pub cost: Estimate,
}

/// Per-trial (cost, lost hours summed over services).
type Sample = (f64, f64);

/// The whole ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// The scenario's own cost and lost hours per year.
    pub baseline: (Estimate, Estimate),
    /// Savings by money saved, then lost hours saved, then failures before
    /// domains in model order.
    pub savings: Vec<Saving>,
    /// Candidates that remove no process (a domain nothing targets).
    pub skipped: usize,
    /// Every built-in change tried, each with its paired saving, in
    /// [`change_order`].
    pub changes: Vec<(Change, Saving)>,
    /// The routing changes not tried because the service's data model rules
    /// them out (listed only when changes are tried at all).
    pub ruled_out: Vec<RuledOut>,
}

/// The model without the processes `candidate` names, and how many it removed.
pub fn without(model: &Model, candidate: Candidate) -> (Model, usize) {
    let mut m = model.clone();
    m.processes
        .retain(|p| !removes(model, candidate, p.failure, p.target));
    let removed = model.processes.len() - m.processes.len();
    (m, removed)
}

fn removes(model: &Model, candidate: Candidate, failure: usize, target: Target) -> bool {
    match (candidate, target) {
        (Candidate::Failure(f), _) => failure == f,
        (Candidate::Domain(d), Target::Domain(x)) => model.domain_chain(x).any(|a| a == d),
        (Candidate::Domain(_), _) => false,
    }
}

/// Runs the scenario with every candidate removed in turn, and every given
/// design change; `changes` are (change, its model) pairs.
///
/// # Errors
/// [`RunError`] when a run is refused or interrupted.
pub fn rank(
    model: &Model,
    options: &RunOptions,
    changes: &[(Change, Model)],
    stop: &AtomicBool,
) -> Result<Ranking, RunError> {
    let settings = RunSettings::resolve_for(model, options, DefaultTrials::Rank);
    // the scenario, once without each candidate, and each change
    let runs = 1 + model.failures.len() + model.domains.len() + changes.len();
    montecarlo::check_runs(model, runs, &settings)?;
    let scale = HOURS_PER_YEAR / model.horizon;
    let base = samples(model, &settings, stop)?;
    let baseline = (
        estimate(base.iter().map(|s| s.0 * scale)),
        estimate(base.iter().map(|s| s.1 * scale)),
    );
    let candidates = (0..model.failures.len())
        .map(Candidate::Failure)
        .chain((0..model.domains.len()).map(Candidate::Domain));
    let mut savings = Vec::new();
    let mut skipped = 0;
    for candidate in candidates {
        let (variant, processes) = without(model, candidate);
        if processes == 0 {
            skipped += 1;
            continue;
        }
        let runs = samples(&variant, &settings, stop)?;
        savings.push(saving(candidate, processes, &base, &runs, scale));
    }
    savings.sort_by(|a, b| {
        (b.cost.mean.total_cmp(&a.cost.mean)).then(b.lost_hours.mean.total_cmp(&a.lost_hours.mean))
    });
    let mut rows = Vec::new();
    for (change, variant) in changes {
        let runs = samples(variant, &settings, stop)?;
        rows.push((
            change.clone(),
            saving(Candidate::Failure(0), 0, &base, &runs, scale),
        ));
    }
    rows.sort_by(change_order);
    let ruled_out = if changes.is_empty() {
        Vec::new()
    } else {
        changes::ruled_out(model)
    };
    Ok(Ranking {
        seed: settings.seed,
        trials: settings.trials,
        baseline,
        savings,
        skipped,
        changes: rows,
        ruled_out,
    })
}

/// Money a change saves per year net of what it adds to the infrastructure,
/// with the 95% CI of the saving shifted by that fixed cost; `None` when the
/// infrastructure cost is unknown.
pub fn net((change, saving): &(Change, Saving)) -> Option<Estimate> {
    let infra = change.infra_per_year?;
    let [lo, hi] = saving.cost.ci95;
    Some(Estimate {
        mean: saving.cost.mean - infra,
        ci95: [lo - infra, hi - infra],
    })
}

/// Whether a saving is significantly positive: the paired 95% CI of the
/// money saved lies above 0. Only such changes are suggested.
pub fn significant(saving: &Saving) -> bool {
    saving.cost.ci95[0] > 0.0
}

/// The order of the changes: those of known infrastructure cost first, by
/// net saving, most first; then those of unknown cost, by money saved (a
/// stable sort keeps model order on ties).
pub fn change_order(a: &(Change, Saving), b: &(Change, Saving)) -> std::cmp::Ordering {
    match (net(a), net(b)) {
        (Some(x), Some(y)) => y.mean.total_cmp(&x.mean),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.1.cost.mean.total_cmp(&a.1.cost.mean),
    }
}

fn samples(
    model: &Model,
    settings: &RunSettings,
    stop: &AtomicBool,
) -> Result<Vec<Sample>, RunError> {
    montecarlo::run_sampled_with(model, settings, stop, |o| {
        (o.cost, o.services.iter().map(|s| s.lost_hours).sum())
    })
    .map(|(_, samples)| samples)
}

/// The paired saving `base - variant` per trial, scaled to a year.
fn saving(
    candidate: Candidate,
    processes: usize,
    base: &[Sample],
    runs: &[Sample],
    scale: f64,
) -> Saving {
    let pairs = || base.iter().zip(runs);
    Saving {
        candidate,
        processes,
        cost: estimate(pairs().map(|(b, v)| (b.0 - v.0) * scale)),
        lost_hours: estimate(pairs().map(|(b, v)| (b.1 - v.1) * scale)),
    }
}

/// The mean and 95% CI of per-trial values; from fewer than two trials the
/// interval is unknown (`[-f64::MAX, f64::MAX]`), so nothing is significant.
fn estimate(values: impl Iterator<Item = f64>) -> Estimate {
    let mut m = Moments::default();
    values.for_each(|x| m.push(x));
    let ci95 = if m.n < 2 {
        [-f64::MAX, f64::MAX]
    } else {
        m.ci95()
    };
    Estimate { mean: m.mean, ci95 }
}

/// The name of a candidate: the failure's name or the domain's path.
pub fn candidate_name(model: &Model, candidate: Candidate) -> &str {
    match candidate {
        Candidate::Failure(f) => &model.failures[f].name,
        Candidate::Domain(d) => &model.domains[d].path,
    }
}

/// `failure`, `provider`, `region` or `zone`.
pub fn candidate_kind(model: &Model, candidate: Candidate) -> &'static str {
    match candidate {
        Candidate::Failure(_) => "failure",
        Candidate::Domain(d) => match model.domains[d].level {
            crate::model::Level::Provider => "provider",
            crate::model::Level::Region => "region",
            crate::model::Level::Zone => "zone",
        },
    }
}
