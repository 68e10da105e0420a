#!/bin/sh
# Soak test of Shard durability: many more SIGKILL rounds than `swift test` runs.
#
#   scripts/shard-soak.sh [rounds] [seed]      (defaults: 500 rounds, seed from the clock)
#
# Each round starts `ShardCrashHelper shard`, which inserts, upserts, deletes (by key and by filter), flushes and
# compacts through a Shard; it is killed with SIGKILL at a random moment, the shard is reopened and must hold
# exactly the acknowledged operations (the one in flight wholly or not at all), with no torn row
# (see Tests/ShardTests/ShardCrashTests). The seed is printed; rerun with it to reproduce a failure.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-500}
SEED=${2:-$(date +%s)}
echo "shard soak: $ROUNDS rounds, seed $SEED"
swift build --build-tests
SHARD_SOAK_ROUNDS=$ROUNDS SHARD_SOAK_SEED=$SEED \
    swift test --no-parallel --skip-build --filter 'ShardCrashTests/soak'
