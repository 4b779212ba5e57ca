//! Located diagnostics: `FILE:LINE:COL: error: MESSAGE` plus an optional hint.

use std::fmt;

/// A position in the scenario text, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub col: usize,
}

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where it is.
    pub position: Position,
    /// What is wrong (lowercase, values in backticks).
    pub message: String,
    /// How to fix it, where that helps.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without a hint.
    pub fn new(position: Position, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            position,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a "did you mean" hint when one of `candidates` is close to `found`.
    pub fn suggest<'a>(
        self,
        found: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Diagnostic {
        match closest(found, candidates) {
            Some(best) => self.with_hint(format!("did you mean `{best}`?")),
            None => self,
        }
    }
}

/// Every problem of one file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileDiagnostics {
    /// The file name as given on the command line.
    pub file: String,
    /// The problems, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

pub use crate::text::one_line;

/// Warnings of one file: problems that do not stop it from running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWarnings(pub FileDiagnostics);

impl fmt::Display for FileWarnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let file = &self.0.file;
        // the same layout as errors, with `warning:` in place of `error:`
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match line
                .strip_prefix(file.as_str())
                .and_then(|rest| rest.split_once(": error: "))
            {
                Some((position, message)) => write!(f, "{file}{position}: warning: {message}")?,
                None => write!(f, "{line}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for FileDiagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let Position { line, col } = d.position;
            let (message, file) = (one_line(&d.message), one_line(&self.file));
            write!(f, "{file}:{line}:{col}: error: {message}")?;
            if let Some(hint) = &d.hint {
                write!(f, "\n  hint: {}", one_line(hint))?;
            }
        }
        Ok(())
    }
}

/// The most names a hint lists when none is close to the unknown one.
const LISTED_NAMES: usize = 6;

/// A hint for an unknown name: "did you mean" the closest of `candidates`,
/// else the first few of them (`what` names them: "services", "domains").
pub fn name_hint(found: &str, candidates: &[&str], what: &str) -> Option<String> {
    if let Some(best) = closest(found, candidates.iter().copied()) {
        return Some(format!("did you mean `{best}`?"));
    }
    if candidates.is_empty() {
        return None;
    }
    let shown: Vec<String> = candidates
        .iter()
        .take(LISTED_NAMES)
        .map(|c| format!("`{c}`"))
        .collect();
    let more = candidates.len().saturating_sub(LISTED_NAMES);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!("known {what}: {}{tail}", shown.join(", ")))
}

/// The candidate closest to `found` by edit distance, if close enough to be a typo.
pub fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let length = found.chars().count();
    if length > super::validate::MAX_NAME_CHARS {
        // no name is that long: skip a quadratic distance
        return None;
    }
    let limit = (length / 3).max(1) + 1;
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip early.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (edit_distance(found, c), c))
        .filter(|&(d, c)| d <= limit && d < c.chars().count().max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters, case-insensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_echoed_values_are_escaped() {
        let d = FileDiagnostics {
            file: "a.ron".into(),
            diagnostics: vec![Diagnostic::new(
                Position { line: 1, col: 2 },
                "duration `5\nh` has no unit",
            )],
        };
        assert_eq!(
            d.to_string(),
            "a.ron:1:2: error: duration `5\\nh` has no unit"
        );
    }

    #[test]
    fn closest_name_is_suggested_for_a_typo() {
        assert_eq!(closest("dbb", ["db", "api", "web"]), Some("db"));
        assert_eq!(closest("horizn", ["horizon", "trials"]), Some("horizon"));
        assert_eq!(closest("zzzzzz", ["db", "api"]), None);
    }
}
