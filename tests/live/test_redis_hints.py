"""With REDIS_URL, a publisher's hint wakes the relay at once; without Redis, the poll still
delivers."""

from __future__ import annotations

import socket
import time

import pytest

from tests import processes
from tests.factories import UserFactory
from tests.sse import Stream, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]
REDIS_URL = "redis://127.0.0.1:6379/0"
PUBLISH = (
    "from live.services import publish\npublish('jobs', {'n': 1})\nimport time; time.sleep(0.3)"
)


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def delivery_seconds(redis_url: str, poll: str) -> float:
    cookie = session_cookie(UserFactory(is_staff=True))
    env = {"REDIS_URL": redis_url, "LIVE_POLL_INTERVAL": poll}
    with processes.daphne(**env) as server, Stream(server, cookie) as stream:
        time.sleep(0.5)  # let the relay subscribe
        start = time.monotonic()
        result = processes.manage("shell", "-v0", "-c", PUBLISH, **env)
        assert result.returncode == 0, result.stderr
        [event] = stream.messages(1, timeout=20)
        assert event.json() == {"n": 1}
        return time.monotonic() - start


def test_redis_hint_delivers_long_before_the_next_poll():
    if not redis_up():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    # The shell process itself takes about a second to start; the poll would take 10 s.
    assert delivery_seconds(REDIS_URL, poll="10") < 5


def test_dead_redis_costs_latency_never_the_event():
    assert delivery_seconds("redis://127.0.0.1:1/0", poll="0.2") < 10


def test_hints_resume_after_redis_restarts():
    cookie = session_cookie(UserFactory(is_staff=True))
    port = processes.free_port()
    env = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "LIVE_POLL_INTERVAL": "10"}
    with processes.daphne(**env) as server, Stream(server, cookie) as stream:
        with processes.redis_server(port):
            time.sleep(0.5)
        with processes.redis_server(port):  # a restarted Redis, as after a deploy or crash
            time.sleep(3)  # the relay notices and subscribes again
            start = time.monotonic()
            result = processes.manage("shell", "-v0", "-c", PUBLISH, **env)
            assert result.returncode == 0, result.stderr
            [event] = stream.messages(1, timeout=20)
            elapsed = time.monotonic() - start

    assert event.json() == {"n": 1}
    assert elapsed < 5, f"{elapsed:.1f} s: the hint was lost and the 10 s poll delivered"
