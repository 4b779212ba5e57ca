//! Names written in a scenario (the scenario's, services', failures' and
//! domain path segments): they reach terminals, CI logs, Markdown and
//! graphs, so each is checked before use. A name is not empty or blank, at
//! most [`MAX_NAME_CHARS`] characters long, and holds no character that
//! [`breaks_display`] (control characters, line separators, bidirectional
//! formatting).

use super::super::locate::Anchor;
use super::Validator;
use crate::text::{breaks_display, one_line};

/// The longest name, in characters (for a domain path: each segment).
pub const MAX_NAME_CHARS: usize = 256;

/// How much of a refused name a message quotes.
const QUOTED_CHARS: usize = 40;

/// What is wrong with a name, if anything.
pub(super) fn name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("is empty or blank".into());
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Some(format!(
            "is {length} characters long; at most {MAX_NAME_CHARS} are allowed"
        ));
    }
    name.chars().find(|&c| breaks_display(c)).map(|c| {
        format!(
            "holds the character `{}`, which could rewrite a terminal, a CI log or a report",
            one_line(&c.to_string())
        )
    })
}

/// The first characters of a name, for a message.
pub(super) fn quoted(name: &str) -> String {
    if name.chars().count() <= QUOTED_CHARS {
        return name.to_string();
    }
    let head: String = name.chars().take(QUOTED_CHARS).collect();
    format!("{head}...")
}

impl Validator<'_> {
    /// Checks a name defined at `at` (`what` says what it is: "service
    /// name", "domain path segment"); false after reporting a problem.
    pub(super) fn name(&mut self, what: &str, name: &str, at: &[Anchor]) -> bool {
        let Some(problem) = name_problem(name) else {
            return true;
        };
        let message = format!("{what} `{}` {problem}", quoted(name));
        self.report(at, message, || {
            Some(format!(
                "a name is 1 to {MAX_NAME_CHARS} characters, not all blank, without control or bidirectional formatting characters"
            ))
        });
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_rewrite_output_are_refused() {
        assert_eq!(name_problem("web"), None);
        assert_eq!(name_problem("東京 db-1"), None);
        assert!(name_problem("").is_some());
        assert!(name_problem(" \t").is_some());
        assert!(name_problem(&"x".repeat(MAX_NAME_CHARS + 1)).is_some());
        assert_eq!(name_problem(&"é".repeat(MAX_NAME_CHARS)), None);
        for bad in [
            "a\nb",
            "web\r",
            "\u{1b}[2J",
            "bell\u{7}",
            "x\u{202e}y",
            "x\u{2066}",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
