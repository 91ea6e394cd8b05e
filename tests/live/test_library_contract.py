"""The relay leans on django-eventstream internals; these fail first if an upgrade moves them."""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest
from django_eventstream import views
from django_eventstream.storage import DjangoModelStorage


def test_django_eventstream_is_the_pinned_version():
    assert version("django-eventstream") == "5.3.4"


def test_listener_registry_has_what_the_relay_uses():
    manager = views.get_listener_manager()
    listener = views.Listener()

    assert isinstance(manager.listeners_by_channel, dict)
    assert hasattr(manager.lock, "acquire")
    assert listener.overflow is False
    assert callable(listener.wake_threadsafe)


def test_stream_rereads_storage_when_a_listener_overflowed():
    source = inspect.getsource(views.stream)

    assert "overflow = listener.overflow" in source
    assert "if overflow:" in source
    assert "await get_events(event_request)" in source


def test_storage_offers_append_and_current_id():
    storage = DjangoModelStorage()

    for name in ("append_event", "get_events", "get_current_id"):
        assert callable(getattr(storage, name))


def test_storage_models_have_the_shape_our_append_writes():
    from django_eventstream.models import Event, EventCounter
    from django_eventstream.storage import EVENT_TIMEOUT

    assert {f.name for f in Event._meta.fields} >= {"channel", "type", "data", "eid", "created"}
    assert ("channel", "eid") in Event._meta.unique_together
    assert {f.name for f in EventCounter._meta.fields} >= {"name", "value", "updated"}
    assert EVENT_TIMEOUT == 60 * 24


@pytest.mark.django_db
def test_events_we_append_read_back_through_the_library_storage():
    from live.services import append_event

    first = append_event("jobs", '{"n": 1}')
    append_event("jobs", '{"n": 2}')
    storage = DjangoModelStorage()

    assert storage.get_current_id("jobs") == first + 1
    assert [(e.id, e.data) for e in storage.get_events("jobs", 0)] == [
        (first, '{"n": 1}'),
        (first + 1, '{"n": 2}'),
    ]
