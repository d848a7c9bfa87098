"""Files dbt-grounding keeps beside dbt's artifacts, under `<target-path>/dbt_grounding/`: caches and remembered
states (lineage_cache/, last_good_lineage/, ...).

They are written by this toolkit, never by the user, and only save work or remember the last good state: one that
is missing, truncated, edited, not UTF-8, of an older or other shape, or a directory where a file should be reads as
absent (and is rewritten by the next run), never as an error and never half-read. Writes are atomic (a temporary
file renamed into place), so concurrent processes never read half a file; a folder that cannot be written (a
read-only target path) is skipped silently. Every helper that keeps a file there reads and writes it through here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

STATE_DIR = "dbt_grounding"


def state_dir(target_path: Path) -> Path:
    """The toolkit's own folder beside a target folder's artifacts."""
    return Path(target_path) / STATE_DIR


def read_state(path: Path, shape: type[T], problems: list[str] | None = None) -> T | None:
    """The file decoded as `shape` (msgspec checks every field's type), or None when it is absent or unusable.

    Args:
        problems: when given, why a file that is there is unusable is appended to it (for a state worth a warning).
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        _report(problems, f"cannot read {path} ({error.strerror or error})")
        return None
    try:
        return msgspec.json.decode(data, type=shape)
    except (msgspec.DecodeError, RecursionError) as error:  # ValidationError is a DecodeError
        _report(problems, f"{path} is corrupt ({error})")
        return None


def write_state(path: Path, value: Any, problems: list[str] | None = None) -> None:
    """Write `value` as JSON atomically; a file that cannot be written is skipped (the next run tries again), and
    why is appended to `problems` when given."""
    try:
        atomic_write(Path(path), msgspec.json.encode(value, order="sorted"))
    except OSError as error:
        _report(problems, f"cannot write {path} ({error.strerror or error})")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place: a reader sees the old file or the
    new one, never half of one.

    Raises:
        OSError: the folder cannot be written (nothing is left behind).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _new_temporary(path)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _new_temporary(path: Path) -> tuple[int, Path]:
    """A new file beside `path`, only the owner may read (tempfile.mkstemp's guarantees: created here, never one
    that existed, mode 0600), without importing tempfile (shutil, random, bz2, lzma: ~4-8 ms of a cold command)."""
    for _ in range(100):
        temporary = path.with_name(f".{path.name[:32]}.{os.urandom(6).hex()}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _report(problems: list[str] | None, problem: str) -> None:
    if problems is not None:
        problems.append(problem)
