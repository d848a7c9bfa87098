"""Session builds made once per test run, also when pytest-xdist runs the suite in several worker processes.

Each xdist worker is a pytest session of its own, so a session fixture would build the same dbt project once per
worker. `build_once` builds it in the run's temp dir shared by the workers (the parent of each worker's basetemp):
the first worker to ask builds it under a file lock, the others wait for the lock and reuse what it built. Tests
only read these builds (the fixtures that change one copy it first), so one build can serve every worker: DuckDB
admits many read-only processes on one file, and the toolkit writes its own files under target/ atomically.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

Built = TypeVar("Built")


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Built]) -> Built:
    """`build(work_dir)` run once per test run; every later caller, in any worker, gets its (pickled) result."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: an ordinary session fixture
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / "shared_builds"
    shared.mkdir(exist_ok=True)
    result = shared / f"{name}.pickle"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when this worker dies
        if result.exists():
            return pickle.loads(result.read_bytes())
        work_dir = shared / name
        shutil.rmtree(work_dir, ignore_errors=True)  # what a worker that failed to build left behind
        work_dir.mkdir()
        built = build(work_dir)
        result.write_bytes(pickle.dumps(built))
        return built
