#!/bin/sh
# Runs the targets one after another, one process each, 600 s of fuzzing apiece.
# Usage (from fuzz/): ./run-all.sh [target...]; logs go to logs/<target>.log (not committed).
cd "$(dirname "$0")"
targets=${*:-callbacks money untrusted webhooks envelope basic_auth}
for t in $targets; do
    mkdir -p corpus/$t logs
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir . "$t" corpus/"$t" -- \
        -max_total_time=600 -print_final_stats=1 >logs/"$t".log 2>&1
    echo "$t exit $?" >>logs/summary
done
