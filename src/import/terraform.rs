//! `faultline import terraform`: the JSON of `terraform show -json` (a plan:
//! `planned_values`; a state: `values`; or a state file itself, format
//! version 4) read into resources, grouped by address without the
//! `count`/`for_each` index, and drafted as services by
//! [`super::terraform_cloud`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::names::Unique;
use super::placement::Context;
use super::terraform_cloud;
use super::{Draft, ImportError, MAX_SERVICES};

/// One resource instance of the input.
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// Its address without the trailing instance index (the group's key).
    pub group: String,
    /// Its type (`aws_instance`).
    pub kind: String,
    /// Its attribute values.
    pub values: Map<String, Value>,
}

/// Drafts a scenario from the text of `file`.
///
/// # Errors
/// Not JSON (with line and column), not Terraform's JSON, or no resource
/// that the import models.
pub fn draft(file: &str, text: &str) -> Result<Draft, ImportError> {
    if text.starts_with("[command]") {
        return Err(ImportError::Content {
            file: format!("{file}:1:1"),
            message: "the first line is the `[command]` line of setup-terraform's wrapper, not JSON".into(),
            hint: "set `terraform_wrapper: false` on hashicorp/setup-terraform, or write the file with `terraform show -json PLANFILE > plan.json`".into(),
        });
    }
    let json: Value = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        file: file.to_string(),
        line: e.line().max(1),
        col: e.column().max(1),
        message: format!("not valid JSON: {}", strip_position(&e.to_string())),
    })?;
    let Some(resources) = read_resources(&json) else {
        return Err(not_terraform(file, &json));
    };
    let context = Context::new(&json, &resources);
    let mut draft = Draft {
        title: super::title(&[file.to_string()]),
        header: header(file),
        ..Draft::default()
    };
    let mut names = Unique::default();
    for (group, members) in groups(&resources) {
        match terraform_cloud::service(&group, &members, &context, &mut names) {
            Some(service) => draft.services.push(service),
            None => draft
                .unmodelled
                .push(format!("{group} ({})", members.len())),
        }
    }
    check_drafted(file, &draft, resources.len())?;
    Ok(draft)
}

/// The error for JSON that is not Terraform's: a state in a format older
/// than 4 is named as such.
fn not_terraform(file: &str, json: &Value) -> ImportError {
    let old_state = json.get("modules").is_some() && json.get("terraform_version").is_some();
    let (message, hint) = match json.get("version").and_then(Value::as_u64) {
        Some(v) if v < 4 && old_state => (
            format!("a Terraform state in format version {v} (Terraform 0.11 or older), which `import` does not read"),
            "upgrade it with Terraform 0.12 or later (any `terraform apply` rewrites it), or give `terraform show -json` of it",
        ),
        _ => (
            "this JSON is not the output of `terraform show -json` nor a Terraform state".to_string(),
            "write it with `terraform show -json PLANFILE > plan.json` (or without PLANFILE for the state)",
        ),
    };
    ImportError::Content {
        file: file.to_string(),
        message,
        hint: hint.into(),
    }
}

/// An error unless the draft has between 1 and [`MAX_SERVICES`] services.
fn check_drafted(file: &str, draft: &Draft, resources: usize) -> Result<(), ImportError> {
    if draft.services.is_empty() {
        let message = match resources {
            0 => "it has no resources".to_string(),
            n => format!("none of its {n} resource(s) is a compute, database, cache or load-balancer resource that `import` models"),
        };
        return Err(ImportError::Content {
            file: file.to_string(),
            message,
            hint: "`import terraform` reads AWS, Google Cloud and Azure compute, database, cache and load-balancer resources; see docs/import.md".into(),
        });
    }
    if draft.services.len() > MAX_SERVICES {
        return Err(ImportError::Content {
            file: file.to_string(),
            message: format!(
                "it would give {} services; `import` writes at most {MAX_SERVICES}",
                draft.services.len()
            ),
            hint: "import one workspace or module at a time".into(),
        });
    }
    Ok(())
}

fn header(file: &str) -> Vec<String> {
    vec![
        format!("Imported by `faultline import terraform` from {file}."),
        "Every inferred choice has a comment; check them, then add what no plan shows:".into(),
        "which service calls which (depends_on), how traffic fails over, and what an hour of outage costs (cost).".into(),
    ]
}

/// serde_json's message without its trailing "at line L column C".
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// Resource groups in the order of their first instance.
fn groups(resources: &[Resource]) -> Vec<(String, Vec<&Resource>)> {
    let mut order: Vec<(String, Vec<&Resource>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for r in resources {
        match index.get(r.group.as_str()) {
            Some(&i) => order[i].1.push(r),
            None => {
                index.insert(&r.group, order.len());
                order.push((r.group.clone(), vec![r]));
            }
        }
    }
    order
}

/// The managed resources of a plan, of `show -json` of a state, or of a
/// state file; `None` when the JSON is none of them.
fn read_resources(json: &Value) -> Option<Vec<Resource>> {
    let mut out = Vec::new();
    let module = |key: &str| json.get(key).and_then(|v| v.get("root_module"));
    if let Some(root) = module("planned_values").or_else(|| module("values")) {
        walk_module(root, &mut out);
    } else if let Some(root) = json
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        walk_module(root, &mut out);
    } else if let (Some(Value::Number(_)), Some(Value::Array(resources))) =
        (json.get("version"), json.get("resources"))
    {
        state_resources(resources, &mut out);
    } else if json.get("format_version").is_some() && json.get("terraform_version").is_some() {
        // a plan or state with nothing in it: no resources
    } else {
        return None;
    }
    Some(out)
}

/// The managed resources of a module of `show -json` output and of its
/// child modules.
fn walk_module(module: &Value, out: &mut Vec<Resource>) {
    for r in array(module, "resources") {
        if r.get("mode").and_then(Value::as_str).unwrap_or("managed") != "managed" {
            continue;
        }
        let (Some(address), Some(kind)) = (str_of(r, "address"), str_of(r, "type")) else {
            continue;
        };
        let group = if r.get("index").is_some() {
            without_index(address)
        } else {
            address
        };
        let values = r.get("values").and_then(Value::as_object).cloned();
        out.push(Resource {
            group: group.to_string(),
            kind: kind.to_string(),
            values: values.unwrap_or_default(),
        });
    }
    for child in array(module, "child_modules") {
        walk_module(child, out);
    }
}

/// The managed resources of a state file (format version 4).
fn state_resources(resources: &[Value], out: &mut Vec<Resource>) {
    for r in resources {
        if r.get("mode").and_then(Value::as_str).unwrap_or("managed") != "managed" {
            continue;
        }
        let (Some(kind), Some(name)) = (str_of(r, "type"), str_of(r, "name")) else {
            continue;
        };
        let group = match str_of(r, "module") {
            Some(m) => format!("{m}.{kind}.{name}"),
            None => format!("{kind}.{name}"),
        };
        for instance in array(r, "instances") {
            let values = instance.get("attributes").and_then(Value::as_object);
            out.push(Resource {
                group: group.clone(),
                kind: kind.to_string(),
                values: values.cloned().unwrap_or_default(),
            });
        }
    }
}

/// `address` without a trailing `[0]` or `["key"]`.
fn without_index(address: &str) -> &str {
    match (address.ends_with(']'), address.rfind('[')) {
        (true, Some(i)) => &address[..i],
        _ => address,
    }
}

/// The elements of the array at `key`, or none.
pub(crate) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The string at `key`, if it is one and not empty.
pub(crate) fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_and_for_each_instances_group_by_address_without_index() {
        assert_eq!(without_index("aws_instance.web[0]"), "aws_instance.web");
        assert_eq!(
            without_index("module.a[\"x\"].aws_instance.web[\"blue\"]"),
            "module.a[\"x\"].aws_instance.web"
        );
        assert_eq!(without_index("aws_instance.web"), "aws_instance.web");
    }
}
