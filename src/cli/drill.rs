//! `faultline drill`: what one outage of a domain would cost.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::catalog::loaded;
use super::explain::StoryFormat;
use super::output::stderr;
use super::report::print_document;
use super::{load, located, positive_duration, positive_number, print_refusal, Exit, Signals};
use crate::analysis::drill::{self, Drill, DrillError};
use crate::catalog::{self, Effect, Incident, Level};
use crate::model::{Duration, Model};
use crate::montecarlo::{RunError, RunOptions, DEFAULT_MAX_EVENTS, DEFAULT_MAX_TRIAL_EVENTS};
use crate::scenario::diagnostic::closest;

/// Arguments of `drill`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").args(["domain", "incident"]).multiple(true)))]
pub struct DrillArgs {
    /// The scenario file (RON).
    #[arg(required_unless_present = "list")]
    pub scenario: Option<PathBuf>,
    /// The domain that fails: a provider, region or zone the scenario lists
    /// (with `--incident`: in place of the incident's own scope).
    #[arg(long, required_unless_present_any = ["list", "incident"])]
    pub domain: Option<String>,
    /// How long it is down (`10h`, `2d`).
    #[arg(long, value_parser = positive_duration, required_unless_present_any = ["list", "incident"])]
    pub lasts: Option<f64>,
    /// When it starts (default: a uniform random time per trial in `[0, horizon - lasts]`).
    #[arg(long, value_parser = start_duration)]
    pub at: Option<f64>,
    /// What the outage does (default `down`; an incident's own effect with `--incident`).
    #[arg(long, value_enum)]
    pub effect: Option<EffectArg>,
    /// Take the scope, duration and effect of a real incident from the catalog (`--list`).
    #[arg(long, conflicts_with = "lasts")]
    pub incident: Option<String>,
    /// List the catalog's incidents with their sources.
    #[arg(long, conflicts_with_all = ["scenario", "domain", "lasts", "at", "incident"])]
    pub list: bool,
    /// Number of trials (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StoryFormat::Table)]
    pub format: StoryFormat,
    /// Refuse drills expected to simulate more events than this (both runs together).
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
}

/// `--effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EffectArg {
    /// Everything under the domain is down.
    Down,
    /// The domain's control plane fails: nothing can be relaunched or switched to under it.
    ControlPlane,
}

impl From<EffectArg> for Effect {
    fn from(e: EffectArg) -> Effect {
        match e {
            EffectArg::Down => Effect::Down,
            EffectArg::ControlPlane => Effect::ControlPlane,
        }
    }
}

/// A duration of zero or more, in hours.
fn start_duration(text: &str) -> Result<f64, String> {
    Duration::parse(text)
        .map(Duration::hours)
        .map_err(|e| e.to_string())
}

/// `faultline drill`.
pub fn run(args: &DrillArgs) -> Exit {
    if args.list {
        return list(args.format);
    }
    let Some(path) = &args.scenario else {
        return Exit::Usage;
    };
    let Some((model, bytes)) = load(path) else {
        return Exit::Failure;
    };
    let Some(drill) = resolve(args, path, &bytes, &model) else {
        return Exit::Failure;
    };
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        max_events: args.max_events,
        max_trial_events: args.max_trial_events,
        ..RunOptions::default()
    };
    let file = crate::text::one_line(&path.display().to_string()).into_owned();
    let signals = Signals::register();
    let outcome = match drill::drill(&model, &drill, &options, &signals.stop) {
        Ok(o) => o,
        Err(DrillError::Run(RunError::Interrupted)) => {
            stderr!("{file}: interrupted");
            return signals.exit();
        }
        Err(DrillError::Run(e)) => {
            print_refusal(path, &bytes, &e, args.trials.is_none());
            return Exit::Failure;
        }
        Err(e @ DrillError::PastHorizon { .. }) => {
            stderr!("error: {e}");
            stderr!("  hint: start it earlier with `--at`, or shorten `--lasts`");
            return Exit::Usage;
        }
    };
    let text = match args.format {
        StoryFormat::Table => Ok(drill::table(&model, &outcome)),
        StoryFormat::Markdown => Ok(drill::markdown(&model, &outcome)),
        StoryFormat::Json => drill::json(&model, &outcome),
    };
    print_document("drill", text)
}

/// `drill --list`.
fn list(format: StoryFormat) -> Exit {
    let Some(loaded) = loaded() else {
        return Exit::Failure;
    };
    let text = match format {
        StoryFormat::Table | StoryFormat::Markdown => Ok(catalog::incidents_table(&loaded)),
        StoryFormat::Json => catalog::incidents_json(&loaded),
    };
    print_document("incident list", text)
}

/// The drill the arguments describe, or `None` after printing why not.
fn resolve(args: &DrillArgs, path: &Path, bytes: &[u8], model: &Model) -> Option<Drill> {
    let (domain, lasts, effect) = match &args.incident {
        Some(name) => from_incident(args, model, name)?,
        None => (
            args.domain.clone().unwrap_or_default(),
            args.lasts.unwrap_or(0.0),
            Effect::Down,
        ),
    };
    let Some(id) = model.domain_by_path(&domain) else {
        unknown_domain(path, bytes, model, &domain, args.incident.is_some());
        return None;
    };
    Some(Drill {
        domain: id,
        lasts,
        at: args.at,
        effect: args.effect.map_or(effect, Effect::from),
    })
}

/// The domain, duration and effect of a catalog incident (`--domain`, when
/// given, in place of its scope; a zone incident whose reports name no zone
/// takes the first zone the scenario lists under its region).
fn from_incident(args: &DrillArgs, model: &Model, name: &str) -> Option<(String, f64, Effect)> {
    let loaded = loaded()?;
    let Some(incident) = loaded.incident(name) else {
        stderr!("error: the catalog has no incident `{name}`");
        let names = loaded.catalog.incidents.iter().map(|i| i.name.as_str());
        match closest(name, names) {
            Some(best) => {
                stderr!("  hint: did you mean `{best}`? (`faultline drill --list` lists them)")
            }
            None => stderr!("  hint: `faultline drill --list` lists them"),
        }
        return None;
    };
    let hours = match incident.hours() {
        Ok(h) => h,
        Err(e) => {
            stderr!("error: {e}");
            return None;
        }
    };
    let domain = match &args.domain {
        Some(d) => d.clone(),
        None => incident_domain(incident, model).unwrap_or_else(|| incident.scope.clone()),
    };
    Some((domain, hours, incident.effect))
}

/// The scenario domain an incident hits: its scope, or for a zone incident
/// scoped to a region, the first zone the scenario lists under it.
fn incident_domain(incident: &Incident, model: &Model) -> Option<String> {
    let unnamed_zone = incident.level == Level::Zone && incident.scope.matches('/').count() == 1;
    if !unnamed_zone {
        return Some(incident.scope.clone());
    }
    let prefix = format!("{}/", incident.scope);
    (model.domains.iter())
        .find(|d| d.level == crate::model::Level::Zone && d.path.starts_with(&prefix))
        .map(|d| d.path.clone())
}

/// `FILE:LINE:COL: error: ...` for a domain the scenario does not list.
fn unknown_domain(path: &Path, bytes: &[u8], model: &Model, domain: &str, incident: bool) {
    let at = located(path, bytes, None, "domains");
    stderr!(
        "{at}: error: the scenario has no domain `{}`",
        crate::text::one_line(domain)
    );
    let paths = model.domains.iter().map(|d| d.path.as_str());
    if let Some(best) = closest(domain, paths.clone()) {
        stderr!("  hint: did you mean `{best}`?");
    } else {
        let listed: Vec<&str> = paths.collect();
        stderr!("  hint: its domains: {}", listed.join(", "));
    }
    if incident {
        stderr!("  hint: `--domain PATH` drills the incident on one of the scenario's domains");
    }
}
