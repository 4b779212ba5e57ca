//! The progress bar of long runs: on stderr, only when stderr is a terminal,
//! and only once the run has lasted [`DELAY`]; trials per second and an ETA.
//! The simulation adds to a counter after every trial; a thread polls it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears (shorter runs print nothing).
pub const DELAY: Duration = Duration::from_secs(1);

/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// Whether a bar belongs on stderr: a terminal, and a run that has lasted
/// [`DELAY`].
pub fn wanted(stderr_is_terminal: bool, elapsed: Duration) -> bool {
    stderr_is_terminal && elapsed >= DELAY
}

/// Runs `work` with a counter of finished trials, drawing a bar of `total`
/// trials on stderr while it runs if [`wanted`]; the bar is cleared at the end.
pub fn with_progress<T>(total: u64, work: impl FnOnce(&AtomicU64) -> T) -> T {
    let counter = AtomicU64::new(0);
    if !std::io::stderr().is_terminal() {
        return work(&counter);
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| draw(total, &counter, &done));
        let out = work(&counter);
        done.store(true, Ordering::Relaxed);
        out
    })
}

fn draw(total: u64, counter: &AtomicU64, done: &AtomicBool) {
    let started = Instant::now();
    while !wanted(true, started.elapsed()) {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
    // indicatif ignores the errors of drawing on stderr (a closed or hung-up
    // terminal) in every call made here: the bar never panics or stops the run
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} trials  {msg}")
    {
        bar.set_style(style);
    }
    while !done.load(Ordering::Relaxed) {
        let finished = counter.load(Ordering::Relaxed);
        bar.set_position(finished);
        bar.set_message(rate_and_eta(finished, total, started.elapsed()));
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}

/// `1,234 trials/s, ETA 56s`, from the trials finished since the start.
pub fn rate_and_eta(finished: u64, total: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if finished == 0 || seconds <= 0.0 {
        return "starting".into();
    }
    let rate = finished as f64 / seconds;
    let eta = total.saturating_sub(finished) as f64 / rate;
    format!(
        "{} trials/s, ETA {}",
        crate::report::money(rate),
        indicatif::HumanDuration(Duration::from_secs_f64(eta.ceil()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_needs_a_terminal_and_a_second() {
        assert!(!wanted(false, Duration::from_secs(60)));
        assert!(!wanted(true, Duration::from_millis(999)));
        assert!(wanted(true, Duration::from_secs(1)));
    }

    #[test]
    fn rate_and_eta_come_from_the_trials_finished_so_far() {
        let text = rate_and_eta(3000, 10000, Duration::from_secs(2));
        assert_eq!(text, "1,500 trials/s, ETA 5 seconds");
        assert_eq!(rate_and_eta(0, 10, Duration::from_secs(1)), "starting");
    }

    #[test]
    fn without_a_terminal_the_work_runs_and_its_count_is_kept() {
        let n = with_progress(5, |c| {
            (0..5).for_each(|_| {
                c.fetch_add(1, Ordering::Relaxed);
            });
            c.load(Ordering::Relaxed)
        });
        assert_eq!(n, 5);
    }
}
