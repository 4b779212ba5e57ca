//! Objectives: known services, exactly one bound each, targets in range.

use std::collections::BTreeMap;

use super::super::diagnostic::name_hint;
use super::super::locate::Anchor;
use super::super::raw::{NonNegativeDuration, RawObjective};
use super::Validator;
use crate::model::{Measure, Model, Objective, Statistic};

/// The quantile of every `p99_at_most`.
const P99: f64 = 0.99;

/// The name of an objective's variant, as written in the file.
fn variant(raw: &RawObjective) -> &'static str {
    match raw {
        RawObjective::Availability { .. } => "Availability",
        RawObjective::LostHours { .. } => "LostHours",
        RawObjective::DataLoss { .. } => "DataLoss",
        RawObjective::AnnualCost { .. } => "AnnualCost",
    }
}

impl Validator<'_> {
    /// Validates every objective and adds the valid ones to the model.
    pub(super) fn objectives(&mut self, model: &mut Model, raw: &[RawObjective]) {
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        for objective in raw {
            let name = variant(objective);
            let occurrence = seen.entry(name).or_insert(0);
            let at = vec![
                Anchor::Field("objectives"),
                Anchor::Text(format!("{name}(")).nth(*occurrence),
            ];
            *occurrence += 1;
            let confidence = self.confidence(objective, &at);
            if let Some(mut o) = self.objective(model, objective, at) {
                o.confidence = confidence;
                model.objectives.push(o);
            }
        }
    }

    fn objective(
        &mut self,
        model: &Model,
        raw: &RawObjective,
        at: Vec<Anchor>,
    ) -> Option<Objective> {
        let hours = |d: &Option<NonNegativeDuration>| d.map(|d| d.0.hours());
        let (measure, statistic, target) = match raw {
            RawObjective::Availability {
                service, at_least, ..
            } => self.availability(model, service, *at_least, at)?,
            RawObjective::LostHours {
                service,
                mean_at_most,
                p99_at_most,
                ..
            } => {
                let service = self.objective_service(model, service, &at);
                let (statistic, target) =
                    self.one_bound("LostHours", &at, hours(mean_at_most), hours(p99_at_most))?;
                (Measure::LostHours(service?), statistic, target)
            }
            RawObjective::DataLoss {
                service,
                mean_at_most,
                p99_at_most,
                ..
            } => {
                let service = self.objective_service(model, service, &at);
                let service = service.and_then(|s| self.models_data(model, s, &at));
                let (statistic, target) =
                    self.one_bound("DataLoss", &at, hours(mean_at_most), hours(p99_at_most))?;
                (Measure::DataLoss(service?), statistic, target)
            }
            RawObjective::AnnualCost {
                mean_at_most,
                p99_at_most,
                ..
            } => self.annual_cost(*mean_at_most, *p99_at_most, &at)?,
        };
        Some(Objective {
            measure,
            statistic,
            target,
            confidence: None,
        })
    }

    /// An `Availability` objective: a mean of at least `at_least`, a share.
    fn availability(
        &mut self,
        model: &Model,
        service: &str,
        at_least: f64,
        at: Vec<Anchor>,
    ) -> Option<(Measure, Statistic, f64)> {
        let service = self.objective_service(model, service, &at)?;
        if !(0.0..=1.0).contains(&at_least) {
            self.report(
                &[at, vec![Anchor::Field("at_least")]].concat(),
                format!("`at_least` is `{at_least}`; an availability is between 0 and 1"),
                || Some("write a fraction: `at_least: 0.9995` for 99.95%".into()),
            );
            return None;
        }
        Some((Measure::Availability(service), Statistic::Mean, at_least))
    }

    /// An `AnnualCost` objective: one bound, a finite amount of at least 0.
    fn annual_cost(
        &mut self,
        mean_at_most: Option<f64>,
        p99_at_most: Option<f64>,
        at: &[Anchor],
    ) -> Option<(Measure, Statistic, f64)> {
        let (statistic, target) = self.one_bound("AnnualCost", at, mean_at_most, p99_at_most)?;
        if !(target.is_finite() && target >= 0.0) {
            self.report(
                at,
                format!("the bound of `AnnualCost` is `{target}`; it must be a finite amount of at least 0"),
                || Some("write the money per trial: `mean_at_most: 500000`".into()),
            );
            return None;
        }
        Some((Measure::Cost, statistic, target))
    }

    /// The objective's `confidence`, when given: a share in (0, 1].
    fn confidence(&mut self, raw: &RawObjective, at: &[Anchor]) -> Option<f64> {
        let (RawObjective::Availability { confidence, .. }
        | RawObjective::LostHours { confidence, .. }
        | RawObjective::DataLoss { confidence, .. }
        | RawObjective::AnnualCost { confidence, .. }) = raw;
        let c = (*confidence)?;
        if c > 0.0 && c <= 1.0 {
            return Some(c);
        }
        self.report(
            &[at, &[Anchor::Field("confidence")]].concat(),
            format!("`confidence` is `{c}`; it must be a share above 0 and at most 1"),
            || {
                Some(
                    "write the share of the draws that must meet the target: `confidence: 0.9`"
                        .into(),
                )
            },
        );
        None
    }

    /// The service named in an objective, or a located error with a hint.
    fn objective_service(&mut self, model: &Model, name: &str, at: &[Anchor]) -> Option<usize> {
        if let Some(&s) = self.ids.services.get(name) {
            return Some(s);
        }
        let mut anchors = at.to_vec();
        anchors.extend([
            Anchor::Field("service"),
            Anchor::Text(format!("\"{name}\"")),
        ]);
        let names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
        self.report(
            &anchors,
            format!("unknown service `{name}` in an objective"),
            || name_hint(name, &names, "services"),
        );
        None
    }

    /// The service, when it models its data (else it never loses any).
    fn models_data(&mut self, model: &Model, s: usize, at: &[Anchor]) -> Option<usize> {
        let service = model.services.get(s)?;
        if service.data.is_some() {
            return Some(s);
        }
        let name = service.name.clone();
        let mut anchors = at.to_vec();
        anchors.extend([
            Anchor::Field("service"),
            Anchor::Text(format!("\"{name}\"")),
        ]);
        self.report(
            &anchors,
            format!("`DataLoss` of `{name}`, which does not model its data"),
            || {
                Some(format!(
                    "give `{name}` a `data` block, or drop the objective"
                ))
            },
        );
        None
    }

    /// The one bound of an objective that accepts `mean_at_most` or `p99_at_most`.
    fn one_bound(
        &mut self,
        variant: &str,
        at: &[Anchor],
        mean: Option<f64>,
        p99: Option<f64>,
    ) -> Option<(Statistic, f64)> {
        match (mean, p99) {
            (Some(t), None) => Some((Statistic::Mean, t)),
            (None, Some(t)) => Some((Statistic::Quantile(P99), t)),
            (m, _) => {
                let message = if m.is_some() {
                    format!("`{variant}` gives both `mean_at_most` and `p99_at_most`")
                } else {
                    format!("`{variant}` needs a bound: `mean_at_most` or `p99_at_most`")
                };
                self.report(at, message, || {
                    Some("write one bound per objective; list two objectives to bound both".into())
                });
                None
            }
        }
    }
}
