//! Uncertain values as written: a plain value, `Between(a, b)` or (on a
//! failure's `every`) `Observed(events: k, years: y)`. Read by hand so that
//! one field takes a string, a number or one of these forms, and so that a
//! bad form fails at the position ron reports, as every other raw value.
//!
//! ron hands a custom deserialiser `Between("1y", "4y")` as a sequence and
//! `Observed(events: 8, years: 14.7)` as a map, without the name written
//! before it; the validator checks that name where it locates the input
//! ([`written_as`]).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::raw::{NonNegativeDuration, Period, PositiveDuration};
use crate::uncertainty::Law;

/// A duration type of the file that may also be written uncertain.
pub trait UncertainDuration: TryFrom<String, Error = String> + Copy {
    /// Whether `Observed(...)` is taken (only `every` is a rate).
    const OBSERVED: bool;
    /// The value in hours.
    fn hours(&self) -> f64;
}

impl UncertainDuration for Period {
    const OBSERVED: bool = true;
    fn hours(&self) -> f64 {
        self.0.hours()
    }
}

impl UncertainDuration for PositiveDuration {
    const OBSERVED: bool = false;
    fn hours(&self) -> f64 {
        self.0.hours()
    }
}

impl UncertainDuration for NonNegativeDuration {
    const OBSERVED: bool = false;
    fn hours(&self) -> f64 {
        self.0.hours()
    }
}

/// A duration, or an uncertain one.
#[derive(Debug, Clone, Copy)]
pub enum Uncertain<T> {
    /// A plain duration.
    Known(T),
    /// `Between(a, b)` or `Observed(...)`: its law (hours).
    Law(Law),
}

impl<T: UncertainDuration> Uncertain<T> {
    /// The value a run without draws uses, hours: the plain value, or the
    /// law's median.
    pub fn nominal_hours(&self) -> f64 {
        match self {
            Uncertain::Known(d) => d.hours(),
            Uncertain::Law(law) => law.quantile(0.5),
        }
    }

    /// The law, when uncertain.
    pub fn law(&self) -> Option<Law> {
        match self {
            Uncertain::Known(_) => None,
            Uncertain::Law(law) => Some(*law),
        }
    }
}

impl<'de, T: UncertainDuration> Deserialize<'de> for Uncertain<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DurationVisitor(PhantomData))
    }
}

struct DurationVisitor<T>(PhantomData<T>);

impl<'de, T: UncertainDuration> Visitor<'de> for DurationVisitor<T> {
    type Value = Uncertain<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if T::OBSERVED {
            f.write_str("a duration such as \"30d\", `Between(\"1y\", \"4y\")` or `Observed(events: 8, years: 14.7)`")
        } else {
            f.write_str("a duration such as \"2h\" or `Between(\"1h\", \"6h\")`")
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        T::try_from(text.to_string())
            .map(Uncertain::Known)
            .map_err(E::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ends = (seq.next_element::<String>()?, seq.next_element::<String>()?);
        let (Some(a), Some(b)) = ends else {
            return Err(de::Error::custom(
                "`Between` takes two durations: `Between(\"1h\", \"6h\")`",
            ));
        };
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("`Between` takes exactly two durations"));
        }
        let low = T::try_from(a.clone()).map_err(de::Error::custom)?.hours();
        let high = T::try_from(b.clone()).map_err(de::Error::custom)?.hours();
        if low <= 0.0 {
            return Err(de::Error::custom(format!(
                "`Between` on a duration is log-normal: its ends must be greater than zero, not `{a}`"
            )));
        }
        if low > high {
            return Err(de::Error::custom(format!(
                "`Between(\"{a}\", \"{b}\")`: the first end is greater than the second"
            )));
        }
        Ok(Uncertain::Law(Law::LogNormal { p5: low, p95: high }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if !T::OBSERVED {
            return Err(de::Error::custom(
                "`Observed(...)` is taken only by a failure's `every`",
            ));
        }
        let (mut events, mut years) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "events" => &mut events,
                "years" => &mut years,
                _ => return Err(de::Error::unknown_field(&key, &["events", "years"])),
            };
            if slot.replace(map.next_value::<f64>()?).is_some() {
                return Err(de::Error::duplicate_field(if key == "events" {
                    "events"
                } else {
                    "years"
                }));
            }
        }
        let events = events.ok_or_else(|| de::Error::missing_field("events"))?;
        let years = years.ok_or_else(|| de::Error::missing_field("years"))?;
        if !(events.is_finite() && events >= 0.0) {
            return Err(de::Error::custom(format!(
                "`events` of `Observed` is `{events}`; it must be a count of 0 or more"
            )));
        }
        if !(years.is_finite() && years > 0.0) {
            return Err(de::Error::custom(format!(
                "`years` of `Observed` is `{years}`; it must be greater than zero"
            )));
        }
        Ok(Uncertain::Law(Law::Observed { events, years }))
    }
}

/// A distribution parameter as written: its nominal hours and its law.
pub trait NominalHours {
    /// The hours a run without draws uses.
    fn nominal(&self) -> f64;
    /// The law, when uncertain.
    fn uncertain_law(&self) -> Option<Law>;
}

impl<T: UncertainDuration> NominalHours for Uncertain<T> {
    fn nominal(&self) -> f64 {
        self.nominal_hours()
    }
    fn uncertain_law(&self) -> Option<Law> {
        self.law()
    }
}

/// A probability, or an uncertain one (`Between(0.6, 0.9)`, uniform).
#[derive(Debug, Clone, Copy)]
pub enum UncertainProbability {
    /// A plain number (its range is checked by the validator).
    Known(f64),
    /// Uniform on `[low, high]`, both within [0, 1].
    Between(f64, f64),
}

impl UncertainProbability {
    /// The value a run without draws uses: the number, or the middle of
    /// the range (the uniform's median).
    pub fn nominal(&self) -> f64 {
        match *self {
            UncertainProbability::Known(x) => x,
            UncertainProbability::Between(low, high) => 0.5 * (low + high),
        }
    }

    /// The law, when uncertain.
    pub fn law(&self) -> Option<Law> {
        match *self {
            UncertainProbability::Known(_) => None,
            UncertainProbability::Between(low, high) => Some(Law::Uniform { low, high }),
        }
    }
}

impl<'de> Deserialize<'de> for UncertainProbability {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ProbabilityVisitor)
    }
}

struct ProbabilityVisitor;

impl<'de> Visitor<'de> for ProbabilityVisitor {
    type Value = UncertainProbability;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a probability such as 0.9 or `Between(0.6, 0.9)`")
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Self::Value, E> {
        Ok(UncertainProbability::Known(x))
    }

    fn visit_i64<E: de::Error>(self, x: i64) -> Result<Self::Value, E> {
        Ok(UncertainProbability::Known(x as f64))
    }

    fn visit_u64<E: de::Error>(self, x: u64) -> Result<Self::Value, E> {
        Ok(UncertainProbability::Known(x as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ends = (seq.next_element::<f64>()?, seq.next_element::<f64>()?);
        let (Some(low), Some(high)) = ends else {
            return Err(de::Error::custom(
                "`Between` takes two probabilities: `Between(0.6, 0.9)`",
            ));
        };
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(
                "`Between` takes exactly two probabilities",
            ));
        }
        if !((0.0..=1.0).contains(&low) && (0.0..=1.0).contains(&high)) {
            return Err(de::Error::custom(format!(
                "`Between({low}, {high})`: both ends must be between 0 and 1"
            )));
        }
        if low > high {
            return Err(de::Error::custom(format!(
                "`Between({low}, {high})`: the first end is greater than the second"
            )));
        }
        Ok(UncertainProbability::Between(low, high))
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(
            "`Observed(...)` is taken only by a failure's `every`",
        ))
    }
}

/// Which form `text` (a value's source, from its first character) is
/// written as: `Some("Between")` or `Some("Observed")`, else `None`.
pub fn written_as(text: &str) -> Option<&'static str> {
    let word: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    match word.as_str() {
        "Between" => Some("Between"),
        "Observed" => Some("Observed"),
        _ => None,
    }
}
