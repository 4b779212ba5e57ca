//! Each scheduler's variables, as it sets them, and the mistakes.

use super::*;

fn shard(vars: &[(&str, &str)], count: Option<u64>) -> Result<Shard, SchedulerError> {
    let var = |name: &str| {
        (vars.iter())
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_string())
    };
    from_scheduler(&var, count)
}

#[test]
fn a_kubernetes_indexed_job_gives_the_index_and_shard_count_the_count() {
    assert_eq!(
        shard(&[(JOB_COMPLETION_INDEX, "2")], Some(4)),
        Ok(Shard { index: 2, count: 4 })
    );
    assert_eq!(
        shard(&[(JOB_COMPLETION_INDEX, "2")], None),
        Err(SchedulerError::CountMissing { index: 2 })
    );
    assert!(matches!(
        shard(&[(JOB_COMPLETION_INDEX, "4")], Some(4)),
        Err(SchedulerError::OutOfRange {
            index: 4,
            count: 4,
            ..
        })
    ));
}

#[test]
fn a_slurm_array_index_counts_from_its_lowest_task_id() {
    let slurm = |id, count, min| {
        shard(
            &[
                (SLURM_ARRAY_TASK_ID, id),
                (SLURM_ARRAY_TASK_COUNT, count),
                (SLURM_ARRAY_TASK_MIN, min),
            ],
            None,
        )
    };
    assert_eq!(slurm("0", "4", "0"), Ok(Shard { index: 0, count: 4 }));
    assert_eq!(slurm("13", "4", "10"), Ok(Shard { index: 3, count: 4 }));
    // a stepped array (--array=0-6:2) leaves gaps: refused, not silently wrong
    assert!(matches!(
        slurm("6", "4", "0"),
        Err(SchedulerError::OutOfRange { index: 6, .. })
    ));
    assert!(matches!(
        slurm("1", "4", "3"),
        Err(SchedulerError::OutOfRange { index: -2, .. })
    ));
    assert_eq!(
        shard(
            &[(SLURM_ARRAY_TASK_ID, "1"), (SLURM_ARRAY_TASK_MIN, "0")],
            None
        ),
        Err(SchedulerError::SlurmIncomplete {
            variable: SLURM_ARRAY_TASK_COUNT
        })
    );
    assert!(matches!(
        slurm("one", "4", "0"),
        Err(SchedulerError::Malformed {
            variable: SLURM_ARRAY_TASK_ID,
            ..
        })
    ));
}

#[test]
fn faultline_shard_is_i_of_n_and_wins_over_the_schedulers() {
    let both = [(FAULTLINE_SHARD, "1/3"), (JOB_COMPLETION_INDEX, "0")];
    assert_eq!(shard(&both, None), Ok(Shard { index: 1, count: 3 }));
    assert!(matches!(
        shard(&[(FAULTLINE_SHARD, "3/3")], None),
        Err(SchedulerError::Malformed { .. })
    ));
    assert_eq!(
        shard(&[(FAULTLINE_SHARD, "1/3")], Some(4)),
        Err(SchedulerError::CountDisagrees {
            given: 4,
            found: 3,
            origin: FAULTLINE_SHARD
        })
    );
}

#[test]
fn no_variable_or_only_empty_ones_is_no_scheduler() {
    assert_eq!(shard(&[], Some(4)), Err(SchedulerError::NoScheduler));
    assert_eq!(
        shard(&[(JOB_COMPLETION_INDEX, ""), (FAULTLINE_SHARD, " ")], None),
        Err(SchedulerError::NoScheduler)
    );
}
