//! The W1 benchmark workload, written as a scenario for any number of
//! services.
//!
//! W1: 2 providers x 3 regions x 3 zones. Service `i` lives in provider
//! `i mod 2`; its 6 replicas sit on the 3 zones of region `(i / 2) mod 3`
//! and of the region after it, and 2 of them must be up. Hard dependencies
//! form a random DAG drawn from SplitMix64 seeded with 42: for each service
//! `i` in order, `next() mod 4` draws of a service `j > i`
//! (`i + 1 + next() mod (n - 1 - i)`), a repeated draw adding nothing.
//! Replicas fail every 720 h for Exp(2 h); zones every 8,760 h, regions
//! every 17,520 h and providers every 43,800 h, for log-normal outages.
//! The same workload is modelled by the SimPy peer of `benches/peer.sh`.

use std::fmt::Write as _;

/// Providers, regions per provider, zones per region.
const SHAPE: (usize, usize, usize) = (2, 3, 3);

/// SplitMix64 (Steele, Lea and Flood, 2014): the DAG's generator.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The dependencies of each of `n` services, in the order drawn.
pub fn dependencies(n: usize) -> Vec<Vec<usize>> {
    let mut rng = SplitMix64(42);
    let mut deps = vec![Vec::new(); n];
    for (i, mine) in deps.iter_mut().enumerate() {
        let later = (n - 1 - i) as u64;
        if later == 0 {
            continue;
        }
        for _ in 0..rng.next() % 4 {
            let j = i + 1 + (rng.next() % later) as usize;
            if !mine.contains(&j) {
                mine.push(j);
            }
        }
    }
    deps
}

/// The 90th percentile of a log-normal of this median and sigma, as a
/// duration in hours with six decimals.
fn p90(median_hours: f64, sigma: f64) -> String {
    const Z90: f64 = 1.281_551_565_544_600_4;
    format!("\"{:.6}h\"", median_hours * (sigma * Z90).exp())
}

/// The W1 scenario with `n` services, formatted as `faultline fmt` writes it.
pub fn scenario(n: usize) -> String {
    let (providers, regions, zones) = SHAPE;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// W1, the engine's benchmark workload, with {n} services:"
    );
    let _ = writeln!(
        out,
        "// 2 providers x 3 regions x 3 zones; 6 replicas a service over two regions, 2 needed;"
    );
    let _ = writeln!(out, "// hard dependencies from a seeded random DAG. Written by `cargo run --example w1 -- {n}`.");
    out.push_str("Scenario(\n");
    let _ = writeln!(out, "    name: \"W1 benchmark, {n} services\",");
    out.push_str("    horizon: \"8760h\",\n    trials: 2000,\n    seed: 1,\n");
    let domains: Vec<String> = (0..providers)
        .flat_map(|p| {
            (0..regions).flat_map(move |r| (0..zones).map(move |z| format!("\"p{p}/r{r}/z{z}\"")))
        })
        .collect();
    let _ = writeln!(out, "    domains: [{}],", domains.join(", "));
    out.push_str("    failures: [\n");
    out.push_str("        (name: \"replica\", on: EachReplica(), every: \"720h\", lasts: Exp(mean: \"2h\"), cause: Hardware),\n");
    let _ = writeln!(out, "        (name: \"zone\", on: EachZone(), every: \"8760h\", lasts: LogNormal(median: \"1h\", p90: {}), cause: Power),", p90(1.0, 1.0));
    let _ = writeln!(out, "        (name: \"region\", on: EachRegion(), every: \"17520h\", lasts: LogNormal(median: \"3h\", p90: {}), cause: Software),", p90(3.0, 1.0));
    let _ = writeln!(out, "        (name: \"provider\", on: EachProvider(), every: \"43800h\", lasts: LogNormal(median: \"2h\", p90: {}), cause: Network),", p90(2.0, 0.8));
    out.push_str("    ],\n    services: {\n");
    for (i, deps) in dependencies(n).iter().enumerate() {
        let first = (i / providers) % regions;
        let second = (first + 1) % regions;
        let placement: Vec<String> = [first, second]
            .iter()
            .flat_map(|r| (0..zones).map(move |z| format!("\"r{r}/z{z}\"")))
            .collect();
        let depends: Vec<String> = deps.iter().map(|d| format!("\"s{d:03}\": Hard")).collect();
        let _ = writeln!(
            out,
            "        \"s{i:03}\": (deployments: [(in: \"p{}\", zones: [{}], replicas: 6, need: 2)], depends_on: {{ {} }}),",
            i % providers,
            placement.join(", "),
            depends.join(", ")
        );
    }
    out.push_str("    },\n)\n");
    // in the layout of `faultline fmt`, as every shipped scenario
    faultline::scenario::format::format(&out).unwrap_or(out)
}
