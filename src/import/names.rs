//! Names taken from imported files: resource addresses, regions, zones and
//! workload names are untrusted text, so every name written into a scenario
//! (and every piece of input quoted in a comment) is rewritten to a safe
//! form first.

use std::collections::BTreeSet;

/// The longest name written (well under the scenario's limit, so that a
/// suffix added for uniqueness still fits).
const MAX_CHARS: usize = 64;

/// The longest piece of input quoted in a comment.
const MAX_QUOTED_CHARS: usize = 400;

/// `text` as a scenario name or domain path segment: ASCII letters, digits
/// and `_` kept, every run of other characters (`-` included) one `-`, no leading or
/// trailing `-`, at most 64 characters; `fallback` when nothing is left.
pub fn sanitize(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.chars().count() >= MAX_CHARS {
            break;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        fallback.to_string()
    } else {
        trimmed.to_string()
    }
}

/// `text` safe inside a `//` comment: on one line, without control or
/// bidirectional characters, at most 400 characters.
pub fn quoted(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if crate::text::breaks_display(c) {
                '?'
            } else {
                c
            }
        })
        .take(MAX_QUOTED_CHARS)
        .collect();
    if text.chars().count() > MAX_QUOTED_CHARS {
        out.push_str("...");
    }
    out
}

/// `text` as the inside of a RON string: quoted, one line, at most 400
/// characters, `"` and `\\` escaped.
pub fn ron_string(text: &str) -> String {
    quoted(text).replace('\\', "\\\\").replace('"', "\\\"")
}

/// Hands out unique names: a name already taken gets `-2`, `-3`, ...
#[derive(Debug, Default)]
pub struct Unique {
    taken: BTreeSet<String>,
}

impl Unique {
    /// Whether `name` was handed out already.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// `name`, or the first of `name-2`, `name-3`, ... not yet taken.
    pub fn take(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 2u64;
        while self.taken.contains(&candidate) {
            candidate = format!("{name}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_names_become_safe_scenario_names() {
        assert_eq!(
            sanitize("module.web[0].aws_instance.app", "x"),
            "module-web-0-aws_instance-app"
        );
        assert_eq!(sanitize("\u{1b}[2J\n\u{202e}", "resource"), "2J");
        assert_eq!(sanitize("東京", "resource"), "resource");
        assert_eq!(sanitize(&"a".repeat(500), "x").len(), 64);
        assert_eq!(quoted("a\nb\u{202e}"), "a?b?");
        let mut unique = Unique::default();
        assert_eq!(unique.take("web"), "web");
        assert_eq!(unique.take("web"), "web-2");
        assert_eq!(unique.take("web"), "web-3");
    }
}
