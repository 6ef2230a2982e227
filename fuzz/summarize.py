#!/usr/bin/env python3
"""Prints one Markdown table row per target from logs/<target>.log (libFuzzer's final stats)
and logs/<target>.cpu (CPU seconds of the fuzzer process, sampled by the runner's monitor)."""
import os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
for target in sys.argv[1:]:
    log = open(os.path.join(HERE, "logs", f"{target}.log"), errors="replace").read()
    stat = dict(re.findall(r"stat::(\w+):\s+(\d+)", log))
    last = re.findall(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/", log)
    execs, cov, ft, corp = last[-1] if last else ("?", "?", "?", "?")
    cpu_path = os.path.join(HERE, "logs", f"{target}.cpu")
    cpu = open(cpu_path).read().strip() if os.path.exists(cpu_path) else "?"
    crash = "crash" if "deadly signal" in log or "panicked" in log else "none"
    wall = re.findall(r"Done (\d+) runs in (\d+) second", log)
    wall = wall[-1][1] if wall else "?"
    print(f"| `{target}` | {cpu} s CPU ({wall} s wall) | {stat.get('number_of_executed_units', execs)} "
          f"| {cov} edges, {ft} features, {corp} corpus inputs | {crash} |")
