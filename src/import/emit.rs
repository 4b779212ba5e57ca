//! Writes a [`Draft`] as scenario text: the domains its deployments sit in,
//! failure processes for the providers, regions and zones present (from
//! the catalog, [`crate::catalog`]), the services with a comment on every inferred choice,
//! and what was not modelled at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::names::{quoted, ron_string};
use super::{Deployment, Draft, Routing, Service};
use crate::catalog::{failure_entry, Loaded, Rate, Source};

/// The most unmodelled resources listed one by one (the rest are counted).
const MAX_UNMODELLED_LISTED: usize = 200;

/// Zones per region, for every region a deployment sits in.
type Regions = BTreeMap<(String, String), BTreeSet<String>>;

/// The scenario text of `draft`, in the canonical layout of `faultline fmt`.
pub fn scenario(draft: &Draft, catalog: &Loaded) -> String {
    let text = unformatted(draft, catalog);
    crate::scenario::format::format(&text).unwrap_or(text)
}

/// The scenario text of `draft`, as written.
fn unformatted(draft: &Draft, catalog: &Loaded) -> String {
    let mut out = String::new();
    for line in &draft.header {
        let _ = writeln!(out, "// {}", quoted(line));
    }
    let regions = regions(draft);
    let _ = writeln!(out, "Scenario(");
    let _ = writeln!(out, "    name: \"{}\",", ron_string(&draft.title));
    let _ = writeln!(out, "    horizon: \"1y\",");
    let _ = writeln!(out, "    trials: 10000,");
    let _ = writeln!(out, "    seed: 42,");
    domains(&mut out, &regions);
    failures(&mut out, &regions, catalog);
    let _ = writeln!(out, "    services: {{");
    for service in &draft.services {
        write_service(&mut out, service);
    }
    let _ = writeln!(out, "    }},");
    let _ = writeln!(out, ")");
    unmodelled(&mut out, &draft.unmodelled);
    out
}

/// The regions (and their zones) the draft's deployments sit in.
fn regions(draft: &Draft) -> Regions {
    let mut regions = Regions::new();
    for d in draft.services.iter().flat_map(|s| &s.deployments) {
        let zones = regions
            .entry((d.provider.clone(), d.region.clone()))
            .or_default();
        zones.extend(d.zones.iter().cloned());
    }
    regions
}

fn domains(out: &mut String, regions: &Regions) {
    let _ = writeln!(out, "    domains: [");
    for ((provider, region), zones) in regions {
        if zones.is_empty() {
            let _ = writeln!(out, "        \"{provider}/{region}\",");
        }
        for zone in zones {
            let _ = writeln!(out, "        \"{provider}/{region}/{zone}\",");
        }
    }
    let _ = writeln!(out, "    ],");
}

/// The catalog's failure processes for every region present (its zones'
/// only where a deployment names zones), for every provider present, and on
/// every replica and deployment.
fn failures(out: &mut String, regions: &Regions, catalog: &Loaded) {
    let _ = writeln!(out, "    failures: [");
    let _ = writeln!(
        out,
        "        // From the faultline catalog (`faultline catalog`): the outage history in data/outages.csv, and assumptions."
    );
    let found: Vec<_> = (regions.iter())
        .map(|((provider, region), zones)| {
            let found = catalog.processes_for(provider, region, !zones.is_empty());
            ((provider, region), found)
        })
        .collect();
    let providers: BTreeSet<&String> = regions.keys().map(|(p, _)| p).collect();
    let global: Vec<_> = providers.iter().map(|p| catalog.provider_wide(p)).collect();
    let counted = (found
        .iter()
        .flat_map(|(_, f)| f)
        .chain(global.iter().flatten()))
    .filter(|f| matches!(f.source, Source::Process(_)))
    .count();
    let rate = Rate::for_processes(counted);
    if let Some(note) = rate.note(counted) {
        let _ = writeln!(out, "{note}");
    }
    for ((provider, region), failures) in &found {
        if failures.is_empty() {
            let _ = writeln!(
                out,
                "        // {provider}/{region}: the catalog has no rate for this provider; add its outages"
            );
        }
        for failure in failures {
            failure_entry(out, catalog, failure, rate);
        }
    }
    for failure in global.iter().flatten() {
        failure_entry(out, catalog, failure, rate);
    }
    for failure in &catalog.everywhere() {
        failure_entry(out, catalog, failure, rate);
    }
    let _ = writeln!(out, "    ],");
}

fn write_service(out: &mut String, service: &Service) {
    for note in &service.notes {
        let _ = writeln!(out, "        // {}", quoted(note));
    }
    let _ = writeln!(out, "        \"{}\": (", service.name);
    let _ = writeln!(out, "            deployments: [");
    for d in &service.deployments {
        write_deployment(out, d);
    }
    let _ = writeln!(out, "            ],");
    if let Routing::ActivePassive {
        detect,
        switch,
        why,
    } = &service.routing
    {
        let _ = writeln!(out, "            // {why}");
        let _ = writeln!(
            out,
            "            routing: ActivePassive(detect: {detect}, switch: {switch}),"
        );
    }
    let _ = writeln!(
        out,
        "            // depends_on: not visible in the input; add the services this one calls, e.g. {{ \"db\": Hard }}"
    );
    let _ = writeln!(out, "        ),");
}

fn write_deployment(out: &mut String, d: &Deployment) {
    for note in &d.notes {
        let _ = writeln!(out, "                // {}", quoted(note));
    }
    let zones = if d.zones.is_empty() {
        String::new()
    } else {
        let listed: Vec<String> = d.zones.iter().map(|z| format!("\"{z}\"")).collect();
        format!(", zones: [{}]", listed.join(", "))
    };
    let _ = writeln!(
        out,
        "                (in: \"{}/{}\"{zones}, replicas: {}, need: {}),",
        d.provider, d.region, d.replicas, d.need
    );
}

fn unmodelled(out: &mut String, unmodelled: &[String]) {
    if unmodelled.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "// Not modelled ({} in the input): networks, permissions, storage and the like do not fail as services here;",
        unmodelled.len()
    );
    let _ = writeln!(
        out,
        "// add a service for any of them whose outage would take yours down."
    );
    for line in unmodelled.iter().take(MAX_UNMODELLED_LISTED) {
        let _ = writeln!(out, "//   {}", quoted(line));
    }
    if unmodelled.len() > MAX_UNMODELLED_LISTED {
        let more = unmodelled.len() - MAX_UNMODELLED_LISTED;
        let _ = writeln!(out, "//   ... and {more} more");
    }
}
