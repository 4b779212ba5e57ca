//! Durations in hours, parsed from strings such as `"90s"` or `"1.5h"`.

use std::fmt;

/// A non-negative, finite length of time, stored in hours.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Duration(f64);

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    /// The string was empty.
    #[error("empty duration")]
    Empty,
    /// The number had no unit after it.
    #[error("duration `{0}` has no unit")]
    MissingUnit(String),
    /// The unit is not one of s, m, h, d, w, y.
    #[error("duration `{text}` has an unknown unit `{unit}`")]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit as written.
        unit: String,
    },
    /// The part before the unit is not a decimal number.
    #[error("duration `{0}` is not a decimal number followed by a unit, with no space")]
    NotANumber(String),
    /// Negative, NaN or infinite.
    #[error("duration `{0}` must be finite and not negative")]
    OutOfRange(String),
}

impl Duration {
    /// The zero duration.
    pub const ZERO: Duration = Duration(0.0);

    /// A duration of `hours` hours; `None` unless finite and non-negative.
    pub fn from_hours(hours: f64) -> Option<Duration> {
        (hours.is_finite() && hours >= 0.0).then_some(Duration(hours))
    }

    /// The length in hours.
    pub fn hours(self) -> f64 {
        self.0
    }

    /// Parses `"<decimal><unit>"` with unit `s`, `m`, `h`, `d`, `w` or `y` (365 days).
    ///
    /// # Errors
    /// A [`DurationError`] saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(DurationError::Empty);
        }
        let split = trimmed
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(|| DurationError::MissingUnit(text.to_string()))?;
        let (number, unit) = trimmed.split_at(split);
        let hours_per_unit = match unit {
            "s" => 1.0 / 3600.0,
            "m" => 1.0 / 60.0,
            "h" => 1.0,
            "d" => 24.0,
            "w" => 168.0,
            "y" => 8760.0,
            _ if number.is_empty() => return Err(DurationError::NotANumber(text.to_string())),
            _ => {
                return Err(DurationError::UnknownUnit {
                    text: text.to_string(),
                    unit: unit.to_string(),
                })
            }
        };
        let valid_number = !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
        if !valid_number {
            return Err(DurationError::NotANumber(text.to_string()));
        }
        let value: f64 = number
            .parse()
            .map_err(|_| DurationError::NotANumber(text.to_string()))?;
        Duration::from_hours(value * hours_per_unit)
            .ok_or_else(|| DurationError::OutOfRange(text.to_string()))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.0;
        if h == 0.0 {
            write!(f, "0s")
        } else if h < 1.0 / 60.0 {
            write!(f, "{}s", round3(h * 3600.0))
        } else if h < 1.0 {
            write!(f, "{}m", round3(h * 60.0))
        } else if h < 48.0 {
            write!(f, "{}h", round3(h))
        } else {
            write!(f, "{}d", round3(h / 24.0))
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_converts_to_hours() {
        assert_eq!(Duration::parse("90s").map(Duration::hours), Ok(0.025));
        assert_eq!(Duration::parse("30m").map(Duration::hours), Ok(0.5));
        assert_eq!(Duration::parse("1.5h").map(Duration::hours), Ok(1.5));
        assert_eq!(Duration::parse("2d").map(Duration::hours), Ok(48.0));
        assert_eq!(Duration::parse("1w").map(Duration::hours), Ok(168.0));
        assert_eq!(Duration::parse("2y").map(Duration::hours), Ok(17520.0));
    }

    #[test]
    fn malformed_durations_are_rejected() {
        assert!(matches!(
            Duration::parse("5"),
            Err(DurationError::MissingUnit(_))
        ));
        assert!(matches!(
            Duration::parse("-5h"),
            Err(DurationError::OutOfRange(_))
        ));
        assert!(matches!(
            Duration::parse("NaNh"),
            Err(DurationError::NotANumber(_))
        ));
        assert!(matches!(
            Duration::parse("infh"),
            Err(DurationError::NotANumber(_))
        ));
        assert!(matches!(
            Duration::parse("1e400h"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(
            Duration::parse("5x"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(
            Duration::parse("h"),
            Err(DurationError::NotANumber(_))
        ));
        assert!(matches!(Duration::parse(""), Err(DurationError::Empty)));
    }
}
