//! Failure domains: providers, regions and zones, nested by path.

use super::DomainId;

/// The level of a failure domain, given by its depth in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `aws`
    Provider,
    /// `aws/us-east-1`
    Region,
    /// `aws/us-east-1/a`
    Zone,
}

/// A failure domain: a provider, a region or a zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    /// Full path, e.g. `aws/us-east-1/a`.
    pub path: String,
    /// Provider, region or zone.
    pub level: Level,
    /// The enclosing domain (`None` for a provider).
    pub parent: Option<DomainId>,
}
