//! The exact means of the control variates: from a reference simulation
//! of one process per failure ([`reference_means`]), or from renewal
//! theory ([`super::renewal`]).

use super::{renewal, Groups, Method};
use crate::engine::streams::{generate_outages, stream};
use crate::model::{stream_key, Failure, Model};

/// The exact means of the controls (per group: outages, outage hours) and
/// the covariance of their estimates. Processes of one failure are
/// identically distributed: one reference simulation per failure serves all
/// its groups, whose estimates are then correlated.
pub(super) fn reference(
    model: &Model,
    seed: u64,
    groups: &Groups,
    method: Method,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = 2 * groups.groups.len();
    let mut mu = vec![0.0; k];
    let mut cov = vec![vec![0.0; k]; k];
    let histories = method.histories() as f64;
    let used: std::collections::BTreeSet<usize> = groups.groups.iter().map(|g| g.0).collect();
    for f in used {
        let failure = &model.failures[f];
        // 0xFE never occurs in UTF-8: no target can make the same key
        let key = stream_key(&[b"\xfereference", failure.name.as_bytes()]);
        let means = match method {
            Method::ControlVariates => reference_means,
            Method::ExactControls | Method::Importance => renewal::exact_means,
        };
        let (mean, c) = means(failure, model.horizon, (seed, key), method.histories());
        for (g, &(gf, n)) in groups.groups.iter().enumerate() {
            if gf != f {
                continue;
            }
            for a in 0..2 {
                mu[2 * g + a] = n as f64 * mean[a];
            }
            for (h, &(hf, m)) in groups.groups.iter().enumerate() {
                if hf != f {
                    continue;
                }
                for a in 0..2 {
                    for b in 0..2 {
                        cov[2 * g + a][2 * h + b] = n as f64 * m as f64 * c[a][b] / histories;
                    }
                }
            }
        }
    }
    (mu, cov)
}

/// Mean occurrences and mean outage hours within the horizon of one process
/// of `failure`, over `samples` independent histories drawn from their own
/// streams (`seed`, purpose `key`): the reference means of the control
/// variates. Returns `[mean occurrences, mean hours]` and their 2x2
/// covariance matrix over histories.
pub fn reference_means(
    failure: &Failure,
    horizon: f64,
    (seed, key): (u64, u64),
    samples: u64,
) -> ([f64; 2], [[f64; 2]; 2]) {
    let mut out = Vec::new();
    let (mut mean, mut m2) = ([0.0f64; 2], [[0.0f64; 2]; 2]);
    for i in 0..samples {
        out.clear();
        let mut rng = stream(seed, key, i);
        let (_, hours) = generate_outages(failure, horizon, &mut rng, &mut out);
        let x = [out.len() as f64, hours];
        let n = (i + 1) as f64;
        let delta = [x[0] - mean[0], x[1] - mean[1]];
        mean[0] += delta[0] / n;
        mean[1] += delta[1] / n;
        for a in 0..2 {
            for b in 0..2 {
                m2[a][b] += delta[a] * (x[b] - mean[b]);
            }
        }
    }
    let denominator = (samples.max(2) - 1) as f64;
    let covariance = [
        [m2[0][0] / denominator, m2[0][1] / denominator],
        [m2[1][0] / denominator, m2[1][1] / denominator],
    ];
    (mean, covariance)
}
