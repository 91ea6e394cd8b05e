"""The relay leans on django-eventstream internals; these fail first if an upgrade moves them."""

from __future__ import annotations

import inspect
from importlib.metadata import version

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
