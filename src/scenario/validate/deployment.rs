//! Deployments: their domain, zones, replicas and `need`.

use std::collections::BTreeSet;

use super::super::diagnostic::{closest, name_hint};
use super::super::locate::Anchor;
use super::super::raw::RawDeployment;
use super::{Validator, MAX_COST_PER_HOUR, MAX_REPLICAS, MAX_REPLICAS_PER_DEPLOYMENT};
use crate::model::{Deployment, DomainId, Level, Model, Replica};

/// Where the deployment `index` (0-based) of a service is written: the anchors
/// of its `in` value.
fn anchors(service: &str, index: usize, domain: &str) -> Vec<Anchor> {
    vec![
        Anchor::Entry(service.to_string()),
        Anchor::Field("deployments"),
        Anchor::Field("in").nth(index),
        Anchor::Text(format!("\"{domain}\"")),
    ]
}

fn with(mut anchors: Vec<Anchor>, last: Anchor) -> Vec<Anchor> {
    anchors.push(last);
    anchors
}

impl Validator<'_> {
    /// Validates the deployment `index` of `name` and adds it and its replicas.
    pub(super) fn deployment(
        &mut self,
        model: &mut Model,
        (name, service, service_infra): (&str, usize, Option<f64>),
        index: usize,
        raw: &RawDeployment,
    ) {
        let at = anchors(name, index, &raw.domain);
        let Some(&domain) = self.ids.domains.get(&raw.domain) else {
            let message = format!(
                "unknown domain `{}` in a deployment of `{name}`",
                raw.domain
            );
            self.report(&at, message, || {
                let paths: Vec<&str> = model.domains.iter().map(|d| d.path.as_str()).collect();
                name_hint(&raw.domain, &paths, "domains")
            });
            return;
        };
        let replicas = raw.replicas.unwrap_or(1);
        // check both, so that one problem does not hide the other
        let counts_ok = self.replicas_and_need(model, name, &at, replicas, raw.need.unwrap_or(1));
        let zones = self.zones(model, name, &at, domain, raw);
        let capacity = self.capacity(name, &at, raw.capacity);
        let infra = match raw.infra {
            Some(i) => Some(self.infra_price(name, &at, i.per_replica_month)),
            None => service_infra,
        };
        let (true, Some(zones), Some(capacity)) = (counts_ok, zones, capacity) else {
            return;
        };
        let counts = (replicas, raw.need.unwrap_or(1));
        add(model, service, domain, &zones, counts, (capacity, infra));
        for tag in raw.tags.iter().flatten() {
            let tag_at = with(at.clone(), Anchor::Str(tag.clone()));
            if self.name("tag", tag, &tag_at) {
                let tagged = self.ids.tags.entry(tag.clone()).or_default();
                // a tag listed twice on one deployment selects it once
                if tagged.last() != Some(&(model.deployments.len() - 1)) {
                    tagged.push(model.deployments.len() - 1);
                }
            }
        }
    }

    /// Checks `replicas` and `need`; false when either is wrong.
    fn replicas_and_need(
        &mut self,
        model: &Model,
        name: &str,
        at: &[Anchor],
        replicas: u64,
        need: u64,
    ) -> bool {
        let replicas_at = with(at.to_vec(), Anchor::Field("replicas"));
        if replicas == 0 {
            self.report(
                &replicas_at,
                format!("`replicas` of `{name}` is `0`; a deployment needs at least 1"),
                || Some("remove the deployment, or give it 1 replica or more".into()),
            );
            return false;
        }
        if replicas > MAX_REPLICAS_PER_DEPLOYMENT {
            self.report(
                &replicas_at,
                format!("`replicas` of `{name}` is `{replicas}`; a deployment may have at most {MAX_REPLICAS_PER_DEPLOYMENT}"),
                || Some("model a large fleet as fewer replicas with the same share in `need`".into()),
            );
            return false;
        }
        if model.replicas.len() as u64 + replicas > MAX_REPLICAS {
            self.report(
                &replicas_at,
                format!("the scenario places more than {MAX_REPLICAS} replicas"),
                || {
                    Some(
                        "model a large fleet as fewer replicas with the same share in `need`"
                            .into(),
                    )
                },
            );
            return false;
        }
        if need == 0 || need > replicas {
            self.report(
                &with(at.to_vec(), Anchor::Field("need")),
                format!(
                    "`need` of `{name}` is `{need}`; it must be between 1 and `replicas` ({replicas})"
                ),
                || Some("`need` is how many replicas must be up for the deployment to serve".into()),
            );
            return false;
        }
        true
    }

    /// The deployment's capacity: infinite when not given; `None` after
    /// reporting a value that is not a positive finite number.
    fn capacity(&mut self, name: &str, at: &[Anchor], raw: Option<f64>) -> Option<f64> {
        match raw {
            None => Some(f64::INFINITY),
            Some(c) if c.is_finite() && c > 0.0 => Some(c),
            Some(c) => {
                self.report(
                    &with(at.to_vec(), Anchor::Field("capacity")),
                    format!("`capacity` of a deployment of `{name}` is `{c}`; it must be greater than 0"),
                    || Some("`capacity` is the share of the service's demand it can serve, e.g. `0.5`".into()),
                );
                None
            }
        }
    }

    /// A `per_replica_month` price: finite, at least 0 and at most
    /// [`MAX_COST_PER_HOUR`]; 0 after reporting anything else.
    pub(super) fn infra_price(&mut self, name: &str, at: &[Anchor], price: f64) -> f64 {
        if (0.0..=MAX_COST_PER_HOUR).contains(&price) {
            return price;
        }
        self.report(
            &with(with(at.to_vec(), Anchor::Field("infra")), Anchor::Field("per_replica_month")),
            format!("`per_replica_month` of `{name}` is `{price}`; it must be between 0 and {MAX_COST_PER_HOUR:e}"),
            || Some("give the money one replica costs per month, e.g. `infra: (per_replica_month: 250)`".into()),
        );
        0.0
    }

    /// The domains the replicas are spread over: the `zones` under `in`, or
    /// `in` itself. `None` after reporting an unknown or empty list.
    fn zones(
        &mut self,
        model: &Model,
        name: &str,
        at: &[Anchor],
        domain: DomainId,
        raw: &RawDeployment,
    ) -> Option<Vec<DomainId>> {
        let Some(zones) = &raw.zones else {
            return Some(vec![domain]);
        };
        if zones.is_empty() {
            self.report(
                &with(at.to_vec(), Anchor::Field("zones")),
                format!("`zones` of `{name}` is empty"),
                || Some("list zones under `in`, or leave `zones` out".into()),
            );
            return None;
        }
        let mut ids = Vec::new();
        for zone in zones {
            let path = format!("{}/{zone}", raw.domain);
            match self.ids.domains.get(&path) {
                Some(&id) => ids.push(id),
                None => self.report(
                    &with(at.to_vec(), Anchor::Text(format!("\"{zone}\""))),
                    format!("unknown zone `{zone}` under `{}` in `{name}`", raw.domain),
                    || zone_hint(model, &raw.domain, zone),
                ),
            }
        }
        (ids.len() == zones.len()).then_some(ids)
    }
}

/// "did you mean" a zone under `domain` close to `zone`, else how to add it.
fn zone_hint(model: &Model, domain: &str, zone: &str) -> Option<String> {
    let prefix = format!("{domain}/");
    let below = model
        .domains
        .iter()
        .filter_map(|d| d.path.strip_prefix(&prefix));
    Some(match closest(zone, below) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("add `{prefix}{zone}` to `domains`"),
    })
}

/// Adds a valid deployment and its replicas, spread round-robin over `zones`.
fn add(
    model: &mut Model,
    service: usize,
    domain: DomainId,
    zones: &[DomainId],
    (replicas, need): (u64, u64),
    (capacity, infra_per_replica_month): (f64, Option<f64>),
) {
    let id = model.deployments.len();
    let first = model.replicas.len();
    for i in 0..replicas as usize {
        model.replicas.push(Replica {
            deployment: id,
            domain: zones[i % zones.len()],
        });
    }
    let region_of = |d: DomainId| {
        model
            .domain_chain(d)
            .find(|&a| model.domains[a].level == Level::Region)
    };
    let regions: BTreeSet<Option<DomainId>> = zones.iter().map(|&z| region_of(z)).collect();
    let region = if regions.len() == 1 {
        regions.into_iter().next().flatten()
    } else {
        None
    };
    model.deployments.push(Deployment {
        service,
        domain,
        region,
        replicas: first..model.replicas.len(),
        need: need as usize,
        capacity,
        infra_per_replica_month,
    });
}
