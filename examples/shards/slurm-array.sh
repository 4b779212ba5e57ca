#!/bin/sh
# Slurm: one run as 8 shards with a job array, then one merge.
#
#   mkdir -p parts
#   jobid=$(sbatch --parsable examples/shards/slurm-array.sh)
#   sbatch --dependency=afterok:"$jobid" --wrap 'faultline merge parts/part-*.json --format json --output result.json'
#
# Slurm starts one task per index of --array and sets SLURM_ARRAY_TASK_ID,
# SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN, which `--shard auto` reads
# (shard = task id - lowest id, of the task count). Keep the array contiguous
# (0-7, no `:step`). The merged document is byte for byte the single-machine
# run's, apart from engine.seconds. SCENARIO, TRIALS and FAULTLINE (the
# binary) may be set in the environment of sbatch.
#SBATCH --job-name=faultline-shards
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --output=parts/slurm-%A_%a.log
set -eu

scenario=${SCENARIO:-scenarios/shop-two-regions.ron}
trials=${TRIALS:-1000000}
faultline=${FAULTLINE:-faultline}

"$faultline" run "$scenario" --trials "$trials" --threads "${SLURM_CPUS_PER_TASK:-2}" \
    --shard auto --output "parts/part-$SLURM_ARRAY_TASK_ID.json"
