//! A grid of variants of one design (`--set PATH=V1,V2,...`), run on common
//! random numbers, each against the first by paired differences, with the
//! cheapest variant marked where the paired evidence supports it.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::analysis::compare::{
    compare_with_tco, CompareError, Comparison, Design, DesignDifference, DesignSummary,
};
use crate::montecarlo::RunOptions;
use crate::scenario::compose::Assignment;
use crate::stats::paired::{difference, Better, Difference, Verdict};

/// One `--set PATH=V1,V2,...` argument, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetArg {
    /// The whole argument.
    pub argument: String,
    /// Byte range of the path.
    pub path: std::ops::Range<usize>,
    /// Byte range of each value.
    pub values: Vec<std::ops::Range<usize>>,
}

impl SetArg {
    /// Splits `PATH=V1,V2,...` at the `=` and at the commas outside
    /// brackets and strings (`"1h"`, `[1, 2]` and `Exp(mean: "1h")` stay whole).
    ///
    /// # Errors
    /// A message when there is no `=`, no path or an empty value.
    pub fn parse(argument: &str) -> Result<SetArg, String> {
        let Some(eq) = argument.find('=') else {
            return Err(format!("`{argument}` is not `PATH=VALUE[,VALUE...]`"));
        };
        if argument[..eq].trim().is_empty() {
            return Err(format!("`{argument}` has no path before `=`"));
        }
        let mut values = Vec::new();
        let (mut depth, mut quoted, mut escaped) = (0i32, false, false);
        let mut start = eq + 1;
        for (i, c) in argument.char_indices().skip_while(|&(i, _)| i <= eq) {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                '(' | '[' | '{' if !quoted => depth += 1,
                ')' | ']' | '}' if !quoted => depth -= 1,
                ',' if !quoted && depth == 0 => {
                    values.push(start..i);
                    start = i + 1;
                }
                _ => {}
            }
        }
        values.push(start..argument.len());
        let trim = |r: std::ops::Range<usize>| {
            let text = &argument[r.clone()];
            let lead = text.len() - text.trim_start().len();
            r.start + lead..r.start + lead + text.trim().len()
        };
        let values: Vec<_> = values.into_iter().map(trim).collect();
        if values.iter().any(|v| v.is_empty()) {
            return Err(format!("`{argument}` has an empty value"));
        }
        Ok(SetArg {
            argument: argument.to_string(),
            path: trim(0..eq),
            values,
        })
    }

    fn assignment(&self, value: usize) -> Assignment {
        Assignment {
            argument: self.argument.clone(),
            path: self.path.clone(),
            value: self.values[value].clone(),
        }
    }

    /// `path=value` of one value.
    fn label(&self, value: usize) -> String {
        format!(
            "{}={}",
            &self.argument[self.path.clone()],
            &self.argument[self.values[value].clone()]
        )
    }
}

/// One variant of the grid: its label and its edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// `path=value` of each set, joined by spaces.
    pub label: String,
    /// The edits that make it.
    pub assignments: Vec<Assignment>,
}

/// Every combination of the sets' values, the first set varying slowest.
pub fn grid(sets: &[SetArg]) -> Vec<Variant> {
    let mut variants = vec![Variant {
        label: String::new(),
        assignments: Vec::new(),
    }];
    for set in sets {
        variants = variants
            .into_iter()
            .flat_map(|v| {
                (0..set.values.len()).map(move |i| {
                    let mut next = v.clone();
                    if !next.label.is_empty() {
                        next.label.push(' ');
                    }
                    next.label.push_str(&set.label(i));
                    next.assignments.push(set.assignment(i));
                    next
                })
            })
            .collect();
    }
    variants
}

/// The result of `faultline sweep`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// The master seed every variant ran with.
    pub seed: u64,
    /// Trials of every variant.
    pub trials: u64,
    /// Length of one trial, hours.
    pub horizon_hours: f64,
    /// One row per variant, in grid order (`design` holds the label).
    pub variants: Vec<VariantRow>,
    /// Each variant after the first against the first, in grid order: the
    /// paired differences (variant minus first, common random numbers) with
    /// their 95% CIs and verdicts, as `compare` gives them.
    pub differences: Vec<DesignDifference>,
    /// The variant with the lowest mean `tco` among those that qualify
    /// (meet their objectives, or have none); absent when none qualifies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lowest_tco: Option<usize>,
    /// The paired TCO difference of `lowest_tco` against every other
    /// qualifying variant (lowest minus other), in grid order.
    pub against_lowest: Vec<Rival>,
    /// Whether the evidence singles out a cheapest variant.
    pub verdict: Choice,
    /// The cheapest variant: `lowest_tco` when its TCO is significantly
    /// lower than every other qualifying variant's (each paired 95% CI
    /// below 0); absent otherwise (the document holds no `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cheapest: Option<usize>,
}

/// The lowest-TCO variant against one other qualifying variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rival {
    /// Index of the other variant.
    pub variant: usize,
    /// TCO per year, lowest minus this variant, paired trial by trial.
    pub tco: Difference,
}

/// What the paired evidence says about the cheapest variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// One variant's TCO is significantly lower than every other qualifying
    /// variant's (or it is the only one that qualifies).
    Cheapest,
    /// The lowest mean TCO is not significantly lower than some other
    /// qualifying variant's: no variant is distinguishably cheapest.
    NotDistinguishable,
    /// No variant meets its objectives.
    NoneQualifies,
}

/// One variant's measures (money per year, as in `compare`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantRow {
    /// The edits that make it: `path=value`, space-separated.
    pub set: String,
    /// Each service's availability and lost hours per trial.
    pub services: std::collections::BTreeMap<String, crate::analysis::compare::SharedService>,
    /// Mean downtime cost per year.
    pub annual_loss: f64,
    /// 99th percentile of the downtime cost per year.
    pub p99_annual_loss: f64,
    /// Infrastructure cost per year.
    pub infra_cost: f64,
    /// `infra_cost + annual_loss`: what the choice minimises.
    pub tco: f64,
    /// Whether it meets the scenario's objectives; absent when the variant
    /// has none (it then qualifies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_objectives: Option<bool>,
}

impl VariantRow {
    /// Whether the variant may be chosen: it meets its objectives or has none.
    pub fn qualifies(&self) -> bool {
        self.meets_objectives != Some(false)
    }
}

/// Runs every variant on common random numbers. `meets` judges a variant
/// that has objectives against them.
///
/// # Errors
/// As [`compare`](crate::analysis::compare::compare).
pub fn sweep(
    variants: &[Design],
    options: &RunOptions,
    stop: &AtomicBool,
    meets: &dyn Fn(usize, &DesignSummary) -> bool,
) -> Result<Sweep, CompareError> {
    let (
        Comparison {
            seed,
            trials,
            horizon_hours,
            designs,
            differences,
        },
        tco,
    ) = compare_with_tco(variants, options, stop)?;
    let rows: Vec<VariantRow> = (designs.into_iter().enumerate())
        .map(|(i, summary)| VariantRow {
            meets_objectives: (variants.get(i))
                .is_some_and(|(_, m)| !m.objectives.is_empty())
                .then(|| meets(i, &summary)),
            set: summary.file,
            services: summary.services,
            annual_loss: summary.annual_loss,
            p99_annual_loss: summary.p99_annual_loss,
            infra_cost: summary.infra_cost,
            tco: summary.tco,
        })
        .collect();
    let lowest_tco = (rows.iter().enumerate())
        .filter(|(_, v)| v.qualifies())
        .min_by(|a, b| a.1.tco.total_cmp(&b.1.tco))
        .map(|(i, _)| i);
    let against_lowest = lowest_tco.map_or_else(Vec::new, |l| rivals(&rows, &tco, l));
    let verdict = match lowest_tco {
        None => Choice::NoneQualifies,
        Some(_)
            if against_lowest
                .iter()
                .all(|r| r.tco.verdict == Verdict::Better) =>
        {
            Choice::Cheapest
        }
        Some(_) => Choice::NotDistinguishable,
    };
    Ok(Sweep {
        seed,
        trials,
        horizon_hours,
        variants: rows,
        differences,
        cheapest: lowest_tco.filter(|_| verdict == Choice::Cheapest),
        lowest_tco,
        against_lowest,
        verdict,
    })
}

/// The paired TCO difference of variant `lowest` against every other
/// qualifying variant.
fn rivals(rows: &[VariantRow], tco: &[Vec<f64>], lowest: usize) -> Vec<Rival> {
    (rows.iter().enumerate())
        .filter(|&(i, v)| i != lowest && v.qualifies())
        .map(|(i, _)| Rival {
            variant: i,
            tco: difference(&tco[i], &tco[lowest], Better::Lower),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_split_at_top_level_commas_only() {
        let s =
            SetArg::parse(r#"services.db.routing=Exp(mean: "1h"), Fixed("2h"),[1, 2]"#).unwrap();
        let values: Vec<&str> = s.values.iter().map(|r| &s.argument[r.clone()]).collect();
        assert_eq!(values, [r#"Exp(mean: "1h")"#, r#"Fixed("2h")"#, "[1, 2]"]);
        assert_eq!(&s.argument[s.path.clone()], "services.db.routing");
        assert!(SetArg::parse("services.db").is_err());
        assert!(SetArg::parse("a=1,,2").is_err());
    }

    #[test]
    fn the_grid_is_every_combination_first_set_slowest() {
        let a = SetArg::parse("a=1,2").unwrap();
        let b = SetArg::parse("b=x,y,z").unwrap();
        let labels: Vec<String> = grid(&[a, b]).into_iter().map(|v| v.label).collect();
        assert_eq!(
            labels,
            ["a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"]
        );
    }
}
