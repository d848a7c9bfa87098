"""Files stamped without being read, for answers kept beside the artifacts (lineage.traced, cli.kept_answers,
serving.kept_checks): an answer is kept under a key over the stamps of every file it depends on, so any change to
one of them makes the answer stop being found.

A stamp is a file's size, modification and inode-change times in ns and inode, or None when it is absent. The
change time moves on every write and on a rename into place, even one that restores the old modification time
(`touch -d`, `cp -p`, a DuckDB checkpoint), so a file rewritten within one clock tick is still told apart.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def file_stamp(path: Path | str) -> list[int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def code_stamp() -> list[object]:
    """The toolkit's source files and sqlglot's (found, not imported), as stamps: reading them would cost more than
    the answers they key save (os.scandir: pathlib's walk costs ~10x more)."""
    stamped: list[object] = []
    folders = [str(PACKAGE_DIR)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda entry: entry.name):
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(entry.path)
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    stamped.append([entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ino])
    spec = importlib.util.find_spec("sqlglot")
    if spec is not None and spec.origin:
        origin = Path(spec.origin)
        stamped += [[str(path), file_stamp(path)] for path in (origin, origin.with_name("_version.py"))]
    return stamped
