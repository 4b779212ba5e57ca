//! The outage mechanics of a service: routing with failover success and
//! failback, overload, data, SLA credits, traffic and money.

use super::super::locate::Anchor;
use super::super::raw::{
    RawCredit, RawData, RawFailback, RawOverload, RawReplication, RawRouting, RawService, RawSla,
    RawTraffic,
};
use super::super::uncertain::UncertainProbability;
use super::{Validator, MAX_COST_PER_HOUR};
use crate::model::{CreditTier, DataPolicy, Model, Overload, Replication, Routing, Sla, Traffic};
use crate::uncertainty::Target;

/// The validated mechanics of one service.
pub(super) struct Mechanics {
    pub overload: Overload,
    pub data: Option<DataPolicy>,
    pub sla: Option<Sla>,
}

fn at(service: &str, fields: &[&'static str]) -> Vec<Anchor> {
    let mut anchors = vec![Anchor::Entry(service.to_string())];
    anchors.extend(fields.iter().map(|&f| Anchor::Field(f)));
    anchors
}

impl Validator<'_> {
    /// An amount of money in `cost` (0 when not given).
    pub(super) fn money(&mut self, name: &str, field: &'static str, value: Option<f64>) -> f64 {
        let value = value.unwrap_or(0.0);
        if !(0.0..=MAX_COST_PER_HOUR).contains(&value) {
            self.report(
                &at(name, &["cost", field]),
                format!("`{field}` of `{name}` is `{value}`; it must be between 0 and {MAX_COST_PER_HOUR:e}"),
                || Some("give the money lost per hour".into()),
            );
        }
        value
    }

    /// The routing policy; `ActiveActive` without shift when none is given.
    pub(super) fn routing(
        &mut self,
        model: &mut Model,
        name: &str,
        raw: Option<&RawRouting>,
    ) -> Routing {
        match raw {
            None => Routing::ActiveActive { shift: 0.0 },
            Some(RawRouting::ActiveActive { shift }) => Routing::ActiveActive {
                shift: shift.map_or(0.0, |s| s.0.hours()),
            },
            Some(RawRouting::ActivePassive {
                detect,
                switch,
                success,
                manual,
                failback,
            }) => {
                let success = self.success(model, name, *success, manual.is_some());
                Routing::ActivePassive {
                    detect: self.certain(&at(name, &["routing", "detect"]), detect),
                    switch: self.certain(&at(name, &["routing", "switch"]), switch),
                    success,
                    manual: manual
                        .as_ref()
                        .map(|m| self.certain(&at(name, &["routing", "manual"]), m)),
                    failback: match failback {
                        None | Some(RawFailback::Never) => None,
                        Some(RawFailback::After(d)) => Some(d.0.hours()),
                    },
                }
            }
            Some(RawRouting::Manual { respond }) => Routing::Manual {
                respond: self.certain(&at(name, &["routing", "respond"]), respond),
            },
        }
    }

    /// The probability that an automated switch works (1 unless given),
    /// reported when out of [0, 1] or below 1 without a `manual` response;
    /// an uncertain one becomes an input.
    fn success(
        &mut self,
        model: &mut Model,
        name: &str,
        success: Option<UncertainProbability>,
        has_manual: bool,
    ) -> f64 {
        let law = success.and_then(|s| s.law());
        let success = success.map_or(1.0, |s| s.nominal());
        if !(0.0..=1.0).contains(&success) {
            self.report(
                &at(name, &["routing", "success"]),
                format!("`success` of `{name}` is `{success}`; it must be between 0 and 1"),
                || Some("`success` is the probability that the automated switch works".into()),
            );
        } else if success < 1.0 && !has_manual {
            self.report(
                &at(name, &["routing", "success"]),
                format!("`{name}` has `success: {success}` but no `manual` response"),
                || Some("add `manual: LogNormal(median: \"30m\", p90: \"2h\")`: who switches when the automation fails".into()),
            );
        }
        if let Some(law) = law {
            let target = Target::Success(model.services.len());
            let input = format!("{name} routing success");
            self.input(
                model,
                &at(name, &["routing", "success"]),
                false,
                input,
                (law, target),
            );
        }
        success
    }

    /// Overload, data and SLA of a service.
    pub(super) fn mechanics(&mut self, name: &str, raw: &RawService) -> Mechanics {
        let overload = match &raw.overload {
            None | Some(RawOverload::Shed) => Overload::Shed,
            Some(RawOverload::Collapse { after, recover }) => Overload::Collapse {
                after: after.0.hours(),
                recover: self.certain(&at(name, &["overload", "recover"]), recover),
            },
        };
        Mechanics {
            overload,
            data: raw.data.as_ref().map(|d| self.data(name, d)),
            sla: raw.sla.as_ref().and_then(|s| self.sla(name, s)),
        }
    }

    fn sla(&mut self, name: &str, raw: &RawSla) -> Option<Sla> {
        let mut ok = true;
        if !(0.0..=MAX_COST_PER_HOUR).contains(&raw.revenue) {
            self.report(
                &at(name, &["sla", "revenue"]),
                format!(
                    "`revenue` of `{name}` is `{}`; it must be between 0 and {MAX_COST_PER_HOUR:e}",
                    raw.revenue
                ),
                || Some("give the revenue of one window".into()),
            );
            ok = false;
        }
        for (i, tier) in raw.credits.iter().enumerate() {
            ok &= self.credit_tier(name, i, tier);
        }
        ok.then(|| Sla {
            window: raw.window.0.hours(),
            revenue: raw.revenue,
            credits: raw
                .credits
                .iter()
                .map(|c| CreditTier {
                    below: c.below,
                    refund: c.refund,
                })
                .collect(),
        })
    }

    /// Whether credit tier `i` has `below` in (0, 1] and `refund` in
    /// [0, 1] (each reported when not).
    fn credit_tier(&mut self, name: &str, i: usize, tier: &RawCredit) -> bool {
        let mut ok = true;
        if !(tier.below > 0.0 && tier.below <= 1.0) {
            self.report(
                &[
                    at(name, &["sla", "credits"]),
                    vec![Anchor::Field("below").nth(i)],
                ]
                .concat(),
                format!(
                    "`below` of `{name}`'s credit tier is `{}`; it must be in (0, 1]",
                    tier.below
                ),
                || Some("`below` is an availability, e.g. `0.9995`".into()),
            );
            ok = false;
        }
        if !(0.0..=1.0).contains(&tier.refund) {
            self.report(
                &[
                    at(name, &["sla", "credits"]),
                    vec![Anchor::Field("refund").nth(i)],
                ]
                .concat(),
                format!(
                    "`refund` of `{name}`'s credit tier is `{}`; it must be between 0 and 1",
                    tier.refund
                ),
                || {
                    Some(
                        "`refund` is the share of the window's revenue paid back, e.g. `0.10`"
                            .into(),
                    )
                },
            );
            ok = false;
        }
        ok
    }

    /// A traffic curve: 24 non-negative weights with a positive sum.
    pub(super) fn traffic(&mut self, anchors: &[Anchor], raw: &RawTraffic) -> Option<Traffic> {
        let RawTraffic::Daily(weights) = raw;
        let valid = weights.iter().all(|w| w.is_finite() && *w >= 0.0)
            && weights.iter().sum::<f64>() > 0.0
            && weights.iter().sum::<f64>().is_finite();
        match <&[f64; 24]>::try_from(weights.as_slice()) {
            Ok(w) if valid => Some(Traffic::daily(w)),
            _ => {
                self.report(
                    anchors,
                    format!(
                        "`Daily` traffic needs 24 non-negative weights with a positive sum; got {} values",
                        weights.len()
                    ),
                    || Some("one weight per hour from midnight, e.g. 1.0 at night and 3.0 at the daily peak".into()),
                );
                None
            }
        }
    }

    fn data(&mut self, name: &str, raw: &RawData) -> DataPolicy {
        DataPolicy {
            replication: match &raw.replication {
                RawReplication::Sync => Replication::Sync,
                RawReplication::Async { lag } => Replication::Async {
                    lag: self.certain(&at(name, &["data", "lag"]), lag),
                },
            },
            backup_every: raw.backup.every.0.hours(),
            restore: self.certain(&at(name, &["data", "restore"]), &raw.backup.restore),
        }
    }
}
