#!/bin/sh
# A long fuzzing campaign toward a run count per target (FUZZ_GOAL, default 10,000,000), in rounds
# of FUZZ_ROUND executions (default 250,000) so it can be stopped and resumed, and so a rebuilt
# target is picked up at the next round. To stop: end the loop that starts this script, SIGTERM the
# fuzzer (libFuzzer prints its figures and the round is written with the executions so far), then
# end this script before it starts the next round; killing this script mid-round loses the round. Each round resumes from the target's corpus in
# Fuzz/work/corpus/, which is how one libFuzzer run continues another (as its -fork mode does).
# Every round is appended to Fuzz/ledger.tsv, which is kept in git so that campaigns on new machines
# add up (time, target, executions, seconds, execs/s, crashes, the build's commit and sanitizers);
# `Fuzz/campaign.sh --report` sums it. FUZZ_SANITIZE=fuzzer runs the build without ASan
# (Fuzz/.build-fuzzer, 2-4x faster; replay its corpus under ASan with `Fuzz/campaign.sh --replay`).
#   Fuzz/campaign.sh [target ...]     run (build first with Fuzz/run.sh or FUZZ_RUNS=1)
#   Fuzz/campaign.sh --report         executions, time and crashes per target so far
# Two workers on two cores: FUZZ_WORKER=0 and FUZZ_WORKER=1 each take every other target; or
# give each worker its own list, and let both end on the same target to share the slowest one. The
# timeout is 60 s, not 10: at nice 19 beside a build, a 0.2 s input once waited 10 s for a core.
# SWIFT_BACKTRACE=enable=no: Swift's own backtracer takes a trap's SIGILL before libFuzzer does and
# ends the process without the crash input; with it off, libFuzzer writes the artifact.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
ledger="$here/ledger.tsv"
FUZZ_SANITIZE=${FUZZ_SANITIZE:-fuzzer,address}
case $FUZZ_SANITIZE in
    fuzzer,address) bin="$here/.build/release" ;;
    *) bin="$here/.build-$(echo "$FUZZ_SANITIZE" | tr ',' '-')/release" ;;
esac
# The commit the binary was built from, as Fuzz/run.sh stamps it (BUILD_COMMIT beside the
# binaries, "+" when Sources/ differed); without a stamp, the commit checked out when the round
# starts, marked so (a commit made during a campaign is not in the binary until a rebuild).
build_label() {
    if [ -f "$bin/BUILD_COMMIT" ]; then
        echo "$(cat "$bin/BUILD_COMMIT") $FUZZ_SANITIZE"
    else
        echo "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown) checked-out $FUZZ_SANITIZE"
    fi
}
FUZZ_GOAL=${FUZZ_GOAL:-10000000}
FUZZ_ROUND=${FUZZ_ROUND:-250000}
FUZZ_NICE=${FUZZ_NICE:-19}
all="ndjson json-array yaml gzip text cluster config"

# Cumulative executions of one target in the ledger.
done_runs() { awk -F'\t' -v t="$1" '$2 == t { s += $3 } END { print s + 0 }' "$ledger" 2>/dev/null || echo 0; }

if [ "${1:-}" = "--replay" ]; then
    # Every corpus input once through the ASan build: memory errors the faster build cannot see.
    shift
    status=0
    for target in ${*:-$all}; do
        [ -d "$work/corpus/$target" ] || continue
        echo "replaying $(ls "$work/corpus/$target" | wc -l) $target inputs under ASan"
        ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=16:quarantine_size_mb=16} \
        LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0} \
        SWIFT_BACKTRACE=enable=no GCE_METADATA_HOST=127.0.0.1 FUZZ_DEEP=1 "$here/.build/release/fuzz-$target" -runs=0 -rss_limit_mb=2048 -timeout=60 \
            -artifact_prefix="$work/artifacts/replay-$target-" "$work/corpus/$target" >"$work/logs/replay-$target.log" 2>&1 \
            || { echo "$target: failed; see $work/logs/replay-$target.log"; status=1; }
    done
    exit $status
fi

if [ "${1:-}" = "--report" ]; then
    printf '%-11s %12s %8s %10s %8s\n' target execs rounds seconds crashes
    for target in $all; do
        awk -F'\t' -v t="$target" '$2 == t { e += $3; n += 1; s += $4; c += $6 }
            END { printf "%-11s %12d %8d %10d %8d\n", t, e, n, s, c }' "$ledger" 2>/dev/null
    done
    exit 0
fi

targets=${*:-$all}
if [ -n "${FUZZ_WORKER:-}" ]; then
    mine=""; i=0
    for target in $targets; do
        [ $((i % 2)) = "$FUZZ_WORKER" ] && mine="$mine $target"
        i=$((i + 1))
    done
    targets=$mine
fi
mkdir -p "$work/artifacts" "$work/logs" "$work/bin"
touch "$ledger"
max_len() {
    case $1 in
        gzip) echo 2048 ;;
        cluster | config) echo 8192 ;;
        *) echo 4096 ;;
    esac
}
while :; do
    progressed=0
    for target in $targets; do
        runs=$(done_runs "$target")
        [ "$runs" -ge "$FUZZ_GOAL" ] && continue
        progressed=1
        # A copy of the binary, so a rebuild during the round does not change it under the run.
        cp "$bin/fuzz-$target" "$work/bin/fuzz-$target.$$"
        label=$(build_label)
        corpus="$work/corpus/$target"
        mkdir -p "$corpus"
        # A new machine's campaign starts from the seeds (SampleLogs and fixtures) too.
        [ -d "$work/seeds/$target" ] || python3 "$here/seeds.py" "$target" >/dev/null
        # One log per worker process: two workers may take rounds of the same target at once
        # (they share its corpus, as libFuzzer's own -fork jobs do, and each appends its own row).
        log="$work/logs/campaign-$target.$$.log"
        # Crashes, leaks, timeouts and OOMs; a slow unit (a round paused or starved of a core) is not one.
        before=$(ls "$work/artifacts" | grep -Ec "^$target-(crash|leak|timeout|oom)-" || true)
        start=$(date +%s)
        ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=16:quarantine_size_mb=16} \
        LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0} \
        SWIFT_BACKTRACE=enable=no GCE_METADATA_HOST=127.0.0.1 nice -n "$FUZZ_NICE" "$work/bin/fuzz-$target.$$" -runs="$FUZZ_ROUND" \
            -max_len="$(max_len "$target")" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
            -artifact_prefix="$work/artifacts/$target-" "$corpus" "$work/seeds/$target" >"$log" 2>&1 || true
        seconds=$(($(date +%s) - start))
        rm -f "$work/bin/fuzz-$target.$$"
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        after=$(ls "$work/artifacts" | grep -Ec "^$target-(crash|leak|timeout|oom)-" || true)
        # A round that ended without libFuzzer's final figures died outside its handlers (the
        # kernel's trap, a kill): counted as a crash, its log kept, since the next round overwrites it.
        if [ -z "$execs" ]; then
            after=$((after + 1))
            label="$label aborted"
            cp "$log" "$work/logs/aborted-$target-$(date +%s).log"
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "${execs:-0}" "$seconds" "${speed:-0}" \
            "$((after - before))" "$label" >>"$ledger"
        if [ "$after" -gt "$before" ]; then
            echo "$target: a crash; see $log and $work/artifacts/" >&2
            cp "$log" "$work/logs/crash-$target-$(date +%s).log"
        fi
    done
    [ "$progressed" = 1 ] || break
done
