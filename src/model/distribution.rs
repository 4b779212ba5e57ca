//! Validated probability distributions of durations, sampled in hours.

use rand::{Rng, RngExt};
use rand_distr::{Exp1, StandardNormal};

/// The smallest Weibull shape accepted (its mean is then 2.4e18 times its scale).
pub const MIN_WEIBULL_SHAPE: f64 = 0.05;

/// The standard normal quantile at 0.9, used to turn a p90 into a sigma.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// A distribution of durations (hours). Built only through [`Distribution::new`]
/// or the scenario loader, so its parameters are always valid: sampling never
/// yields NaN, an infinity or a negative value.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Always the same value.
    Fixed(f64),
    /// Exponential with the given mean.
    Exp {
        /// Mean in hours (> 0).
        mean: f64,
    },
    /// Log-normal: `exp(mu + sigma * N(0, 1))`.
    LogNormal {
        /// Log of the median.
        mu: f64,
        /// Log-space standard deviation (> 0).
        sigma: f64,
    },
    /// Weibull with shape k and scale lambda.
    Weibull {
        /// Shape (> 0).
        shape: f64,
        /// Scale in hours (> 0).
        scale: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound in hours.
        min: f64,
        /// Upper bound in hours (>= min).
        max: f64,
    },
    /// One of the listed values, each with the same probability.
    Empirical(Vec<f64>),
}

/// Why distribution parameters were rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// A parameter that must be positive was not.
    #[error("`{parameter}` of `{distribution}` must be greater than zero")]
    NotPositive {
        /// The distribution's name.
        distribution: &'static str,
        /// The parameter's name.
        parameter: &'static str,
    },
    /// A log-normal's p90 was not above its median.
    #[error("`p90` of `LogNormal` must be greater than its `median`")]
    P90NotAboveMedian,
    /// A uniform's min was above its max.
    #[error("`min` of `Uniform` must not be greater than its `max`")]
    MinAboveMax,
    /// A Weibull shape so small that its mean is beyond any horizon.
    #[error("`shape` of `Weibull` must be at least 0.05: below that the mean outage is astronomically long")]
    ShapeTooSmall,
    /// A Weibull scale so large for its shape that the mean outage is not a
    /// finite number.
    #[error(
        "`scale` of `Weibull` is too large for its `shape`: the mean outage is not a finite number"
    )]
    ScaleTooLarge,
    /// An empirical distribution without values.
    #[error("`Empirical` needs at least one value")]
    EmptyEmpirical,
    /// A parameter was NaN or infinite, or gave a non-finite sample range.
    #[error("`{distribution}` has a parameter that is not a finite number")]
    NotFinite {
        /// The distribution's name.
        distribution: &'static str,
    },
}

/// Checks that the parameter `parameter` of `distribution` is finite and
/// greater than zero.
fn positive(
    distribution: &'static str,
    parameter: &'static str,
    x: f64,
) -> Result<(), DistributionError> {
    if !x.is_finite() {
        Err(DistributionError::NotFinite { distribution })
    } else if x <= 0.0 {
        Err(DistributionError::NotPositive {
            distribution,
            parameter,
        })
    } else {
        Ok(())
    }
}

impl Distribution {
    /// A log-normal given by its median and 90th percentile, both in hours.
    ///
    /// # Errors
    /// [`DistributionError`] unless `0 < median < p90`, both finite.
    pub fn lognormal(median: f64, p90: f64) -> Result<Distribution, DistributionError> {
        if !(median.is_finite() && p90.is_finite()) {
            return Err(DistributionError::NotFinite {
                distribution: "LogNormal",
            });
        }
        if median <= 0.0 {
            return Err(DistributionError::NotPositive {
                distribution: "LogNormal",
                parameter: "median",
            });
        }
        if p90 <= median {
            return Err(DistributionError::P90NotAboveMedian);
        }
        let sigma = (p90 / median).ln() / Z90;
        Ok(Distribution::LogNormal {
            mu: median.ln(),
            sigma,
        })
    }

    /// Checks parameters that constructors of other variants take as given.
    ///
    /// # Errors
    /// [`DistributionError`] naming the offending parameter.
    pub fn validate(&self) -> Result<(), DistributionError> {
        match self {
            Distribution::Fixed(x) => {
                if x.is_finite() && *x >= 0.0 {
                    Ok(())
                } else {
                    Err(DistributionError::NotFinite {
                        distribution: "Fixed",
                    })
                }
            }
            Distribution::Exp { mean } => positive("Exp", "mean", *mean),
            Distribution::LogNormal { mu, sigma } => {
                positive("LogNormal", "sigma", *sigma)?;
                if mu.is_finite() && (mu + 40.0 * sigma).exp().is_finite() {
                    Ok(())
                } else {
                    Err(DistributionError::NotFinite {
                        distribution: "LogNormal",
                    })
                }
            }
            Distribution::Weibull { shape, scale } => {
                positive("Weibull", "shape", *shape)?;
                positive("Weibull", "scale", *scale)?;
                if *shape < MIN_WEIBULL_SHAPE {
                    return Err(DistributionError::ShapeTooSmall);
                }
                if !self.mean().is_finite() {
                    return Err(DistributionError::ScaleTooLarge);
                }
                Ok(())
            }
            Distribution::Uniform { min, max } => {
                if !(min.is_finite() && max.is_finite()) {
                    Err(DistributionError::NotFinite {
                        distribution: "Uniform",
                    })
                } else if min > max {
                    Err(DistributionError::MinAboveMax)
                } else {
                    Ok(())
                }
            }
            Distribution::Empirical(values) => {
                if values.is_empty() {
                    Err(DistributionError::EmptyEmpirical)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The exact mean in hours (used for work estimates and tests).
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Fixed(x) => *x,
            Distribution::Exp { mean } => *mean,
            Distribution::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Distribution::Weibull { shape, scale } => scale * gamma(1.0 + 1.0 / shape),
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::Empirical(values) => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// Draws one duration in hours. Finite and non-negative for valid parameters.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let x = match self {
            Distribution::Fixed(x) => *x,
            Distribution::Exp { mean } => mean * rng.sample::<f64, _>(Exp1),
            Distribution::LogNormal { mu, sigma } => {
                (mu + sigma * rng.sample::<f64, _>(StandardNormal)).exp()
            }
            Distribution::Weibull { shape, scale } => {
                scale * rng.sample::<f64, _>(Exp1).powf(1.0 / shape)
            }
            Distribution::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Distribution::Empirical(values) => values[rng.random_range(0..values.len())],
        };
        // Extreme tails (a Weibull with a tiny shape) may overflow: clamp, never NaN.
        if x.is_finite() {
            x
        } else {
            f64::MAX
        }
    }
}

/// The gamma function (Lanczos approximation, g = 7), accurate to ~1e-13 for x > 0.
pub fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x))
    } else {
        let x = x - 1.0;
        let t = x + 7.5;
        let sum = G[1..]
            .iter()
            .enumerate()
            .fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::ChaCha8Rng;
    use rand::SeedableRng;

    #[test]
    fn lognormal_from_median_and_p90_has_that_median_and_p90() {
        let d = Distribution::lognormal(1.0, 6.0).expect("valid");
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut xs: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        assert!((xs[100_000] - 1.0).abs() < 0.02, "median {}", xs[100_000]);
        assert!((xs[180_000] - 6.0).abs() < 0.15, "p90 {}", xs[180_000]);
    }

    #[test]
    fn sample_means_match_exact_means() {
        let cases = [
            Distribution::Exp { mean: 2.0 },
            Distribution::Weibull {
                shape: 1.5,
                scale: 3.0,
            },
            Distribution::Uniform { min: 1.0, max: 5.0 },
            Distribution::Empirical(vec![1.0, 2.0, 6.0]),
            Distribution::Fixed(0.5),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for d in cases {
            let n = 200_000;
            let mean = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64;
            assert!((mean - d.mean()).abs() < 0.02 * d.mean(), "{d:?}: {mean}");
        }
    }

    #[test]
    fn gamma_matches_known_values() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_rejected_before_sampling() {
        assert!(Distribution::lognormal(2.0, 1.0).is_err());
        assert!(Distribution::lognormal(0.0, 1.0).is_err());
        assert!(Distribution::Weibull {
            shape: 0.0,
            scale: 1.0
        }
        .validate()
        .is_err());
        assert!(Distribution::Uniform { min: 2.0, max: 1.0 }
            .validate()
            .is_err());
        assert!(Distribution::Empirical(vec![]).validate().is_err());
        assert!(Distribution::Exp { mean: 0.0 }.validate().is_err());
    }
}
