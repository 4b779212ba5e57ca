//! The catalog's failure entries for the domains a scenario uses: the one
//! lookup `faultline import` and `faultline init` take their failure
//! processes from.

use super::{Assumption, Loaded, On, Process};

/// Where a failure entry comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source<'a> {
    /// A process fitted to rows of data/outages.csv.
    Process(&'a Process),
    /// An assumption no row covers.
    Assumption(&'a Assumption),
}

impl<'a> Source<'a> {
    /// The entry's name in the catalog.
    pub fn name(self) -> &'a str {
        match self {
            Source::Process(p) => &p.name,
            Source::Assumption(a) => &a.name,
        }
    }

    /// The entry's `on` in the catalog.
    pub fn on(self) -> &'a On {
        match self {
            Source::Process(p) => &p.on,
            Source::Assumption(a) => &a.on,
        }
    }

    /// Its mean time between outages of one target, as written.
    pub fn every(self) -> &'a str {
        match self {
            Source::Process(p) => &p.every,
            Source::Assumption(a) => &a.every,
        }
    }

    fn any_region(self) -> bool {
        matches!(self, Source::Process(p) if p.any_region)
    }
}

/// A catalog failure entry as a scenario gets it: named and placed on the
/// scenario's domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure<'a> {
    /// The failure's name in the scenario.
    pub name: String,
    /// What it applies to in the scenario.
    pub on: On,
    /// The catalog entry.
    pub source: Source<'a>,
}

impl<'a> Failure<'a> {
    /// The entry as the catalog writes it (its own name and domain).
    pub fn as_written(source: Source<'a>) -> Self {
        Failure {
            name: source.name().to_string(),
            on: source.on().clone(),
            source,
        }
    }
}

/// What an entry's `on` hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Each zone of a region.
    Zones,
    /// A region as a whole.
    Region,
    /// A provider as a whole (or each of its regions).
    Provider,
    /// Each replica or deployment, wherever it is.
    Everywhere,
}

/// The level, provider and region (empty for a provider) of `on`.
fn place(on: &On) -> (Level, &str, &str) {
    match on {
        On::EachZone { under } => {
            let (provider, region) = under.split_once('/').unwrap_or((under, ""));
            (Level::Zones, provider, region)
        }
        On::Domain(d) => match d.split_once('/') {
            Some((provider, region)) => (Level::Region, provider, region),
            None => (Level::Provider, d, ""),
        },
        On::EachRegion { under } => (Level::Provider, under, ""),
        On::EachReplica | On::EachDeployment => (Level::Everywhere, "", ""),
    }
}

impl Loaded {
    /// Every failure entry: the processes, then the assumptions.
    pub fn sources(&self) -> impl Iterator<Item = Source<'_>> {
        let processes = self.catalog.processes.iter().map(Source::Process);
        processes.chain(self.catalog.assumptions.iter().map(Source::Assumption))
    }

    /// The entries of `provider`'s `region` at `level`: the region's own,
    /// else the provider's `any_region` ones.
    fn of_region(&self, provider: &str, region: &str, level: Level) -> Vec<Source<'_>> {
        let at = |s: &Source<'_>| {
            let (l, p, _) = place(s.on());
            l == level && p == provider
        };
        let own: Vec<Source<'_>> = (self.sources().filter(at))
            .filter(|s| !s.any_region() && place(s.on()).2 == region)
            .collect();
        if !own.is_empty() {
            return own;
        }
        (self.sources().filter(at))
            .filter(|s| s.any_region())
            .collect()
    }

    /// The failure entries of the region `provider/region`: its zones'
    /// outages (when `zones`) and its region outage, each the region's own
    /// entry or else the provider's entry for any region, placed on
    /// `provider/region` and named `PROVIDER/REGION` and the rest of the
    /// entry's name. Empty for a provider the catalog does not know.
    pub fn processes_for(&self, provider: &str, region: &str, zones: bool) -> Vec<Failure<'_>> {
        let path = format!("{provider}/{region}");
        let levels: &[Level] = if zones {
            &[Level::Zones, Level::Region]
        } else {
            &[Level::Region]
        };
        let mut out = Vec::new();
        for &level in levels {
            for source in self.of_region(provider, region, level) {
                let (_, _, example) = place(source.on());
                let name = source.name();
                let what = name.strip_prefix(&format!("{example} ")).unwrap_or(name);
                let on = match level {
                    Level::Zones => On::EachZone {
                        under: path.clone(),
                    },
                    _ => On::Domain(path.clone()),
                };
                out.push(Failure {
                    name: format!("{path} {what}"),
                    on,
                    source,
                });
            }
        }
        out
    }

    /// The entries that hit `provider` as a whole (global control plane,
    /// global edge), as the catalog writes them.
    pub fn provider_wide(&self, provider: &str) -> Vec<Failure<'_>> {
        (self.sources())
            .filter(|s| matches!(place(s.on()), (Level::Provider, p, _) if p == provider))
            .map(Failure::as_written)
            .collect()
    }

    /// The entries on every replica or every deployment (host failures, bad
    /// rollouts), as the catalog writes them.
    pub fn everywhere(&self) -> Vec<Failure<'_>> {
        (self.sources())
            .filter(|s| place(s.on()).0 == Level::Everywhere)
            .map(Failure::as_written)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn every<'a>(found: &'a [Failure<'_>]) -> Vec<(&'a str, &'a str)> {
        found
            .iter()
            .map(|f| (f.name.as_str(), f.source.every()))
            .collect()
    }

    #[test]
    fn a_region_s_own_entry_wins_over_the_provider_s_entry_for_any_region() {
        let loaded = super::super::load().unwrap();
        let own = loaded.processes_for("aws", "us-east-1", true);
        let expected = [
            ("aws/us-east-1 zone outage", "15y"),
            ("aws/us-east-1 region outage", "1.8y"),
        ];
        assert_eq!(every(&own), expected);
        let other = loaded.processes_for("aws", "eu-west-1", false);
        assert_eq!(every(&other), [("aws/eu-west-1 region outage", "130y")]);
        assert_eq!(other[0].on, On::Domain("aws/eu-west-1".into()));
        let gcp = loaded.processes_for("gcp", "us-central1", true);
        assert_eq!(gcp[1].source.every(), "12y");
        let cluster = loaded.processes_for("k8s", "cluster", true);
        assert_eq!(every(&cluster)[1], ("k8s/cluster outage", "3y"));
        assert!(loaded.processes_for("oci", "us-ashburn-1", true).is_empty());
        assert!(loaded.provider_wide("aws").is_empty());
        assert_eq!(loaded.provider_wide("azure").len(), 2);
        let everywhere: Vec<String> = loaded.everywhere().into_iter().map(|f| f.name).collect();
        assert_eq!(everywhere, ["host failure", "bad rollout"]);
    }
}
