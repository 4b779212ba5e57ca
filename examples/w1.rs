//! Writes the W1 benchmark workload with N services (default 200) to stdout:
//! `cargo run --release --example w1 -- 5000 > w1_5000.ron`.

#[path = "../benches/support/w1.rs"]
mod w1;

use std::io::Write as _;

fn main() -> std::process::ExitCode {
    let n = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => 200,
        Some(Ok(n)) if n >= 1 => n,
        _ => {
            eprintln!("usage: w1 [SERVICES]   (SERVICES a whole number >= 1)");
            return std::process::ExitCode::from(2);
        }
    };
    // a closed pipe ends the output quietly
    let _ = std::io::stdout().write_all(w1::scenario(n).as_bytes());
    std::process::ExitCode::SUCCESS
}
