#!/bin/sh
# Runs the targets one after another, one process each, FUZZ_SECONDS (default 600) apiece.
# Usage (from fuzz/): [FUZZ_SECONDS=600] ./run-all.sh [target...]
# Logs go to logs/<target>.log (not committed).
cd "$(dirname "$0")"
targets=${*:-callbacks money webhooks envelope basic_auth untrusted}
for t in $targets; do
    mkdir -p corpus/$t logs
    rm -f logs/"$t".cpu   # cpu-sampler.sh keeps the largest reading per target
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir . "$t" corpus/"$t" -- \
        -max_total_time="${FUZZ_SECONDS:-600}" -print_final_stats=1 >logs/"$t".log 2>&1
    echo "$t exit $?" >>logs/summary
done
