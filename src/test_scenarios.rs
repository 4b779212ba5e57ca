//! Scenario texts shared by the library's unit tests.

/// `n` services in a chain, each hard-depending on the one before, one
/// replica each, its host failing on average every `every` for an hour.
pub(crate) fn chain(n: usize, every: &str) -> crate::model::Model {
    let services: String = (0..n)
        .map(|i| {
            let dependency = if i > 0 {
                format!(", depends_on: {{ \"s{}\": Hard }}", i - 1)
            } else {
                String::new()
            };
            format!("\"s{i}\": (deployments: [(in: \"aws/r/a\")]{dependency}),\n")
        })
        .collect();
    let text = format!(
        "Scenario(domains: [\"aws/r/a\"], seed: 5,\n\
         failures: [(name: \"host\", on: EachReplica(), every: \"{every}\", lasts: Exp(mean: \"1h\"))],\n\
         services: {{ {services} }})"
    );
    match crate::scenario::load("chain.ron", text.as_bytes()) {
        Ok(model) => model,
        Err(e) => panic!("invalid chain scenario: {e}"),
    }
}

/// The model of a scenario text, panicking with its diagnostics if invalid.
pub(crate) fn load(text: &str) -> crate::model::Model {
    match crate::scenario::load("t.ron", text.as_bytes()) {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}
