"""The writer never blocks or fails a request: a full queue drops and counts, a failing sink counts, the live file
is rotated by size into files readers glob, and close writes what is queued."""

from __future__ import annotations

import threading

import pytest

from dbt_grounding.telemetry import Telemetry, TelemetryConfig
from dbt_grounding.telemetry.jsonl_sink import JsonlSink
from dbt_grounding.telemetry.writer import EventWriter

from telemetry.events_files import events


def feedback(number: int) -> dict:
    return {"event": "feedback", "schema_version": 1, "feedback_id": f"{number:032x}", "ts": "2026-12-01T00:00:00.000Z",
            "request_id": f"{number:032x}", "document_hash": None, "rating": "up", "comment": "x" * 200}


def test_the_live_file_is_rotated_by_size_and_nothing_is_lost(tmp_path) -> None:
    writer = EventWriter(JsonlSink(tmp_path, max_bytes=4096), capacity=1000)
    for number in range(100):
        assert writer.put(lambda number=number: feedback(number))
    writer.close()
    files = sorted(path.name for path in tmp_path.iterdir())
    rotated = [name for name in files if name != "feedback-current.jsonl"]
    assert len(rotated) >= 5 and all(name.startswith("feedback-2") and name.endswith(".jsonl") for name in rotated)
    assert all(path.stat().st_size < 4096 + 400 for path in tmp_path.iterdir())  # one line past the limit at most
    assert sorted(int(event["feedback_id"], 16) for event in events(tmp_path, "feedback")) == list(range(100))
    assert (writer.written, writer.dropped, writer.failed) == (100, 0, 0)


class BlockedSink:
    """A sink stuck in a write (a hung network disk) until released."""

    def __init__(self) -> None:
        self.release, self.entered, self.written = threading.Event(), threading.Event(), []

    def write(self, batch: list[dict]) -> None:
        self.entered.set()
        self.release.wait()
        self.written += batch

    def close(self) -> None:
        pass


def test_a_full_queue_drops_and_counts_instead_of_blocking(tmp_path) -> None:
    sink = BlockedSink()
    writer = EventWriter(sink, capacity=5)
    writer.put(lambda: feedback(0))
    assert sink.entered.wait(30)  # the writer thread holds event 0 in the stuck write; the queue is empty
    results: list[bool] = []
    putter = threading.Thread(target=lambda: results.extend(writer.put(lambda n=n: feedback(n)) for n in range(1, 51)))
    putter.start()
    putter.join(60)
    assert not putter.is_alive(), "put blocked on a full queue"
    assert results.count(True) == 5 and results.count(False) == 45
    assert writer.dropped == 45
    sink.release.set()
    assert writer.flush(30)
    assert [int(event["feedback_id"], 16) for event in sink.written] == [0, 1, 2, 3, 4, 5]


class BrokenSink:
    def write(self, batch: list[dict]) -> None:
        raise OSError("No space left on device")

    def close(self) -> None:
        pass


def test_a_sink_that_fails_and_an_event_that_cannot_be_made_are_counted_never_raised() -> None:
    writer = EventWriter(BrokenSink(), capacity=10)
    writer.put(lambda: feedback(1))
    writer.put(lambda: 1 / 0)
    assert writer.flush(30)
    assert (writer.failed, writer.written) == (2, 0)
    writer.close()
    assert not writer.put(lambda: feedback(2)) and writer.dropped == 1  # closed: dropped, counted


def test_feedback_is_checked_and_typed(tmp_path) -> None:
    from dbt_grounding.telemetry import InvalidFeedbackError, TelemetryDisabledError

    telemetry = Telemetry(TelemetryConfig(directory=tmp_path))
    for arguments, field in [({"rating": "meh", "request_id": "a" * 32}, "rating"),
                             ({"rating": "up"}, "request_id"),
                             ({"rating": "up", "request_id": "not-an-id"}, "request_id"),
                             ({"rating": "up", "document_hash": "ab" * 16}, "document_hash"),
                             ({"rating": "down", "request_id": "a" * 32, "comment": "x" * 2001}, "comment")]:
        with pytest.raises(InvalidFeedbackError) as raised:
            telemetry.record_feedback(**arguments)
        assert raised.value.details["field"] == field and raised.value.hint
    off = Telemetry(TelemetryConfig(mode="off", directory=tmp_path / "off"))
    with pytest.raises(TelemetryDisabledError):
        off.record_feedback(rating="up", request_id="a" * 32)
    telemetry.record_feedback(rating="down", document_hash="0" * 64, comment="mail me: jane.doe@example.com")
    assert telemetry.flush(30)
    (recorded,) = events(tmp_path, "feedback")
    assert (recorded["rating"], recorded["request_id"], recorded["document_hash"]) == ("down", None, "0" * 64)
    assert recorded["comment"] == "mail me: [email]"
    assert not (tmp_path / "off").exists()


def test_the_mode_is_checked() -> None:
    from dbt_grounding.errors import ConfigurationError
    from dbt_grounding.telemetry.config import resolve_config

    with pytest.raises(ConfigurationError, match="telemetry mode 'on' is not one of off, jsonl"):
        resolve_config("on", target_path=__import__("pathlib").Path("target"))
