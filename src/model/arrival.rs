//! When a failure's occurrences start, and how the replicas an occurrence
//! took down come back under `repair: (crews: N)`.

use super::{Distribution, Target};

/// When the occurrences of one failure process start.
#[derive(Debug, Clone, PartialEq)]
pub enum Arrival {
    /// Up for an exponential time of mean `Failure::every`, then down for
    /// a `lasts` draw (v1, `every: "2y"`).
    Exp,
    /// Up for a draw from this distribution, then down for a `lasts` draw
    /// (`every: Weibull(...)`).
    Renewal(Distribution),
    /// Starts at `first`, `first + every`, ... within the horizon, each
    /// happening with probability `chance`, whatever the outages last;
    /// overlapping occurrences of one target merge.
    Schedule {
        /// Hours between starts (> 0).
        every: f64,
        /// Hour of the first start (>= 0).
        first: f64,
        /// Probability that a start happens, in (0, 1].
        chance: f64,
    },
}

/// One replica of a target repaired by crews: the failure's process on
/// that target becomes one process per replica it takes down, all drawing
/// the same occurrences (one stream) and each keeping its own repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repair {
    /// The occurrence-sharing group (one per target of the failure),
    /// numbered from 0 over the model.
    pub group: usize,
    /// Its place in the repair order (file order: services, deployments,
    /// replicas), from 0.
    pub rank: usize,
    /// The replicas the target takes down.
    pub size: usize,
    /// Crews working in parallel (>= 1).
    pub crews: usize,
    /// The target the failure names, which the group's replicas make up.
    pub whole: Target,
}

/// The times at which `durations.len()` repairs, taken in order each by
/// the first free one of `crews` crews, all starting at `start`, end:
/// written into `ends`. `free` is scratch (one entry per crew).
pub fn schedule_repairs(
    start: f64,
    durations: impl Iterator<Item = f64>,
    crews: usize,
    free: &mut Vec<f64>,
    ends: &mut Vec<f64>,
) {
    free.clear();
    free.resize(crews.max(1), start);
    ends.clear();
    for d in durations {
        // the first free crew: the earliest free time, the lowest index on a tie
        let mut k = 0;
        for (i, &t) in free.iter().enumerate() {
            if t < free[k] {
                k = i;
            }
        }
        free[k] += d;
        ends.push(free[k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_repairs_come_back_in_waves_of_the_crews() {
        let (mut free, mut ends) = (Vec::new(), Vec::new());
        schedule_repairs(10.0, std::iter::repeat_n(2.0, 7), 3, &mut free, &mut ends);
        let expected: Vec<f64> = (0..7)
            .map(|i| 10.0 + ((i / 3) as f64 + 1.0) * 2.0)
            .collect();
        assert_eq!(ends, expected);
    }

    #[test]
    fn a_long_repair_keeps_its_crew_and_the_others_go_on() {
        let (mut free, mut ends) = (Vec::new(), Vec::new());
        schedule_repairs(
            0.0,
            [5.0, 1.0, 1.0, 1.0].into_iter(),
            2,
            &mut free,
            &mut ends,
        );
        assert_eq!(ends, vec![5.0, 1.0, 2.0, 3.0]);
    }
}
