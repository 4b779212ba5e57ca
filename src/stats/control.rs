//! Control variates: an unbiased way to estimate a mean with fewer trials.
//!
//! Every trial also records, for each failure definition, how many outages
//! it drew and how many hours they lasted (the controls `c`). Their exact
//! means `mu` are known in advance (a large reference simulation of one
//! process per failure, which is cheap: no engine). A measure `X` (lost
//! hours, cost) that moves with the controls is then estimated by
//! `mean(X) - beta . (mean(c) - mu)`, where `beta` comes from a separate
//! pilot run (so it is independent of the main trials and the estimate stays
//! unbiased). Its variance is `var(X - beta . c) / n` plus the reference's
//! own `beta' Sigma_mu beta`; the variance reduction is `var(X)` over that.

/// Regression coefficients of `x` on the controls `c` (one row per trial),
/// by least squares with a small ridge so that constant or collinear
/// controls get a zero coefficient instead of an error.
pub fn coefficients(x: &[f64], c: &[Vec<f64>]) -> Vec<f64> {
    let k = c.first().map_or(0, Vec::len);
    let n = x.len().min(c.len());
    if n < 2 || k == 0 {
        return vec![0.0; k];
    }
    let mean_x = x[..n].iter().sum::<f64>() / n as f64;
    let mut mean_c = vec![0.0; k];
    for row in &c[..n] {
        for (m, v) in mean_c.iter_mut().zip(row) {
            *m += v / n as f64;
        }
    }
    let mut a = vec![vec![0.0; k]; k];
    let mut b = vec![0.0; k];
    for (row, &xi) in c[..n].iter().zip(x) {
        for i in 0..k {
            let di = row[i] - mean_c[i];
            b[i] += di * (xi - mean_x);
            for j in 0..k {
                a[i][j] += di * (row[j] - mean_c[j]);
            }
        }
    }
    let scale = (0..k).map(|i| a[i][i]).fold(0.0, f64::max);
    for (i, row) in a.iter_mut().enumerate() {
        // ridge: 1e-9 of the largest variance keeps the system solvable
        row[i] += 1e-9 * scale.max(1e-300);
    }
    solve(a, b).unwrap_or_else(|| vec![0.0; k])
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let k = b.len();
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            // a control without variance: no coefficient
            a[col][col] = 1.0;
            b[col] = 0.0;
            for row in a.iter_mut().skip(col + 1) {
                row[col] = 0.0;
            }
            continue;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..k {
            let f = a[row][col] / a[col][col];
            if f != 0.0 {
                for j in col..k {
                    a[row][j] -= f * a[col][j];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let s: f64 = (i + 1..k).map(|j| a[i][j] * x[j]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// A mean adjusted by control variates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adjusted {
    /// The adjusted mean.
    pub mean: f64,
    /// Its standard error.
    pub std_error: f64,
    /// The plain variance over the adjusted one (1 when nothing gained).
    pub factor: f64,
    /// The part of `std_error` that more trials do not shrink: the error of
    /// the controls' means, `sqrt(beta' Sigma_mu beta)`.
    pub floor: f64,
}

/// The controlled estimate of the mean of `x` (one value per trial, in the
/// order of the rows of `c`), given the coefficients, the exact means `mu`
/// of the controls and the covariance of those means (`mu_cov`, k x k).
#[allow(clippy::needless_range_loop)] // x and c are read in step
pub fn adjust(
    x: &[f64],
    c: &[Vec<f64>],
    beta: &[f64],
    mu: &[f64],
    mu_cov: &[Vec<f64>],
) -> Adjusted {
    let n = x.len().min(c.len());
    if n == 0 {
        return Adjusted {
            mean: 0.0,
            std_error: 0.0,
            factor: 1.0,
            floor: 0.0,
        };
    }
    let residual = |i: usize| x[i] - beta.iter().zip(&c[i]).map(|(b, v)| b * v).sum::<f64>();
    let (mut mean_r, mut m2_r, mut mean_x, mut m2_x) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let count = (i + 1) as f64;
        let r = residual(i);
        let d = r - mean_r;
        mean_r += d / count;
        m2_r += d * (r - mean_r);
        let d = x[i] - mean_x;
        mean_x += d / count;
        m2_x += d * (x[i] - mean_x);
    }
    let offset: f64 = beta.iter().zip(mu).map(|(b, m)| b * m).sum();
    let denominator = (n.max(2) - 1) as f64;
    let reference: f64 = (0..beta.len())
        .map(|i| {
            (0..beta.len())
                .map(|j| beta[i] * mu_cov[i][j] * beta[j])
                .sum::<f64>()
        })
        .sum();
    let variance = m2_r / denominator / n as f64 + reference;
    let plain = m2_x / denominator / n as f64;
    Adjusted {
        mean: mean_r + offset,
        std_error: variance.max(0.0).sqrt(),
        factor: if variance > 0.0 {
            plain / variance
        } else {
            1.0
        },
        floor: reference.max(0.0).sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measure_that_is_a_control_plus_noise_is_recovered_with_a_small_error() {
        // x = 3 c + e: the adjusted mean is 3 mu + mean(e), with the noise's variance only
        let c: Vec<Vec<f64>> = (0..1000).map(|i| vec![f64::from(i % 10)]).collect();
        let x: Vec<f64> = (0..1000)
            .map(|i| 3.0 * f64::from(i % 10) + if (i / 10) % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let beta = coefficients(&x, &c);
        assert!((beta[0] - 3.0).abs() < 1e-6, "{beta:?}");
        let a = adjust(&x, &c, &beta, &[5.0], &[vec![0.0]]);
        assert!((a.mean - 15.0).abs() < 1e-6, "{}", a.mean);
        assert!(a.factor > 100.0, "{}", a.factor);
    }

    #[test]
    fn constant_controls_get_no_coefficient() {
        let c: Vec<Vec<f64>> = (0..100).map(|i| vec![1.0, f64::from(i)]).collect();
        let x: Vec<f64> = (0..100).map(|i| 2.0 * f64::from(i)).collect();
        let beta = coefficients(&x, &c);
        assert_eq!(beta[0], 0.0);
        assert!((beta[1] - 2.0).abs() < 1e-6);
    }
}
