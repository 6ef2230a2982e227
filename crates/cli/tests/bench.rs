//! `rahunok bench` runs end to end and prints its figures as JSON (what `BENCHMARKS.md` is made
//! from). Only that the figures exist and hang together is checked here: speed is measured by
//! running the bench, never asserted in a test.

use std::process::Command;

fn bench(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_rahunok"))
        .arg("bench")
        .args(args)
        .arg("--json")
        .env("RAHUNOK_LOG", "error")
        .output()
        .expect("rahunok bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "bench failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

/// CPU time comes in 10 ms ticks, so a short run may count none: present and not negative.
fn cpu_time(figures: &serde_json::Value) -> f64 {
    let value = figures["serverCpuUsPerRequest"].as_f64().unwrap_or_else(|| panic!("no CPU time in {figures}"));
    assert!(value >= 0.0, "{figures}");
    value
}

fn positive(figures: &serde_json::Value, name: &str) -> f64 {
    let value = figures[name].as_f64().unwrap_or_else(|| panic!("no `{name}` in {figures}"));
    assert!(value > 0.0, "`{name}` is {value} in {figures}");
    value
}

#[test]
fn the_round_trip_bench_measures_ours_and_the_bare_baseline_and_idle_sockets_as_json() {
    let report = bench(&["--requests", "300", "--concurrency", "4", "--idle-sockets", "20", "--baseline"]);
    for side in ["ours", "baseline"] {
        let figures = &report[side];
        assert_eq!(figures["requests"], 300, "{report}");
        for name in ["perSecond", "p50Ms", "p99Ms"] {
            positive(figures, name);
        }
        cpu_time(figures);
        assert!(positive(figures, "p50Ms") <= positive(figures, "p99Ms"), "{report}");
    }
    let throughput = positive(&report, "throughputRatio");
    let ours_per_second = positive(&report["ours"], "perSecond");
    let bare_per_second = positive(&report["baseline"], "perSecond");
    assert!((throughput - ours_per_second / bare_per_second).abs() < 1e-9, "{report}");
    assert!(report["cpuRatio"].is_number() || cpu_time(&report["baseline"]) == 0.0, "{report}");
    assert!(report["idleSocketKib"].is_number(), "{report}");
}

#[test]
fn the_guest_bench_measures_the_table_page_against_healthz_and_its_bytes_on_the_wire() {
    let report = bench(&["--guest", "--requests", "300", "--concurrency", "4"]);
    for page in ["tablePage", "tablePagePlain", "healthz"] {
        positive(&report[page], "perSecond");
        cpu_time(&report[page]);
    }
    positive(&report, "throughputRatio");
    let bytes = &report["pageBytes"];
    let plain = positive(bytes, "identity");
    assert!(positive(bytes, "gzip") <= plain, "{report}");
    assert!(positive(bytes, "br") <= plain, "{report}");
}
