"""Cross-process wake-up hints through the channels Redis layer (only when REDIS_URL is set).

A hint only says "channel X has something new": the relay still reads the events from storage,
so a lost hint costs latency (until the next poll), never an event.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
GROUP = "live-wakeups"
SEND_TIMEOUT = 1.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0


def _sender_loop() -> asyncio.AbstractEventLoop:
    """One long-lived loop per process for sending, so each hint reuses one Redis connection."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():
            _loop, _loop_pid = asyncio.new_event_loop(), os.getpid()
            threading.Thread(target=_loop.run_forever, name="live-hints", daemon=True).start()
        return _loop


def send_hint(channel: str) -> None:
    """Fire and forget: publishing never waits for Redis, nor fails when it is down."""
    asyncio.run_coroutine_threadsafe(_send(channel), _sender_loop())


async def _send(channel: str) -> None:
    try:
        layer = get_channel_layer()
        await asyncio.wait_for(
            layer.group_send(GROUP, {"type": "live.wake", "channel": channel}), SEND_TIMEOUT
        )
    except Exception as exc:  # Redis down or slow: the relay's poll still finds the event
        logger.debug("wake-up hint for %s not sent: %s", channel, exc)


async def listen(on_hint: Callable[[str], None]) -> None:
    """Call `on_hint(channel)` for every hint, reconnecting for as long as the process lives."""
    layer = get_channel_layer()
    while True:
        try:
            name = await layer.new_channel()
            await layer.group_add(GROUP, name)
            logger.info("listening for wake-up hints on Redis")
            while True:
                message = await layer.receive(name)
                on_hint(message.get("channel", ""))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("wake-up hints unavailable (%s); polling only, retrying in 1 s", exc)
            await asyncio.sleep(1.0)
