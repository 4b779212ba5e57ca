//! `--junit FILE`: JUnit XML, one test case per objective, so that any CI
//! shows the objectives as tests.

use std::fmt::Write;

use super::objectives::{interval, target, value, verdict};
use crate::stats::{RunResult, Verdict};

/// The JUnit XML of the run's objectives. A failed objective is a
/// `<failure>`; an undecided one is `<skipped>`, or a `<failure>` when
/// `strict`.
pub fn junit(r: &RunResult, strict: bool) -> String {
    let failed = |v: Verdict| v == Verdict::Failed || (strict && v == Verdict::Undecided);
    let failures = r.objectives.iter().filter(|o| failed(o.verdict)).count();
    let skipped = (r.objectives.iter())
        .filter(|o| o.verdict == Verdict::Undecided && !strict)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let suite = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\"",
        r.objectives.len()
    );
    let _ = writeln!(out, "<testsuites name=\"faultline\" {suite}>");
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" {suite}>",
        escape(&format!("objectives of {}", r.scenario))
    );
    for o in &r.objectives {
        let detail = format!(
            "{}: estimate {}, 95% CI {}, target {}, {} trials, seed {}",
            verdict(o),
            value(o, o.estimate),
            interval(o),
            target(o),
            r.trials,
            r.seed
        );
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&r.scenario),
            escape(&o.name)
        );
        let kind = match o.verdict {
            Verdict::Met => None,
            v if failed(v) => Some("failure"),
            _ => Some("skipped"),
        };
        match kind {
            None => out.push_str("/>\n"),
            Some(tag) => {
                let _ = writeln!(
                    out,
                    ">\n      <{tag} message=\"{}\"/>\n    </testcase>",
                    escape(&detail)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text escaped for an XML attribute or element; characters XML 1.0 cannot
/// hold at all (most control characters) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{fffd}&#10;"
        );
    }
}
