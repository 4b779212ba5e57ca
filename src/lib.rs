//! faultline: a multi-cloud resilience simulator.
//!
//! An architect describes a system in a scenario file (RON): failure domains
//! (provider > region > zone), services with replicas placed in them,
//! dependencies, routing and cost. faultline simulates many independent
//! horizons (Monte Carlo trials) and reports availability, downtime, blast
//! radius and cost with confidence intervals.
//!
//! Data flows one way:
//!
//! ```text
//! scenario file --scenario--> model --engine (one trial)--> trial outcome
//!       --montecarlo (many trials, rayon)--> stats --report--> table / json / markdown / html
//! ```
//!
//! ```
//! let text = r#"Scenario(
//!     name: "one box", horizon: "1y", trials: 200, seed: 1,
//!     domains: ["aws/us-east-1/a"],
//!     failures: [(name: "host", on: EachReplica(), every: "30d", lasts: Fixed("10h"), cause: Hardware)],
//!     services: { "web": (deployments: [(in: "aws/us-east-1/a")]) },
//! )"#;
//! let model = faultline::scenario::load("one-box.ron", text.as_bytes()).unwrap();
//! let result = faultline::montecarlo::run(&model, &faultline::montecarlo::RunOptions::default()).unwrap();
//! let availability = result.services["web"].availability.mean;
//! // exact: MTTF / (MTTF + MTTR) = 720 / 730
//! assert!((availability - 720.0 / 730.0).abs() < 0.002);
//! ```

pub mod analysis;
pub mod catalog;
pub mod cli;
pub mod engine;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod import;
pub mod input;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
#[cfg(test)]
mod test_scenarios;
pub mod text;
pub mod uncertainty;
