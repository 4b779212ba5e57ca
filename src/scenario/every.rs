//! The `every` of a failure: a duration string (the mean of exponential up
//! times, v1) or a distribution of up times, `every: Weibull(shape: 0.7,
//! scale: "2y")`.
//!
//! ron hands a value that may be either to `deserialize_any`, which reads
//! `Weibull(shape: 0.7, scale: "2y")` as a struct without its name: the
//! kind is told by its fields here, and the name as written is compared
//! with it in `validate` (see [`RawEvery::kind`]).

use std::fmt;

use serde::de::{self, Error, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::raw::{NonNegativeDuration, Period, PositiveDuration};
use crate::model::Distribution;
use crate::uncertainty::Law;

/// `every` as written.
#[derive(Debug, Clone)]
pub enum RawEvery {
    /// `every: "2y"`: exponential up times of this mean.
    Mean(Period),
    /// `every: Weibull(...)`: up times drawn from this distribution, whose
    /// name in the file must be `kind`.
    Drawn {
        /// The distribution, checked on its own.
        distribution: Distribution,
        /// The variant its fields belong to (`Weibull`, `Exp`, ...).
        kind: &'static str,
    },
    /// `every: Between("1y", "4y")` or `every: Observed(events: 8, years:
    /// 14.7)`: exponential up times of an uncertain mean (hours).
    Uncertain(Law),
}

impl<'de> Deserialize<'de> for RawEvery {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EveryVisitor)
    }
}

struct EveryVisitor;

impl<'de> Visitor<'de> for EveryVisitor {
    type Value = RawEvery;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration such as \"2y\", a distribution such as Weibull(shape: 0.7, scale: \"2y\"), `Between(\"1y\", \"4y\")` or `Observed(events: 8, years: 14.7)`")
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<RawEvery, E> {
        Period::try_from(text.to_string())
            .map(RawEvery::Mean)
            .map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEvery, A::Error> {
        let mut durations: Vec<(String, f64)> = Vec::new();
        let mut shape = None;
        let mut observed = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "events" => observed.0 = Some(map.next_value::<f64>()?),
                "years" => observed.1 = Some(map.next_value::<f64>()?),
                "shape" => shape = Some(map.next_value::<f64>()?),
                "mean" | "median" | "p90" | "scale" => {
                    let d = map.next_value::<PositiveDuration>()?;
                    durations.push((key, d.0.hours()));
                }
                "min" | "max" => {
                    let d = map.next_value::<NonNegativeDuration>()?;
                    durations.push((key, d.0.hours()));
                }
                _ => {
                    return Err(A::Error::custom(format!(
                        "unknown field `{key}` in a distribution of up times"
                    )))
                }
            }
        }
        if observed != (None, None) {
            if !durations.is_empty() || shape.is_some() {
                return Err(A::Error::custom(
                    "`Observed` takes only `events` and `years`",
                ));
            }
            return observed_every(observed);
        }
        let (distribution, kind) = named_distribution(&durations, shape)?;
        drawn(distribution, kind)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawEvery, A::Error> {
        let inner: FixedOrList = seq
            .next_element()?
            .ok_or_else(|| A::Error::custom("`Fixed` needs a duration"))?;
        // `Between("1y", "4y")`: two durations (`Fixed` takes one)
        if let Some(high) = seq.next_element::<Period>()? {
            if seq.next_element::<de::IgnoredAny>()?.is_some() {
                return Err(A::Error::custom("`Between` takes exactly two durations"));
            }
            let FixedOrList::One(low) = inner else {
                return Err(A::Error::custom(
                    "`Between` takes two durations: `Between(\"1y\", \"4y\")`",
                ));
            };
            return between_every(low, high.0.hours());
        }
        match inner {
            FixedOrList::One(d) => drawn(Distribution::Fixed(d), "Fixed"),
            FixedOrList::List(values) => drawn(Distribution::Empirical(values), "Empirical"),
        }
    }
}

/// A checked distribution of up times: its mean at least one second, so
/// that time moves on.
fn drawn<E: Error>(distribution: Distribution, kind: &'static str) -> Result<RawEvery, E> {
    distribution.validate().map_err(E::custom)?;
    let mean = distribution.mean();
    if mean.is_nan() || mean < super::raw::MIN_PERIOD_HOURS {
        return Err(E::custom(format!(
            "the mean up time of `{kind}` in `every` is shorter than one second"
        )));
    }
    Ok(RawEvery::Drawn { distribution, kind })
}

/// The inside of `Fixed(d)` or `Empirical([d, ...])`.
enum FixedOrList {
    One(f64),
    List(Vec<f64>),
}

impl<'de> Deserialize<'de> for FixedOrList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FixedOrList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration or a list of durations")
            }
            fn visit_str<E: Error>(self, text: &str) -> Result<FixedOrList, E> {
                NonNegativeDuration::try_from(text.to_string())
                    .map(|d| FixedOrList::One(d.0.hours()))
                    .map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FixedOrList, A::Error> {
                let mut values = Vec::new();
                while let Some(d) = seq.next_element::<NonNegativeDuration>()? {
                    values.push(d.0.hours());
                }
                Ok(FixedOrList::List(values))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl RawEvery {
    /// The variant name the file must spell (`None` for a duration string).
    pub fn kind(&self) -> Option<&'static str> {
        match self {
            RawEvery::Mean(_) | RawEvery::Uncertain(_) => None,
            RawEvery::Drawn { kind, .. } => Some(kind),
        }
    }
}

/// `every: Between(low, high)`: log-normal with its ends as the 5th and
/// 95th percentiles.
fn between_every<E: Error>(low: f64, high: f64) -> Result<RawEvery, E> {
    if low < super::raw::MIN_PERIOD_HOURS {
        return Err(E::custom(
            "`Between` on `every` is log-normal: its ends must be at least one second",
        ));
    }
    if low > high {
        return Err(E::custom(
            "`Between` of `every`: the first end is greater than the second",
        ));
    }
    Ok(RawEvery::Uncertain(Law::LogNormal { p5: low, p95: high }))
}

/// `every: Observed(events: k, years: y)`: the rate as history says.
fn observed_every<E: Error>((events, years): (Option<f64>, Option<f64>)) -> Result<RawEvery, E> {
    let events = events.ok_or_else(|| E::missing_field("events"))?;
    let years = years.ok_or_else(|| E::missing_field("years"))?;
    if !(events.is_finite() && events >= 0.0) {
        return Err(E::custom(format!(
            "`events` of `Observed` is `{events}`; it must be a count of 0 or more"
        )));
    }
    if !(years.is_finite() && years > 0.0) {
        return Err(E::custom(format!(
            "`years` of `Observed` is `{years}`; it must be greater than zero"
        )));
    }
    Ok(RawEvery::Uncertain(Law::Observed { events, years }))
}

/// The distribution of up times named by its fields (`mean`: `Exp`,
/// `shape` and `scale`: `Weibull`, ...) and its name.
fn named_distribution<E: Error>(
    durations: &[(String, f64)],
    shape: Option<f64>,
) -> Result<(Distribution, &'static str), E> {
    let get = |name: &str| durations.iter().find(|(k, _)| k == name).map(|x| x.1);
    let fields: Vec<&str> = durations.iter().map(|(k, _)| k.as_str()).collect();
    let named = match (fields.as_slice(), shape) {
        (["mean"], None) => (
            Distribution::Exp {
                mean: get("mean").unwrap_or(0.0),
            },
            "Exp",
        ),
        (["scale"], Some(shape)) => (
            Distribution::Weibull {
                shape,
                scale: get("scale").unwrap_or(0.0),
            },
            "Weibull",
        ),
        (["median", "p90"] | ["p90", "median"], None) => (
            Distribution::lognormal(get("median").unwrap_or(0.0), get("p90").unwrap_or(0.0))
                .map_err(E::custom)?,
            "LogNormal",
        ),
        (["min", "max"] | ["max", "min"], None) => (
            Distribution::Uniform {
                min: get("min").unwrap_or(0.0),
                max: get("max").unwrap_or(0.0),
            },
            "Uniform",
        ),
        _ => {
            return Err(E::custom(
                "a distribution of up times is `Exp(mean: d)`, `Weibull(shape: x, scale: d)`, \
                 `LogNormal(median: d, p90: d)`, `Uniform(min: d, max: d)`, `Fixed(d)` or \
                 `Empirical([d, ...])`",
            ))
        }
    };
    Ok(named)
}
