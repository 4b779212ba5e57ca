//! A shard's partial written while it is simulated: the header, then the
//! outcomes a window of blocks at a time, then the shard's seconds, so the
//! shard holds one window of outcomes, not all of them. The fields are
//! those of [`Partial`] (its reader takes them in any order).

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::ser::{Error as _, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{header_of, shard_settings, Partial, Shard};
use crate::engine::{Plan, TrialOutcome};
use crate::model::Model;
use crate::montecarlo::{self, RunError, RunOptions, Trials};

/// Why a shard's partial was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The run was refused or interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The output could not be written.
    #[error("cannot write the partial result: {0}")]
    Output(String),
}

/// Simulates the trials of `shard` of a run of `model` and writes its
/// partial, as [`super::to_json`] would write [`super::run_shard`]'s, to
/// `out` while the trials run. `file` and `source` are the scenario as read.
///
/// # Errors
/// [`WriteError::Run`] as for a whole run (the limits apply to this shard's
/// trials), [`WriteError::Output`] when `out` fails.
pub fn write_shard(
    model: &Model,
    scenario: (&str, &str),
    options: &RunOptions,
    shard: Shard,
    (stop, out): (&AtomicBool, &mut (dyn Write + Send)),
) -> Result<(), WriteError> {
    let (settings, _) = shard_settings(model, options, shard)?;
    let header = header_of(scenario, &settings, shard, 0.0);
    let plan = Plan::seeded(model, settings.seed);
    let started = Instant::now();
    let written = montecarlo::in_pool(settings.threads, || {
        let streamed = Streamed {
            header: &header,
            model,
            plan: &plan,
            stop,
            started,
            seconds: Cell::new(0.0),
            failed: RefCell::new(None),
        };
        serde_json::to_writer(&mut *out, &streamed).map_err(|e| e.to_string())
    })?;
    if stop.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted.into());
    }
    written
        .and_then(|()| out.write_all(b"\n").map_err(|e| e.to_string()))
        .and_then(|()| out.flush().map_err(|e| e.to_string()))
        .map_err(WriteError::Output)
}

/// The partial whose outcomes are simulated as they are serialized.
struct Streamed<'a> {
    header: &'a Partial<()>,
    model: &'a Model,
    plan: &'a Plan,
    stop: &'a AtomicBool,
    started: Instant,
    /// The simulation's seconds, known once the outcomes are written.
    seconds: Cell<f64>,
    /// Why the outcomes stopped short.
    failed: RefCell<Option<String>>,
}

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.header;
        let mut s = serializer.serialize_struct("Partial", 16)?;
        s.serialize_field("format", &h.format)?;
        s.serialize_field("version", &h.version)?;
        s.serialize_field("rng", &h.rng)?;
        s.serialize_field("scenario_file", &h.scenario_file)?;
        s.serialize_field("scenario_fnv1a", &h.scenario_fnv1a)?;
        s.serialize_field("scenario_source", &h.scenario_source)?;
        s.serialize_field("seed", &h.seed)?;
        s.serialize_field("trials", &h.trials)?;
        s.serialize_field("shard_index", &h.shard_index)?;
        s.serialize_field("shard_count", &h.shard_count)?;
        s.serialize_field("first_trial", &h.first_trial)?;
        s.serialize_field("end_trial", &h.end_trial)?;
        if let Some(x) = h.max_exact_values {
            s.serialize_field("max_exact_values", &x)?;
        }
        s.serialize_field("outcomes", &Outcomes(self))?;
        if let Some(reason) = self.failed.borrow().as_ref() {
            return Err(S::Error::custom(reason));
        }
        s.serialize_field("seconds", &self.seconds.get())?;
        s.end()
    }
}

/// The outcomes of the shard's trials, simulated a window at a time.
struct Outcomes<'s, 'a>(&'s Streamed<'a>);

impl Serialize for Outcomes<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let st = self.0;
        let range = st.header.first_trial..st.header.end_trial;
        let mut seq = serializer.serialize_seq(Some((range.end - range.start) as usize))?;
        let mut failure = None;
        let per_block = |_: &Model, trials: Trials<'_>| {
            let mut outcomes: Vec<TrialOutcome> = Vec::with_capacity(trials.len());
            trials.for_each(|o| outcomes.push(o.clone()));
            outcomes
        };
        let watch = (st.stop, &AtomicU64::new(0));
        for window in montecarlo::windows(st.model, range) {
            if failure.is_some() || st.stop.load(Ordering::Relaxed) {
                break;
            }
            let blocks = montecarlo::simulate(st.model, st.plan, window, watch, per_block);
            for outcome in blocks.iter().flatten() {
                if failure.is_none() {
                    failure = seq.serialize_element(outcome).err();
                }
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if st.stop.load(Ordering::Relaxed) {
            *st.failed.borrow_mut() = Some("interrupted".into());
        }
        st.seconds.set(st.started.elapsed().as_secs_f64());
        seq.end()
    }
}
