"""Events as JSON Lines: `requests-current.jsonl` and `feedback-current.jsonl` in the telemetry directory, each
renamed `<kind>-<UTC yyyymmddThhmmss>-<n>.jsonl` once it passes `max_bytes`, so readers glob `<kind>-*.jsonl`.

Each line is one os.write on a file opened with O_APPEND: processes sharing the directory (a server, CLI runs) append
whole lines. A process renames the live file only while its descriptor is still that file (another may have
rotated it first: then it reopens the new one).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

KINDS = {"request": "requests", "feedback": "feedback"}


class JsonlSink:
    def __init__(self, directory: Path, *, max_bytes: int) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._files: dict[str, int] = {}  # kind -> descriptor of its live file

    def write(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            kind = KINDS[event["event"]]
            line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            descriptor = self._descriptor(kind)
            os.write(descriptor, line)
            if os.fstat(descriptor).st_size >= self.max_bytes:
                self._rotate(kind)

    def close(self) -> None:
        for descriptor in self._files.values():
            os.close(descriptor)
        self._files.clear()

    def live_path(self, kind: str) -> Path:
        return self.directory / f"{kind}-current.jsonl"

    def _descriptor(self, kind: str) -> int:
        descriptor = self._files.get(kind)
        if descriptor is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.live_path(kind), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self._files[kind] = descriptor
        return descriptor

    def _rotate(self, kind: str) -> None:
        descriptor = self._files.pop(kind)
        live = self.live_path(kind)
        try:
            if os.stat(live).st_ino == os.fstat(descriptor).st_ino:  # not rotated by another process meanwhile
                os.rename(live, self._rotated_name(kind))
        except FileNotFoundError:
            pass
        finally:
            os.close(descriptor)

    def _rotated_name(self, kind: str) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        number = 1
        while (path := self.directory / f"{kind}-{stamp}-{number}.jsonl").exists():
            number += 1
        return path
