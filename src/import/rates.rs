//! The failure processes an import writes for the providers, regions and
//! zones it found: the import's default rates, in ONE table.
//!
//! TO BE REPLACED by the failure catalog's lookup once the catalog ships:
//! every entry below restates, with its citation, a figure the example
//! scenarios already use or a count of `data/outages.csv` rows, so that the
//! swap changes where the numbers come from, not what they are.

/// The level of the domains a failure process hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Each zone under a region, independently.
    Zone,
    /// The region as a whole.
    Region,
    /// The provider as a whole.
    Provider,
}

/// One default failure process.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// The provider segment it applies to.
    pub provider: &'static str,
    /// The region it applies to; `None`: every other region of the provider.
    pub region: Option<&'static str>,
    /// What it hits.
    pub level: Level,
    /// A short name, unique per provider and region (`zone outage`).
    pub what: &'static str,
    /// Mean time between occurrences, per target.
    pub every: &'static str,
    /// Median duration.
    pub median: &'static str,
    /// 90th-percentile duration.
    pub p90: &'static str,
    /// The cause class.
    pub cause: &'static str,
    /// Where the figures come from (data/outages.csv rows, data/README fits).
    pub source: &'static str,
}

/// Durations (data/README fits): single-zone 12 h / 63 h, single-region
/// 9.5 h / 30 h, multi-region 4 h / 11 h, global control plane 6.5 h /
/// 39 h, global edge 2 h / 8 h.
const TABLE: &[Rate] = &[
    Rate { provider: "aws", region: Some("us-east-1"), level: Level::Zone, what: "zone outage", every: "15y", median: "12h", p90: "63h", cause: "Power",
        source: "data/outages.csv, AWS single AZ rows in us-east-1: 2011-04-21, 2012-06-14, 2012-06-29, 2012-10-22, 2021-09-26, 2021-12-22 = 6 in ~14.7 y over its 6 zones -> one per zone every ~15 y; duration: data/README single-zone fit" },
    Rate { provider: "aws", region: None, level: Level::Zone, what: "zone outage", every: "250y", median: "12h", p90: "63h", cause: "Power",
        source: "data/outages.csv, AWS single AZ rows outside us-east-1: 2011-08-07, 2013-12-17, 2016-06-04, 2019-08-23 = 4 in ~14.7 y over ~70 zones (assumption) -> one per zone every ~250 y (a lower bound: only post-mortemed events are listed)" },
    Rate { provider: "aws", region: Some("us-east-1"), level: Level::Region, what: "region outage", every: "1.8y", median: "9.5h", p90: "30h", cause: "Capacity",
        source: "data/outages.csv, AWS single region rows in us-east-1: 2012-12-24, 2015-09-20, 2017-02-28, 2020-11-25, 2021-12-07, 2023-06-13, 2024-07-30, 2025-10-19 = 8 in ~14.7 y -> every ~1.8 y; duration: data/README single-region fit" },
    Rate { provider: "aws", region: None, level: Level::Region, what: "region outage", every: "150y", median: "9.5h", p90: "30h", cause: "Software",
        source: "data/outages.csv, AWS single region rows outside us-east-1: 2018-11-22 ap-northeast-2, 2021-09-02 ap-northeast-1 = 2 in ~14.7 y over ~20 regions (assumption) -> every ~150 y per region (a lower bound)" },
    Rate { provider: "gcp", region: None, level: Level::Zone, what: "zone outage", every: "240y", median: "12h", p90: "63h", cause: "Power",
        source: "data/outages.csv, Google Cloud single AZ rows: 2015-08-13, 2020-12-09, 2022-07-19 = 3 in ~12 y over ~60 zones on average (assumption) -> one per zone every ~240 y" },
    Rate { provider: "gcp", region: Some("us-central1"), level: Level::Region, what: "region outage", every: "12y", median: "9.5h", p90: "30h", cause: "Network",
        source: "data/outages.csv, us-central1 is named in one region-scale row, 2019-06-02 Google Cloud -> every ~12 y" },
    Rate { provider: "gcp", region: None, level: Level::Region, what: "region outage", every: "200y", median: "9.5h", p90: "30h", cause: "Power",
        source: "data/outages.csv, Google Cloud region-scale rows 2019-06-02 and 2023-04-25 = 2 in ~12 y over ~35 regions (assumption) -> every ~200 y per region" },
    Rate { provider: "gcp", region: None, level: Level::Provider, what: "global control plane", every: "6y", median: "6.5h", p90: "39h", cause: "Dependency",
        source: "data/outages.csv, Google Cloud global control plane rows 2020-12-14 and 2025-06-12 = 2 in ~12 y -> every 6 y; modelled as losing everything on gcp (pessimistic)" },
    Rate { provider: "gcp", region: None, level: Level::Provider, what: "global edge", every: "6y", median: "2h", p90: "8h", cause: "Network",
        source: "data/outages.csv, Google Cloud global edge rows 2016-04-11 and 2021-11-16 = 2 in ~12 y -> every 6 y" },
    Rate { provider: "azure", region: None, level: Level::Zone, what: "zone outage", every: "250y", median: "12h", p90: "63h", cause: "Power",
        source: "data/outages.csv, Azure single AZ rows: 2023-08-30, 2023-09-16, 2025-01-08 = 3 in ~14.7 y over ~60 zones on average (assumption) -> one per zone every ~250 y" },
    Rate { provider: "azure", region: None, level: Level::Region, what: "region outage", every: "250y", median: "9.5h", p90: "30h", cause: "Power",
        source: "data/outages.csv, Azure single region rows: 2018-09-04, 2023-07-05, 2024-07-18 = 3 in ~14.7 y over ~50 regions (assumption) -> every ~250 y per region" },
    Rate { provider: "azure", region: None, level: Level::Provider, what: "global control plane", every: "5y", median: "6.5h", p90: "39h", cause: "Dependency",
        source: "data/outages.csv, Azure global control plane rows 2012-02-29, 2021-03-15, 2021-04-01 = 3 in ~14.7 y -> every ~5 y; modelled as losing everything on azure (pessimistic)" },
    Rate { provider: "azure", region: None, level: Level::Provider, what: "global edge", every: "7y", median: "2h", p90: "8h", cause: "Network",
        source: "data/outages.csv, Azure global edge rows 2024-07-30 and 2025-10-29 = 2 in ~14.7 y -> every ~7 y" },
    Rate { provider: "azure", region: None, level: Level::Provider, what: "multi-region outage", every: "7y", median: "4h", p90: "11h", cause: "Network",
        source: "data/outages.csv, Azure multi-region rows 2014-11-19 and 2023-01-25 = 2 in ~14.7 y -> every ~7 y" },
    Rate { provider: "k8s", region: None, level: Level::Zone, what: "zone outage", every: "150y", median: "12h", p90: "63h", cause: "Power",
        source: "data/README, single AZ rows of the three large providers pooled: 0.39/yr per provider, over ~60 zones (assumption) -> one per zone every ~150 y" },
    Rate { provider: "k8s", region: None, level: Level::Region, what: "cluster outage", every: "3y", median: "1h", p90: "6h", cause: "Config",
        source: "assumption (no row covers one cluster): a cluster-wide failure (control-plane upgrade, CNI or cluster DNS change) once every 3 y, median 1 h, p90 6 h" },
];

/// The default process for `level` on `provider`'s `region` (ignored for
/// [`Level::Provider`]): the region's own entry, else the provider's.
pub fn lookup(provider: &str, region: &str, level: Level) -> Option<&'static Rate> {
    let of_level = || {
        TABLE
            .iter()
            .filter(|r| r.provider == provider && r.level == level)
    };
    of_level()
        .find(|r| r.region == Some(region))
        .or_else(|| of_level().find(|r| r.region.is_none()))
}

/// The provider-wide processes of `provider` (none for AWS: the data has no
/// AWS global control plane, global edge or multi-region row).
pub fn provider_wide(provider: &str) -> impl Iterator<Item = &'static Rate> + '_ {
    TABLE
        .iter()
        .filter(move |r| r.provider == provider && r.level == Level::Provider)
}

/// Processes on every replica and every deployment: not from the outage
/// history (no row covers one host or one team's release), the example
/// scenarios' assumptions.
pub const HOST_AND_ROLLOUT: [(&str, &str); 2] = [
    (
        "Assumption (as the example scenarios): one failure per replica per year (machine failures, VM retirements, crashes), replaced in 15 min on average (launch, boot, warm-up)",
        "(name: \"host failure\", on: EachReplica(), every: \"1y\", lasts: Exp(mean: \"15m\"), cause: Hardware),",
    ),
    (
        "Assumption (as the example scenarios): ~50 releases a year per deployment, ~4 % take it down until rolled back; config/human error is the top cause in data/outages.csv (19 of 61 rows)",
        "(name: \"bad rollout\", on: EachDeployment(), every: \"180d\", lasts: LogNormal(median: \"25m\", p90: \"2h\"), cause: Config),",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_s_own_entry_wins_over_the_provider_default() {
        let own = lookup("aws", "us-east-1", Level::Region).map(|r| r.every);
        assert_eq!(own, Some("1.8y"));
        let other = lookup("aws", "eu-west-1", Level::Region).map(|r| r.every);
        assert_eq!(other, Some("150y"));
        assert!(lookup("k8s", "cluster", Level::Zone).is_some());
        assert!(lookup("oci", "us-ashburn-1", Level::Region).is_none());
        assert_eq!(provider_wide("aws").count(), 0);
        assert_eq!(provider_wide("azure").count(), 3);
    }
}
