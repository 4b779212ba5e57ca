//! `faultline import`: a first scenario from a Terraform plan or state, or
//! from Kubernetes manifests, printed on stdout (or written to `--output`).

use std::path::PathBuf;

use super::output::{self, Inputs, Problem, OUTPUT};
use super::Exit;
use crate::import::{self, ImportError};

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to read.
    #[command(subcommand)]
    pub source: ImportSource,
    /// Write the scenario to this file (atomically) instead of stdout.
    #[arg(long, global = true)]
    pub output: Option<PathBuf>,
}

/// What `import` reads.
#[derive(Debug, clap::Subcommand)]
pub enum ImportSource {
    /// The JSON of `terraform show -json` (a plan or a state), or a state file.
    Terraform {
        /// The JSON file.
        file: PathBuf,
    },
    /// Kubernetes manifests (YAML; files, or folders of .yaml/.yml files).
    Kubernetes {
        /// Manifest files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Runs `import`: the scenario on stdout or in `--output`; exit 1 with a
/// located error when an input cannot be imported.
pub fn import(args: &ImportArgs) -> Exit {
    let inputs = match &args.source {
        ImportSource::Terraform { file } => std::slice::from_ref(file),
        ImportSource::Kubernetes { paths } => paths.as_slice(),
    };
    if let Some(path) = &args.output {
        let mut read = Inputs::default();
        inputs.iter().for_each(|p| read.add(p));
        if let Err(e) = output::check(OUTPUT, path, &read) {
            Problem::parse(&e.to_string()).print();
            return e.exit();
        }
    }
    let imported = match &args.source {
        ImportSource::Terraform { file } => import::terraform_file(file),
        ImportSource::Kubernetes { paths } => import::kubernetes_paths(paths),
    };
    match imported {
        Ok(text) => output::emit(OUTPUT, args.output.as_deref(), &text),
        Err(e) => {
            report(&e);
            Exit::Failure
        }
    }
}

/// Prints why an input could not be imported, with its hint (and as a
/// GitHub annotation under GitHub Actions, as every problem).
fn report(e: &ImportError) {
    Problem::parse(&e.to_string()).with_hint(e.hint()).print();
}
