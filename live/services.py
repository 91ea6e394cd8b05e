"""The only module that talks to django-eventstream.

Publishing appends to the library's database storage after the surrounding transaction
commits, from whichever process publishes; each web process's relay (live.relay) notices the
new event and wakes the streams of that channel, which re-read storage from their own last id.
So an event from a worker or a shell reaches every browser, in id order, and an event of a
transaction that rolls back is never seen.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django_eventstream.storage import DjangoModelStorage
from django_eventstream.utils import make_id

logger = logging.getLogger(__name__)
_storage = DjangoModelStorage()


def publish(channel: str, payload: dict[str, Any]) -> None:
    """Deliver `payload` (JSON) to every stream of `channel` once the transaction commits."""
    data = json.dumps(payload, separators=(",", ":"), default=str)
    transaction.on_commit(lambda: _append(channel, data), robust=False)


def _append(channel: str, data: str) -> None:
    # The wire carries `data` as the event's data, so it is stored as a JSON string.
    _storage.append_event(channel, "message", data)
    if settings.REDIS_URL:
        from live.hints import send_hint

        send_hint(channel)


def current_id(channel: str) -> int:
    return _storage.get_current_id(channel)


def current_event_id(channels: Iterable[str]) -> str:
    """The SSE id a page embeds: read before its rows, so that it misses nothing after them."""
    return make_id({channel: current_id(channel) for channel in channels})
