"""The per-process buffer that lets every stream of a channel share one read."""

from __future__ import annotations

import pytest

from live import storage
from live.storage import RecentEvents, StreamStorage


def filled(first: int, last: int, start: int | None = None) -> RecentEvents:
    recent = RecentEvents()
    recent.start("jobs", first - 1 if start is None else start)
    recent.extend("jobs", [(i, "message", f'"{i}"') for i in range(first, last + 1)])
    return recent


def test_buffer_answers_positions_it_covers_in_order():
    recent = filled(1, 5)

    assert [e.id for e in recent.read("jobs", 2, limit=100)] == [3, 4, 5]
    assert recent.read("jobs", 5, limit=100) == []
    assert [e.data for e in recent.read("jobs", 0, limit=2)] == ["1", "2"]


def test_buffer_refuses_positions_it_does_not_cover():
    recent = filled(11, 15)

    assert recent.read("jobs", 9, limit=100) is None  # older than the buffer: the database
    assert recent.read("jobs", 16, limit=100) is None  # ahead of the relay: the database
    assert recent.read("other", 0, limit=100) is None


def test_buffer_keeps_the_newest_events_when_full(monkeypatch):
    monkeypatch.setattr(storage, "BUFFER_PER_CHANNEL", 3)
    recent = filled(1, 6)

    assert recent.read("jobs", 2, limit=100) is None
    assert [e.id for e in recent.read("jobs", 3, limit=100)] == [4, 5, 6]


def test_a_hole_restarts_the_buffer_instead_of_skipping_events():
    recent = filled(1, 3)
    recent.extend("jobs", [(7, "message", '"7"')])

    assert recent.read("jobs", 3, limit=100) is None
    assert [e.id for e in recent.read("jobs", 6, limit=100)] == [7]


@pytest.mark.django_db
def test_stream_storage_falls_back_to_the_database(monkeypatch):
    from live.services import append_event

    append_event("jobs", '{"n": 1}')
    monkeypatch.setattr(storage, "recent", RecentEvents())

    assert [e.data for e in StreamStorage().get_events("jobs", 0)] == ['{"n": 1}']
