//! Text shared by every output: numbers in words (money, hours,
//! percentages), and the escaping that keeps untrusted names (from scenario
//! files and file names) from changing a terminal, a CI log or a Markdown
//! document: [`one_line`] for text and logs, [`markdown`] for Markdown, and
//! [`column_width`] so that no name decides a format width.

use std::borrow::Cow;

/// The widest column a text table pads to: a longer cell overflows its
/// column instead (a format width above 65,535 would panic).
pub const MAX_COLUMN_WIDTH: usize = 256;

/// The width of a table column: the widest of `cells` (in characters) and
/// `at_least`, at most [`MAX_COLUMN_WIDTH`].
pub fn column_width(cells: impl IntoIterator<Item = usize>, at_least: usize) -> usize {
    cells
        .into_iter()
        .fold(at_least, usize::max)
        .min(MAX_COLUMN_WIDTH)
}

/// Whether `c` can change how the text around it is displayed or read: a
/// control character (C0, DEL, C1: line breaks, ESC, BEL...), a line or
/// paragraph separator, or a bidirectional formatting character (marks,
/// embeddings, overrides and isolates). Scenario names may not hold them.
pub fn breaks_display(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Appends `c`, a character that [`breaks_display`], as its visible Rust
/// escape (`\u{202e}`, `\n`) with its backslash doubled, so that the escape
/// itself survives a format that reads backslashes (Markdown, DOT).
pub fn push_visible(out: &mut String, c: char) {
    for e in c.escape_default() {
        if e == '\\' {
            out.push('\\');
        }
        out.push(e);
    }
}

/// Text with every character that [`breaks_display`] escaped (`\n` as
/// `\\n`, U+202E as `\\u{202e}`), so that a value echoed from an untrusted
/// file cannot break a one-line format, move a terminal's cursor or start a
/// CI workflow command.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(breaks_display) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if breaks_display(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// [`one_line`] as an owned string: untrusted text for a terminal or a log.
pub fn terminal(text: &str) -> String {
    one_line(text).into_owned()
}

/// Untrusted text for anywhere in a Markdown document (table cells,
/// headings, list items): it renders as the same characters and cannot add
/// markup. HTML-significant characters become entities; the characters that
/// make emphasis, code, links, tables, headings, math or escapes are
/// backslash-escaped, as are a leading `-`, `+` or `1.` (a list); what
/// [`breaks_display`] is written escaped as by [`one_line`].
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // a leading `-`, `+` or run of digits then `.` or `)`, followed by a
    // blank or the end, would start a list
    let mut leading_digits = true;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let marker_ends = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' | '#' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' if i == 0 && marker_ends => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if leading_digits && i > 0 && marker_ends => {
                out.push('\\');
                out.push(c);
            }
            // `\n` stays visible: the backslash is escaped too
            c if breaks_display(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
        leading_digits &= c.is_ascii_digit();
    }
    out
}

/// A percentage with enough digits to tell 99.99% from 99.995%.
pub fn percent(x: f64) -> String {
    if (0.9999..1.0).contains(&x) {
        // enough digits that a service that lost anything never shows 100%
        format!("{:.6}%", x * 100.0)
    } else {
        format!("{:.4}%", x * 100.0)
    }
}

/// Hours, with minutes for small values.
pub fn hours(h: f64) -> String {
    if h == 0.0 {
        "0".into()
    } else if h < 1.0 {
        format!("{:.1}m", h * 60.0)
    } else {
        format!("{h:.2}h")
    }
}

/// Money, rounded, with thousands separators (scientific beyond 1e15).
pub fn money(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e15 {
        return format!("{x:.3e}");
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x.round() < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A time as `day D HH:MM:SS` (day 1 starts at hour 0), to the second.
pub fn timestamp(t: f64) -> String {
    let seconds = (t * 3600.0).round().max(0.0) as u64;
    let day = seconds / 86_400 + 1;
    let rest = seconds % 86_400;
    format!(
        "day {day:>3} {:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// A duration in hours as `2d 3h`, `5h 20m`, `12m 30s` or `40s`.
pub fn span(hours: f64) -> String {
    let seconds = (hours * 3600.0).round().max(0.0) as u64;
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s > 0 => format!("{m}m {s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m:02}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_never_wraps() {
        assert_eq!(money(1234567.4), "1,234,567");
        assert_eq!(money(0.0), "0");
        assert_eq!(money(-1500.0), "-1,500");
        assert_eq!(money(2.5e18), "2.500e18");
    }

    #[test]
    fn one_line_escapes_controls_and_bidi_and_keeps_the_rest() {
        assert_eq!(one_line("web"), "web");
        assert_eq!(one_line("é ü 東京"), "é ü 東京");
        assert_eq!(
            one_line("a\n::error::x\r\u{1b}[2J\u{7}"),
            "a\\n::error::x\\r\\u{1b}[2J\\u{7}"
        );
        assert_eq!(one_line("x\u{202e}y\u{2066}"), "x\\u{202e}y\\u{2066}");
    }

    #[test]
    fn markdown_escapes_every_markup_character() {
        assert_eq!(markdown("auth_db"), "auth\\_db");
        assert_eq!(
            markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(markdown("a | b"), "a \\| b");
        assert_eq!(
            markdown("`x` *y* ~z~ [l](u)"),
            "\\`x\\` \\*y\\* \\~z\\~ \\[l\\](u)"
        );
        assert_eq!(markdown("- x"), "\\- x");
        assert_eq!(markdown("12. x"), "12\\. x");
        assert_eq!(markdown("99.5%"), "99.5%");
        assert_eq!(markdown("-5h"), "-5h");
        assert_eq!(markdown("+"), "\\+");
        assert_eq!(markdown("a-b.c"), "a-b.c");
        assert_eq!(markdown("a\n| met |"), "a\\\\n\\| met \\|");
        assert_eq!(markdown("$x$ #h"), "\\$x\\$ \\#h");
        assert_eq!(markdown("\"'&"), "&quot;&#39;&amp;");
    }

    #[test]
    fn column_widths_are_capped() {
        assert_eq!(column_width([3, 7], 5), 7);
        assert_eq!(column_width([], 5), 5);
        assert_eq!(column_width([100_000], 5), MAX_COLUMN_WIDTH);
    }

    #[test]
    fn times_and_spans_read_as_days_hours_minutes() {
        assert_eq!(timestamp(0.0), "day   1 00:00:00");
        assert_eq!(timestamp(24.0 * 41.0 + 7.25), "day  42 07:15:00");
        assert_eq!(span(9.5), "9h 30m");
        assert_eq!(span(0.2), "12m");
        assert_eq!(span(0.21), "12m 36s");
        assert_eq!(span(50.0), "2d 2h");
        assert_eq!(span(1.0 / 3600.0 * 40.0), "40s");
    }
}
