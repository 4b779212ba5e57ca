//! Single values checked where serde reads them, so that ron reports the
//! position of a bad one: durations (positive, non-negative, periods) and
//! distributions with their uncertain parameters.

use serde::Deserialize;

use crate::model::{Distribution, DistributionError, Duration, DurationError};
use crate::scenario::uncertain::{NominalHours, Uncertain};
use crate::uncertainty::{Law, Parameter};

/// A duration that must be greater than zero.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct PositiveDuration(pub Duration);

impl TryFrom<String> for PositiveDuration {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let d = Duration::parse(&text).map_err(duration_message)?;
        if d.hours() > 0.0 {
            Ok(PositiveDuration(d))
        } else {
            Err(format!("duration `{text}` must be greater than zero"))
        }
    }
}

/// The shortest [`Period`]: one second.
pub const MIN_PERIOD_HOURS: f64 = 1.0 / 3600.0;

/// A duration that other lengths are divided by (the horizon, `every`, an
/// SLA `window`): at least [`MIN_PERIOD_HOURS`], so that no quotient
/// overflows to infinity or NaN.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct Period(pub Duration);

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let d = PositiveDuration::try_from(text.clone())?.0;
        if d.hours() >= MIN_PERIOD_HOURS {
            Ok(Period(d))
        } else {
            Err(format!("duration `{text}` is shorter than one second"))
        }
    }
}

/// The message for a rejected duration. A "unit" that is not all letters
/// (`e400h` in `1e400h`) means the number is not plain decimal.
fn duration_message(e: DurationError) -> String {
    match e {
        DurationError::UnknownUnit { text, unit } if !unit.chars().all(char::is_alphabetic) => {
            format!("duration `{text}` is not a decimal number followed by a unit")
        }
        e => e.to_string(),
    }
}

/// A duration that may be zero.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct NonNegativeDuration(pub Duration);

impl TryFrom<String> for NonNegativeDuration {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Duration::parse(&text)
            .map(NonNegativeDuration)
            .map_err(duration_message)
    }
}

/// A distribution as written; converted to a validated [`Distribution`]
/// at the nominal value of each parameter, with the laws of its uncertain
/// parameters (only a failure's `lasts` may have any: the validator says so).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "DistributionSyntax")]
pub struct RawDistribution(pub Distribution, pub Vec<(Parameter, Law)>);

type Positive = Uncertain<PositiveDuration>;
type NonNegative = Uncertain<NonNegativeDuration>;

/// The distribution syntax of the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "distribution")]
enum DistributionSyntax {
    Fixed(NonNegative),
    Exp { mean: Positive },
    LogNormal { median: Positive, p90: Positive },
    Weibull { shape: f64, scale: Positive },
    Uniform { min: NonNegative, max: NonNegative },
    Empirical(Vec<NonNegativeDuration>),
}

impl TryFrom<DistributionSyntax> for RawDistribution {
    type Error = DistributionError;
    fn try_from(raw: DistributionSyntax) -> Result<Self, DistributionError> {
        let mut laws = Vec::new();
        let mut nominal = |parameter, value: &dyn NominalHours| {
            laws.extend(value.uncertain_law().map(|law| (parameter, law)));
            value.nominal()
        };
        let d = match raw {
            DistributionSyntax::Fixed(d) => Distribution::Fixed(nominal(Parameter::Fixed, &d)),
            DistributionSyntax::Exp { mean } => Distribution::Exp {
                mean: nominal(Parameter::Mean, &mean),
            },
            DistributionSyntax::LogNormal { median, p90 } => Distribution::lognormal(
                nominal(Parameter::Median, &median),
                nominal(Parameter::P90, &p90),
            )?,
            DistributionSyntax::Weibull { shape, scale } => Distribution::Weibull {
                shape,
                scale: nominal(Parameter::Scale, &scale),
            },
            DistributionSyntax::Uniform { min, max } => Distribution::Uniform {
                min: nominal(Parameter::Min, &min),
                max: nominal(Parameter::Max, &max),
            },
            DistributionSyntax::Empirical(values) => {
                Distribution::Empirical(values.iter().map(|d| d.0.hours()).collect())
            }
        };
        d.validate()?;
        Ok(RawDistribution(d, laws))
    }
}
