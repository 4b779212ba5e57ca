//! Designs composed from a base: `extends`, `remove`, and `--set` edits.
//!
//! Every file of an `extends` chain is read into a value tree that keeps
//! where each value was written ([`tree`]); the trees are merged ([`edit`])
//! and written back as one RON text ([`emit`]) together with a map from each
//! piece of that text to its file and position. The merged text is then
//! loaded as any scenario, and every diagnostic is moved back through the
//! map to the file and line where the offending value was written.

pub mod edit;
mod emit;
pub mod tree;

use std::path::{Path, PathBuf};

use super::diagnostic::{closest, Diagnostic, FileDiagnostics, Position};
use emit::Segment;
use tree::{Node, Span, Struct};

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

/// The path with symbolic links resolved when it exists, else made absolute
/// and with `.` and `..` folded away.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let joined = std::env::current_dir().unwrap_or_default().join(path);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The repository root: the nearest folder holding `.git` above the top
/// file, else the top file's own folder.
fn repository_root(path: &Path) -> PathBuf {
    let folder = absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    folder
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map_or_else(|| folder.clone(), Path::to_path_buf)
}

struct Loader<'a> {
    read: Read<'a>,
    sources: Vec<Source>,
    /// Canonical paths of the files being loaded, top first.
    chain: Vec<PathBuf>,
    root: PathBuf,
}

/// One problem in one source.
fn problem(
    source: &Source,
    at: usize,
    message: String,
    hint: Option<String>,
) -> Vec<FileDiagnostics> {
    let mut d = Diagnostic::new(position_of(&source.text, at), message);
    d.hint = hint;
    vec![FileDiagnostics {
        file: source.name.clone(),
        diagnostics: vec![d],
    }]
}

impl Loader<'_> {
    fn span_text(&self, span: Span) -> &str {
        self.sources[span.source]
            .text
            .get(span.start..span.end)
            .unwrap_or("")
    }

    fn struct_name(&self, s: &Struct) -> Option<String> {
        s.name.map(|n| self.span_text(n).to_string())
    }

    fn fail(&self, span: Span, message: String, hint: Option<String>) -> Vec<FileDiagnostics> {
        problem(&self.sources[span.source], span.start, message, hint)
    }

    /// Loads one file of the chain; `from` is the `extends` value naming it.
    fn file(
        &mut self,
        path: &Path,
        name: &str,
        from: Option<Span>,
    ) -> Result<Node, Vec<FileDiagnostics>> {
        let bytes = (self.read)(path).map_err(|e| match from {
            Some(span) => self.fail(span, format!("cannot read the base `{name}`: {e}"), None),
            None => problem(
                &Source {
                    name: name.into(),
                    text: String::new(),
                },
                0,
                format!("cannot read the scenario: {e}"),
                None,
            ),
        })?;
        // a lone carriage return ends a line here too (positions count lines)
        let text = super::text_of(name, &bytes).map_err(|e| vec![e])?;
        let text = super::locate::unify_line_breaks(text).into_owned();
        let source = self.sources.len();
        self.sources.push(Source {
            name: name.to_string(),
            text,
        });
        let text = self.sources[source].text.as_str();
        let node = match tree::parse(source, text) {
            Ok(n) => n,
            Err(e) => return Err(vec![super::syntax_diagnostics(name, text, e)]),
        };
        let Node::Struct(mut top) = node else {
            return Err(problem(
                &self.sources[source],
                0,
                "a scenario is `Scenario(...)`".into(),
                None,
            ));
        };
        self.chain.push(absolute(path));
        let extends = take(&mut top, "extends");
        let remove = take(&mut top, "remove");
        let mut node = Node::Struct(top);
        if let Some(extends) = extends {
            let base = self.base(path, name, &extends)?;
            let base = self.remove(base, remove)?;
            node = edit::merge(base, node, &|s| self.struct_name(s));
        } else if let Some(remove) = remove {
            return Err(self.fail(
                leaf_span(&remove),
                "`remove` needs `extends`: it deletes values of the base".into(),
                Some("add `extends: \"base.ron\"`, or delete `remove`".into()),
            ));
        }
        self.chain.pop();
        Ok(node)
    }

    /// Loads the base named by `extends` in the file at `path`.
    fn base(
        &mut self,
        path: &Path,
        name: &str,
        extends: &Node,
    ) -> Result<Node, Vec<FileDiagnostics>> {
        let span = leaf_span(extends);
        let Some(relative) = string_value(self.span_text(span)) else {
            return Err(self.fail(
                span,
                "`extends` must be a file name in quotes".into(),
                Some("`extends: \"shop-base.ron\"`".into()),
            ));
        };
        let base_path = path.parent().unwrap_or(Path::new("")).join(&relative);
        let base_name = Path::new(name)
            .parent()
            .unwrap_or(Path::new(""))
            .join(&relative)
            .display()
            .to_string();
        let outside = |canonical: &Path| {
            (!canonical.starts_with(&self.root)).then(|| self.fail(span, format!("`{relative}` is outside the repository root"), Some("a base must live in the repository of the design: under the folder holding `.git` above it (or its own folder, outside git)".into())))
        };
        // judged by name first, so that nothing is said of files outside
        if let Some(e) = outside(&absolute(&base_path)) {
            return Err(e);
        }
        let canonical = self.resolve(&base_path, &base_name, span)?;
        if let Some(e) = outside(&canonical) {
            return Err(e);
        }
        if let Some(i) = self.chain.iter().position(|p| *p == canonical) {
            let cycle: Vec<String> = self.chain[i..]
                .iter()
                .chain([&canonical])
                .map(|p| {
                    p.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect();
            return Err(self.fail(
                span,
                format!("`extends` cycle: {}", cycle.join(" -> ")),
                Some("a base cannot extend a design built on it".into()),
            ));
        }
        if self.chain.len() >= MAX_CHAIN {
            return Err(self.fail(
                span,
                format!("more than {MAX_CHAIN} files in an `extends` chain"),
                None,
            ));
        }
        self.file(&base_path, &base_name, Some(span))
    }

    /// The canonical path of the base at `path`, which must be (or link to)
    /// a regular file: a base whose links do not resolve (a link to a pipe
    /// reads as `pipe:[...]`) is refused rather than judged by its name.
    fn resolve(
        &self,
        path: &Path,
        name: &str,
        span: Span,
    ) -> Result<PathBuf, Vec<FileDiagnostics>> {
        let refused = |e: std::io::Error| {
            let hint = (e.kind() == std::io::ErrorKind::InvalidInput)
                .then(|| "`extends` names a scenario file (`.ron`) in the repository".into());
            self.fail(span, format!("cannot read the base `{name}`: {e}"), hint)
        };
        crate::input::check_regular(path).map_err(refused)?;
        std::fs::canonicalize(path).map_err(refused)
    }

    /// Applies a `remove` list to the base.
    fn remove(&self, mut base: Node, remove: Option<Node>) -> Result<Node, Vec<FileDiagnostics>> {
        let Some(remove) = remove else {
            return Ok(base);
        };
        let Node::List(list) = remove else {
            return Err(self.fail(
                leaf_span(&remove),
                "`remove` must be a list of dot paths".into(),
                Some("`remove: [\"services.recommendations\"]`".into()),
            ));
        };
        for item in &list.items {
            let span = leaf_span(item);
            let Some(path) = string_value(self.span_text(span)) else {
                return Err(self.fail(
                    span,
                    "a `remove` path must be a string".into(),
                    Some("`remove: [\"services.recommendations\"]`".into()),
                ));
            };
            if let Err(e) = edit::remove(&mut base, &edit::segments(&path)) {
                return Err(self.fail(
                    span,
                    format!("cannot remove `{path}` from the base: {}", e.message),
                    path_hint(&e),
                ));
            }
        }
        Ok(base)
    }

    /// Applies the `--set` edits, each as its own source.
    fn assign(
        &mut self,
        mut node: Node,
        sets: &[Assignment],
    ) -> Result<Node, Vec<FileDiagnostics>> {
        for a in sets {
            let source = self.sources.len();
            self.sources.push(Source {
                name: "--set".into(),
                text: a.argument.clone(),
            });
            let value_text = a.argument.get(a.value.clone()).unwrap_or("");
            let value = match tree::parse(source, value_text) {
                Ok(v) => shift(v, a.value.start),
                Err(e) => {
                    return Err(problem(
                        &self.sources[source],
                        a.value.start + e.at,
                        format!("invalid value: {}", e.message),
                        None,
                    ))
                }
            };
            let path_text = a.argument.get(a.path.clone()).unwrap_or("");
            let segments = edit::segments(path_text);
            let last = segments.last().map_or(0, String::len);
            let key = Span {
                source,
                start: a.path.end - last.min(a.path.len()),
                end: a.path.end,
            };
            if let Err(e) = edit::set(&mut node, &segments, value, key) {
                return Err(problem(
                    &self.sources[source],
                    a.path.start,
                    format!("cannot set `{path_text}`: {}", e.message),
                    path_hint(&e),
                ));
            }
        }
        Ok(node)
    }
}

/// A hint naming the closest existing key, or listing them.
fn path_hint(e: &edit::PathError) -> Option<String> {
    let last = e.segment.as_str();
    let keys: Vec<&str> = e.candidates.iter().map(String::as_str).collect();
    if let Some(best) = closest(last, keys.iter().copied()) {
        return Some(format!("did you mean `{best}`?"));
    }
    (!keys.is_empty()).then(|| {
        format!(
            "known here: {}",
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Removes and returns the value of `key`.
fn take(s: &mut Struct, key: &str) -> Option<Node> {
    let i = s.entries.iter().position(|e| e.key == key)?;
    Some(s.entries.remove(i).value)
}

/// The span of a leaf, or the opening bracket of anything else.
fn leaf_span(node: &Node) -> Span {
    match node {
        Node::Leaf(s) => *s,
        Node::Struct(s) => s.name.unwrap_or(s.open),
        Node::List(l) => l.open,
    }
}

/// The content of a plain `"..."` string (escapes are not expected in paths).
fn string_value(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then(|| inner.to_string())
}

/// Moves every span of a tree parsed from a slice by `by` bytes.
fn shift(node: Node, by: usize) -> Node {
    let s = |span: Span| Span {
        start: span.start + by,
        end: span.end + by,
        ..span
    };
    match node {
        Node::Leaf(span) => Node::Leaf(s(span)),
        Node::List(mut l) => {
            l.open = s(l.open);
            l.items = l.items.into_iter().map(|i| shift(i, by)).collect();
            Node::List(l)
        }
        Node::Struct(mut st) => {
            st.name = st.name.map(s);
            st.open = s(st.open);
            for e in &mut st.entries {
                e.key_span = s(e.key_span);
                e.value = shift(
                    std::mem::replace(&mut e.value, Node::Leaf(s(e.key_span))),
                    by,
                );
            }
            Node::Struct(st)
        }
    }
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
