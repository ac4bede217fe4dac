#!/bin/sh
# Builds the libFuzzer targets (lld: gold fails on the sanitized link) and runs each for FUZZ_SECONDS (default 60), one after another,
# then prints a table: executions, execs/s, corpus size, crashes. Usage:
#   Fuzz/run.sh [target ...]        (all targets when none are named)
# Environment: FUZZ_SECONDS, FUZZ_RUNS (a run count instead of a time), FUZZ_NICE (default 5),
# FUZZ_SANITIZE (default fuzzer,address; `fuzzer` alone builds into Fuzz/.build-fuzzer and runs 2-4x
# faster, catching Swift's own traps but not ASan's memory errors: replay its corpus under ASan),
# FUZZ_DEEP (1: engine and renderers on every input, 0: on none; unset: one input in 64),
# SWIFT. New crash, hang and OOM inputs land in Fuzz/work/artifacts/; the corpus grows in
# Fuzz/work/corpus/<target>/ across runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_NICE=${FUZZ_NICE:-5}
FUZZ_SANITIZE=${FUZZ_SANITIZE:-fuzzer,address}
case $FUZZ_SANITIZE in
    fuzzer,address) scratch="$here/.build" ;;
    *) scratch="$here/.build-$(echo "$FUZZ_SANITIZE" | tr ',' '-')" ;;
esac
all="ndjson json-array yaml gzip text cluster config"
targets=${*:-$all}

# Longest input per target: enough for a few records or one cluster description, and short
# enough that an execution stays cheap (its cost grows with the input).
max_len() {
    case $1 in
        gzip) echo 2048 ;;
        cluster | config) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

echo "building fuzz targets (release, -sanitize=$FUZZ_SANITIZE)"
nice -n "$FUZZ_NICE" "$SWIFT" build --package-path "$here" --scratch-path "$scratch" -c release \
    -Xswiftc -sanitize="$FUZZ_SANITIZE" -Xswiftc -parse-as-library -Xswiftc -use-ld=lld >"$here/work-build.log" 2>&1 || {
    tail -40 "$here/work-build.log"; exit 2; }
bin="$scratch/release"
# The commit the binaries were built from (with "+" when Sources/ differed from it), for the
# campaign's ledger: the commit checked out when a round starts may be a later one.
stamp="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$here/.." diff --quiet HEAD -- Sources Fuzz/Sources 2>/dev/null || stamp="$stamp+"
echo "$stamp" >"$bin/BUILD_COMMIT"
python3 "$here/seeds.py" $targets >/dev/null

mkdir -p "$here/work/artifacts" "$here/work/logs"
summary="$here/work/summary.txt"
printf '%-11s %12s %9s %14s %8s\n' target execs execs/s corpus crashes >"$summary"
status=0
for target in $targets; do
    corpus="$here/work/corpus/$target"
    mkdir -p "$corpus"
    log="$here/work/logs/$target.log"
    before=$(ls "$here/work/artifacts" | grep -c "^$target-" || true)
    if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$FUZZ_SECONDS"; fi
    echo "fuzzing $target ($limit)"
    # GCE_METADATA_HOST: nothing here goes to the network, and if anything tried it would stay local.
    # ASan: a shorter allocation stack (still deep enough for the LSan suppressions) and a small
    # quarantine make Swift's many small allocations cheaper; a crash replays with full stacks.
    ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=16:quarantine_size_mb=16} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0} \
    SWIFT_BACKTRACE=enable=no GCE_METADATA_HOST=127.0.0.1 nice -n "$FUZZ_NICE" "$bin/fuzz-$target" "$limit" -max_len="$(max_len "$target")" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$here/work/artifacts/$target-" \
        "$corpus" "$here/work/seeds/$target" >"$log" 2>&1 || status=1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    files=$(ls "$corpus" | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    after=$(ls "$here/work/artifacts" | grep -c "^$target-" || true)
    printf '%-11s %12s %9s %14s %8s\n' "$target" "${execs:-?}" "${speed:-?}" "$files/${bytes}B" "$((after - before))" >>"$summary"
done
cat "$summary"
[ "$status" = 0 ] || echo "a target stopped early: see Fuzz/work/logs/ and Fuzz/work/artifacts/"
exit "$status"
