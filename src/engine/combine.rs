//! A deployment's served fraction: its quorum times, for each hard dependency,
//! the dependency's fraction, and for each soft one `1 - impact * (1 - s)`.

use std::ops::Range;

use super::plan::{Node, Plan};
use super::timeline::Arena;
use super::Workspace;
use crate::model::DependencyKind;

/// The timeline of the fraction of dependency source `node`.
pub fn source_range(ws: &Workspace, node: Node) -> Range<usize> {
    match node {
        Node::Service(s) => ws.service[s as usize].clone(),
        Node::Deployment(d) => ws.deployment[d as usize].clone(),
    }
}

/// One input of the product: a timeline and how its value enters.
#[derive(Debug, Clone)]
pub struct Input {
    range: Range<usize>,
    kind: DependencyKind,
    cursor: usize,
    value: f64,
}

/// Builds deployment `d`'s fraction timeline from its quorum timeline `quorum`.
pub fn deployment(plan: &Plan, d: usize, quorum: Range<usize>, ws: &mut Workspace) -> Range<usize> {
    let sources = &plan.sources
        [plan.deployment_sources[d].start as usize..plan.deployment_sources[d].end as usize];
    // A one-step dependency at 1 is 1 throughout and changes nothing (most
    // timelines; one may start below 1 when capacity falls short of demand).
    if sources
        .iter()
        .all(|s| ws.arena.constant_one(&source_range(ws, s.node)))
    {
        return quorum;
    }
    let mut inputs = std::mem::take(&mut ws.scratch.inputs);
    inputs.clear();
    inputs.push(Input {
        range: quorum.clone(),
        kind: DependencyKind::Hard,
        cursor: quorum.start,
        value: 1.0,
    });
    for s in sources {
        let range = source_range(ws, s.node);
        if !ws.arena.constant_one(&range) {
            inputs.push(Input {
                cursor: range.start,
                range,
                kind: s.kind,
                value: 1.0,
            });
        }
    }
    let range = product(&mut ws.arena, &mut inputs);
    ws.scratch.inputs = inputs;
    range
}

/// The product of two timelines.
pub fn multiply(
    arena: &mut Arena,
    inputs: &mut Vec<Input>,
    a: Range<usize>,
    b: Range<usize>,
) -> Range<usize> {
    inputs.clear();
    for range in [a, b] {
        inputs.push(Input {
            cursor: range.start,
            range,
            kind: DependencyKind::Hard,
            value: 1.0,
        });
    }
    product(arena, inputs)
}

/// Merges the inputs' change points and pushes the product at each.
fn product(arena: &mut Arena, inputs: &mut [Input]) -> Range<usize> {
    let start = arena.begin(1.0, 0);
    loop {
        let mut next = f64::INFINITY;
        for input in inputs.iter() {
            if input.cursor + 1 < input.range.end {
                next = next.min(arena.steps[input.cursor + 1].t);
            }
        }
        if next == f64::INFINITY {
            return arena.finish(start);
        }
        let mut v = 1.0;
        for input in inputs.iter_mut() {
            if input.cursor + 1 < input.range.end && arena.steps[input.cursor + 1].t == next {
                input.cursor += 1;
                input.value = input.kind.factor(arena.steps[input.cursor].v);
            }
            v *= input.value;
        }
        arena.push(start, next, v, 0);
    }
}
