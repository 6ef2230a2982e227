#!/bin/bash
# Runs the targets one after another, one libFuzzer process each, until that process has used
# CPU_SECONDS (default 630) of CPU time (user + system, from /proc/<pid>/stat), then stops it
# with SIGINT (libFuzzer prints its final stats on an interrupt). On a shared machine this
# gives every target the same CPU budget however busy the cores are.
# Usage (from fuzz/): [CPU_SECONDS=630] [LOG_TAG=-2] ./run-until-cpu.sh [target...]
# Logs go to logs/<target><LOG_TAG>.log and .cpu (not committed).
cd "$(dirname "$0")"
need=${CPU_SECONDS:-630}
tick=$(getconf CLK_TCK)
targets=${*:-callbacks money webhooks envelope basic_auth untrusted}
for t in $targets; do
    mkdir -p corpus/"$t" logs
    log=logs/"$t"${LOG_TAG:-}
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir . "$t" corpus/"$t" -- \
        -max_total_time=14400 -print_final_stats=1 >"$log".log 2>&1 &
    runner=$!
    while kill -0 "$runner" 2>/dev/null; do
        pid=$(pgrep -x "$t" | head -1)
        if [ -n "$pid" ] && read -r -a f < /proc/"$pid"/stat 2>/dev/null && [ "${f[2]}" != Z ]; then
            cpu=$(( (${f[13]} + ${f[14]}) / tick ))
            echo "$cpu" >"$log".cpu
            [ "$cpu" -ge "$need" ] && kill -INT "$pid"
        fi
        sleep 2
    done
    echo "$t$LOG_TAG stopped at $(cat "$log".cpu) s CPU" >>logs/summary
done
