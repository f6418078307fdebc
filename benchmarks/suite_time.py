"""Time the default conformance suite on this machine and print one Markdown table row.

Usage: python benchmarks/suite_time.py [--workers 2] [--repeat 1] [-- extra pytest arguments]

It runs `pytest scenarios -n WORKERS --target reference` in a fresh process (so the torch
import of every worker is included), reads the run's results.json and reports the wall
time, the sum of per-record times, the slowest records and the verdict counts. Timing is
measured here and not asserted in tests, because test timings on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run_once(workers: str, extra: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="conformance-bench-") as report_dir:
        command = [
            sys.executable, "-m", "pytest", "scenarios", "-n", workers, "-q", "-p", "no:cacheprovider",
            "--target", "reference", "--report-dir", report_dir, *extra,
        ]
        started = time.perf_counter()
        subprocess.run(command, cwd=PROJECT_ROOT, check=False, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        runs = sorted(Path(report_dir).iterdir())
        results = json.loads((runs[-1] / "results.json").read_text())
    return elapsed, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2", help="pytest-xdist workers (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="how many times to run the suite (default 1)")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments, after --")
    options = parser.parse_args()

    for _ in range(options.repeat):
        elapsed, results = run_once(options.workers, options.extra)
        records = results["records"]
        verdicts = Counter(record["verdict"] for record in records)
        record_seconds = sum(record["timings"].get("total_s", 0.0) for record in records)
        slowest = sorted(records, key=lambda record: record["timings"].get("total_s", 0.0), reverse=True)[:3]
        slowest_text = ", ".join(f"{record['id']} {record['timings'].get('total_s', 0.0):.1f} s" for record in slowest)
        print(
            f"| {time.strftime('%Y-%m-%d')} | {platform.machine()}, {os.cpu_count()} cores | -n {options.workers} "
            f"| {len(records)} records | {elapsed:.0f} s wall | {record_seconds:.0f} s in records "
            f"| {', '.join(f'{count} {verdict}' for verdict, count in sorted(verdicts.items()))} "
            f"| slowest: {slowest_text} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
