//! `run --shard auto`: the shard index and count from the scheduler that
//! started the process. The environment is read by the command line; this
//! is the pure rule, given the variables.
//!
//! In order: `FAULTLINE_SHARD=I/N` (set by hand, it wins), a Kubernetes
//! Indexed Job (`JOB_COMPLETION_INDEX`, the count from `--shard-count`), a
//! Slurm job array (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`, of
//! `SLURM_ARRAY_TASK_COUNT`). An empty variable counts as unset.

use super::Shard;

/// The variable that gives `I/N` directly.
pub const FAULTLINE_SHARD: &str = "FAULTLINE_SHARD";
/// The index of a pod of a Kubernetes Indexed Job.
pub const JOB_COMPLETION_INDEX: &str = "JOB_COMPLETION_INDEX";
/// The task id of a Slurm job array.
pub const SLURM_ARRAY_TASK_ID: &str = "SLURM_ARRAY_TASK_ID";
/// The number of tasks of a Slurm job array.
pub const SLURM_ARRAY_TASK_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
/// The lowest task id of a Slurm job array.
pub const SLURM_ARRAY_TASK_MIN: &str = "SLURM_ARRAY_TASK_MIN";

/// Every variable [`from_scheduler`] reads.
pub const VARIABLES: [&str; 5] = [
    FAULTLINE_SHARD,
    JOB_COMPLETION_INDEX,
    SLURM_ARRAY_TASK_ID,
    SLURM_ARRAY_TASK_COUNT,
    SLURM_ARRAY_TASK_MIN,
];

/// Why `--shard auto` found no shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchedulerError {
    /// No scheduler variable is set.
    #[error("`--shard auto`: no scheduler gave a shard: none of {FAULTLINE_SHARD}, {JOB_COMPLETION_INDEX} or {SLURM_ARRAY_TASK_ID} is set")]
    NoScheduler,
    /// A Kubernetes index without `--shard-count`.
    #[error("`--shard auto`: {JOB_COMPLETION_INDEX} gives the index ({index}) but not the number of shards")]
    CountMissing {
        /// The index.
        index: u64,
    },
    /// A variable that is not a whole number (or, for `FAULTLINE_SHARD`, `I/N`).
    #[error("`--shard auto`: {variable}=`{value}` is not {expected}")]
    Malformed {
        /// The variable.
        variable: &'static str,
        /// Its value (one line, escaped).
        value: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A Slurm array variable missing beside the task id.
    #[error("`--shard auto`: {SLURM_ARRAY_TASK_ID} is set but {variable} is not")]
    SlurmIncomplete {
        /// The missing variable.
        variable: &'static str,
    },
    /// An index outside `0..count`.
    #[error("`--shard auto`: {origin} gives shard {index} of {count}, which does not exist (shards of {count} are numbered 0 to {})", count.saturating_sub(1))]
    OutOfRange {
        /// Where the values came from.
        origin: &'static str,
        /// The index found.
        index: i128,
        /// The count found.
        count: u64,
    },
    /// `--shard-count` disagrees with the scheduler's count.
    #[error("`--shard auto`: `--shard-count {given}` but {origin} gives {found} shards")]
    CountDisagrees {
        /// `--shard-count`.
        given: u64,
        /// The scheduler's count.
        found: u64,
        /// Where it came from.
        origin: &'static str,
    },
}

impl SchedulerError {
    /// How to fix it.
    pub fn hint(&self) -> &'static str {
        match self {
            SchedulerError::NoScheduler => "run it as a Kubernetes Indexed Job (with `--shard-count N`), a Slurm job array (`sbatch --array=0-N-1`), or set FAULTLINE_SHARD=I/N; or give `--shard I/N`",
            SchedulerError::CountMissing { .. } => "pass `--shard-count N` with N the Job's `completions`",
            SchedulerError::Malformed { .. } => "FAULTLINE_SHARD is `I/N` (shard I of N, from 0); the scheduler variables are whole numbers",
            SchedulerError::SlurmIncomplete { .. } => "Slurm sets both for a job array (`sbatch --array=0-N-1`); set them by hand when testing",
            SchedulerError::OutOfRange { .. } => "a Slurm array must be contiguous (`--array=0-N-1`, no step); a Kubernetes Job's `completions` must equal `--shard-count`",
            SchedulerError::CountDisagrees { .. } => "drop `--shard-count`, or make it the number of tasks",
        }
    }
}

/// The shard the scheduler gives, from its variables (`var` returns a
/// variable's value, `None` when unset) and `--shard-count`.
///
/// # Errors
/// [`SchedulerError`]: no scheduler, a missing count, a value that is not a
/// number, an index outside `0..count`, or a `--shard-count` that disagrees.
pub fn from_scheduler(
    var: &dyn Fn(&str) -> Option<String>,
    shard_count: Option<u64>,
) -> Result<Shard, SchedulerError> {
    let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let (origin, index, count) = if let Some(value) = get(FAULTLINE_SHARD) {
        let shard = Shard::parse(&value)
            .map_err(|_| malformed(FAULTLINE_SHARD, &value, "`I/N` with 0 <= I < N"))?;
        (FAULTLINE_SHARD, i128::from(shard.index), shard.count)
    } else if let Some(value) = get(JOB_COMPLETION_INDEX) {
        let index = number(JOB_COMPLETION_INDEX, &value)?;
        let count = shard_count.ok_or(SchedulerError::CountMissing { index })?;
        (JOB_COMPLETION_INDEX, i128::from(index), count)
    } else if let Some(id) = get(SLURM_ARRAY_TASK_ID) {
        let required = |variable| {
            get(variable)
                .ok_or(SchedulerError::SlurmIncomplete { variable })
                .and_then(|v| number(variable, &v))
        };
        let id = number(SLURM_ARRAY_TASK_ID, &id)?;
        let count = required(SLURM_ARRAY_TASK_COUNT)?;
        let min = required(SLURM_ARRAY_TASK_MIN)?;
        let origin = "the Slurm array (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN)";
        (origin, i128::from(id) - i128::from(min), count)
    } else {
        return Err(SchedulerError::NoScheduler);
    };
    if let Some(given) = shard_count.filter(|&n| n != count) {
        return Err(SchedulerError::CountDisagrees {
            given,
            found: count,
            origin,
        });
    }
    match u64::try_from(index) {
        Ok(index) if index < count => Ok(Shard { index, count }),
        _ => Err(SchedulerError::OutOfRange {
            origin,
            index,
            count,
        }),
    }
}

fn malformed(variable: &'static str, value: &str, expected: &'static str) -> SchedulerError {
    SchedulerError::Malformed {
        variable,
        value: crate::text::one_line(value).into_owned(),
        expected,
    }
}

fn number(variable: &'static str, value: &str) -> Result<u64, SchedulerError> {
    value
        .trim()
        .parse()
        .map_err(|_| malformed(variable, value, "a whole number"))
}

#[cfg(test)]
mod tests;
