//! The catalog (`data/catalog.ron`) against the rows it cites: every
//! citation resolves, every incident lasts exactly its row's duration, every
//! rate and duration fit is recomputed from the rows (read here with the
//! tests' own CSV reader, not the product's), and where the example
//! scenarios' failures cite the same rows, their values agree.

use std::collections::BTreeMap;

use faultline::catalog::{self, AssumedLasts, Effect, Level, On, Source};
use faultline::model::{Distribution, Duration};
use faultline::uncertainty::{Law, Target};

use super::data::{read_table, OUTAGE_COLUMNS};
use super::results::scenario_files;
use super::support::faultline;

/// A row of data/outages.csv: (provider, scope, duration_h).
fn rows() -> BTreeMap<String, (String, String, Option<f64>)> {
    read_table("outages.csv", &OUTAGE_COLUMNS)
        .into_iter()
        .map(|f| {
            (
                f[0].clone(),
                (f[2].clone(), f[3].clone(), f[8].parse().ok()),
            )
        })
        .collect()
}

fn hours(text: &str) -> f64 {
    Duration::parse(text).unwrap().hours()
}

/// Student t 0.975 quantiles for 1..20 degrees of freedom.
const T975: [f64; 20] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
];

/// A lognormal fit as data/fit.py makes it: (median, sigma, p90, the
/// median's 95% interval).
fn fit(durations: &[f64]) -> (f64, f64, f64, [f64; 2]) {
    let logs: Vec<f64> = durations.iter().map(|d| d.ln()).collect();
    let n = logs.len() as f64;
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = T975[logs.len() - 2] * sigma / n.sqrt();
    let z90 = 1.281_551_565_545;
    let interval = [(mu - half).exp(), (mu + half).exp()];
    (mu.exp(), sigma, (mu + z90 * sigma).exp(), interval)
}

/// Relative difference.
fn off(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// The catalog's provider name of a row's provider.
fn provider_domain(provider: &str) -> &'static str {
    match provider {
        "AWS" => "aws",
        "Azure" => "azure",
        "Google Cloud" => "gcp",
        "Cloudflare" => "cloudflare",
        "IBM Cloud" => "ibm",
        "Fastly" => "fastly",
        "Akamai" => "akamai",
        "Dyn" => "dyn",
        "Facebook/Meta" => "meta",
        other => panic!("no domain for provider {other}"),
    }
}

#[test]
fn every_incident_is_its_row_exactly() {
    let loaded = catalog::load().unwrap();
    let rows = rows();
    assert!(loaded.catalog.incidents.len() >= 40);
    let mut names = std::collections::BTreeSet::new();
    for i in &loaded.catalog.incidents {
        assert!(names.insert(&i.name), "{} twice", i.name);
        let (provider, scope, duration) = rows.get(&i.row).unwrap_or_else(|| panic!("{}", i.row));
        assert_eq!(Some(hours(&i.lasts)), *duration, "{}: duration", i.name);
        assert_eq!(
            i.scope.split('/').next(),
            Some(provider_domain(provider)),
            "{}",
            i.name
        );
        let level = match scope.as_str() {
            "single AZ" => Level::Zone,
            "single region" => Level::Region,
            _ => Level::Provider,
        };
        assert_eq!(i.level, level, "{}: level", i.name);
        let effect = match scope.as_str() {
            "global control plane" => Effect::ControlPlane,
            _ => Effect::Down,
        };
        assert_eq!(i.effect, effect, "{}: effect", i.name);
        assert!(
            i.name.ends_with(&i.row[..10]),
            "{}: named by its date",
            i.name
        );
    }
}

#[test]
fn every_rate_and_duration_is_recomputed_from_its_rows() {
    let loaded = catalog::load().unwrap();
    let rows = rows();
    for class in &loaded.catalog.classes {
        // a class is every row of its scope with a published duration
        let expected: Vec<&String> = (rows.iter())
            .filter(|(_, (_, scope, d))| *scope == class.name && d.is_some())
            .map(|(id, _)| id)
            .collect();
        let mut listed: Vec<&String> = class.rows.iter().collect();
        listed.sort();
        assert_eq!(listed, expected, "class {}", class.name);
    }
    for p in &loaded.catalog.processes {
        let every = p.years * f64::from(p.targets) / p.rows.len() as f64;
        assert!(
            off(hours(&p.every) / 8760.0, every) < 0.05,
            "{}: every {every} y",
            p.name
        );
        let provider = match &p.on {
            On::Domain(d) | On::EachZone { under: d } | On::EachRegion { under: d } => {
                d.split('/').next().unwrap()
            }
            On::EachReplica | On::EachDeployment => panic!("{}: not on a domain", p.name),
        };
        for id in &p.rows {
            assert_eq!(provider_domain(&rows[id].0), provider, "{}: {id}", p.name);
        }
        let class = loaded.class(&p.lasts.class).unwrap();
        let durations: Vec<f64> = class.rows.iter().map(|id| rows[id].2.unwrap()).collect();
        let (median, _, p90, _) = fit(&durations);
        assert!(
            off(hours(&p.lasts.median), median) < 0.05,
            "{}: median {median}",
            p.name
        );
        assert!(
            off(hours(&p.lasts.p90), p90) < 0.05,
            "{}: p90 {p90}",
            p.name
        );
    }
}

#[test]
fn the_examples_failures_agree_with_the_catalog() {
    let loaded = catalog::load().unwrap();
    let rows = rows();
    let mut compared = 0;
    for path in scenario_files() {
        let name = path.display().to_string();
        let read = |p: &std::path::Path| std::fs::read(p);
        let model = faultline::scenario::load_path(&path, &name, &read, &[])
            .unwrap_or_else(|_| panic!("{name}"))
            .model;
        for (i, f) in model.failures.iter().enumerate() {
            let Some(p) = loaded.catalog.processes.iter().find(|p| p.name == f.name) else {
                continue;
            };
            compared += 1;
            let every = p.years * f64::from(p.targets) / p.rows.len() as f64;
            let uncertain = (model.uncertain.iter())
                .find(|input| input.target == faultline::uncertainty::Target::FailureEvery(i));
            match uncertain {
                // an uncertain `every` must hold the catalog's value in its 90% range
                Some(input) => {
                    let (low, high) = (input.law.quantile(0.05), input.law.quantile(0.95));
                    let hours = every * 8760.0;
                    assert!(low <= hours && hours <= high, "{name}: {}", f.name);
                }
                None => assert!(off(f.every / 8760.0, every) < 0.05, "{name}: {}", f.name),
            }
            let Distribution::LogNormal { mu, sigma } = f.lasts else {
                panic!("{name}: {} is not lognormal", f.name);
            };
            let class = loaded.class(&p.lasts.class).unwrap();
            let durations: Vec<f64> = class.rows.iter().map(|id| rows[id].2.unwrap()).collect();
            let (_, fitted_sigma, _, [low, high]) = fit(&durations);
            let median = mu.exp();
            assert!(
                low <= median && median <= high,
                "{name}: {} median {median}",
                f.name
            );
            assert!(
                off(sigma, fitted_sigma) < 0.1,
                "{name}: {} sigma {sigma}",
                f.name
            );
        }
    }
    assert!(compared >= 30, "only {compared} failures compared");
}

#[test]
fn the_catalog_command_prints_entries_a_scenario_accepts() {
    let ron = faultline(&["catalog", "--format", "ron"]);
    let scenario = format!(
        "Scenario(name: \"pasted\", horizon: \"1y\", trials: 10, seed: 1,\n    domains: [\"aws/us-east-1/a\", \"aws/us-west-2/a\", \"gcp/us-central1/a\", \"azure/eastus/a\", \"gcp/us-east1/a\", \"k8s/cluster/a\", \"cloudflare/global\"],\n{ron}    services: {{ \"web\": (deployments: [(in: \"aws/us-east-1/a\")]) }},\n)\n"
    );
    let model = super::support::model(&scenario);
    let loaded = catalog::load().unwrap();
    assert_eq!(
        model.failures.len(),
        loaded.catalog.processes.len() + loaded.catalog.assumptions.len()
    );
    let table = faultline(&["catalog"]);
    assert!(table.contains("us-east-1 region outage"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&faultline(&["catalog", "--format", "json"])).unwrap();
    let first = &json["incidents"][0];
    assert_eq!(first["row"], "2011-04-21-aws");
    assert_eq!(first["sources"][0], "https://aws.amazon.com/message/65648/");
}

/// The scenarios `init` writes for every provider and region choice, and
/// `import` for every fixture: (what wrote it, the text).
fn written_by_init_and_import() -> Vec<(String, String)> {
    let dir = super::init::scratch("catalog");
    let init = (super::init::CHOICES.iter()).map(|choice| {
        (
            format!("init {choice:?}"),
            super::init::starter(&dir, choice),
        )
    });
    let terraform = (super::import::TERRAFORM.iter()).map(|f| ("terraform", f));
    let kubernetes = (super::import::KUBERNETES.iter()).map(|f| ("kubernetes", f));
    let import = terraform.chain(kubernetes).map(|(kind, f)| {
        let file = super::import::fixture(f);
        let text = faultline(&["import", kind, &file]);
        (format!("import {kind} {file}"), text)
    });
    init.chain(import).collect()
}

/// A catalog entry as the failures written from it: where its name may
/// sit, its name after the region, cause, every (h) and lasts.
struct Expected {
    /// `Some((provider, region, level))` for an entry on a region or its
    /// zones (`region` is an example when `any_region`), `None` for one
    /// written as the catalog names it.
    region: Option<(String, String, &'static str)>,
    any_region: bool,
    what: String,
    cause: faultline::model::Cause,
    every: f64,
    /// A process's count: `Observed(events: rows, years: years x targets)`.
    observed: Option<(f64, f64)>,
    lasts: Distribution,
}

/// A lognormal from its median and 90th percentile, as SPEC section 2 has it.
fn lognormal(median: &str, p90: &str) -> Distribution {
    let mu = hours(median).ln();
    let sigma = (hours(p90).ln() - mu) / 1.281_551_565_545;
    Distribution::LogNormal { mu, sigma }
}

fn expected(source: Source<'_>) -> Expected {
    let observed = match source {
        Source::Process(p) => Some((p.rows.len() as f64, p.years * f64::from(p.targets))),
        Source::Assumption(_) => None,
    };
    let (on, name, every, cause, any_region, lasts) = match source {
        Source::Process(p) => {
            let lasts = lognormal(&p.lasts.median, &p.lasts.p90);
            (&p.on, &p.name, &p.every, p.cause, p.any_region, lasts)
        }
        Source::Assumption(a) => {
            let lasts = match &a.lasts {
                AssumedLasts::Exp { mean } => Distribution::Exp { mean: hours(mean) },
                AssumedLasts::LogNormal { median, p90 } => lognormal(median, p90),
            };
            (&a.on, &a.name, &a.every, a.cause, false, lasts)
        }
    };
    let region = match on {
        On::EachZone { under } => under.split_once('/').map(|(p, r)| (p, r, "zone")),
        On::Domain(d) => d.split_once('/').map(|(p, r)| (p, r, "region")),
        _ => None,
    };
    let what = match region {
        Some((_, r, _)) => name.strip_prefix(&format!("{r} ")).unwrap_or(name),
        None => name,
    };
    Expected {
        region: region.map(|(p, r, l)| (p.to_string(), r.to_string(), l)),
        any_region,
        what: what.to_string(),
        cause,
        every: hours(every),
        observed,
        lasts,
    }
}

fn same(a: &Distribution, b: &Distribution) -> bool {
    match (a, b) {
        (Distribution::Exp { mean: x }, Distribution::Exp { mean: y }) => off(*x, *y) < 1e-9,
        (
            Distribution::LogNormal { mu, sigma },
            Distribution::LogNormal {
                mu: mu2,
                sigma: sigma2,
            },
        ) => (mu - mu2).abs() < 1e-9 && (sigma - sigma2).abs() < 1e-9,
        _ => false,
    }
}

/// Whether failure `f` of a written scenario is written from `e`: its name
/// is the entry's (on the entry's own region, or on a region of the
/// provider without an entry of its own when `any_region`), and its cause,
/// every and lasts are the entry's: a process's every as its count
/// (`every` the `Observed` law), an assumption's as its value.
fn written_from(
    f: &faultline::model::Failure,
    every: Option<Law>,
    e: &Expected,
    own: &[(String, String, &str)],
) -> bool {
    let named = match &e.region {
        None => f.name == e.what,
        Some((provider, example, level)) => {
            let region = (f.name.strip_prefix(&format!("{provider}/")))
                .and_then(|r| r.strip_suffix(&format!(" {}", e.what)));
            match region {
                Some(r) if e.any_region => !own.contains(&(provider.clone(), r.to_string(), level)),
                Some(r) => r == example,
                None => false,
            }
        }
    };
    let every_as_written = match (every, e.observed) {
        (None, None) => off(f.every, e.every) < 1e-9,
        (Some(Law::Observed { events, years }), Some((rows, target_years))) => {
            events == rows && off(years, target_years) < 1e-3
        }
        _ => false,
    };
    named && f.cause == e.cause && every_as_written && same(&f.lasts, &e.lasts)
}

#[test]
fn every_failure_init_and_import_write_is_a_catalog_entry() {
    let loaded = catalog::load().unwrap();
    let entries: Vec<Expected> = loaded.sources().map(expected).collect();
    let own: Vec<(String, String, &str)> = (entries.iter())
        .filter(|e| !e.any_region)
        .filter_map(|e| e.region.clone())
        .collect();
    let mut checked = 0;
    for (by, text) in written_by_init_and_import() {
        let model = super::support::model(&text);
        assert!(model.failures.len() >= 3, "{by}");
        for (i, f) in model.failures.iter().enumerate() {
            let every = (model.uncertain.iter())
                .find(|input| input.target == Target::FailureEvery(i))
                .map(|input| input.law);
            let found = entries.iter().any(|e| written_from(f, every, e, &own));
            assert!(found, "{by}: `{}` is no catalog entry", f.name);
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {checked} failures");
}
