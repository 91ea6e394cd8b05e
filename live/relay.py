"""One relay per web process: notices new events in storage and wakes the streams that wait.

It polls the indexed per-channel counters of the channels that have open streams (every
LIVE_POLL_INTERVAL seconds, and at once on a Redis hint). When a counter moved, it reads the
new events once into this process's buffer (live/storage.py), marks those streams' listeners
as overflowed and wakes them: django-eventstream's stream loop then re-reads storage from that
stream's own last id, served from the buffer. So delivery is in id order, without gaps or
duplicates, whichever process published, and costs one query per event per process.

This leans on django-eventstream 5.3.4 internals (ListenerManager, Listener.overflow,
wake_threadsafe); tests/live/test_library_contract.py fails if they change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref

from django.conf import settings
from django.db import close_old_connections, connection
from django_eventstream.models import Event as StoredEvent
from django_eventstream.models import EventCounter
from django_eventstream.views import get_listener_manager

from live.storage import recent

logger = logging.getLogger(__name__)


class Relay:
    def __init__(self) -> None:
        self.kick = threading.Event()
        self.seen: dict[str, int] = {}
        self.known: weakref.WeakSet = weakref.WeakSet()

    def start(self) -> None:
        threading.Thread(target=self.run, name="live-relay", daemon=True).start()
        if settings.REDIS_URL:
            threading.Thread(target=self.run_hints, name="live-relay-hints", daemon=True).start()

    def run(self) -> None:
        while True:
            self.kick.wait(settings.LIVE_POLL_INTERVAL)
            self.kick.clear()
            try:
                self.poll()
            except Exception:
                logger.exception("relay poll failed; retrying")
                connection.close()
                self.kick.wait(1.0)

    def run_hints(self) -> None:
        from live.hints import listen

        asyncio.run(listen(lambda channel: self.kick.set()))

    def poll(self) -> None:
        manager = get_listener_manager()
        with manager.lock:
            by_channel = {ch: list(ls) for ch, ls in manager.listeners_by_channel.items()}
        if not by_channel:
            self.seen.clear()
            recent.keep_only(set())
            close_old_connections()
            return
        values = dict(
            EventCounter.objects.filter(name__in=list(by_channel)).values_list("name", "value")
        )
        wake = set()
        for channel, listeners in by_channel.items():
            value = values.get(channel, 0)
            if self.seen.get(channel) != value:
                self.buffer(channel, value)
                wake.update(listeners)
            else:
                # A stream that registered after the last poll may have read storage just
                # before an event landed: wake it once so that it reads again.
                wake.update(li for li in listeners if li not in self.known)
            self.seen[channel] = value
        for gone in set(self.seen) - set(by_channel):
            del self.seen[gone]
        recent.keep_only(set(by_channel))
        for listeners in by_channel.values():
            self.known.update(listeners)
        if wake:
            with manager.lock:
                for listener in wake:
                    listener.overflow = True
            for listener in wake:
                # RuntimeError: its event loop closed, so the stream has ended.
                with contextlib.suppress(RuntimeError):
                    listener.wake_threadsafe()

    @staticmethod
    def buffer(channel: str, value: int) -> None:
        """Read the channel's new events once, for every stream of this process."""
        position = recent.position(channel)
        if position is None or position > value:
            recent.start(channel, value)
            return
        rows = StoredEvent.objects.filter(channel=channel, eid__gt=position, eid__lte=value)
        recent.extend(channel, list(rows.order_by("eid").values_list("eid", "type", "data")))


_relay: Relay | None = None
_lock = threading.Lock()


def kick_local() -> None:
    """Poll now, if this process runs a relay (it holds streams)."""
    if _relay is not None:
        _relay.kick.set()


def ensure_started() -> Relay:
    global _relay
    with _lock:
        if _relay is None:
            _relay = Relay()
            _relay.start()
        return _relay
