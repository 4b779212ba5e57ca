//! The catalog (`data/catalog.ron`) against the rows it cites: every
//! citation resolves, every incident lasts exactly its row's duration, every
//! rate and duration fit is recomputed from the rows (read here with the
//! tests' own CSV reader, not the product's), and where the example
//! scenarios' failures cite the same rows, their values agree.

use std::collections::BTreeMap;

use faultline::catalog::{self, Effect, Level, On};
use faultline::model::{Distribution, Duration};

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
        for f in &model.failures {
            let Some(p) = loaded.catalog.processes.iter().find(|p| p.name == f.name) else {
                continue;
            };
            compared += 1;
            let every = p.years * f64::from(p.targets) / p.rows.len() as f64;
            assert!(off(f.every / 8760.0, every) < 0.05, "{name}: {}", f.name);
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
        "Scenario(name: \"pasted\", horizon: \"1y\", trials: 10, seed: 1,\n    domains: [\"aws/us-east-1/a\", \"aws/us-west-2/a\", \"gcp/us-central1/a\", \"azure/x/a\", \"cloudflare/global\"],\n{ron}    services: {{ \"web\": (deployments: [(in: \"aws/us-east-1/a\")]) }},\n)\n"
    );
    let model = super::support::model(&scenario);
    assert_eq!(
        model.failures.len(),
        catalog::load().unwrap().catalog.processes.len()
    );
    let table = faultline(&["catalog"]);
    assert!(table.contains("us-east-1 region outage"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&faultline(&["catalog", "--format", "json"])).unwrap();
    let first = &json["incidents"][0];
    assert_eq!(first["row"], "2011-04-21-aws");
    assert_eq!(first["sources"][0], "https://aws.amazon.com/message/65648/");
}
