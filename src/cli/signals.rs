//! SIGINT and SIGTERM while a command simulates: the run stops at the next
//! trial and the command exits 130 or 143 without writing anything.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::Exit;

/// Flags set by SIGINT and SIGTERM.
pub struct Signals {
    /// Set by either signal.
    pub stop: Arc<AtomicBool>,
    /// Set by SIGTERM only, to choose the exit code.
    terminated: Arc<AtomicBool>,
}

impl Signals {
    /// Registers the flags. Where that fails the signals keep their default
    /// action (the process dies at once, and `--output` is still left intact).
    pub fn register() -> Signals {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let signals = Signals {
            stop: Arc::default(),
            terminated: Arc::default(),
        };
        for signal in [SIGINT, SIGTERM] {
            let _ = signal_hook::flag::register(signal, Arc::clone(&signals.stop));
        }
        let _ = signal_hook::flag::register(SIGTERM, Arc::clone(&signals.terminated));
        signals
    }

    /// The exit code of an interrupted command: 143 after SIGTERM, else 130.
    pub fn exit(&self) -> Exit {
        if self.terminated.load(Ordering::Relaxed) {
            Exit::Terminated
        } else {
            Exit::Interrupted
        }
    }
}
