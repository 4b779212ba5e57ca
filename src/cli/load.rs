//! Reading and validating scenarios for the commands, with every problem
//! printed once, on the line it is about.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use super::output::{Inputs, Problem, Severity};
use crate::model::Model;
use crate::scenario::{self, Diagnostic, FileDiagnostics};

/// Reads and validates a scenario, printing diagnostics on failure; returns
/// the model and the file's bytes.
pub fn load(path: &Path) -> Option<(Model, Vec<u8>)> {
    load_with(path, &[], &mut Inputs::default()).map(|l| (l.model, l.bytes))
}

/// As [`load`], with `--set` edits, returning everything loaded and adding
/// every file read (the scenario and its `extends` bases) to `inputs`.
pub fn load_with(
    path: &Path,
    sets: &[scenario::compose::Assignment],
    inputs: &mut Inputs,
) -> Option<scenario::Loaded> {
    let name = path.display().to_string();
    let read = Sources::default();
    let loaded = scenario::load_path(path, &name, &|p: &Path| read.read(p), sets);
    let read = read.0.into_inner();
    read.iter().for_each(|(p, _)| inputs.add(p));
    match loaded {
        Ok(loaded) => {
            for warnings in &loaded.warnings {
                print(Severity::Warning, warnings, &read);
            }
            Some(loaded)
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                print(Severity::Error, d, &read);
            }
            None
        }
    }
}

/// The files a load read, with their bytes: the source lines of its
/// diagnostics.
#[derive(Default)]
struct Sources(RefCell<Vec<(PathBuf, std::io::Result<Vec<u8>>)>>);

impl Sources {
    /// Reads `path` (bounded) and keeps a copy of what it read.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let bytes = read_bounded(path);
        let kept = match &bytes {
            Ok(b) => Ok(b.clone()),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        };
        self.0.borrow_mut().push((path.to_path_buf(), kept));
        bytes
    }
}

/// Prints the problems of one file, each with its source line when the file
/// was read.
fn print(severity: Severity, file: &FileDiagnostics, read: &[(PathBuf, std::io::Result<Vec<u8>>)]) {
    let bytes = read
        .iter()
        .find(|(p, _)| p.display().to_string() == file.file)
        .and_then(|(_, bytes)| bytes.as_ref().ok())
        .filter(|bytes| scenario::quotable(bytes));
    let text = bytes.and_then(|b| std::str::from_utf8(b).ok());
    for d in &file.diagnostics {
        problem(severity, &file.file, d).with_source(text).print();
    }
}

/// A diagnostic of the file named `file` as a problem to print.
pub fn problem<'a>(severity: Severity, file: &str, d: &Diagnostic) -> Problem<'a> {
    let problem = match severity {
        Severity::Error => Problem::error(d.message.as_str()),
        Severity::Warning => Problem::warning(d.message.as_str()),
    };
    problem
        .in_file(file, Some(d.position))
        .with_hint(d.hint.as_deref())
}

/// Prints every problem of `diagnostics` (without source lines).
pub fn print_diagnostics(diagnostics: &[FileDiagnostics]) {
    print_diagnostics_of(diagnostics, &[]);
}

/// As [`print_diagnostics`], showing source lines from `read`, the files
/// read with their bytes.
pub fn print_diagnostics_of(
    diagnostics: &[FileDiagnostics],
    read: &[(PathBuf, std::io::Result<Vec<u8>>)],
) {
    for file in diagnostics {
        print(Severity::Error, file, read);
    }
}

/// Reads a regular file, refusing to read more than the scenario size limit.
pub fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::read_regular(path, scenario::MAX_FILE_BYTES)
}
