//! `faultline check`: validate scenarios without running them.

use std::path::PathBuf;

use super::load::load;
use super::output::stderr;
use super::Exit;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// `faultline check`: exit 1 on any error.
pub fn check(args: &CheckArgs) -> Exit {
    let mut ok = true;
    for path in &args.scenarios {
        match load(path) {
            Some((model, _)) => stderr!(
                "{}: ok: {} service(s), {} failure process(es)",
                crate::text::one_line(&path.display().to_string()),
                model.services.len(),
                model.processes.len()
            ),
            None => ok = false,
        }
    }
    if ok {
        Exit::Success
    } else {
        Exit::Failure
    }
}
