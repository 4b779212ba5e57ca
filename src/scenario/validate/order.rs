//! Dependency order of services, and cycles.

use std::collections::BTreeSet;
use std::ops::Range;

use super::super::locate::Anchor;
use super::Validator;
use crate::model::{Distribution, Model};

impl Validator<'_> {
    /// The engine's evaluation order and its recovery cycles (see
    /// [`evaluation_order`]); warns about every recovery cycle.
    pub(super) fn evaluation_order(&mut self, model: &Model) -> (Vec<usize>, Vec<Range<usize>>) {
        let order = self.topological_order(model);
        if order.len() != model.services.len() {
            return (order, Vec::new());
        }
        let (order, cycles) = evaluation_order(model, &order);
        for cycle in &cycles {
            let broken = self.manual_breaks.iter().any(|(from, to, _)| {
                let member = |s: usize| order[cycle.clone()].contains(&s);
                model.service_by_name(from).is_some_and(member) && member(*to)
            });
            if broken {
                // people break its deadlocks (`Recovery(manual: ...)`)
                continue;
            }
            let path = recovery_cycle_path(model, &order[cycle.clone()]);
            let names: Vec<&str> = path
                .iter()
                .map(|&s| model.services[s].name.as_str())
                .collect();
            let second = names.get(1).copied().unwrap_or(names[0]);
            self.warn(
                &[
                    Anchor::Entry(names[0].to_string()),
                    Anchor::Field("depends_on"),
                    Anchor::Key(second.to_string()),
                ],
                format!(
                    "recovery cycle: `{}`: if these are down at once, none can recover (a cold-start deadlock)",
                    names.join(" -> ")
                ),
                Some("break the cycle, e.g. keep what recovery needs out of the services that need it, or say how long people take to break a deadlock: `Recovery(manual: ...)`; runs count the deadlocks".into()),
            );
        }
        (order, cycles)
    }

    /// Per recovery cycle of `model`: the `manual` of the first of its
    /// `Recovery` edges (in evaluation order of the services, then file
    /// order) that gives one. Warns about a `manual` on an edge outside
    /// every cycle: no deadlock can form there.
    pub(super) fn recovery_manual(&mut self, model: &Model) -> Vec<Option<Distribution>> {
        let order = &model.topological_order;
        let cycle_of = |s: usize| {
            let k = order.iter().position(|&x| x == s)?;
            model.recovery_cycles.iter().position(|c| c.contains(&k))
        };
        let mut manual = vec![None; model.recovery_cycles.len()];
        let mut stray = Vec::new();
        for (from, to, distribution) in &self.manual_breaks {
            let Some(s) = model.service_by_name(from) else {
                continue;
            };
            match (cycle_of(s), cycle_of(*to)) {
                (Some(a), Some(b)) if a == b => {
                    let k = order.iter().position(|&x| x == s).unwrap_or(usize::MAX);
                    let slot: &mut Option<(usize, Distribution)> = &mut manual[a];
                    if slot.as_ref().is_none_or(|(first, _)| k < *first) {
                        *slot = Some((k, distribution.clone()));
                    }
                }
                _ => stray.push((from.clone(), model.services[*to].name.clone())),
            }
        }
        for (from, to) in stray {
            self.warn(
                &[
                    Anchor::Entry(from.clone()),
                    Anchor::Field("depends_on"),
                    Anchor::Key(to.clone()),
                    Anchor::Field("manual"),
                ],
                format!("`manual` of `{from}` on `{to}` is never used: the edge is in no recovery cycle, so no deadlock forms there"),
                Some("`manual` is how long people take to break a cold-start deadlock of a recovery cycle; remove it".into()),
            );
        }
        manual.into_iter().map(|m| m.map(|(_, d)| d)).collect()
    }

    /// The services in dependency order of hard and soft edges, or empty
    /// after reporting a cycle of them.
    fn topological_order(&mut self, model: &Model) -> Vec<usize> {
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
                "remove one of these dependencies: only a cycle through a `Recovery` edge is allowed".into()
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

/// Whether the edge counts for the hard-and-soft order.
fn fraction_edge(d: &crate::model::Dependency) -> bool {
    d.kind.affects_fraction()
}

/// Orders services so that dependencies come first, ties broken by name (so the
/// order does not depend on the file's order). Iterative: no recursion over
/// input-sized structures.
///
/// # Errors
/// A dependency cycle, as the list of services along it, first repeated last.
pub fn topological_order(model: &Model) -> Result<Vec<usize>, Vec<usize>> {
    let n = model.services.len();
    let mut remaining_deps: Vec<usize> = model
        .services
        .iter()
        .map(|s| s.depends_on.iter().filter(|d| fraction_edge(d)).count())
        .collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in model.services.iter().enumerate() {
        for d in s.depends_on.iter().filter(|d| fraction_edge(d)) {
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
            .filter(|d| fraction_edge(d))
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

/// The engine's order: the strongly connected components of the graph of all
/// edges (recovery ones included), dependencies first, each component's
/// services in `order` (the hard-and-soft order). Returns the order and the
/// ranges of it that are recovery cycles (components of several services,
/// or one that needs itself to recover).
pub fn evaluation_order(model: &Model, order: &[usize]) -> (Vec<usize>, Vec<Range<usize>>) {
    let components = strongly_connected(model);
    let mut rank = vec![0usize; model.services.len()];
    for (i, &s) in order.iter().enumerate() {
        rank[s] = i;
    }
    let mut out = Vec::with_capacity(order.len());
    let mut cycles = Vec::new();
    for mut component in components {
        component.sort_by_key(|&s| rank[s]);
        let start = out.len();
        let self_loop = component.len() == 1
            && model.services[component[0]]
                .depends_on
                .iter()
                .any(|d| d.service == component[0]);
        out.extend(component);
        if out.len() - start > 1 || self_loop {
            cycles.push(start..out.len());
        }
    }
    (out, cycles)
}

/// Tarjan's algorithm, iterative. Components come out dependencies first
/// (each after every component it depends on); services are visited in name
/// order so the result does not depend on the file's order.
fn strongly_connected(model: &Model) -> Vec<Vec<usize>> {
    let n = model.services.len();
    let mut roots: Vec<usize> = (0..n).collect();
    roots.sort_by(|&a, &b| model.services[a].name.cmp(&model.services[b].name));
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next = 0;
    for root in roots {
        if index[root] != usize::MAX {
            continue;
        }
        // (service, next edge to look at)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut edge)) = call.last_mut() {
            let deps = &model.services[v].depends_on;
            if let Some(d) = deps.get(*edge) {
                *edge += 1;
                let w = d.service;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    components
}

/// One cycle through the services of a recovery component, from its first
/// service back to it (a breadth-first search for the shortest way back).
fn recovery_cycle_path(model: &Model, component: &[usize]) -> Vec<usize> {
    let start = component[0];
    let inside = |s: usize| component.contains(&s);
    let mut parent = vec![usize::MAX; model.services.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for d in &model.services[v].depends_on {
            if d.service == start {
                let mut path = vec![start];
                let mut x = v;
                while x != start {
                    path.push(x);
                    x = parent[x];
                }
                path[1..].reverse();
                path.push(start);
                return path;
            }
            if inside(d.service) && parent[d.service] == usize::MAX {
                parent[d.service] = v;
                queue.push_back(d.service);
            }
        }
    }
    vec![start, start]
}
