//! Dependency order of services, and cycles.

use std::collections::BTreeSet;

use super::super::locate::Anchor;
use super::Validator;
use crate::model::Model;

impl Validator<'_> {
    /// The services in dependency order, or empty after reporting a cycle.
    pub(super) fn topological_order(&mut self, model: &Model) -> Vec<usize> {
        let order = topological_order(model);
        if let Err(cycle) = &order {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&s| model.services[s].name.as_str())
                .collect();
            let first = names[0];
            let second = names.get(1).copied().unwrap_or(first);
            let hint = if first == second {
                format!("remove `{first}` from its own `depends_on`")
            } else {
                "remove one of these dependencies: no kind of dependency may form a cycle".into()
            };
            self.report(
                &[
                    Anchor::Entry(first.to_string()),
                    Anchor::Field("depends_on"),
                    Anchor::Key(second.to_string()),
                ],
                format!("dependency cycle: `{}`", names.join(" -> ")),
                || Some(hint),
            );
        }
        order.unwrap_or_default()
    }
}

/// Orders services so that dependencies come first, ties broken by name (so the
/// order does not depend on the file's order). Iterative: no recursion over
/// input-sized structures.
///
/// # Errors
/// A dependency cycle, as the list of services along it, first repeated last.
pub fn topological_order(model: &Model) -> Result<Vec<usize>, Vec<usize>> {
    let n = model.services.len();
    let mut remaining_deps: Vec<usize> =
        model.services.iter().map(|s| s.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in model.services.iter().enumerate() {
        for d in &s.depends_on {
            dependents[d.service].push(i);
        }
    }
    let mut ready: BTreeSet<(&str, usize)> = (0..n)
        .filter(|&i| remaining_deps[i] == 0)
        .map(|i| (model.services[i].name.as_str(), i))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(next) = ready.pop_first() {
        order.push(next.1);
        for &dependent in &dependents[next.1] {
            remaining_deps[dependent] -= 1;
            if remaining_deps[dependent] == 0 {
                ready.insert((model.services[dependent].name.as_str(), dependent));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    Err(find_cycle(model, &remaining_deps))
}

/// Walks dependency edges among the services left over by Kahn's algorithm
/// (each of which has a remaining dependency) until a service repeats.
fn find_cycle(model: &Model, remaining_deps: &[usize]) -> Vec<usize> {
    let stuck = |s: usize| remaining_deps[s] > 0;
    let start = (0..model.services.len())
        .filter(|&s| stuck(s))
        .min_by(|&a, &b| model.services[a].name.cmp(&model.services[b].name))
        .unwrap_or(0);
    let mut path = vec![start];
    let mut position = vec![usize::MAX; model.services.len()];
    position[start] = 0;
    let mut current = start;
    loop {
        let next = model.services[current]
            .depends_on
            .iter()
            .map(|d| d.service)
            .find(|&s| stuck(s))
            .unwrap_or(start);
        if position[next] != usize::MAX {
            let mut cycle = path[position[next]..].to_vec();
            cycle.push(next);
            return cycle;
        }
        position[next] = path.len();
        path.push(next);
        current = next;
    }
}
