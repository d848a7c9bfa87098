"""Helpers for the warehouse tests: another process holding a DuckDB file for writing, as `dbt build` does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def held_for_writing(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding `path` read-write (as `dbt build` does) until the block ends."""
    script = (
        "import duckdb, sys\n"
        f"connection = duckdb.connect({str(path)!r})\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"  # hold until the test closes our stdin
        "connection.close()\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        yield process
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=30)


def can_open_for_writing(path: Path) -> bool:
    """Whether another process could open `path` read-write right now (what `dbt build` needs)."""
    script = f"import duckdb\nduckdb.connect({str(path)!r}).close()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60).returncode == 0
