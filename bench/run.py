"""`make bench`: build the demo at each scale and report where time and memory go.

For each scale (default 1) it prints
- the demo generator's rows per second per table (in this process, median of --repeats);
- the whole `dbt build`: wall time and peak memory (max RSS of the dbt process);
- per model: time (dbt's run_results.json) and peak memory of a `dbt run -s <model>`
  of that model alone, as a ratio to a baseline run of a trivial view in the same way
  (so dbt's own start-up cost is visible and comparable);
- staging rows per second (raw rows over the time of the model that checks them);
- per area (bench/catalog.py, bench/recommendations.py, bench/experiments.py): throughput
  and training figures;
- across scales: the experiment readout's time ratio against its interactions ratio.
Results are also written to bench/results/scale_<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import catalog
import experiments
import recommendations

from catalog_ml.demo import RAW_TABLES, generate
from catalog_ml.warehouse import connect

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
BASELINE_MODEL = "mon_rejected_rows"


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in MB) of that child alone."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}\n{output[-4000:]}")
    return elapsed, usage.ru_maxrss / 1024


def bench_generator(scale: float, repeats: int) -> dict[str, dict[str, float]]:
    results = {}
    for table in RAW_TABLES:
        timings, rows = [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            rows = sum(batch.num_rows for batch in generate(table, seed=42, scale=scale))
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings)
        results[table] = {"rows": rows, "seconds": median, "rows_per_second": rows / median}
    return results


def bench_build(scale: float, workdir: Path, per_model: bool) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "CATALOG_ML_DUCKDB_PATH": str(workdir / "bench.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    common = ["--target-path", str(workdir / "target"), "--vars", f"{{demo_scale: {scale}}}"]
    wall, peak = run_measured([DBT, "build", *common], env)
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    models = {
        r["unique_id"].split(".")[-1]: r["execution_time"]
        for r in results
        if r["unique_id"].startswith(("model.", "snapshot.", "seed."))
    }
    report = {"scale": scale, "build_seconds": wall, "build_peak_mb": peak, "models": {}}
    memory = {}
    if per_model:
        _, baseline = run_measured([DBT, "run", "-s", BASELINE_MODEL, *common], env)
        report["baseline_peak_mb"] = baseline
        for name in models:
            command = "run" if not name.startswith(("brand_", "snap_")) else "build"
            _, memory[name] = run_measured([DBT, command, "-s", name, *common], env)
    with connect(workdir / "bench.duckdb") as con:
        for name, seconds in sorted(models.items(), key=lambda item: -item[1]):
            rows = con.execute(f"select count(*) from {name}").fetchone()[0]
            entry = {"seconds": seconds, "rows": rows, "share_of_build": seconds / wall}
            if name in memory:
                entry["peak_mb"] = memory[name]
                entry["peak_vs_baseline"] = memory[name] / report["baseline_peak_mb"]
            report["models"][name] = entry
        report["catalog"] = catalog.report(models, con)
        report["recommendations"] = recommendations.report(models, con)
        report["experiments"] = experiments.report(models, con)
    report["staging_rows_per_second"] = {
        name.removeprefix("stg_").removesuffix("_checked"): entry["rows"] / entry["seconds"]
        for name, entry in report["models"].items()
        if name.endswith("_checked")
    }
    return report


def print_report(report: dict, generator: dict) -> None:
    print(f"\n== scale {report['scale']} ==")
    print("demo generator (median):")
    for table, entry in generator.items():
        print(
            f"  {table:<24} {entry['rows']:>11,} rows {entry['seconds']:>8.2f} s"
            f" {entry['rows_per_second']:>12,.0f} rows/s"
        )
    print(f"dbt build: {report['build_seconds']:.1f} s wall, peak {report['build_peak_mb']:.0f} MB")
    if "baseline_peak_mb" in report:
        print(
            f"baseline (dbt run of the view {BASELINE_MODEL}): {report['baseline_peak_mb']:.0f} MB"
        )
    print(f"  {'model':<38} {'seconds':>8} {'share':>6} {'rows':>11} {'peak MB':>8} {'x base':>7}")
    for name, entry in report["models"].items():
        memory = (
            f"{entry['peak_mb']:>8.0f} {entry['peak_vs_baseline']:>7.2f}"
            if "peak_mb" in entry
            else ""
        )
        print(
            f"  {name:<38} {entry['seconds']:>8.2f} {entry['share_of_build']:>6.1%}"
            f" {entry['rows']:>11,} {memory}"
        )
    print("staging rows per second (raw rows / time of stg_<table>_checked):")
    for table, rate in report["staging_rows_per_second"].items():
        print(f"  {table:<24} {rate:>12,.0f}")
    for area in ("catalog", "recommendations", "experiments"):
        print(f"{area}:")
        for name, value in report[area].items():
            print(f"  {name:<42} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--repeats", type=int, default=3, help="generator timing repeats")
    parser.add_argument(
        "--per-model-scales",
        type=float,
        nargs="*",
        default=[1.0],
        help="scales at which each model is also run alone to measure its peak memory",
    )
    args = parser.parse_args()
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for scale in args.scales:
        generator = bench_generator(scale, args.repeats)
        report = bench_build(scale, out / f"work_scale_{scale:g}", scale in args.per_model_scales)
        report["generator"] = generator
        print_report(report, generator)
        (out / f"scale_{scale:g}.json").write_text(json.dumps(report, indent=2))
        reports.append(report)
    for report in reports[1:]:
        first, this = reports[0]["experiments"], report["experiments"]
        print(
            f"experiment readout, scale {report['scale']:g} vs {reports[0]['scale']:g}:"
            f" interactions x{this['interactions'] / first['interactions']:.2f},"
            f" readout time x{this['readout_seconds'] / first['readout_seconds']:.2f}"
        )


if __name__ == "__main__":
    main()
