//! `faultline drill`: what one outage of a domain would cost.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::args::{positive_duration, Limits, RunSettings, TextFormat};
use super::catalog::loaded;
use super::load::load_with;
use super::output::{self, stderr, Inputs, Problem};
use super::refusal::{locate, print_refusal};
use super::signals::Signals;
use super::Exit;
use crate::analysis::drill::{self, Drill, DrillError};
use crate::catalog::{self, Effect, Incident, Level};
use crate::model::{Duration, Model};
use crate::montecarlo::RunError;
use crate::scenario::{self, diagnostic::closest, Loaded};

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
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// Refusal limits (both runs of each trial together).
    #[command(flatten)]
    pub limits: Limits,
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
    let Some(loaded) = load_with(path, &[], &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    super::uncertain::warn_at_medians("drill", model);
    let Some(drill) = resolve(args, path, &loaded) else {
        return Exit::Failure;
    };
    let options = args.settings.options(&args.limits);
    let file = crate::text::one_line(&path.display().to_string()).into_owned();
    let signals = Signals::register();
    let outcome = match drill::drill(model, &drill, &options, &signals.stop) {
        Ok(o) => o,
        Err(DrillError::Run(RunError::Interrupted)) => {
            stderr!("{file}: interrupted");
            return signals.exit();
        }
        Err(DrillError::Run(e)) => {
            print_refusal(path, &loaded, &e, args.settings.trials.is_none());
            return Exit::Failure;
        }
        Err(e @ DrillError::PastHorizon { .. }) => {
            Problem::error(e.to_string())
                .with_hint(Some("start it earlier with `--at`, or shorten `--lasts`"))
                .print();
            return Exit::Usage;
        }
    };
    let text = match args.format {
        TextFormat::Table => Ok(drill::table(model, &outcome)),
        TextFormat::Markdown => Ok(drill::markdown(model, &outcome)),
        TextFormat::Json => drill::json(model, &outcome),
    };
    output::print_document("drill", None, text)
}

/// `drill --list`.
fn list(format: TextFormat) -> Exit {
    let Some(loaded) = loaded() else {
        return Exit::Failure;
    };
    let text = match format {
        TextFormat::Table | TextFormat::Markdown => Ok(catalog::incidents_table(&loaded)),
        TextFormat::Json => catalog::incidents_json(&loaded),
    };
    output::print_document("incident list", None, text)
}

/// The drill the arguments describe, or `None` after printing why not.
fn resolve(args: &DrillArgs, path: &Path, loaded: &Loaded) -> Option<Drill> {
    let model = &loaded.model;
    let (domain, lasts, effect) = match &args.incident {
        Some(name) => from_incident(args, model, name)?,
        None => (
            args.domain.clone().unwrap_or_default(),
            args.lasts.unwrap_or(0.0),
            Effect::Down,
        ),
    };
    let Some(id) = model.domain_by_path(&domain) else {
        unknown_domain(path, loaded, &domain, args.incident.is_some());
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
        let names = loaded.catalog.incidents.iter().map(|i| i.name.as_str());
        let hint = match closest(name, names) {
            Some(best) => format!("did you mean `{best}`? (`faultline drill --list` lists them)"),
            None => "`faultline drill --list` lists them".to_string(),
        };
        Problem::error(format!(
            "the catalog has no incident `{}`",
            crate::text::one_line(name)
        ))
        .with_hint(Some(&hint))
        .print();
        return None;
    };
    let hours = match incident.hours() {
        Ok(h) => h,
        Err(e) => {
            Problem::error(e.to_string()).print();
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
fn unknown_domain(path: &Path, loaded: &Loaded, domain: &str, incident: bool) {
    let model = &loaded.model;
    let at = locate(path, loaded, |bytes| {
        scenario::field_position(bytes, None, "domains")
    });
    let message = format!(
        "the scenario has no domain `{}`",
        crate::text::one_line(domain)
    );
    let paths = model.domains.iter().map(|d| d.path.as_str());
    let mut hint = match closest(domain, paths.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("its domains: {}", paths.collect::<Vec<_>>().join(", ")),
    };
    if incident {
        hint.push_str(
            "\n  hint: `--domain PATH` drills the incident on one of the scenario's domains",
        );
    }
    at.error(&message).with_hint(Some(&hint)).print();
}
