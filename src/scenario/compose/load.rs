//! Reading an `extends` chain: each file of it parsed into a value tree,
//! its `remove` paths applied to its base, the trees merged, and the
//! `--set` edits applied last, every problem located in the file it is in.

use std::path::{Path, PathBuf};

use super::tree::{self, Node, Span, Struct};
use super::{edit, position_of, Assignment, Read, Source, MAX_CHAIN};
use crate::scenario::diagnostic::{closest, Diagnostic, FileDiagnostics};

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
pub(super) fn repository_root(path: &Path) -> PathBuf {
    let folder = absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    folder
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map_or_else(|| folder.clone(), Path::to_path_buf)
}

/// The files of a chain read so far, and the chain being followed.
pub(super) struct Loader<'a> {
    pub(super) read: Read<'a>,
    pub(super) sources: Vec<Source>,
    /// Canonical paths of the files being loaded, top first.
    pub(super) chain: Vec<PathBuf>,
    pub(super) root: PathBuf,
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
    pub(super) fn file(
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
        let text = crate::scenario::text_of(name, &bytes).map_err(|e| vec![e])?;
        let text = crate::scenario::locate::unify_line_breaks(text).into_owned();
        let source = self.sources.len();
        self.sources.push(Source {
            name: name.to_string(),
            text,
        });
        let text = self.sources[source].text.as_str();
        let node = match tree::parse(source, text) {
            Ok(n) => n,
            Err(e) => return Err(vec![crate::scenario::syntax_diagnostics(name, text, e)]),
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
    pub(super) fn assign(
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
