//! Services: deployments, dependencies, cost, routing and mechanics
//! brought together into a [`Service`] of the model.

use std::collections::BTreeMap;

use super::super::diagnostic::name_hint;
use super::super::locate::Anchor;
use super::super::raw::{RawDependency, RawService};
use super::{mechanics, Validator, MAX_DEPLOYMENTS_PER_SERVICE};
use crate::model::{Dependency, DependencyKind, Model, Service, Traffic};
use crate::uncertainty::Target;

impl Validator<'_> {
    /// Validates the service `name` and adds it, with its deployments, to
    /// the model; `traffic` is the scenario's curve.
    pub(super) fn service(
        &mut self,
        model: &mut Model,
        name: &str,
        raw: &RawService,
        names: &[&str],
        traffic: Option<&Traffic>,
    ) {
        let at = |field| [Anchor::Entry(name.to_string()), Anchor::Field(field)];
        let first_deployment = model.deployments.len();
        self.deployment_count(name, raw, &at("deployments"));
        let service_id = model.services.len();
        let infra = raw.infra.map(|i| {
            self.infra_price(
                name,
                &[Anchor::Entry(name.to_string())],
                i.per_replica_month,
            )
        });
        for (index, deployment) in raw.deployments.iter().enumerate() {
            self.deployment(model, (name, service_id, infra), index, deployment);
        }
        let depends_on = self.dependencies(model, name, raw, names);
        let cost = raw.cost.as_ref();
        let cost_per_hour = self.money(name, "per_hour", cost.and_then(|c| c.per_hour));
        let cost_per_data_loss_hour = self.money(
            name,
            "per_data_loss_hour",
            cost.and_then(|c| c.per_data_loss_hour),
        );
        let routing = self.routing(model, name, raw.routing.as_ref());
        let mechanics = self.mechanics(name, raw);
        self.collapse_without_active_active(name, &mechanics, &routing, &at("overload"));
        let traffic = match &raw.traffic {
            Some(t) => self.traffic(&at("traffic"), t),
            None => traffic.cloned(),
        };
        model.services.push(Service {
            name: name.to_string(),
            deployments: first_deployment..model.deployments.len(),
            routing,
            depends_on,
            cost_per_hour,
            cost_per_data_loss_hour,
            overload: mechanics.overload,
            data: mechanics.data,
            sla: mechanics.sla,
            traffic: traffic.map(Box::new),
        });
    }

    /// Reports a service without deployments, or with more than supported.
    fn deployment_count(&mut self, name: &str, raw: &RawService, at: &[Anchor]) {
        if raw.deployments.is_empty() {
            self.report(at, format!("service `{name}` has no deployments"), || {
                Some("add a deployment: `deployments: [(in: \"aws/us-east-1/a\")]`".into())
            });
        }
        if raw.deployments.len() > MAX_DEPLOYMENTS_PER_SERVICE {
            self.report(
                at,
                format!(
                    "service `{name}` has {} deployments; at most {MAX_DEPLOYMENTS_PER_SERVICE} are supported",
                    raw.deployments.len()
                ),
                || None,
            );
        }
    }

    /// Warns that `overload: Collapse` acts only under `ActiveActive`.
    fn collapse_without_active_active(
        &mut self,
        name: &str,
        mechanics: &mechanics::Mechanics,
        routing: &crate::model::Routing,
        at: &[Anchor],
    ) {
        if matches!(mechanics.overload, crate::model::Overload::Collapse { .. })
            && !matches!(routing, crate::model::Routing::ActiveActive { .. })
        {
            self.warn(
                at,
                format!("`overload: Collapse` of `{name}` acts only under `ActiveActive`; `{name}` only sheds"),
                Some("under ActivePassive or Manual the active deployment takes all traffic and sheds what exceeds its capacity".into()),
            );
        }
    }

    fn dependencies(
        &mut self,
        model: &mut Model,
        name: &str,
        raw: &RawService,
        names: &[&str],
    ) -> Vec<Dependency> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for (target, kind) in &raw.depends_on.0 {
            let occurrence = seen.entry(target).or_insert(0);
            let at = vec![
                Anchor::Entry(name.to_string()),
                Anchor::Field("depends_on"),
                Anchor::Key(target.clone()).nth(*occurrence),
            ];
            *occurrence += 1;
            if *occurrence > 1 {
                let message = format!("`{name}` lists the dependency `{target}` twice");
                self.report(&at, message, || {
                    Some("keep one entry per service in `depends_on`".into())
                });
                continue;
            }
            let Some(&service) = self.ids.services.get(target) else {
                let message = format!("unknown service `{target}` in `depends_on` of `{name}`");
                self.report(&at, message, || name_hint(target, names, "services"));
                continue;
            };
            let edge = Edge {
                dependent: name,
                name: target,
                service,
                index: out.len(),
            };
            let Some(kind) = self.dependency_kind(model, edge, kind, at) else {
                continue;
            };
            out.push(Dependency { service, kind });
        }
        out
    }

    /// How the dependency `edge` acts; `None` after reporting a bad
    /// `impact`. `at` points at the entry in `depends_on`.
    fn dependency_kind(
        &mut self,
        model: &mut Model,
        edge: Edge<'_>,
        kind: &RawDependency,
        mut at: Vec<Anchor>,
    ) -> Option<DependencyKind> {
        let Edge {
            dependent: name,
            name: target,
            service,
            index,
        } = edge;
        let kind = match kind {
            RawDependency::Hard => DependencyKind::Hard,
            RawDependency::Recovery { catch_up, manual } => {
                if let Some(manual) = manual {
                    self.manual_breaks
                        .push((name.to_string(), service, manual.0.clone()));
                }
                DependencyKind::Recovery {
                    catch_up: catch_up.map_or(0.0, |c| c.0.hours()),
                }
            }
            RawDependency::Soft { impact: raw_impact } => {
                let impact = raw_impact.nominal();
                if impact > 0.0 && impact <= 1.0 {
                    if let Some(law) = raw_impact.law() {
                        at.push(Anchor::Field("impact"));
                        let input = format!("{name} depends_on {target} impact");
                        let target = Target::Impact(model.services.len(), index);
                        self.input(model, &at, false, input, (law, target));
                    }
                    DependencyKind::Soft { impact }
                } else {
                    at.push(Anchor::Field("impact"));
                    self.report(
                    &at,
                    format!("`impact` of `{name}` on `{target}` is `{impact}`; it must be in (0, 1]"),
                    || Some(format!("`impact` is the share of `{name}` lost while `{target}` is fully down")),
                );
                    return None;
                }
            }
        };
        Some(kind)
    }
}

/// One entry of a service's `depends_on`, resolved.
struct Edge<'a> {
    /// The name of the service that depends.
    dependent: &'a str,
    /// The name of the service depended upon.
    name: &'a str,
    /// Its id.
    service: usize,
    /// The index of the edge among the dependent's dependencies.
    index: usize,
}
