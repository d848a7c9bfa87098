"""Writing events never blocks or fails a request: the request puts its event on a bounded queue (dropped and
counted when full) and returns; one background thread per sink turns them into events and writes them in batches.
A write that fails is counted too (`failed`), never raised. `close` (and the interpreter's exit) drains the queue
for at most `timeout` seconds.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

_STOP = object()
_FLUSH = "flush"
BATCH = 256
LINGER_S = 0.5  # how long the first event of a batch waits for others (flush and close do not wait)
# a real sleep after each event made, not sleep(0): releasing the GIL and taking it straight back hands it to a request
# thread waiting for it only if that thread asked for it, which it does after the interpreter's 5 ms switch interval;
# a sleep this long lets it wake and take the GIL at once (benchmarks/context_latency.py: p95 with the defaults)
YIELD_S = 0.0002
WRITE_CHUNK = 16  # events handed to the sink at once, a sleep of YIELD_S after each chunk (~0.4 ms of Python each)


class Sink(Protocol):
    def write(self, events: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class EventWriter:
    """A bounded queue of pending events (anything with `to_event()`, or a callable returning the event) drained by
    a daemon thread into `sink`.

    The queue is a deque the request appends to without taking a lock or waking the thread (only the first event
    of a batch wakes it): a thread woken on every event takes the GIL from the request that just queued it, and on
    a loaded machine the request then waits for that thread to be scheduled again.

    Attributes:
        dropped: events not written because the queue was full (or the writer closed).
        failed: events lost to an error while making or writing them.
        written: events written.
    """

    def __init__(self, sink: Sink, *, capacity: int) -> None:
        self.sink = sink
        self.capacity = capacity
        self._pending: deque[Any] = deque()
        self._queued = threading.Event()  # something is in the deque
        self._urgent = threading.Event()  # a flush or close is: stop gathering
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.dropped = 0
        self.failed = 0
        self.written = 0

    def put(self, pending: Any) -> bool:
        """Queue one event; False (and counted in `dropped`) when the queue is full or the writer closed."""
        if self._closed:
            self._count("dropped")
            return False
        if self._thread is None:
            self.start()
        if len(self._pending) >= self.capacity:  # threads putting at once may pass it by a few: bounded all the same
            self._count("dropped")
            return False
        self._pending.append(pending)
        if not self._queued.is_set():
            self._queued.set()
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued before this call is written (at most `timeout` s); True when it was."""
        if self._thread is None or not self._thread.is_alive():
            return not self._pending
        done = threading.Event()
        self._signal((_FLUSH, done))
        return done.wait(timeout)

    def close(self, timeout: float = 2.0) -> None:
        """Write what is queued (for at most `timeout` s), stop the thread, close the sink."""
        if self._closed:
            return
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._signal(_STOP)
            thread.join(timeout)
        if thread is None or not thread.is_alive():
            self.sink.close()

    def start(self) -> None:
        """Start the writer thread (the first `put` does)."""
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._drain, name="dbt-grounding-telemetry", daemon=True)
                thread.start()
                self._thread = thread

    def _signal(self, marker: Any) -> None:
        """A flush or stop marker, queued past the capacity (it is no event) and written at once."""
        self._pending.append(marker)
        self._urgent.set()
        self._queued.set()

    def _count(self, name: str, how_many: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + how_many)

    def _drain(self) -> None:
        while True:
            self._queued.wait()
            # gather for LINGER_S, then make and write the batch in one go: the work (hashing, estimating tokens)
            # holds the GIL, and done in bursts it overlaps few requests instead of a little of every one
            self._urgent.wait(LINGER_S)
            self._queued.clear()
            self._urgent.clear()
            batch = []
            while self._pending:
                batch.append(self._pending.popleft())
            for start in range(0, len(batch), BATCH):
                if self._write(batch[start:start + BATCH]):
                    return

    def _write(self, batch: list[Any]) -> bool:
        """Write `batch`'s events, release its flushes; True when it holds the stop marker."""
        events, flushes, stopping = [], [], False
        for item in batch:
            if item is _STOP:
                stopping = True
            elif isinstance(item, tuple) and item and item[0] == _FLUSH:
                flushes.append(item[1])
            else:
                event = self._event(item)
                if event is not None:
                    events.append(event)
                # let a request waiting for the GIL have it now, not after the interpreter's 5 ms switch interval:
                # a batch of a few hundred events is tens of ms of Python a request would otherwise queue behind
                time.sleep(YIELD_S)
        for start in range(0, len(events), WRITE_CHUNK):
            chunk = events[start:start + WRITE_CHUNK]
            try:
                self.sink.write(chunk)
                self._count("written", len(chunk))
            except Exception:  # noqa: BLE001 - a full disk or a read-only target must not reach a request
                self._count("failed", len(chunk))
            time.sleep(YIELD_S)  # as between events made: encoding a batch of a few hundred is ms of Python
        for done in flushes:
            done.set()
        return stopping

    def _event(self, pending: Any) -> dict[str, Any] | None:
        try:
            return pending.to_event() if hasattr(pending, "to_event") else pending()
        except Exception:  # noqa: BLE001 - as above: counted, never raised
            self._count("failed")
            return None


_writers: dict[tuple[Any, ...], EventWriter] = {}
_writers_lock = threading.Lock()


def shared_writer(identity: tuple[Any, ...], make: Callable[[], EventWriter]) -> EventWriter:
    """One writer per sink in a process (a server reloading its project keeps one thread and one file), closed at
    exit."""
    with _writers_lock:
        writer = _writers.get(identity)
        if writer is None or writer._closed:
            writer = _writers[identity] = make()
        return writer


@atexit.register
def close_all() -> None:
    with _writers_lock:
        writers = list(_writers.values())
        _writers.clear()
    for writer in writers:
        writer.close()
