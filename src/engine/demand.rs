//! A service's demand against its deployments' capacities: with a traffic
//! curve, the demand at hour h is `w_h` times the mean, so a deployment of
//! capacity c receiving a share x serves `min(1, c / (x * w_h))` of it. The
//! routing loop reads the weight here and wakes at each change of it.

use crate::model::Traffic;

/// The weight of the demand while a service is routed.
#[derive(Debug, Clone, Copy)]
pub struct Demand<'a> {
    /// The curve (`None`: flat, the weight stays 1).
    traffic: Option<&'a Traffic>,
    /// The weight in effect.
    pub weight: f64,
    /// When it changes next (infinite when never).
    next: f64,
}

impl<'a> Demand<'a> {
    /// The demand at time 0 under `traffic` (flat when `None`).
    pub fn new(traffic: Option<&'a Traffic>) -> Demand<'a> {
        let mut demand = Demand {
            traffic,
            weight: 1.0,
            next: f64::INFINITY,
        };
        demand.set(0.0);
        demand
    }

    /// When the weight changes next (infinite when never).
    #[inline]
    pub fn next(&self) -> f64 {
        self.next
    }

    /// Moves to the change at `t`, if it is due.
    #[inline]
    pub fn advance(&mut self, t: f64) {
        if t == self.next {
            self.set(t);
        }
    }

    fn set(&mut self, t: f64) {
        if let Some(traffic) = self.traffic {
            self.weight = weight_at(traffic, t);
            self.next = next_change(traffic, t);
        }
    }
}

/// The hour of the day (0 to 23) that time `t` (hours from midnight of day
/// 0) falls in.
#[inline]
fn hour_of_day(t: f64) -> usize {
    let within = t - (t / 24.0).floor() * 24.0;
    (within as usize).min(23)
}

/// The weight of the curve at time `t`.
#[inline]
pub fn weight_at(traffic: &Traffic, t: f64) -> f64 {
    traffic.hourly[hour_of_day(t)]
}

/// The first hour boundary after `t` where the weight differs from its value
/// at `t` (infinite for a flat curve).
pub fn next_change(traffic: &Traffic, t: f64) -> f64 {
    let h = hour_of_day(t);
    let now = traffic.hourly[h];
    let start = (t / 24.0).floor() * 24.0 + h as f64;
    for k in 1..=24 {
        if traffic.hourly[(h + k) % 24] != now {
            return start + k as f64;
        }
    }
    f64::INFINITY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weight_changes_at_the_hours_where_the_curve_does() {
        let mut weights = [1.0; 24];
        for w in &mut weights[8..20] {
            *w = 3.0;
        }
        let traffic = Traffic::daily(&weights);
        assert_eq!(weight_at(&traffic, 0.0), 0.5);
        assert_eq!(weight_at(&traffic, 8.0), 1.5);
        assert_eq!(next_change(&traffic, 0.0), 8.0);
        assert_eq!(next_change(&traffic, 8.0), 20.0);
        assert_eq!(next_change(&traffic, 19.5), 20.0);
        assert_eq!(next_change(&traffic, 20.0), 32.0);
        assert_eq!(
            next_change(&traffic, 24.0 * 300.0 + 21.25),
            24.0 * 301.0 + 8.0
        );
        let mut demand = Demand::new(Some(&traffic));
        assert_eq!((demand.weight, demand.next()), (0.5, 8.0));
        demand.advance(8.0);
        assert_eq!((demand.weight, demand.next()), (1.5, 20.0));
        let flat = Traffic::daily(&[2.0; 24]);
        assert_eq!(next_change(&flat, 3.0), f64::INFINITY);
        assert_eq!(Demand::new(None).next(), f64::INFINITY);
    }
}
