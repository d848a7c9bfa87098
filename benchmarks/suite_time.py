#!/usr/bin/env python3
"""Benchmark: wall time of the whole test suite (`make test`'s pytest) in one process and with pytest-xdist.

Not a test; nothing here asserts a time.

    .venv/bin/python benchmarks/suite_time.py                          # both modes, the whole suite
    .venv/bin/python benchmarks/suite_time.py --marks "not pg and not spark" --modes parallel

Each mode runs pytest over python/tests from the repository root in a fresh --basetemp, with the Makefile's
PYTEST_PARALLEL options for `parallel` (one worker per CPU, --dist loadgroup) and none for `serial`. Prints a Markdown
row per mode: wall time, pytest's summary line, the load average before and after (the figures mean little on a
machine other work shares: say the load with them), and the slowest setups and calls (--durations).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MODES = {"serial": [], "parallel": ["-n", "logical", "--dist", "loadgroup"]}  # the Makefile's PYTEST_PARALLEL


def run(mode: str, marks: str | None, durations: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix=f"suite-{mode}-") as basetemp:
        command = [sys.executable, "-m", "pytest", *MODES[mode], "-q", "-p", "no:cacheprovider",
                   "--basetemp", basetemp, f"--durations={durations}"]
        if marks:
            command += ["-m", marks]
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
    summary = next((line.strip("= ") for line in reversed(result.stdout.splitlines()) if " in " in line), "?")
    slowest = re.findall(r"^(\d+\.\d+s (?:setup|call) .+)$", result.stdout, flags=re.MULTILINE)[:durations]
    print("\n".join(slowest), file=sys.stderr)
    return {"mode": mode, "wall": f"{wall / 60:.1f} min", "summary": summary,
            "load": f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="serial,parallel", help="comma-separated: serial, parallel")
    parser.add_argument("--marks", default=None, help="a pytest -m expression (default: the whole suite)")
    parser.add_argument("--durations", type=int, default=15, help="slowest setups and calls to print to stderr")
    args = parser.parse_args()
    rows = [run(mode, args.marks, args.durations) for mode in args.modes.split(",")]
    print("| mode | wall | pytest | load average (1 min) |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['mode']} | {row['wall']} | {row['summary']} | {row['load']} |")


if __name__ == "__main__":
    main()
