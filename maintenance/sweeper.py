"""Periodic sweeps that end work whose process died: abandoned jobs and commands.

They run in every worker (at start and then every SWEEP_INTERVAL seconds) and in every web
process, so that a dead worker's work is ended even when no other worker is left.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
_started = False
_lock = threading.Lock()


def run_sweeps() -> list[str]:
    ended = []
    for path in settings.PERIODIC_SWEEPS:
        try:
            ended += import_string(path)()
        except Exception:
            logger.exception("sweep %s failed; will try again", path)
        finally:
            close_old_connections()
    return ended


def start_in_background() -> None:
    """Start this process's sweeper thread (once)."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_forever, name="sweeper", daemon=True).start()


def _forever() -> None:
    stop = threading.Event()
    while not stop.wait(settings.SWEEP_INTERVAL):
        if ended := run_sweeps():
            logger.warning("ended abandoned work: %s", ", ".join(ended))
