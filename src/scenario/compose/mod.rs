//! Designs composed from a base: `extends`, `remove`, and `--set` edits.
//!
//! Every file of an `extends` chain is read ([`load`]) into a value tree that keeps
//! where each value was written ([`tree`]); the trees are merged ([`edit`])
//! and written back as one RON text ([`emit`]) together with a map from each
//! piece of that text to its file and position. The merged text is then
//! loaded as any scenario, and every diagnostic is moved back through the
//! map to the file and line where the offending value was written.

pub mod edit;
mod emit;
mod load;
pub mod tree;

use std::path::Path;

use super::diagnostic::{Diagnostic, FileDiagnostics, Position};
use emit::Segment;
use load::{repository_root, Loader};
use tree::Node;

/// Longest `extends` chain followed.
pub const MAX_CHAIN: usize = 32;

/// One file (or `--set` argument) that contributed to a merged scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Its name in diagnostics.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A merged scenario: its text, and where each piece of it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// The merged scenario as RON (no `extends`, no `remove`).
    pub text: String,
    /// The files it came from; the first is the top file.
    pub sources: Vec<Source>,
    segments: Vec<Segment>,
}

/// One `--set PATH=VALUE` edit, applied after merging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The whole argument, as its own source in diagnostics.
    pub argument: String,
    /// Byte range of the path in `argument`.
    pub path: std::ops::Range<usize>,
    /// Byte range of the value in `argument`.
    pub value: std::ops::Range<usize>,
}

/// Reads a file (bounded by the caller).
pub type Read<'a> = &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>;

impl Composed {
    /// Where a position of the merged text was written: the source's index
    /// and the position in it.
    pub fn origin(&self, position: Position) -> (usize, Position) {
        let index = byte_index(&self.text, position);
        let at = self.segments.partition_point(|s| s.merged <= index);
        let Some(segment) = at.checked_sub(1).and_then(|i| self.segments.get(i)) else {
            return (0, Position { line: 1, col: 1 });
        };
        let offset = (index - segment.merged).min(segment.len);
        let source = segment.from.source;
        let text = self.sources.get(source).map_or("", |s| s.text.as_str());
        (source, position_of(text, segment.from.start + offset))
    }

    /// Moves diagnostics of the merged text to the files they were written
    /// in, grouped by file in order of first appearance, sorted in each.
    pub fn relocate(&self, diagnostics: Vec<Diagnostic>) -> Vec<FileDiagnostics> {
        let mut by_source: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
        for mut d in diagnostics {
            let (source, position) = self.origin(d.position);
            d.position = position;
            match by_source.iter_mut().find(|(s, _)| *s == source) {
                Some((_, list)) => list.push(d),
                None => by_source.push((source, vec![d])),
            }
        }
        by_source
            .into_iter()
            .map(|(source, mut diagnostics)| {
                diagnostics.sort_by_key(|d| d.position);
                FileDiagnostics {
                    file: self.sources[source].name.clone(),
                    diagnostics,
                }
            })
            .collect()
    }
}

/// Whether the text is a scenario that uses `extends` or `remove` (false
/// when it cannot be parsed: the plain loader then reports why).
pub fn uses_composition(text: &str) -> bool {
    match tree::parse(0, text) {
        Ok(Node::Struct(s)) => s.get("extends").is_some() || s.get("remove").is_some(),
        _ => false,
    }
}

/// Reads `path` and every file it extends, merges them, applies `sets`.
///
/// # Errors
/// Located diagnostics: syntax errors, unreadable bases, cycles, paths
/// outside the repository root, `remove` or `--set` paths that lead nowhere.
pub fn compose(
    path: &Path,
    name: &str,
    read: Read<'_>,
    sets: &[Assignment],
) -> Result<Composed, Vec<FileDiagnostics>> {
    let mut loader = Loader {
        read,
        sources: Vec::new(),
        chain: Vec::new(),
        root: repository_root(path),
    };
    let node = loader.file(path, name, None)?;
    let node = loader.assign(node, sets)?;
    let texts: Vec<&str> = loader.sources.iter().map(|s| s.text.as_str()).collect();
    let (text, segments) = emit::emit(&node, &texts);
    Ok(Composed {
        text,
        sources: loader.sources,
        segments,
    })
}

/// The byte index of a 1-based line and column (in characters).
fn byte_index(text: &str, p: Position) -> usize {
    let mut line_start = 0;
    for _ in 1..p.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    let end = line.find('\n').unwrap_or(line.len());
    line_start
        + line[..end]
            .char_indices()
            .nth(p.col.saturating_sub(1))
            .map_or(end, |(i, _)| i)
}

/// The 1-based line and column (in characters) of a byte index.
pub fn position_of(text: &str, index: usize) -> Position {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    let before = &text[..index];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line: 1 + before.matches('\n').count(),
        col: 1 + before[line_start..].chars().count(),
    }
}
