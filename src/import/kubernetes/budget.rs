//! `need` from PodDisruptionBudgets: the budget whose selector (its
//! `matchLabels` and `matchExpressions`) matches a workload's pod labels, its
//! `minAvailable` or `maxUnavailable` (a number or a percentage, rounded as
//! Kubernetes rounds), and the comment that says how the number came about.

use serde_norway::Value;

use super::{at, name_of, namespace_of, Object};

/// Whether a label selector (`matchLabels` and `matchExpressions`, all of
/// which must hold) selects pods with `labels`. A missing selector selects
/// nothing; an empty one selects every pod when `empty_selects_all` (a
/// `policy/v1` budget) and nothing otherwise (`policy/v1beta1`).
pub(super) fn selects(
    selector: Option<&Value>,
    labels: Option<&Value>,
    empty_selects_all: bool,
) -> bool {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return false;
    };
    let label = |k: &Value| labels.and_then(|l| l.get(k));
    let match_labels = selector.get("matchLabels").and_then(Value::as_mapping);
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_sequence);
    let has_terms =
        match_labels.is_some_and(|m| !m.is_empty()) || expressions.is_some_and(|e| !e.is_empty());
    (has_terms || empty_selects_all)
        && match_labels
            .into_iter()
            .flatten()
            .all(|(k, v)| label(k) == Some(v))
        && expressions
            .into_iter()
            .flatten()
            .all(|e| expression_holds(e, &label))
}

/// One `matchExpressions` term: `In`, `NotIn`, `Exists`, `DoesNotExist`
/// (an unknown operator holds for nothing).
fn expression_holds<'a>(e: &Value, label: &impl Fn(&Value) -> Option<&'a Value>) -> bool {
    let Some(key) = e.get("key") else {
        return false;
    };
    let value = label(key);
    let listed = || {
        let values = e.get("values").and_then(Value::as_sequence);
        value.is_some_and(|v| values.is_some_and(|vs| vs.contains(v)))
    };
    match e.get("operator").and_then(Value::as_str) {
        Some("In") => listed(),
        Some("NotIn") => !listed(),
        Some("Exists") => value.is_some(),
        Some("DoesNotExist") => value.is_none(),
        _ => false,
    }
}

/// Whether `budget` covers the pods of workload `o`.
pub(super) fn covers(budget: &Object, o: &Object) -> bool {
    let labels = at(&o.value, &["spec", "template", "metadata", "labels"]);
    let v1 = at(&budget.value, &["apiVersion"]).and_then(Value::as_str) == Some("policy/v1");
    namespace_of(budget) == namespace_of(o)
        && selects(at(&budget.value, &["spec", "selector"]), labels, v1)
}

/// `need` for workload `o` of `replicas` from the first budget covering
/// its pods, with its comment.
pub(super) fn need(o: &Object, replicas: u64, budgets: &[&Object]) -> (u64, String) {
    let Some(budget) = budgets.iter().find(|b| covers(b, o)) else {
        return (1, "need: 1 (no PodDisruptionBudget selects its pods); raise it to the replicas your peak needs".into());
    };
    let spec = budget.value.get("spec");
    let field = |key: &'static str| spec.and_then(|s| s.get(key)).map(|v| (key, v));
    let Some((key, value)) = field("minAvailable").or_else(|| field("maxUnavailable")) else {
        return (
            1,
            format!(
                "need: 1 (PodDisruptionBudget {} sets neither minAvailable nor maxUnavailable)",
                name_of(budget)
            ),
        );
    };
    let Some(n) = count(value, replicas) else {
        return (
            1,
            format!(
                "need: 1 (PodDisruptionBudget {}'s {key} is not a number or a percentage)",
                name_of(budget)
            ),
        );
    };
    let need = match key {
        "minAvailable" => n,
        _ => replicas.saturating_sub(n),
    };
    let clamped = need.clamp(1, replicas);
    let how = match (key, value.as_str()) {
        ("minAvailable", Some(p)) => format!("minAvailable {p} of {replicas}, rounded up"),
        ("minAvailable", None) => format!("minAvailable {n}"),
        (_, Some(p)) => format!("{replicas} - maxUnavailable {p} of {replicas} ({n}, rounded up)"),
        _ => format!("{replicas} - maxUnavailable {n}"),
    };
    let mut note = format!(
        "need: {clamped} from PodDisruptionBudget {} ({how}), at least 1 and at most the replicas",
        name_of(budget)
    );
    if clamped == replicas && replicas > 1 {
        note.push_str(
            "; every replica outage is then an outage: a disruption budget often guards a quorum rather than the load, so lower it if fewer replicas carry the load",
        );
    }
    (clamped, note)
}

/// A PodDisruptionBudget count: a number, or a percentage of `replicas`
/// rounded up (as Kubernetes rounds).
pub(super) fn count(value: &Value, replicas: u64) -> Option<u64> {
    if let Some(n) = value.as_u64() {
        return Some(n);
    }
    let percent: u64 = value.as_str()?.strip_suffix('%')?.trim().parse().ok()?;
    Some((replicas.saturating_mul(percent.min(100))).div_ceil(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        serde_norway::from_str::<Value>(s).unwrap_or(Value::Null)
    }

    #[test]
    fn budgets_in_percent_round_up_as_kubernetes_does() {
        assert_eq!(count(&v("2"), 5), Some(2));
        assert_eq!(count(&v("\"50%\""), 5), Some(3));
        assert_eq!(count(&v("\"100%\""), 3), Some(3));
        assert_eq!(count(&v("\"x\""), 3), None);
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = v("{app: worker, tier: back}");
        let sel = |s: &str| selects(Some(&v(s)), Some(&labels), false);
        assert!(sel("{matchLabels: {app: worker}}"));
        assert!(!sel("{matchLabels: {app: web}}"));
        assert!(sel(
            "{matchExpressions: [{key: app, operator: In, values: [worker, web]}]}"
        ));
        assert!(!sel(
            "{matchExpressions: [{key: app, operator: NotIn, values: [worker]}]}"
        ));
        assert!(sel("{matchExpressions: [{key: tier, operator: Exists}]}"));
        assert!(!sel("{matchExpressions: [{key: zone, operator: Exists}]}"));
        assert!(sel(
            "{matchExpressions: [{key: zone, operator: DoesNotExist}]}"
        ));
        assert!(!sel("{matchLabels: {app: worker}, matchExpressions: [{key: tier, operator: In, values: [front]}]}"));
        assert!(!sel("{}"), "an empty v1beta1 selector selects nothing");
        assert!(
            selects(Some(&v("{}")), Some(&labels), true),
            "an empty v1 selector selects all"
        );
        assert!(!selects(None, Some(&labels), true));
        assert!(!sel(
            "{matchExpressions: [{key: app, operator: Gt, values: [1]}]}"
        ));
    }
}
