//! Uncertain inputs: each `Between` or `Observed` value becomes an
//! [`Input`] of the model, located where it is written; a distribution
//! outside a failure's `lasts` may not have any.

use super::super::locate::Anchor;
use super::super::raw::RawDistribution;
use super::super::uncertain::written_as;
use super::Validator;
use crate::model::{Distribution, Model};
use crate::uncertainty::{Input, Law, Parameter, Target};

/// The most uncertain inputs a scenario may have (each is one run of the
/// sensitivity analysis and one column of the draws).
pub const MAX_INPUTS: usize = 64;

impl Validator<'_> {
    /// `raw`'s distribution, reporting any uncertain parameter: only a
    /// failure's `lasts` takes them. `anchors` locate the field.
    pub(super) fn certain(&mut self, anchors: &[Anchor], raw: &RawDistribution) -> Distribution {
        if let Some((parameter, _)) = raw.1.first() {
            let field = anchors.iter().rev().find_map(|a| match a {
                Anchor::Field(f) => Some(*f),
                _ => None,
            });
            self.report(
                anchors,
                format!(
                    "`{}` of `{}` is uncertain; only a failure's `lasts` takes `Between`",
                    parameter.name(),
                    field.unwrap_or("this distribution")
                ),
                || Some("write a plain duration here, such as \"5m\"".into()),
            );
        }
        raw.0.clone()
    }

    /// Adds the uncertain input `name` with `law`, written after the last
    /// of `anchors` (after its `(` when `open`), to `model`. Reports a value
    /// not written as `Between(...)` or `Observed(...)`, and too many inputs.
    pub(super) fn input(
        &mut self,
        model: &mut Model,
        anchors: &[Anchor],
        open: bool,
        name: String,
        (law, target): (Law, Target),
    ) {
        let (position, text) = self
            .locator
            .value_after(anchors, open)
            .map_or((self.locator.locate(anchors), ""), |(p, t)| (p, t));
        let expected = match law {
            Law::Observed { .. } => "Observed",
            _ => "Between",
        };
        if written_as(text) != Some(expected) {
            let message = format!("`{name}` is written as a range but not as `{expected}(...)`");
            self.report(anchors, message, || {
                Some(format!(
                    "write `{expected}(...)`, such as `Between(\"1y\", \"4y\")` or `Observed(events: 8, years: 14.7)`"
                ))
            });
            return;
        }
        if model.uncertain.len() == MAX_INPUTS {
            self.report(
                anchors,
                format!("more than {MAX_INPUTS} uncertain inputs"),
                || Some("keep `Between` for the assumptions that matter".into()),
            );
        }
        model.uncertain.push(Input {
            name,
            at: format!("{}:{}", position.line, position.col),
            law,
            target,
        });
    }

    /// Adds the uncertain parameters of failure `f`'s `lasts` (the failure
    /// written at `anchors`, named `failure`).
    pub(super) fn lasts_inputs(
        &mut self,
        model: &mut Model,
        anchors: &[Anchor],
        failure: (usize, &str),
        raw: &RawDistribution,
    ) {
        for &(parameter, law) in &raw.1 {
            let mut at = anchors.to_vec();
            at.push(Anchor::Field("lasts"));
            let open = parameter == Parameter::Fixed;
            at.push(if open {
                Anchor::Text("Fixed".into())
            } else {
                Anchor::Field(parameter.name())
            });
            let name = format!("{} lasts {}", failure.1, parameter.name());
            let target = Target::FailureLasts(failure.0, parameter);
            self.input(model, &at, open, name, (law, target));
        }
    }
}
