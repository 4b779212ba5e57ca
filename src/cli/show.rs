//! `faultline show`: the fully merged scenario (after `extends`, `remove`
//! and `--set`) as RON.

use std::path::PathBuf;

use super::load::{load_with, print_diagnostics, read_bounded};
use super::output::{self, Inputs, Problem, OUTPUT};
use super::Exit;
use crate::scenario;

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Set the value at a dot path: `services.db.deployments.0.replicas=2`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// `faultline show`.
pub fn show(args: &ShowArgs) -> Exit {
    let mut assignments = Vec::new();
    for set in &args.sets {
        match crate::analysis::sweep::SetArg::parse(set) {
            Ok(arg) if arg.values.len() == 1 => {
                assignments.extend(
                    crate::analysis::sweep::grid(&[arg])
                        .into_iter()
                        .flat_map(|v| v.assignments),
                );
            }
            Ok(_) => {
                Problem::error(format!(
                    "`--set {set}` gives several values; `show` takes one"
                ))
                .print();
                return Exit::Usage;
            }
            Err(e) => {
                Problem::error(e).print();
                return Exit::Usage;
            }
        }
    }
    let Some(loaded) = load_with(&args.scenario, &assignments, &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let text = match loaded.composed {
        Some(c) => c.text,
        None => {
            let name = args.scenario.display().to_string();
            match scenario::compose::compose(&args.scenario, &name, &read_bounded, &[]) {
                Ok(c) => c.text,
                Err(diagnostics) => {
                    print_diagnostics(&diagnostics);
                    return Exit::Failure;
                }
            }
        }
    };
    output::emit(OUTPUT, None, &text)
}
