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
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_eventstream.models import Event as StoredEvent
from django_eventstream.models import EventCounter
from django_eventstream.storage import EVENT_TIMEOUT, DjangoModelStorage
from django_eventstream.utils import make_id

logger = logging.getLogger(__name__)
_storage = DjangoModelStorage()
TRIM_EVERY = 60.0  # seconds between trims of events past retention, per process


def publish(channel: str, payload: dict[str, Any]) -> None:
    """Deliver `payload` (JSON) to every stream of `channel` once the transaction commits."""
    data = json.dumps(payload, separators=(",", ":"), default=str)
    transaction.on_commit(lambda: _append(channel, data), robust=False)


def _append(channel: str, data: str) -> None:
    append_event(channel, data)
    if settings.REDIS_URL:
        from live.hints import send_hint

        send_hint(channel)
    from live.relay import kick_local

    kick_local()  # streams held by this very process need not wait for the next poll


def append_event(channel: str, data: str) -> int:
    """Store one event exactly as DjangoModelStorage does, in three queries instead of six.

    The counter row is updated first, so on PostgreSQL its lock orders concurrent appends
    until commit (ids become visible in id order); SQLite's IMMEDIATE transactions serialise
    them anyway. A new channel gets the library's placeholder event 0, so that a client can
    resume from id 0. Events older than the library's retention are trimmed now and then,
    not on every append.
    """
    now = timezone.now()
    with transaction.atomic():
        if not EventCounter.objects.filter(name=channel).update(value=F("value") + 1, updated=now):
            try:
                with transaction.atomic():
                    EventCounter.objects.create(name=channel, value=1)
                    # bulk_create: Event.save() would treat eid 0 as "allocate an id"
                    StoredEvent.objects.bulk_create(
                        [StoredEvent(channel=channel, type="", data="", eid=0)]
                    )
            except IntegrityError:  # another process created the channel first
                EventCounter.objects.filter(name=channel).update(value=F("value") + 1, updated=now)
        eid = EventCounter.objects.filter(name=channel).values_list("value", flat=True).get()
        # The wire carries `data` as the event's data, so it is stored as a JSON string.
        StoredEvent.objects.bulk_create(
            [StoredEvent(channel=channel, type="message", data=json.dumps(data), eid=eid)]
        )
    _trim_now_and_then(now)
    return eid


_last_trim = 0.0


def _trim_now_and_then(now) -> None:
    global _last_trim
    if time.monotonic() - _last_trim < TRIM_EVERY:
        return
    _last_trim = time.monotonic()
    StoredEvent.objects.filter(created__lt=now - timedelta(minutes=EVENT_TIMEOUT)).delete()


def current_id(channel: str) -> int:
    return _storage.get_current_id(channel)


def current_event_id(channels: Iterable[str]) -> str:
    """The SSE id a page embeds: read before its rows, so that it misses nothing after them."""
    return make_id({channel: current_id(channel) for channel in channels})
