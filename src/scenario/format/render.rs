//! The canonical layout: 4-space indent; a group that fits on its line (and
//! holds no comment) written on it, `(a: 1, b: [x, y])`, `{ "k": v }`; any
//! other group one item per line with a trailing comma; the file's top-level
//! value always one field per line. Comments stay where they were written
//! (before, inside or after their item), blank lines between items stay
//! (one at most).

use super::tree::{closing, Element, Group, Item, Part};

/// The width a group must fit in to stay on one line (as rustfmt's default).
pub const WIDTH: usize = 100;

/// Spaces per nesting level.
const INDENT: usize = 4;

/// Lays out a file's tree.
pub fn file(group: &Group) -> String {
    let mut p = Printer::default();
    p.elements(&group.elements, 0, Mode::Top);
    let mut out = p.out;
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

#[derive(Default)]
struct Printer {
    out: String,
}

/// Where an item is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At the top of the file: no comma, its groups always broken.
    Top,
    /// On its own line in a broken group: a comma after it.
    Line,
    /// Inside a group written on one line.
    Flat,
}

impl Printer {
    fn column(&self) -> usize {
        let line = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out[line..].chars().count()
    }

    fn newline(&mut self, indent: usize) {
        let end = self.out.trim_end_matches(' ').len();
        self.out.truncate(end);
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// Comments and items one per line at `indent` (the cursor is at the
    /// start of the first line, indented).
    fn elements(&mut self, elements: &[Element], indent: usize, mode: Mode) {
        for (i, element) in elements.iter().enumerate() {
            let blank = match element {
                Element::Comment(c) => c.blank_before,
                Element::Item(item) => item.blank_before,
            };
            if i > 0 {
                if blank {
                    self.newline(0);
                }
                self.newline(indent);
            }
            match element {
                Element::Comment(c) => self.out.push_str(&c.text),
                Element::Item(item) => self.item(item, indent, mode),
            }
        }
    }

    fn item(&mut self, item: &Item, indent: usize, mode: Mode) {
        let comma = mode == Mode::Line;
        for (i, part) in item.parts.iter().enumerate() {
            if let Some(previous) = i.checked_sub(1).and_then(|j| item.parts.get(j)) {
                match separator(previous, part) {
                    Separator::Newline => self.newline(indent),
                    Separator::Space => self.out.push(' '),
                    Separator::None => {}
                }
            }
            match part {
                Part::Atom(a) => self.out.push_str(a),
                Part::Colon => self.out.push(':'),
                Part::Comment(c) => self.out.push_str(&c.text),
                Part::Group(g) if mode == Mode::Flat => self.flat_group(g),
                Part::Group(g) => self.group(g, indent, mode, i + 1 == item.parts.len()),
            }
        }
        if comma {
            self.out.push(',');
        }
        for c in &item.trailing {
            self.out.push(' ');
            self.out.push_str(&c.text);
        }
    }

    /// A group at the cursor; its contents at `indent` + 4, its closing
    /// bracket at `indent`. `last`: it ends its item (a `,` may follow).
    fn group(&mut self, group: &Group, indent: usize, mode: Mode, last: bool) {
        let Some(open) = group.open else {
            return;
        };
        let comma = mode == Mode::Line && last;
        let room = WIDTH.saturating_sub(self.column() + usize::from(comma));
        let fits = mode != Mode::Top && flat_width(group, room).is_some();
        if group.elements.is_empty() || fits {
            self.flat_group(group);
            return;
        }
        self.out.push(char::from(open));
        self.newline(indent + INDENT);
        self.elements(&group.elements, indent + INDENT, Mode::Line);
        self.newline(indent);
        self.out.push(char::from(closing(open)));
    }

    /// A group on one line (it holds no comment).
    fn flat_group(&mut self, group: &Group) {
        let Some(open) = group.open else {
            return;
        };
        let (before, after) = pads(open, group);
        self.out.push(char::from(open));
        self.out.push_str(before);
        for (i, element) in group.elements.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            if let Element::Item(item) = element {
                self.item(item, 0, Mode::Flat);
            }
        }
        self.out.push_str(after);
        self.out.push(char::from(closing(open)));
    }
}

/// What goes between two parts of an item.
enum Separator {
    None,
    Space,
    Newline,
}

fn separator(previous: &Part, next: &Part) -> Separator {
    let after_newline = match previous {
        Part::Comment(c) => c.newline_after,
        Part::Atom(a) => a.starts_with("#!"),
        _ => false,
    };
    match (previous, next) {
        _ if after_newline => Separator::Newline,
        (_, Part::Comment(c)) if c.newline_before => Separator::Newline,
        (_, Part::Colon) | (Part::Atom(_), Part::Group(_)) => Separator::None,
        _ => Separator::Space,
    }
}

/// The padding inside the brackets of a group on one line: `{ "k": v }`.
fn pads(open: u8, group: &Group) -> (&'static str, &'static str) {
    if open == b'{' && !group.elements.is_empty() {
        (" ", " ")
    } else {
        ("", "")
    }
}

/// The width of `group` on one line, if it can be written on one line in
/// at most `room` characters (no comment, no line break in it).
fn flat_width(group: &Group, room: usize) -> Option<usize> {
    let open = group.open?;
    let (before, after) = pads(open, group);
    let mut width = 2 + before.len() + after.len();
    for (i, element) in group.elements.iter().enumerate() {
        let Element::Item(item) = element else {
            return None;
        };
        if !item.trailing.is_empty() {
            return None;
        }
        width += if i > 0 { 2 } else { 0 };
        for (j, part) in item.parts.iter().enumerate() {
            if let Some(previous) = j.checked_sub(1).and_then(|k| item.parts.get(k)) {
                match separator(previous, part) {
                    Separator::Newline => return None,
                    Separator::Space => width += 1,
                    Separator::None => {}
                }
            }
            width += match part {
                Part::Atom(a) if a.contains('\n') => return None,
                Part::Atom(a) => a.chars().count(),
                Part::Colon => 1,
                Part::Comment(_) => return None,
                Part::Group(g) => flat_width(g, room.checked_sub(width)?)?,
            };
            if width > room {
                return None;
            }
        }
    }
    (width <= room).then_some(width)
}
