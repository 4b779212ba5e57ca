//! The benchmark workload W1: `benches/w1.ron` is what its generator
//! writes, and its dependency DAG is the published one.

#[path = "../../benches/support/w1.rs"]
mod w1;

use super::support::repo;

#[test]
fn the_committed_w1_is_what_its_generator_writes() {
    let committed = std::fs::read_to_string(repo("benches/w1.ron")).expect("benches/w1.ron");
    assert_eq!(committed, w1::scenario(200));
}

#[test]
fn w1_has_the_published_dag_of_293_edges_pointing_forward() {
    let deps = w1::dependencies(200);
    let edges: usize = deps.iter().map(Vec::len).sum();
    assert_eq!(edges, 293);
    for (i, mine) in deps.iter().enumerate() {
        assert!(mine.iter().all(|&j| j > i && j < 200), "s{i}: {mine:?}");
        assert!(mine.len() <= 3);
    }
}

#[test]
fn w1_of_any_size_is_a_valid_scenario() {
    for n in [1, 2, 7, 1000] {
        let model = faultline::scenario::load("w1.ron", w1::scenario(n).as_bytes())
            .unwrap_or_else(|e| panic!("W1 with {n} services: {e}"));
        assert_eq!(model.services.len(), n);
    }
}
