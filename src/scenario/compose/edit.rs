//! Edits of a value tree: merging a diff over a base, removing and setting
//! the value at a dot path.

use super::tree::{Node, Struct};

/// Merges `diff` over `base`: structs with the same name (and maps) merge by
/// key, recursively, new keys appended in the diff's order; anything else
/// (lists, leaves, a struct of another name) is replaced by the diff's value.
/// `name` reads a span's text, to compare struct names across files.
pub fn merge(base: Node, diff: Node, name: &dyn Fn(&Struct) -> Option<String>) -> Node {
    match (base, diff) {
        (Node::Struct(mut b), Node::Struct(d))
            if b.map == d.map && same_name(name(&b), name(&d)) =>
        {
            for entry in d.entries {
                match b.entries.iter_mut().find(|e| e.key == entry.key) {
                    Some(existing) => {
                        let old = std::mem::replace(&mut existing.value, Node::List(empty_list()));
                        existing.value = merge(old, entry.value, name);
                        existing.key_span = entry.key_span;
                    }
                    None => b.entries.push(entry),
                }
            }
            b.name = d.name.or(b.name);
            b.open = d.open;
            Node::Struct(b)
        }
        (_, diff) => diff,
    }
}

/// Names match when equal or when one is left out (`(...)` for `Scenario(...)`).
fn same_name(a: Option<String>, b: Option<String>) -> bool {
    a.is_none() || b.is_none() || a == b
}

fn empty_list() -> super::tree::List {
    super::tree::List {
        open: super::tree::Span {
            source: 0,
            start: 0,
            end: 0,
        },
        items: Vec::new(),
    }
}

/// Why a path does not lead anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// The keys that exist where the path went wrong (for a hint).
    pub candidates: Vec<String>,
    /// The segment that was not found.
    pub segment: String,
}

/// Splits `services."a.b".replicas` into its segments; a quoted segment may
/// hold dots.
pub fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

/// Removes the value at `path` (a struct field, a map entry or a list item).
///
/// # Errors
/// [`PathError`] when the path leads nowhere.
pub fn remove(root: &mut Node, path: &[String]) -> Result<(), PathError> {
    let (last, parent) = split(path)?;
    let parent = walk(root, parent)?;
    match parent {
        Node::Struct(s) => match s.entries.iter().position(|e| &e.key == last) {
            Some(i) => {
                s.entries.remove(i);
                Ok(())
            }
            None => Err(no_key(s, last)),
        },
        Node::List(l) => {
            let i = index(last, l.items.len())?;
            l.items.remove(i);
            Ok(())
        }
        Node::Leaf(_) => Err(not_a_container(last)),
    }
}

/// Sets the value at `path`, adding a struct field or map entry if missing
/// (`key` gives the span of the new key); a list item must exist.
///
/// # Errors
/// [`PathError`] when the path leads nowhere.
pub fn set(
    root: &mut Node,
    path: &[String],
    value: Node,
    key: super::tree::Span,
) -> Result<(), PathError> {
    let (last, parent) = split(path)?;
    match walk(root, parent)? {
        Node::Struct(s) => {
            match s.entries.iter_mut().find(|e| &e.key == last) {
                Some(e) => {
                    e.value = value;
                    e.key_span = key;
                }
                None => s.entries.push(super::tree::Entry {
                    key: last.clone(),
                    key_span: key,
                    value,
                }),
            }
            Ok(())
        }
        Node::List(l) => {
            let i = index(last, l.items.len())?;
            l.items[i] = value;
            Ok(())
        }
        Node::Leaf(_) => Err(not_a_container(last)),
    }
}

fn split(path: &[String]) -> Result<(&String, &[String]), PathError> {
    match path.split_last() {
        Some((last, parent)) if !last.is_empty() => Ok((last, parent)),
        _ => Err(PathError {
            message: "the path is empty".into(),
            candidates: Vec::new(),
            segment: String::new(),
        }),
    }
}

/// The node at `path`.
fn walk<'a>(mut node: &'a mut Node, path: &[String]) -> Result<&'a mut Node, PathError> {
    for segment in path {
        node = match node {
            Node::Struct(s) => {
                let known = keys(s);
                match s.entries.iter_mut().find(|e| &e.key == segment) {
                    Some(e) => &mut e.value,
                    None => {
                        return Err(PathError {
                            message: format!("no `{segment}` here"),
                            candidates: known,
                            segment: segment.clone(),
                        })
                    }
                }
            }
            Node::List(l) => {
                let i = index(segment, l.items.len())?;
                &mut l.items[i]
            }
            Node::Leaf(_) => return Err(not_a_container(segment)),
        };
    }
    Ok(node)
}

fn keys(s: &Struct) -> Vec<String> {
    s.entries.iter().map(|e| e.key.clone()).collect()
}

fn no_key(s: &Struct, key: &str) -> PathError {
    PathError {
        message: format!("no `{key}` here"),
        candidates: keys(s),
        segment: key.to_string(),
    }
}

fn not_a_container(segment: &str) -> PathError {
    PathError {
        message: format!("`{segment}` is below a plain value"),
        candidates: Vec::new(),
        segment: segment.to_string(),
    }
}

fn index(segment: &str, len: usize) -> Result<usize, PathError> {
    match segment.parse::<usize>() {
        Ok(i) if i < len => Ok(i),
        Ok(i) => Err(PathError {
            message: format!("index {i} is past the end of a list of {len}"),
            candidates: Vec::new(),
            segment: segment.to_string(),
        }),
        Err(_) => Err(PathError {
            message: format!("`{segment}` names an item of a list; give its index from 0"),
            candidates: Vec::new(),
            segment: segment.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn name_of(src: &str) -> impl Fn(&Struct) -> Option<String> + '_ {
        move |s: &Struct| s.name.map(|n| src[n.start..n.end].to_string())
    }

    #[test]
    fn maps_merge_by_key_and_lists_and_scalars_replace() {
        // one text holding both values, so that spans index one string
        let src = r#"[(a: 1, m: {"x": (p: 1, q: 2), "y": (p: 3)}, l: [1, 2], r: Exp(mean: "1h")),
                      (a: 5, m: {"x": (q: 9), "z": (p: 0)}, l: [7], r: Fixed("2h"))]"#;
        let Ok(Node::List(both)) = parse(0, src) else {
            panic!()
        };
        let merged = merge(both.items[0].clone(), both.items[1].clone(), &name_of(src));
        let Node::Struct(s) = merged else { panic!() };
        let leaf = |n: &Node| match n {
            Node::Leaf(sp) => src[sp.start..sp.end].to_string(),
            _ => "?".into(),
        };
        assert_eq!(leaf(s.get("a").unwrap()), "5");
        let Some(Node::Struct(m)) = s.get("m") else {
            panic!()
        };
        assert_eq!(keys(m), ["x", "y", "z"]);
        let Some(Node::Struct(x)) = m.get("x") else {
            panic!()
        };
        assert_eq!(
            (leaf(x.get("p").unwrap()), leaf(x.get("q").unwrap())),
            ("1".into(), "9".into())
        );
        let Some(Node::List(l)) = s.get("l") else {
            panic!()
        };
        assert_eq!(l.items.len(), 1);
        assert_eq!(leaf(s.get("r").unwrap()), "Fixed(\"2h\")");
    }

    #[test]
    fn a_struct_of_another_name_replaces_rather_than_merges() {
        let src = r#"[(r: ActivePassive(detect: Fixed("1m"), switch: Fixed("1m"))), (r: ActiveActive(shift: "1m"))]"#;
        let Ok(Node::List(both)) = parse(0, src) else {
            panic!()
        };
        let Node::Struct(s) = merge(both.items[0].clone(), both.items[1].clone(), &name_of(src))
        else {
            panic!()
        };
        let Some(Node::Struct(r)) = s.get("r") else {
            panic!()
        };
        assert_eq!(keys(r), ["shift"]);
    }

    #[test]
    fn remove_and_set_follow_dot_paths_through_maps_structs_and_lists() {
        let src = r#"(services: {"a.b": (d: [(replicas: 1), (replicas: 2)]), "c": ()})"#;
        let mut root = parse(0, src).unwrap();
        let path = segments("services.\"a.b\".d.1.replicas");
        assert_eq!(path, ["services", "a.b", "d", "1", "replicas"]);
        let key = super::super::tree::Span {
            source: 0,
            start: 0,
            end: 0,
        };
        set(&mut root, &path, Node::Leaf(key), key).unwrap();
        remove(&mut root, &segments("services.c")).unwrap();
        let e = remove(&mut root, &segments("services.cc")).unwrap_err();
        assert_eq!(e.candidates, ["a.b"]);
        let e = set(
            &mut root,
            &segments("services.\"a.b\".d.2.replicas"),
            Node::Leaf(key),
            key,
        )
        .unwrap_err();
        assert_eq!(e.message, "index 2 is past the end of a list of 2");
        let Node::Struct(s) = &root else { panic!() };
        let Some(Node::Struct(services)) = s.get("services") else {
            panic!()
        };
        assert_eq!(keys(services), ["a.b"]);
    }
}
