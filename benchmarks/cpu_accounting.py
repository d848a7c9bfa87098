"""Where the machine's CPU went in a window: this process, each of its running children, and everything else on the
machine (Linux /proc). For benchmarks whose question is "who took the cores" (serve_through_build.py): two samples,
one at each end of the window, and the differences.

getrusage counts a child only once it has ended, so running children are read from /proc/<pid>/stat (utime+stime,
in clock ticks: 10 ms resolution), this process from getrusage(RUSAGE_SELF) (every thread), and the machine from
/proc/stat's first line (every CPU's busy time: user, nice, system, irq, softirq, steal).
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSample:
    at: float  # time.monotonic()
    own_s: float  # this process, every thread
    children_s: dict[int, float] = field(default_factory=dict)  # running child pid -> its CPU seconds so far
    machine_busy_s: float = 0.0  # every CPU's busy time since boot
    cpus: int = 1

    def children_since(self, before: CpuSample, exclude: int | None = None) -> dict[int, float]:
        """Each child running at both samples (but `exclude`): its CPU seconds between them."""
        return {pid: cpu - before.children_s[pid] for pid, cpu in sorted(self.children_s.items())
                if pid in before.children_s and pid != exclude}


def cpu_sample() -> CpuSample:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children: dict[int, float] = {}
    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == me:
            children[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / TICK
    with open("/proc/stat") as handle:
        numbers = [int(value) for value in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already inside user)
    busy = sum(numbers[:8]) - numbers[3] - numbers[4]
    return CpuSample(time.monotonic(), own.ru_utime + own.ru_stime, children, busy / TICK, os.cpu_count() or 1)
