//! `faultline init`: a commented starting scenario for the chosen providers
//! and number of regions, its failure rates from data/outages.csv.
//!
//! The rates and durations come from a small table here, each entry citing
//! the rows of data/outages.csv it counts (by date and provider) and the
//! duration fits of data/README.md. The output passes `check` and is in the
//! layout of `fmt`.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;

use super::output::Problem;
use super::output::{self, OUTPUT};
use super::Exit;

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The cloud providers, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Provider::Aws])]
    pub providers: Vec<Provider>,
    /// Regions per provider (1 to 3).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub regions: u8,
    /// Write the scenario to this new file instead of stdout (an existing
    /// file is never replaced).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// A cloud provider `init` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// Amazon Web Services.
    Aws,
    /// Google Cloud.
    Gcp,
    /// Microsoft Azure.
    Azure,
}

/// A failure process of the table: `every` and `lasts` as written in a
/// scenario, and the comment saying where they come from.
struct Rate {
    every: &'static str,
    why: &'static str,
}

/// What `init` knows of one provider.
struct Facts {
    /// The domain name of the provider.
    name: &'static str,
    /// Its regions, most used first, and the zone names of each.
    regions: [&'static str; 3],
    zones: [&'static str; 3],
    /// The zone outage rate per zone: of its first region, of the others.
    zone: (Rate, Rate),
    /// The region outage rate per region: of its first region, of the others.
    region: (Rate, Rate),
    /// Provider-wide outages (global control plane, global edge): name,
    /// rate, lasts, cause.
    global: &'static [(&'static str, Rate, &'static str, &'static str)],
}

const ZONE_LASTS: &str = "LogNormal(median: \"12h\", p90: \"63h\")";
const REGION_LASTS: &str = "LogNormal(median: \"9.5h\", p90: \"30h\")";
const CONTROL_PLANE_LASTS: &str = "LogNormal(median: \"6.5h\", p90: \"39h\")";
const EDGE_LASTS: &str = "LogNormal(median: \"2h\", p90: \"8h\")";

const AWS: Facts = Facts {
    name: "aws",
    regions: ["us-east-1", "us-west-2", "eu-west-1"],
    zones: ["a", "b", "c"],
    zone: (
        Rate { every: "15y", why: "data/outages.csv, AWS single AZ rows in us-east-1 (2011-04-21, 2012-06-14, 2012-06-29, 2012-10-22, 2021-09-26, 2021-12-22): 6 in ~14.7 y over its 6 zones" },
        Rate { every: "180y", why: "data/outages.csv, AWS single AZ rows outside us-east-1 (2011-08-07, 2013-12-17, 2016-06-04, 2019-08-23): 4 in ~14.7 y over ~50 zones on average (assumption)" },
    ),
    region: (
        Rate { every: "1.8y", why: "data/outages.csv, AWS single region rows in us-east-1 (2012-12-24, 2015-09-20, 2017-02-28, 2020-11-25, 2021-12-07, 2023-06-13, 2024-07-30, 2025-10-19): 8 in ~14.7 y" },
        Rate { every: "130y", why: "data/outages.csv, AWS single region rows outside us-east-1 (2018-11-22, 2021-09-02): 2 in ~14.7 y over ~18 regions on average (assumption)" },
    ),
    // data/outages.csv has no AWS global control plane or global edge row
    global: &[],
};

const GCP: Facts = Facts {
    name: "gcp",
    regions: ["us-central1", "us-east1", "europe-west1"],
    zones: ["a", "b", "c"],
    zone: (
        Rate { every: "240y", why: "data/outages.csv, Google Cloud single AZ rows (2015-08-13, 2020-12-09, 2022-07-19): 3 in ~12 y over ~60 zones on average (assumption)" },
        Rate { every: "240y", why: "as the first region's zones" },
    ),
    region: (
        Rate { every: "12y", why: "data/outages.csv, the Google Cloud row of 2019-06-02 naming us-central1 (network control plane): 1 in ~12 y" },
        Rate { every: "300y", why: "data/outages.csv, the Google Cloud single region row (2023-04-25): 1 in ~12 y over ~25 regions on average (assumption)" },
    ),
    global: &[
        ("gcp global control plane", Rate { every: "6y", why: "data/outages.csv, Google Cloud global control plane rows (2020-12-14, 2025-06-12): 2 in ~12 y, as a full outage of the provider (pessimistic)" }, CONTROL_PLANE_LASTS, "Software"),
        ("gcp global edge", Rate { every: "6y", why: "data/outages.csv, Google Cloud global edge rows (2016-04-11, 2021-11-16): 2 in ~12 y" }, EDGE_LASTS, "Network"),
    ],
};

const AZURE: Facts = Facts {
    name: "azure",
    regions: ["eastus", "westeurope", "centralus"],
    zones: ["1", "2", "3"],
    zone: (
        Rate { every: "290y", why: "data/outages.csv, Azure single AZ rows (2023-08-30, 2023-09-16, 2025-01-08): 3 in ~14.7 y over ~60 zones on average (assumption)" },
        Rate { every: "290y", why: "as the first region's zones" },
    ),
    region: (
        Rate { every: "200y", why: "data/outages.csv, Azure single region rows (2018-09-04, 2023-07-05, 2024-07-18): 3 in ~14.7 y over ~40 regions on average (assumption)" },
        Rate { every: "200y", why: "as the first region" },
    ),
    global: &[
        ("azure global control plane", Rate { every: "4.9y", why: "data/outages.csv, Azure global control plane rows (2012-02-29, 2021-03-15, 2021-04-01): 3 in ~14.7 y, as a full outage of the provider (pessimistic)" }, CONTROL_PLANE_LASTS, "Software"),
        ("azure global edge", Rate { every: "7.3y", why: "data/outages.csv, Azure global edge rows (2024-07-30, 2025-10-29): 2 in ~14.7 y" }, EDGE_LASTS, "Network"),
    ],
};

fn facts(p: Provider) -> &'static Facts {
    match p {
        Provider::Aws => &AWS,
        Provider::Gcp => &GCP,
        Provider::Azure => &AZURE,
    }
}

/// Runs `init`.
pub fn run(args: &InitArgs) -> Exit {
    let mut providers = Vec::new();
    for &p in &args.providers {
        if !providers.contains(&p) {
            providers.push(p);
        }
    }
    let text = starter(&providers, usize::from(args.regions));
    let text = crate::scenario::format::format(&text).unwrap_or(text);
    if let Some(path) = &args.output {
        if path.symlink_metadata().is_ok() {
            Problem::error(format!(
                "`--output {}` already exists; `init` does not replace a file",
                crate::text::one_line(&path.display().to_string())
            ))
            .with_hint(Some("choose another name, or remove the file first"))
            .print();
            return Exit::Failure;
        }
    }
    output::emit(OUTPUT, args.output.as_deref(), &text)
}

/// The regions used: `(provider, region, zones)`.
fn regions(providers: &[Provider], n: usize) -> Vec<(&'static Facts, &'static str)> {
    (providers.iter().map(|&p| facts(p)))
        .flat_map(|f| f.regions.iter().take(n).map(move |&r| (f, r)))
        .collect()
}

/// The starting scenario's text (before `fmt`).
pub fn starter(providers: &[Provider], n: usize) -> String {
    let used = regions(providers, n);
    let mut out = String::new();
    let names: Vec<String> = used
        .iter()
        .map(|(f, r)| format!("{}/{r}", f.name))
        .collect();
    let _ = writeln!(
        out,
        "// A starting scenario: a web shop (web -> api -> db) in {}.",
        names.join(", ")
    );
    out.push_str(HEADER);
    out.push_str("Scenario(\n    name: \"my system\",\n    horizon: \"1y\",\n    trials: 10000,\n    seed: 1,\n\n");
    out.push_str("    // every zone the deployments below may use\n    domains: [");
    for (f, r) in &used {
        for z in f.zones {
            let _ = write!(out, "\"{}/{r}/{z}\", ", f.name);
        }
    }
    out.push_str("],\n\n    failures: [\n");
    failures(&mut out, providers, n);
    out.push_str(COMMON_FAILURES);
    out.push_str("    ],\n\n    services: {\n");
    services(&mut out, &used);
    out.push_str("    },\n)\n");
    out
}

const HEADER: &str =
    "// Generated by `faultline init`: replace the services, replicas, routing and costs with
// yours, keep or change the failure processes (each says where its numbers come from),
// then `faultline check` and `faultline run` it. The language: docs/language.md.
// Durations: lognormal fits of data/README.md to the durations of data/outages.csv.
";

const COMMON_FAILURES: &str = "        // Assumption: one host, VM or process failure per replica a year, replaced in ~15 min.
        (name: \"host failure\", on: EachReplica(), every: \"1y\", lasts: Exp(mean: \"15m\"), cause: Hardware),
        // Assumption: a bad release takes a deployment down every ~180 days until rolled back.
        (name: \"bad rollout\", on: EachDeployment(), every: \"180d\", lasts: LogNormal(median: \"25m\", p90: \"2h\"), cause: Config),
";

fn failures(out: &mut String, providers: &[Provider], n: usize) {
    for &p in providers {
        let f = facts(p);
        for (i, region) in f.regions.iter().take(n).enumerate() {
            let (zone, reg) = if i == 0 {
                (&f.zone.0, &f.region.0)
            } else {
                (&f.zone.1, &f.region.1)
            };
            let domain = format!("{}/{region}", f.name);
            comment(out, "        ", zone.why);
            let _ = writeln!(out, "        (name: \"{domain} zone outage\", on: EachZone(under: \"{domain}\"), every: \"{}\", lasts: {ZONE_LASTS}, cause: Power),", zone.every);
            comment(out, "        ", reg.why);
            let _ = writeln!(out, "        (name: \"{domain} region outage\", on: Domain(\"{domain}\"), every: \"{}\", lasts: {REGION_LASTS}, cause: Software),", reg.every);
        }
        if f.global.is_empty() {
            let _ = writeln!(out, "        // data/outages.csv has no {} global control plane or global edge row: no provider-wide process.", f.name);
        }
        for (name, rate, lasts, cause) in f.global {
            comment(out, "        ", rate.why);
            let _ = writeln!(out, "        (name: \"{name}\", on: Domain(\"{}\"), every: \"{}\", lasts: {lasts}, cause: {cause}),", f.name, rate.every);
        }
    }
}

fn services(out: &mut String, used: &[(&'static Facts, &'static str)]) {
    let deployments = |replicas: u32, need: u32| {
        let items: Vec<String> = (used.iter())
            .map(|(f, r)| {
                let zones: Vec<String> = f.zones.iter().map(|z| format!("\"{z}\"")).collect();
                format!(
                    "(in: \"{}/{r}\", zones: [{}], replicas: {replicas}, need: {need})",
                    f.name,
                    zones.join(", ")
                )
            })
            .collect();
        format!("deployments: [{}],", items.join(", "))
    };
    let several = used.len() > 1;
    out.push_str(
        "        \"web\": (\n            // each location sized to carry all the traffic alone\n",
    );
    let _ = writeln!(out, "            {}", deployments(6, 3));
    if several {
        out.push_str("            // Assumption: health-checked DNS moves traffic off a failed location in ~3 min.\n            routing: ActiveActive(shift: \"3m\"),\n");
    }
    out.push_str("            depends_on: { \"api\": Hard },\n");
    out.push_str("            // Assumption: replace with what an hour of the whole shop down costs you.\n            cost: (per_hour: 10000),\n        ),\n");
    out.push_str("        \"api\": (\n");
    let _ = writeln!(out, "            {}", deployments(6, 3));
    if several {
        out.push_str("            routing: ActiveActive(shift: \"3m\"),\n");
    }
    out.push_str("            depends_on: { \"db\": Hard },\n        ),\n");
    out.push_str("        \"db\": (\n            // a quorum cluster per location; the first location is the primary\n");
    let _ = writeln!(out, "            {}", deployments(3, 2));
    if several {
        out.push_str("            // Assumption: on-call confirms the primary is down (median 10 min), then promotes a replica.\n");
        out.push_str("            routing: ActivePassive(detect: LogNormal(median: \"10m\", p90: \"30m\"), switch: Uniform(min: \"2m\", max: \"10m\")),\n");
    }
    out.push_str("        ),\n");
}

/// `text` as `//` comment lines after `indent`, wrapped to fit in 100 columns.
fn comment(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + word.len() > 88 {
            let _ = writeln!(out, "{indent}//{line}");
            line.clear();
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(out, "{indent}//{line}");
}
