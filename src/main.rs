//! The `faultline` binary: parse arguments, run the command, map the result to
//! an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = faultline::cli::Cli::parse();
    faultline::cli::main(cli).into()
}
