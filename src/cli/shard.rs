//! The `--shard` argument of `run`: `I/N`, or `auto` (the index and count
//! from the scheduler that started the process, read from the environment
//! here, at the edge).

use super::output::Problem;
use super::Exit;
use crate::shard::scheduler::from_scheduler;
use crate::shard::Shard;

/// `--shard I/N` or `--shard auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    /// Shard I of N, as written.
    Fixed(Shard),
    /// From the scheduler's environment.
    Auto,
}

impl ShardArg {
    /// Parses `auto` or `I/N`.
    ///
    /// # Errors
    /// A message saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<ShardArg, String> {
        if text.trim() == "auto" {
            Ok(ShardArg::Auto)
        } else {
            Shard::parse(text)
                .map(ShardArg::Fixed)
                .map_err(|e| format!("{e}, or `auto`"))
        }
    }
}

/// The shard to run, if any: `--shard I/N` as given, `--shard auto` from
/// the environment; a usage error (printed) otherwise.
///
/// # Errors
/// [`Exit::Usage`] after printing why: `--shard-count` without
/// `--shard auto`, or no usable scheduler variable for `auto`.
pub fn resolve(arg: Option<ShardArg>, shard_count: Option<u64>) -> Result<Option<Shard>, Exit> {
    match (arg, shard_count) {
        (None, None) => Ok(None),
        (Some(ShardArg::Fixed(shard)), None) => Ok(Some(shard)),
        (_, Some(_)) if arg != Some(ShardArg::Auto) => {
            Problem::error("`--shard-count` goes with `--shard auto`")
                .with_hint(Some("with `--shard I/N` the count is N"))
                .print();
            Err(Exit::Usage)
        }
        _ => {
            let var = |name: &str| std::env::var(name).ok();
            from_scheduler(&var, shard_count).map(Some).map_err(|e| {
                Problem::error(e.to_string())
                    .with_hint(Some(e.hint()))
                    .print();
                Exit::Usage
            })
        }
    }
}
