#!/bin/sh
# Soak test of ChannelLog durability: many more SIGKILL rounds than `swift test` runs.
#
#   scripts/log-soak.sh [rounds] [seed]      (defaults: 500 rounds, seed from the clock)
#
# Each round starts the ShardCrashHelper child, kills it with SIGKILL at a random moment, reopens the log and
# checks every acknowledged record is present, byte-exact and in order (see Tests/ShardTests/ChannelLogCrashTests).
# The seed is printed; rerun with it to reproduce a failure.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-500}
SEED=${2:-$(date +%s)}
echo "log soak: $ROUNDS rounds, seed $SEED"
swift build --build-tests
SHARD_LOG_SOAK_ROUNDS=$ROUNDS SHARD_LOG_SOAK_SEED=$SEED \
    swift test --skip-build --filter 'ChannelLogCrashTests/soak'
