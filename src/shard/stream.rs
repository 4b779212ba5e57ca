//! `merge` from files without holding the partials: each file is read twice,
//! once for its header (the outcomes counted, not kept), then, once every
//! header checks out, for its outcomes, which go one at a time through the
//! reduction in shard order. Memory: one block of outcomes and the
//! accumulator, however large the partials.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{plan, Counted, MergeError, OutcomeCheck, Partial};
use crate::engine::TrialOutcome;
use crate::model::Model;
use crate::montecarlo::Reduction;
use crate::stats::{RunResult, TrialValues};

/// As [`super::merge`], reading the partials from `files` (any order),
/// streaming their outcomes.
///
/// # Errors
/// The first [`MergeError`] found; [`MergeError::NotAPartial`] when a file
/// cannot be read or parsed, [`MergeError::Corrupt`] when it changed
/// between the two readings.
pub fn merge_files(files: &[&Path]) -> Result<(Model, RunResult, TrialValues), MergeError> {
    let mut headers = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let header: Partial<Counted> = read(&name, path, |d| serde::Deserialize::deserialize(d))?;
        headers.push((name, header));
    }
    let plan = plan(&mut headers)?;
    let mut reduction = Reduction::new(&plan.model, plan.trials, &plan.limits);
    let mut check = OutcomeCheck::new(&plan.model);
    for (name, header) in &headers {
        let mut sink = Sink {
            file: name,
            check: &mut check,
            reduction: &mut reduction,
            count: 0,
            misfit: None,
        };
        let parsed = read(name, Path::new(name), |d| {
            d.deserialize_map(Outcomes(&mut sink))
        });
        if let Some(misfit) = sink.misfit {
            return Err(misfit);
        }
        parsed?;
        if sink.count != header.outcomes.0 {
            return Err(MergeError::Corrupt {
                file: name.clone(),
                reason: "the file changed while it was merged".into(),
            });
        }
    }
    let total = reduction.finish();
    let (result, values) = total.finish_with_values(&plan.model, plan.seed, plan.seconds);
    Ok((plan.model, result, values))
}

/// Parses `path` with `parse`, buffered, mapping every failure to
/// [`MergeError::NotAPartial`].
fn read<T>(
    name: &str,
    path: &Path,
    parse: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::IoRead<BufReader<File>>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, MergeError> {
    let not_a_partial = |reason: String| MergeError::NotAPartial {
        file: name.to_string(),
        reason,
    };
    let file = crate::input::open_regular(path)
        .map_err(|e| not_a_partial(format!("cannot read it: {e}")))?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
    let value = parse(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| {
            not_a_partial(crate::scenario::diagnostic::one_line(&e.to_string()).into_owned())
        })?;
    Ok(value)
}

impl<'de> serde::Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Count;
        impl<'de> Visitor<'de> for Count {
            type Value = Counted;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of trial outcomes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Counted, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Counted(n))
            }
        }
        d.deserialize_seq(Count)
    }
}

/// Where a partial's outcomes go, one by one.
struct Sink<'a, 'm> {
    /// The partial's name.
    file: &'a str,
    /// The checks every outcome passes before it is counted.
    check: &'a mut OutcomeCheck<'m>,
    reduction: &'a mut Reduction<'m>,
    /// Outcomes read.
    count: u64,
    /// Why the first outcome that does not fit the model was refused.
    misfit: Option<MergeError>,
}

/// The visitor of a partial's top-level object: skips every field but the
/// outcomes (the header was read and checked before).
struct Outcomes<'s, 'a, 'm>(&'s mut Sink<'a, 'm>);

impl<'de> Visitor<'de> for Outcomes<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a faultline partial result")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "outcomes" {
                map.next_value_seed(&mut *self.0)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for &mut Sink<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for &mut Sink<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of trial outcomes")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(outcome) = seq.next_element::<TrialOutcome>()? {
            if let Err(e) = self.check.check(self.file, self.count as usize, &outcome) {
                self.misfit = Some(e);
                return Err(de::Error::custom("an outcome does not fit the scenario"));
            }
            self.reduction.push(&outcome);
            self.count += 1;
        }
        Ok(())
    }
}
