//! Traffic by hour of day, the demand curve capacities are measured against.

/// Traffic by hour of day, normalised to mean 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    /// Weight of each hour of the day (mean 1).
    pub hourly: [f64; 24],
    /// `cumulative[h]`: the sum of the weights of hours before `h` (25 entries).
    pub cumulative: [f64; 25],
}

impl Traffic {
    /// Normalises 24 non-negative weights with a positive sum.
    pub fn daily(weights: &[f64; 24]) -> Traffic {
        let sum: f64 = weights.iter().sum();
        let mut hourly = [0.0; 24];
        let mut cumulative = [0.0; 25];
        for h in 0..24 {
            hourly[h] = weights[h] * 24.0 / sum;
            cumulative[h + 1] = cumulative[h] + hourly[h];
        }
        Traffic { hourly, cumulative }
    }

    /// The integral of the weight from 0 to `t` hours.
    #[inline]
    pub fn integral(&self, t: f64) -> f64 {
        let days = (t / 24.0).floor();
        let within = t - days * 24.0;
        let h = (within as usize).min(23);
        days * 24.0 + self.cumulative[h] + (within - h as f64) * self.hourly[h]
    }

    /// The integral of the weight over `[a, b)`.
    #[inline]
    pub fn between(&self, a: f64, b: f64) -> f64 {
        self.integral(b) - self.integral(a)
    }
}
