#!/bin/bash
# Run next to run-all.sh (from fuzz/: ./cpu-sampler.sh &). Records the largest CPU seconds (utime+stime) seen for each running fuzz target binary
while true; do
  for t in callbacks money untrusted webhooks envelope basic_auth; do
    for pid in $(pgrep -x "$t"); do
      read -r -a f < /proc/$pid/stat 2>/dev/null || continue
      [ "${f[2]}" = Z ] && continue
      now=$(( (${f[13]} + ${f[14]}) / $(getconf CLK_TCK) ))
      file="$(dirname "$0")"/logs/$t.cpu
      old=$(cat $file 2>/dev/null || echo 0)
      [ "$now" -gt "$old" ] && echo "$now" > $file
    done
  done
  sleep 5
done
