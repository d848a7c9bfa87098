"""A server's CPU share while a dbt command runs: lowered, so the build does not wait for the cores serving takes.

Why the scheduling group and not nice(2): Linux groups processes by session for CPU sharing (autogroups, on by
default on desktop and many server kernels), and the MCP SDK starts every stdio server in a session of its own. Each
server is then a group weighing as much as the whole session dbt runs in, and a process's nice value only orders it
within its group: 8 servers at nice 19 still got as much CPU as the build (benchmarks/serve_through_build.py,
--serve-nice). A group's own nice value (/proc/self/autogroup) is what weighs against the build, and unlike nice(2)
an unprivileged process may set it back to 0 once the build ends (only values below 0 need privileges).

Only a session leader touches it (its session is the server alone, as the SDK starts it): a server started from a
shell, in the shell's session, would lower the shell's whole session. Where autogroups do not exist (other systems,
kernels without them, or turned off) nothing changes.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")
DEFAULT_BUILD_NICE = 19


class BuildPriority:
    """Sets this process's scheduling group's nice value to `nice` while a build runs and to 0 when it ends.

    Attributes:
        lowered: whether the group's nice value is `nice` now.
        changes: how many times it was set (each an entry written to /proc/self/autogroup).
    """

    def __init__(self, nice: int = DEFAULT_BUILD_NICE) -> None:
        self.nice = nice
        self.lowered = False
        self.changes = 0
        self._lock = threading.Lock()
        self.available = nice > 0 and _own_session() and AUTOGROUP.is_file()

    def building(self, running: bool) -> None:
        """Called with each call's view of the artifacts: whether a dbt command is running now."""
        if not self.available or running == self.lowered:
            return
        with self._lock:
            if running == self.lowered:
                return
            try:
                AUTOGROUP.write_text(str(self.nice if running else 0))
            except OSError as error:
                # EAGAIN: set less than 100 ms ago (the kernel's rate limit): the next call tries again
                if error.errno != errno.EAGAIN:
                    self.available = False
                return
            self.lowered = running
            self.changes += 1


def _own_session() -> bool:
    try:
        return os.getsid(0) == os.getpid()
    except (AttributeError, OSError):  # not POSIX
        return False
