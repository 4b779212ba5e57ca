//! A distribution-free confidence interval for a quantile: the order
//! statistics whose ranks bound the quantile with at least 95% confidence,
//! from the binomial distribution of the number of values below it.

/// The probability left out on each side of a 95% interval.
const ALPHA: f64 = 0.025;

/// Terms of the binomial distribution below this fraction of its largest
/// term are left out (they cannot move a 2.5% tail).
const NEGLIGIBLE: f64 = 1e-20;

/// Ranks `(l, u)` (1-based) of the order statistics `x_(l) <= q_p <= x_(u)`
/// bounding the `p`-quantile of `n` values with at least 95% confidence:
/// `l` is the largest rank with `P(B <= l - 1) <= 2.5%` and `u` the smallest
/// with `P(B >= u) <= 2.5%`, where `B ~ Binomial(n, p)` counts the values
/// below the quantile. `l == 0` means the interval is open below (too few
/// values), `u == n + 1` that it is open above.
///
/// # Complexity
/// O(sqrt(n)): only the terms of the binomial that matter are summed.
///
/// ```
/// // the classic table: the median of 100 values lies between x_(40) and x_(61)
/// assert_eq!(faultline::stats::quantile_ci_ranks(100, 0.5), (40, 61));
/// ```
pub fn quantile_ci_ranks(n: u64, p: f64) -> (u64, u64) {
    if n == 0 || !(p > 0.0 && p < 1.0) {
        return (0, n + 1);
    }
    let terms = binomial_terms(n, p);
    let total: f64 = terms.weights.iter().sum();
    let mut lower = terms.first; // P(B <= first - 1) is negligible
    let mut cumulative = 0.0;
    for (i, w) in terms.weights.iter().enumerate() {
        cumulative += w;
        if cumulative / total > ALPHA {
            break;
        }
        lower = terms.first + i as u64 + 1;
    }
    let last = terms.first + terms.weights.len() as u64 - 1;
    let mut upper = last + 1; // P(B >= last + 1) is negligible
    let mut tail = 0.0;
    for (i, w) in terms.weights.iter().enumerate().rev() {
        tail += w;
        if tail / total > ALPHA {
            break;
        }
        upper = terms.first + i as u64;
    }
    (lower, upper)
}

/// The binomial probabilities that matter, relative to the largest one.
struct Terms {
    /// The value of `B` of the first weight.
    first: u64,
    /// `P(B = first + i)`, up to a common factor.
    weights: Vec<f64>,
}

/// Walks out from the mode with the ratio of successive terms, which never
/// under- or overflows however large `n` is.
fn binomial_terms(n: u64, p: f64) -> Terms {
    let mode = (((n + 1) as f64 * p).floor() as u64).min(n);
    let odds = p / (1.0 - p);
    let mut above = Vec::new();
    let (mut k, mut w) = (mode, 1.0);
    while k < n {
        w *= (n - k) as f64 / (k + 1) as f64 * odds;
        if w < NEGLIGIBLE {
            break;
        }
        k += 1;
        above.push(w);
    }
    let mut below = Vec::new();
    let (mut k, mut w) = (mode, 1.0);
    while k > 0 {
        w *= k as f64 / (n - k + 1) as f64 / odds;
        if w < NEGLIGIBLE {
            break;
        }
        k -= 1;
        below.push(w);
    }
    let first = mode - below.len() as u64;
    below.reverse();
    below.push(1.0);
    below.extend(above);
    Terms {
        first,
        weights: below,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binomial CDF by summing every term, each from its logarithm (small n only).
    fn cdf(n: u64, p: f64, k: u64) -> f64 {
        (0..=k.min(n))
            .map(|j| {
                let ln_choose: f64 = (1..=j).map(|i| ((n - j + i) as f64 / i as f64).ln()).sum();
                (ln_choose + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp()
            })
            .sum()
    }

    #[test]
    fn ranks_match_the_definition_against_an_exact_cdf() {
        for (n, p) in [(100, 0.5), (500, 0.99), (1000, 0.9), (37, 0.3)] {
            let (l, u) = quantile_ci_ranks(n, p);
            if l > 0 {
                assert!(cdf(n, p, l - 1) <= ALPHA, "{n} {p}");
            }
            assert!(cdf(n, p, l) > ALPHA, "{n} {p}: l = {l} is not the largest");
            if u <= n {
                assert!(1.0 - cdf(n, p, u - 1) <= ALPHA + 1e-12, "{n} {p}");
            }
            assert!(
                1.0 - cdf(n, p, u - 2) > ALPHA,
                "{n} {p}: u = {u} is not the smallest"
            );
        }
    }

    #[test]
    fn the_median_of_100_values_lies_between_ranks_40_and_61() {
        assert_eq!(quantile_ci_ranks(100, 0.5), (40, 61));
    }

    #[test]
    fn a_p99_interval_is_open_above_until_about_370_values() {
        // P(B >= n) = 0.99^n <= 0.025 from n = 368 on
        assert_eq!(quantile_ci_ranks(367, 0.99).1, 368);
        assert_eq!(quantile_ci_ranks(368, 0.99).1, 368);
        let (l, u) = quantile_ci_ranks(10_000, 0.99);
        assert!(
            (9878..=9882).contains(&l) && (9919..=9922).contains(&u),
            "{l} {u}"
        );
    }

    #[test]
    fn huge_counts_neither_overflow_nor_take_long() {
        let (l, u) = quantile_ci_ranks(100_000_000, 0.99);
        let sd = (1e8f64 * 0.99 * 0.01).sqrt();
        assert!((l as f64 - (0.99e8 - 1.96 * sd)).abs() < 3.0, "{l}");
        assert!((u as f64 - (0.99e8 + 1.96 * sd)).abs() < 3.0, "{u}");
    }
}
