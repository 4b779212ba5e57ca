//! Inline SVG charts: the loss exceedance curve and histograms. Hand-written
//! (a few dozen lines each) rather than a plotting crate: the output stays
//! small, deterministic and free of fonts.

use std::fmt::Write;

use crate::report::{hours, money};
use crate::stats::Values;

/// Plot area of the exceedance curve, pixels: left, top, width, height.
const LEC: (f64, f64, f64, f64) = (70.0, 15.0, 700.0, 300.0);

/// The loss exceedance curve of the per-trial costs (sorted, or their
/// sketch): P(cost > x) against x, both axes in powers of ten; vertical
/// marks at the mean, p90 and p99. A sketch keeps no sum: `sketch_mean`
/// (the run's mean cost) stands for the mean of its values.
pub fn exceedance(costs: &Values, sketch_mean: f64) -> String {
    let n = costs.len();
    let positive = costs.count_below(0.0, false);
    if n == 0 || positive == n {
        return "<p>No trial had any cost.</p>\n".into();
    }
    let mut smallest = None;
    for_each_step(costs, |x, _| {
        smallest = smallest.or(Some(x));
    });
    let (x0, x1) = decades(smallest.unwrap_or(costs.max()), costs.max());
    let y0 = (1.0 / n as f64).log10().floor();
    let (left, top, width, height) = LEC;
    let px = |x: f64| left + (x.log10() - x0) / (x1 - x0) * width;
    let py = |p: f64| top + (0.0 - p.log10()) / (0.0 - y0) * height;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" role=\"img\" aria-label=\"loss exceedance curve\" font-size=\"12\">\n",
        left + width + 60.0,
        top + height + 45.0
    );
    axes(&mut svg, (x0, x1), y0, (px, py));
    // The staircase P(cost > x): it steps down at each distinct cost (at
    // each bucket of a sketch).
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut p = (n - positive) as f64 / n as f64;
    for_each_step(costs, |x, above| {
        if points.is_empty() {
            points.push((px(x), py(p)));
        }
        push_point(&mut points, (px(x), py(p)));
        p = above as f64 / n as f64;
        if p > 0.0 {
            push_point(&mut points, (px(x), py(p)));
        }
    });
    let path: Vec<String> = points
        .iter()
        .map(|(a, b)| format!("{a:.1},{b:.1}"))
        .collect();
    let _ = writeln!(
        svg,
        "<polyline fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\" points=\"{}\"/>",
        path.join(" ")
    );
    let mean = match costs {
        Values::Exact(sorted) => sorted.iter().sum::<f64>() / n as f64,
        Values::Sketch(_) => sketch_mean,
    };
    let marks = [
        ("mean", mean),
        ("p90", costs.percentile(0.9)),
        ("p99", costs.percentile(0.99)),
    ];
    mark(&mut svg, marks, px);
    svg.push_str("</svg>\n");
    svg
}

/// Vertical dashed marks with their labels at each positive value.
fn mark(svg: &mut String, marks: [(&str, f64); 3], px: impl Fn(f64) -> f64) {
    let (_, top, _, height) = LEC;
    for (k, (name, value)) in marks.into_iter().enumerate() {
        if value > 0.0 {
            let x = px(value);
            let _ = writeln!(
                svg,
                "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#0969da\" stroke-dasharray=\"4 3\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#0969da\">{name} {}</text>",
                top + height,
                x + 3.0,
                top + 14.0 * (k + 1) as f64,
                money(value)
            );
        }
    }
}

/// Calls `f` with `(x, above)` for each distinct positive cost `x`
/// ascending (each bucket of a sketch, as the cost it stands for), `above`
/// the number of trials that cost more than `x`: the steps of the curve.
fn for_each_step(costs: &Values, mut f: impl FnMut(f64, u64)) {
    let mut above = costs.len() - costs.count_below(0.0, false);
    let mut pending: Option<f64> = None;
    costs.for_each_weighted(|x, count| {
        if x <= 0.0 {
            return;
        }
        match pending {
            Some(last) if last != x => f(last, above),
            _ => {}
        }
        pending = Some(x);
        above -= count;
    });
    if let Some(last) = pending {
        f(last, above);
    }
}

/// Adds a vertex unless it repeats the last one at this resolution (bounds
/// the points to about the pixels of the plot, whatever the trial count).
fn push_point(points: &mut Vec<(f64, f64)>, p: (f64, f64)) {
    let same = |a: f64, b: f64| (a * 2.0).round() == (b * 2.0).round();
    if let Some(&last) = points.last() {
        if same(last.0, p.0) && same(last.1, p.1) {
            return;
        }
    }
    points.push(p);
}

/// The powers of ten around `[lo, hi]` (at least one decade apart).
fn decades(lo: f64, hi: f64) -> (f64, f64) {
    let a = lo.log10().floor();
    let b = hi.log10().ceil();
    (a, if b > a { b } else { a + 1.0 })
}

/// Grid lines and labels of a log-log plot.
fn axes(
    svg: &mut String,
    (x0, x1): (f64, f64),
    y0: f64,
    (px, py): (impl Fn(f64) -> f64, impl Fn(f64) -> f64),
) {
    let (left, top, width, height) = LEC;
    let bottom = top + height;
    let mut e = x0;
    while e <= x1 {
        let x = px(10f64.powf(e));
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 16.0,
            money(10f64.powf(e))
        );
        e += 1.0;
    }
    let mut e = 0.0;
    while e >= y0 {
        let y = py(10f64.powf(e));
        let _ = writeln!(
            svg,
            "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + width,
            left - 6.0,
            y + 4.0,
            probability(10f64.powf(e))
        );
        e -= 1.0;
    }
    let _ = writeln!(
        svg,
        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"none\" stroke=\"#59636e\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">cost x (log scale)</text>",
        left + width / 2.0,
        bottom + 36.0
    );
}

/// A probability as a short percentage: `100%`, `1%`, `0.01%`.
fn probability(p: f64) -> String {
    let text = format!("{:.4}", p * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// Histogram size, pixels: width, height, bottom margin.
const HIST: (f64, f64, f64) = (330.0, 150.0, 34.0);

/// Bins of a histogram.
const BINS: usize = 24;

/// A histogram of sorted per-trial lost hours: the share of trials in each of
/// 24 equal bins from 0 to the largest value. From a sketch, each bucket
/// falls in the bin of the value it stands for (within its relative error).
pub fn histogram(sorted: &Values) -> String {
    let n = sorted.len();
    let max = sorted.max();
    if n == 0 || max <= 0.0 {
        return "<p class=\"note\">No lost hours in any trial.</p>\n".into();
    }
    let mut counts = [0u64; BINS];
    let mut zeros = 0;
    sorted.for_each_weighted(|x, count| {
        let bin = ((x / max * BINS as f64) as usize).min(BINS - 1);
        counts[bin] += count;
        if x <= 0.0 {
            zeros += count;
        }
    });
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (width, height, margin) = HIST;
    let bar = width / BINS as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{:.0}\" role=\"img\" font-size=\"11\">\n",
        height + margin
    );
    for (i, &c) in counts.iter().enumerate() {
        let h = c as f64 / top * (height - 14.0);
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"#0969da\"><title>{} trials</title></rect>",
            i as f64 * bar + 1.0,
            height - h,
            bar - 2.0,
            c
        );
    }
    let zero = zeros as f64 / n as f64;
    let _ = writeln!(
        svg,
        "<line x1=\"0\" y1=\"{height:.1}\" x2=\"{width:.1}\" y2=\"{height:.1}\" stroke=\"#59636e\"/>\
         <text x=\"0\" y=\"{:.1}\">0</text><text x=\"{width:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">tallest bar {} of trials; none lost {}</text>",
        height + 14.0,
        height + 14.0,
        hours(max),
        width / 2.0,
        height + 28.0,
        probability(top / n as f64),
        probability(zero)
    );
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_steps_down_by_one_trial_at_each_cost() {
        // 10 trials: 5 at 0, then 10, 20, 30, 40, 50
        let costs = [0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0];
        let svg = exceedance(&Values::Exact(costs.to_vec()), 0.0);
        assert!(svg.contains("<polyline"));
        // y from 10^-1 (1 / 10 trials) to 1: P = 0.5 sits at log10(0.5) of the way
        let (_, top, _, height) = LEC;
        let y = top + 0.5f64.log10() / -1.0 * height;
        assert!(svg.contains(&format!("{y:.1}")), "{svg}");
        assert!(svg.contains(">10<") && svg.contains(">100<"), "{svg}");
    }

    #[test]
    fn a_sketched_curve_lies_within_the_relative_error_of_the_exact_one() {
        use crate::stats::sketch::{true_range, RELATIVE_ERROR};
        // 5000 trials: a fifth at 0, the rest spread over four decades
        let costs: Vec<f64> = (0..5000)
            .map(|i| {
                if i % 5 == 0 {
                    0.0
                } else {
                    10f64.powf(f64::from(i) / 1250.0)
                }
            })
            .collect();
        let mut sketch = Values::with_capacity(0, true);
        costs.iter().for_each(|&x| sketch.push(x));
        let above = |x: f64| costs.iter().filter(|&&c| c > x).count() as u64;
        let mut steps = 0;
        for_each_step(&sketch, |x, sketched| {
            // the trials above the step lie above its bucket: between the
            // exact counts above the two ends of the costs it stands for
            let [lo, hi] = true_range(x);
            assert!(above(hi) <= sketched && sketched <= above(lo), "{x}");
            steps += 1;
        });
        // one step per bucket: far fewer than the 4000 distinct costs
        let buckets = (4.0 / (2.0 * RELATIVE_ERROR / std::f64::consts::LN_10)).ceil();
        assert!(steps > 100 && f64::from(steps) <= buckets + 1.0, "{steps}");
        let (exact, sketched) = (Values::Exact(costs.clone()), sketch);
        let mut sorted = exact.clone();
        sorted.sort();
        let mean = costs.iter().sum::<f64>() / costs.len() as f64;
        let (a, b) = (exceedance(&sorted, 0.0), exceedance(&sketched, mean));
        // same axes (the same decades and trial count), and a curve
        let axes = |svg: &str| svg.split("<polyline").next().map(str::to_owned);
        assert_eq!(axes(&a), axes(&b));
        assert!(b.contains("<polyline") && b.contains(">mean "), "{b}");
    }

    #[test]
    fn no_cost_gives_a_sentence_not_an_empty_plot() {
        let none = Values::Exact(vec![0.0, 0.0]);
        assert_eq!(exceedance(&none, 0.0), "<p>No trial had any cost.</p>\n");
        assert!(histogram(&Values::Exact(vec![0.0])).contains("No lost hours"));
    }

    #[test]
    fn histogram_counts_every_trial_once() {
        let values: Vec<f64> = (0..48).map(f64::from).collect();
        let svg = histogram(&Values::Exact(values));
        // 48 values in 24 bins of width 47/24 < 2: two per bin (47 in the last)
        assert_eq!(svg.matches("<title>2 trials</title>").count(), 24);
    }
}
