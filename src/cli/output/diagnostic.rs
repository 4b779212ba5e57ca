//! The one printer of errors and warnings on stderr.
//!
//! ```text
//! shop.ron:4:17: error: `trials` must be at least 1
//!   |
//! 4 |     trials: 0,
//!   |             ^
//!   hint: write `trials: 10000`, or leave it out for the default
//! ```
//!
//! The first line is always `FILE:LINE:COL: error: MESSAGE` (or `FILE:
//! error: ...`, or `error: ...` where there is no file), never coloured, so
//! that CI parsers and editors can read it. Where the file's text is at hand
//! the offending line follows with a caret under the token, drawn by
//! annotate-snippets, in colour only when stderr is a terminal and
//! `NO_COLOR` is not set; then the hint. Under GitHub Actions
//! (`GITHUB_ACTIONS=true`) an `::error file=...,line=...,col=...::MESSAGE`
//! workflow command follows, so that the problem annotates the pull request.

use std::io::IsTerminal;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::scenario::Position;
use crate::text::{breaks_display, one_line};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The command fails.
    Error,
    /// The command goes on.
    Warning,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem to print: where, what, how to fix it, and the text it is in.
#[derive(Debug, Clone)]
pub struct Problem<'a> {
    severity: Severity,
    /// The file as given, unescaped.
    file: Option<String>,
    position: Option<Position>,
    message: String,
    /// Lines after the first (hints), as they are printed.
    hints: Vec<String>,
    /// The text of `file`, for the source line.
    source: Option<&'a str>,
}

/// How the printer writes: colours, and GitHub workflow commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Colour the source line and caret.
    pub colour: bool,
    /// Add a GitHub Actions workflow command.
    pub github: bool,
}

impl Style {
    /// The style for this process's stderr: colour on a terminal unless
    /// `NO_COLOR` is set (to anything but the empty string), workflow
    /// commands when `GITHUB_ACTIONS` is `true`.
    pub fn of_stderr() -> Style {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            colour: std::io::stderr().is_terminal() && !no_colour,
            github: std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
        }
    }
}

impl<'a> Problem<'a> {
    /// An error saying `message`.
    pub fn error(message: impl Into<String>) -> Problem<'a> {
        Problem::new(Severity::Error, message.into())
    }

    /// A warning saying `message`.
    pub fn warning(message: impl Into<String>) -> Problem<'a> {
        Problem::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Problem<'a> {
        Problem {
            severity,
            file: None,
            position: None,
            message,
            hints: Vec::new(),
            source: None,
        }
    }

    /// In the file named `file`, at `position` if known.
    pub fn in_file(mut self, file: &str, position: Option<Position>) -> Problem<'a> {
        self.file = Some(file.to_string());
        self.position = position;
        self
    }

    /// With the text of its file, to show the offending line.
    pub fn with_source(mut self, source: Option<&'a str>) -> Problem<'a> {
        self.source = source;
        self
    }

    /// With a `hint:` line, if any.
    pub fn with_hint(mut self, hint: Option<&str>) -> Problem<'a> {
        if let Some(hint) = hint {
            self.hints.push(format!("  hint: {}", one_line(hint)));
        }
        self
    }

    /// A problem already written as `[FILE[:LINE:COL]: ]error: MESSAGE`,
    /// with more lines (hints) after the first, as the error types of the
    /// output and merge code write themselves.
    pub fn parse(text: &str) -> Problem<'a> {
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let (severity, at, message) = split_first_line(first);
        let mut problem = Problem::new(severity, message.to_string());
        if let Some(at) = at {
            let (file, position) = split_position(at);
            problem = problem.in_file(file, position);
        }
        problem.hints = lines.map(str::to_string).collect();
        problem
    }

    /// Prints the problem on stderr in the style of stderr.
    pub fn print(&self) {
        super::print_stderr(format_args!("{}", self.render(Style::of_stderr())));
    }

    /// The text [`Problem::print`] writes (without the final newline).
    pub fn render(&self, style: Style) -> String {
        let message = one_line(&self.message);
        let severity = self.severity.word();
        let mut out = match (&self.file, self.position) {
            (Some(file), Some(p)) => {
                format!(
                    "{}:{}:{}: {severity}: {message}",
                    one_line(file),
                    p.line,
                    p.col
                )
            }
            (Some(file), None) => format!("{}: {severity}: {message}", one_line(file)),
            (None, _) => format!("{severity}: {message}"),
        };
        if let (Some(source), Some(position)) = (self.source, self.position) {
            if let Some(snippet) = snippet(self.severity, source, position, style.colour) {
                out.push('\n');
                out.push_str(&snippet);
            }
        }
        for hint in &self.hints {
            out.push('\n');
            out.push_str(&one_line(hint));
        }
        if style.github {
            out.push('\n');
            out.push_str(&self.workflow_command());
        }
        out
    }

    /// `::error file=F,line=L,col=C::MESSAGE` (hints on further lines of
    /// the message), escaped as GitHub's workflow commands require.
    fn workflow_command(&self) -> String {
        let mut properties = Vec::new();
        if let Some(file) = &self.file {
            properties.push(format!("file={}", escape_property(&one_line(file))));
        }
        if let Some(p) = self.position {
            properties.push(format!("line={}", p.line));
            properties.push(format!("col={}", p.col));
        }
        let mut message = one_line(&self.message).into_owned();
        for hint in &self.hints {
            message.push('\n');
            message.push_str(one_line(hint).trim());
        }
        let properties = if properties.is_empty() {
            String::new()
        } else {
            format!(" {}", properties.join(","))
        };
        format!(
            "::{}{properties}::{}",
            self.severity.word(),
            escape_data(&message)
        )
    }
}

/// The severity, the location (before `: error: `) and the message of a
/// first line.
fn split_first_line(line: &str) -> (Severity, Option<&str>, &str) {
    for severity in [Severity::Error, Severity::Warning] {
        let word = severity.word();
        if let Some(message) = line.strip_prefix(&format!("{word}: ")) {
            return (severity, None, message);
        }
        if let Some((at, message)) = line.split_once(&format!(": {word}: ")) {
            return (severity, Some(at), message);
        }
    }
    (Severity::Error, None, line)
}

/// `FILE:LINE:COL` as the file and position, or `FILE` alone.
fn split_position(at: &str) -> (&str, Option<Position>) {
    let mut parts = at.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    let number = |s: Option<&str>| s.and_then(|s| s.parse::<usize>().ok());
    match (number(line), number(col), file) {
        (Some(line), Some(col), Some(file)) => (file, Some(Position { line, col })),
        _ => (at, None),
    }
}

/// GitHub's escaping of a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The most characters of a source line shown (a minified file is one long
/// line): a window around the column.
const SHOWN_CHARS: usize = 120;

/// The terminal width the renderer is told: wide enough for any window.
const RENDER_WIDTH: usize = 4 * SHOWN_CHARS;

/// Characters shown before the column when the line is cut.
const CONTEXT_CHARS: usize = 40;

/// The source line at `position` with a caret under the token there, or
/// `None` when the line is blank or past the end of the text.
fn snippet(severity: Severity, source: &str, position: Position, colour: bool) -> Option<String> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let line = lines(source).nth(position.line.checked_sub(1)?)?;
    if line.trim().is_empty() {
        return None;
    }
    let (shown, span) = window(line, position.col.saturating_sub(1));
    let level = match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let report = [Group::with_level(level).element(
        Snippet::source(shown)
            .line_start(position.line)
            .annotation(AnnotationKind::Primary.span(span)),
    )];
    let renderer = if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // the line is cut to a window already: the renderer cuts no more
    let renderer = renderer.term_width(RENDER_WIDTH);
    let text = renderer.render(&report);
    // the renderer's blank first and last gutter lines add nothing
    let text = text.trim_end_matches('\n');
    Some(text.to_string())
}

/// The lines of `text`, ended by `\n`, `\r\n` or a lone `\r` (as the
/// positions count them).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// The part of `line` shown (escaped, cut to [`SHOWN_CHARS`] around the
/// column `col`, from 0) and the byte range of the token at `col` in it.
fn window(line: &str, col: usize) -> (String, std::ops::Range<usize>) {
    let chars: Vec<char> = line.chars().collect();
    // a line that fits is shown whole; a longer one from a little before the
    // column, or its last SHOWN_CHARS characters
    let start = col
        .saturating_sub(CONTEXT_CHARS)
        .min(chars.len().saturating_sub(SHOWN_CHARS));
    let end = (start + SHOWN_CHARS).min(chars.len());
    let token_end = token_end(&chars, col).clamp(col, end.max(col));
    let mut shown = String::new();
    if start > 0 {
        shown.push_str("...");
    }
    let mut span = shown.len()..shown.len();
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        if i == col {
            span.start = shown.len();
        }
        if breaks_display(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
        if i + 1 == token_end {
            span.end = shown.len();
        }
    }
    if col >= end {
        // past the end of the line (or of the window): a caret after it
        span = shown.len()..shown.len();
    }
    span.end = span.end.max(span.start);
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, span)
}

/// Where the token starting at `col` ends: a quoted string to its closing
/// quote, a word or number to its last character, else one character.
fn token_end(chars: &[char], col: usize) -> usize {
    let Some(&first) = chars.get(col) else {
        return col;
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    if first == '"' {
        let mut i = col + 1;
        while let Some(&c) = chars.get(i) {
            match c {
                '\\' => i += 2,
                '"' => return i + 1,
                _ => i += 1,
            }
        }
        chars.len()
    } else if word(first) {
        col + chars[col..].iter().take_while(|&&c| word(c)).count()
    } else {
        col + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, col: usize) -> Option<Position> {
        Some(Position { line, col })
    }

    #[test]
    fn the_caret_underlines_the_token_at_the_column() {
        let source = "Scenario(\n    trials: 0,\n)\n";
        let problem = Problem::error("`trials` must be at least 1")
            .in_file("a.ron", at(2, 13))
            .with_source(Some(source))
            .with_hint(Some("write `trials: 10000`"));
        let text = problem.render(Style::default());
        assert_eq!(
            text,
            "a.ron:2:13: error: `trials` must be at least 1\n  |\n2 |     trials: 0,\n  |             ^\n  hint: write `trials: 10000`"
        );
    }

    #[test]
    fn a_string_is_underlined_to_its_closing_quote() {
        let (shown, span) = window(r#"  in: "aws/us-east-2","#, 6);
        assert_eq!(&shown[span], r#""aws/us-east-2""#);
    }

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        let line = format!("{}\"name\"{}", "x".repeat(5000), "y".repeat(5000));
        let (shown, span) = window(&line, 5000);
        assert!(shown.chars().count() <= SHOWN_CHARS + 6, "{}", shown.len());
        assert_eq!(&shown[span], "\"name\"");
    }

    #[test]
    fn control_characters_of_the_line_are_escaped() {
        let (shown, span) = window("a\u{1b}[2J \"x\"", 6);
        assert_eq!(shown, "a\\u{1b}[2J \"x\"");
        assert_eq!(&shown[span], "\"x\"");
    }

    #[test]
    fn a_column_past_the_end_puts_the_caret_after_the_line() {
        let (shown, span) = window("abc", 7);
        assert_eq!(shown, "abc");
        assert_eq!(span, 3..3);
    }

    #[test]
    fn workflow_commands_escape_their_properties_and_message() {
        let problem = Problem::error("50% of `a,b`\nfailed")
            .in_file("dir:x,y.ron", at(3, 4))
            .with_hint(Some("fix it"));
        let style = Style {
            colour: false,
            github: true,
        };
        let text = problem.render(style);
        let command = text.lines().last().unwrap_or_default();
        assert_eq!(
            command,
            "::error file=dir%3Ax%2Cy.ron,line=3,col=4::50%25 of `a,b`\\nfailed%0Ahint: fix it"
        );
    }

    #[test]
    fn a_written_problem_is_read_back_as_it_was() {
        let text = "out/x.json: error: cannot write\n  hint: try elsewhere";
        let problem = Problem::parse(text);
        assert_eq!(problem.render(Style::default()), text);
        let located = Problem::parse("a.ron:2:5: warning: odd");
        assert_eq!(located.severity, Severity::Warning);
        assert_eq!(located.position, at(2, 5));
        assert_eq!(
            Problem::parse("error: x").render(Style::default()),
            "error: x"
        );
    }
}
