//! The layout rules, one example each.

use super::format;

fn formatted(text: &str) -> String {
    format(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_group_that_fits_stays_on_one_line_and_loses_its_trailing_comma() {
    let text =
        "Scenario(\n  services: { \"db\": (deployments: [(in: \"a\", replicas: 3,),],), },\n)";
    assert_eq!(
        formatted(text),
        "Scenario(\n    services: { \"db\": (deployments: [(in: \"a\", replicas: 3)]) },\n)\n"
    );
}

#[test]
fn a_group_too_wide_for_its_line_takes_one_item_per_line_with_trailing_commas() {
    let names: Vec<String> = (0..8)
        .map(|i| format!("\"aws/us-east-1/zone-{i}\""))
        .collect();
    let text = format!("Scenario(domains: [{}])", names.join(","));
    let expected = format!(
        "Scenario(\n    domains: [\n{}    ],\n)\n",
        names
            .iter()
            .map(|n| format!("        {n},\n"))
            .collect::<String>()
    );
    assert_eq!(formatted(&text), expected);
}

#[test]
fn comments_stay_before_inside_and_after_their_items() {
    let text = "// head\n\nScenario( // opens\n  name: \"x\", // the name\n\n\n  /* block */ seed: 1,\n  horizon: /* inline */ \"1y\",\n  trials: 5 // last\n  // dangling\n) // after\n";
    let expected = "// head\n\nScenario(\n    // opens\n    name: \"x\", // the name\n\n    /* block */ seed: 1,\n    horizon: /* inline */ \"1y\",\n    trials: 5, // last\n    // dangling\n) // after\n";
    assert_eq!(formatted(text), expected);
    assert_eq!(formatted(expected), expected);
}

#[test]
fn a_comment_inside_a_short_group_breaks_it() {
    let text = "Scenario(x: [1, /* one */ 2])";
    assert_eq!(
        formatted(text),
        "Scenario(\n    x: [\n        1, /* one */\n        2,\n    ],\n)\n"
    );
}

#[test]
fn maps_are_padded_inside_their_braces_and_empty_groups_stay_closed() {
    assert_eq!(
        formatted("Scenario(a: {\"k\":Hard}, b: {}, c: ActiveActive(), d: [])"),
        "Scenario(\n    a: { \"k\": Hard },\n    b: {},\n    c: ActiveActive(),\n    d: [],\n)\n"
    );
}

#[test]
fn attributes_and_multi_line_block_comments_are_kept_verbatim() {
    let text = "#![enable(implicit_some)]\n/* a\n   b */\nScenario(name: \"x\")\n";
    assert_eq!(
        formatted(text),
        "#![enable(implicit_some)]\n/* a\n   b */\nScenario(\n    name: \"x\",\n)\n"
    );
}

#[test]
fn windows_line_breaks_become_line_feeds() {
    assert_eq!(
        formatted("Scenario(\r\n  name: \"x\", // c\r\n)\r\n"),
        "Scenario(\n    name: \"x\", // c\n)\n"
    );
}

#[test]
fn unbalanced_or_too_deep_text_is_a_located_error_not_a_panic() {
    for (text, at) in [
        ("Scenario(a: [1)", 14),
        ("Scenario(a: 1))", 14),
        ("Scenario(, a: 1)", 9),
    ] {
        match format(text) {
            Err(super::FormatError::Syntax { at: found, .. }) => assert_eq!(found, at, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let deep = format!("Scenario(a: {}{})", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        format(&deep),
        Err(super::FormatError::Syntax { .. })
    ));
}
