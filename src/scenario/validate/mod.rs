//! Turns raw serde types into a validated [`Model`], collecting every problem.
//!
//! Every lookup goes through maps built once and every report is capped, so
//! that a large file full of mistakes is checked in about linear time.

mod deployment;
mod failure;
mod mechanics;
mod names;
mod objective;
mod order;
mod service;
mod shared_fate;
mod uncertain;

use std::collections::{BTreeMap, BTreeSet};

use super::diagnostic::Diagnostic;
use super::locate::{Anchor, Locator};
use super::raw::RawScenario;
use crate::model::{Distribution, Domain, DomainId, Level, Model};

pub use names::MAX_NAME_CHARS;
pub use order::topological_order;
pub use uncertain::MAX_INPUTS;

/// The most replicas one scenario may place (bounds memory per trial).
pub const MAX_REPLICAS: u64 = 1_000_000;
/// The most replicas one deployment may have (bounds the work per quorum change).
pub const MAX_REPLICAS_PER_DEPLOYMENT: u64 = 10_000;
/// The largest `per_hour` accepted: costs stay finite and exact to the cent.
pub const MAX_COST_PER_HOUR: f64 = 1e12;
/// The most deployments one service may have.
pub const MAX_DEPLOYMENTS_PER_SERVICE: usize = 64;
/// The most failure processes (a failure times its targets) one scenario may
/// define (bounds memory and the time to validate).
pub const MAX_PROCESSES: usize = 1_000_000;
/// The most problems reported for one file; the rest are only counted.
pub const MAX_PROBLEMS: usize = 50;
/// The default number of trials.
pub const DEFAULT_TRIALS: u64 = 10_000;

/// Name lookups, built once: the model's own lookups scan, which is quadratic
/// over a large file.
#[derive(Debug, Default)]
struct Ids {
    /// Domains by path.
    domains: BTreeMap<String, DomainId>,
    /// Services by name (the first definition of a name).
    services: BTreeMap<String, usize>,
    /// The providers.
    roots: Vec<DomainId>,
    /// The children of each domain.
    children: Vec<Vec<DomainId>>,
    /// Deployments by tag, in file order.
    tags: BTreeMap<String, Vec<usize>>,
}

/// Validation state: the locator, the lookups and the problems found so far.
pub struct Validator<'a> {
    locator: &'a Locator,
    problems: Vec<Diagnostic>,
    /// Located warnings: the file still runs.
    warnings: Vec<Diagnostic>,
    /// Problems found past [`MAX_PROBLEMS`]: counted, not located.
    unreported: usize,
    ids: Ids,
    failure_names: BTreeSet<String>,
    /// Set once the failures define too many processes: later failures are
    /// then checked but not expanded.
    too_many_processes: bool,
    /// The `manual` of each `Recovery` edge that has one: (service, the
    /// service it depends on, the time to break a deadlock), in file order.
    manual_breaks: Vec<(String, usize, Distribution)>,
    /// Groups of processes repaired by crews so far (their ids).
    repair_groups: usize,
}

impl<'a> Validator<'a> {
    /// A validator over the given source.
    pub fn new(locator: &'a Locator) -> Validator<'a> {
        Validator {
            locator,
            problems: Vec::new(),
            warnings: Vec::new(),
            unreported: 0,
            ids: Ids::default(),
            failure_names: BTreeSet::new(),
            too_many_processes: false,
            manual_breaks: Vec::new(),
            repair_groups: 0,
        }
    }

    /// Reports a problem at the last of `anchors` found. The hint is only
    /// computed for problems that are reported.
    fn report(
        &mut self,
        anchors: &[Anchor],
        message: String,
        hint: impl FnOnce() -> Option<String>,
    ) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.unreported += 1;
            return;
        }
        let position = self.locator.locate(anchors);
        self.problems.push(Diagnostic {
            position,
            message,
            hint: hint(),
        });
    }

    /// Records a warning at the last of `anchors` found.
    fn warn(&mut self, anchors: &[Anchor], message: String, hint: Option<String>) {
        if self.warnings.len() < MAX_PROBLEMS {
            let position = self.locator.locate(anchors);
            self.warnings.push(Diagnostic {
                position,
                message,
                hint,
            });
        }
    }

    /// The warnings found, sorted by position.
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort_by_key(|d| d.position);
        warnings
    }

    /// The problems found, sorted by position, and a last line saying how
    /// many more there are beyond [`MAX_PROBLEMS`].
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.problems.sort_by_key(|d| d.position);
        if self.unreported > 0 {
            let at = self.problems.last().map(|d| d.position).unwrap_or_default();
            let message = format!("{} more problems are not shown", self.unreported);
            self.problems
                .push(Diagnostic::new(at, message).with_hint("fix the problems above first"));
        }
        self.problems
    }

    /// Validates a whole scenario. Returns `None` when any problem was found.
    pub fn scenario(&mut self, raw: RawScenario, default_name: &str) -> Option<Model> {
        self.composition_outside_a_file(&raw);
        let horizon = raw.horizon.map_or(8760.0, |h| h.0.hours());
        let trials = raw.trials.unwrap_or(DEFAULT_TRIALS);
        if trials == 0 {
            self.report(
                &[Anchor::Field("trials")],
                "`trials` must be at least 1".into(),
                || Some("write `trials: 10000`, or leave it out for the default".into()),
            );
        }
        let domains = self.domains(&raw.domains);
        if raw.services.0.is_empty() {
            self.report(
                &[Anchor::Field("services")],
                "`services` is empty".into(),
                || Some("a scenario needs at least one service to measure".into()),
            );
        }
        if let Some(name) = &raw.name {
            let at = [Anchor::Field("name"), Anchor::Str(name.clone())];
            self.name("scenario name", name, &at);
        }
        let names: Vec<&str> = raw.services.0.iter().map(|(n, _)| n.as_str()).collect();
        self.services_by_name(&names);
        let mut model = Model {
            name: raw.name.unwrap_or_else(|| default_name.to_string()),
            horizon,
            trials,
            seed: raw.seed.unwrap_or(0),
            domains,
            ..Model::default()
        };
        let traffic = raw
            .traffic
            .as_ref()
            .and_then(|t| self.traffic(&[Anchor::Field("traffic")], t));
        for (name, service) in &raw.services.0 {
            self.service(&mut model, name, service, &names, traffic.as_ref());
        }
        (model.topological_order, model.recovery_cycles) = self.evaluation_order(&model);
        model.recovery_manual = self.recovery_manual(&model);
        for (index, failure) in raw.failures.iter().enumerate() {
            self.failure(&mut model, index, failure);
        }
        self.objectives(&mut model, &raw.objectives);
        sort_inputs_and_processes(&mut model);
        self.problems.is_empty().then_some(model)
    }

    /// Reports `extends` or `remove` in a scenario not read from a file
    /// (only the file loader follows them).
    fn composition_outside_a_file(&mut self, raw: &RawScenario) {
        if raw.extends.is_some() || raw.remove.is_some() {
            let field = if raw.extends.is_some() {
                "extends"
            } else {
                "remove"
            };
            self.report(
                &[Anchor::Field(field)],
                format!("`{field}` is only followed when the scenario is read from a file"),
                || Some("run faultline on the file itself".into()),
            );
        }
    }

    fn domains(&mut self, paths: &[String]) -> Vec<Domain> {
        let mut domains: Vec<Domain> = Vec::new();
        if paths.is_empty() {
            self.report(
                &[Anchor::Field("domains")],
                "`domains` is empty".into(),
                || Some("list leaf zones such as `\"aws/us-east-1/a\"`".into()),
            );
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for path in paths {
            let occurrence = seen.entry(path).or_insert(0);
            let at = [
                Anchor::Field("domains"),
                Anchor::Str(path.clone()).nth(*occurrence),
            ];
            *occurrence += 1;
            let segments: Vec<&str> = path.split('/').collect();
            let bad_segment = segments
                .iter()
                .any(|s| s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '#'));
            if let Some(segment) = segments.iter().find(|s| names::name_problem(s).is_some()) {
                if !bad_segment {
                    self.name("domain path segment", segment, &at);
                    continue;
                }
            }
            if bad_segment || segments.len() > 3 {
                self.report(
                    &at,
                    format!(
                        "domain `{}` is not a path `provider/region/zone`",
                        names::quoted(path)
                    ),
                    || Some("use one to three non-empty names separated by `/`".into()),
                );
            } else if *occurrence > 1 {
                self.report(&at, format!("domain `{path}` is listed twice"), || {
                    Some("remove one of them".into())
                });
            } else {
                self.add_domain(&mut domains, &segments);
            }
        }
        domains
    }

    /// Adds a leaf path and the prefixes not added yet.
    fn add_domain(&mut self, domains: &mut Vec<Domain>, segments: &[&str]) {
        let mut parent = None;
        for depth in 1..=segments.len() {
            let prefix = segments[..depth].join("/");
            let id = *self.ids.domains.entry(prefix.clone()).or_insert_with(|| {
                domains.push(Domain {
                    path: prefix,
                    level: [Level::Provider, Level::Region, Level::Zone][depth - 1],
                    parent,
                });
                self.ids.children.push(Vec::new());
                match parent {
                    Some(p) => self.ids.children[p].push(domains.len() - 1),
                    None => self.ids.roots.push(domains.len() - 1),
                }
                domains.len() - 1
            });
            parent = Some(id);
        }
    }

    /// Indexes services by name and reports names defined twice.
    fn services_by_name(&mut self, names: &[&str]) {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, &name) in names.iter().enumerate() {
            let n = count.entry(name).or_insert(0);
            if *n == 0 {
                self.ids.services.insert(name.to_string(), i);
                self.name("service name", name, &[Anchor::Entry(name.to_string())]);
            } else {
                let at = [Anchor::Entry(name.to_string()).nth(*n)];
                self.report(&at, format!("service `{name}` is defined twice"), || {
                    Some("merge the two definitions or rename one".into())
                });
            }
            *n += 1;
        }
    }
}

/// Puts the uncertain inputs in file order (services are validated before
/// failures) and the processes in the order of their labels.
fn sort_inputs_and_processes(model: &mut Model) {
    model.uncertain.sort_by_key(|i| {
        let (line, col) = i.at.split_once(':').unwrap_or_default();
        (line.parse::<usize>().ok(), col.parse::<usize>().ok())
    });
    model
        .processes
        .sort_by(|a, b| a.label.cmp(&b.label).then(a.stream_key.cmp(&b.stream_key)));
}
