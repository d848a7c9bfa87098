"""Where a request's time goes: the code doing the work times its phase (`artifacts`, `warehouse`, `render`), summed
into the request being served in this thread or task (a context variable). Outside a request nothing is kept, so
the warehouse and the renderers may time themselves unconditionally. A leaf module: imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from time import perf_counter

PHASES = ("artifacts", "warehouse", "render")

_phases: ContextVar[dict[str, float] | None] = ContextVar("dbt_grounding_request_phases", default=None)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the time spent inside to `name` of the request being served (milliseconds); nothing outside one."""
    phases = _phases.get()
    if phases is None:
        yield
        return
    start = perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + (perf_counter() - start) * 1000.0


def collect(phases: dict[str, float]) -> Token:
    """Collect the phases timed from now on in this context into `phases`; `stop(token)` ends it."""
    return _phases.set(phases)


def stop(token: Token) -> None:
    _phases.reset(token)
