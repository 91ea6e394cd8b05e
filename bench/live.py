"""Publish → client receipt latency over SSE, and memory per held stream.

Publishes from this process (as a worker would) to a real daphne in another process, with
1 and 100 clients, on the embedded default (database poll) and with Redis hints.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore

from live.services import publish

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 60
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def staff_cookie() -> str:
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def start_daphne(port: int, redis_url: str, env: dict | None = None) -> subprocess.Popen:
    env = dict(env or os.environ, REDIS_URL=redis_url, DJANGO_DEBUG="0", LOG_LEVEL="WARNING")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("daphne did not start")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def client(port: int, cookie: str, opened: asyncio.Event, sink: list, ready: list):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            "GET /events/?channel=jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        while line := await reader.readline():
            if line.startswith(b"event: stream-open"):
                ready.append(1)
                if len(ready) >= opened.target:  # type: ignore[attr-defined]
                    opened.set()
            elif line.startswith(b"data: {"):
                sink.append(time.time() - json.loads(line[6:])["t"])
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def hold(port: int, cookie: str, n: int):
    """Open n streams, at most 50 connecting at once (as a reconnect storm would be spread)."""
    opened = asyncio.Event()
    opened.target = n  # type: ignore[attr-defined]
    sink: list[float] = []
    ready: list[int] = []
    tasks = []
    for _ in range(n):
        tasks.append(asyncio.create_task(client(port, cookie, opened, sink, ready)))
        while len(tasks) - len(ready) >= 50:
            await asyncio.sleep(0.01)
    await asyncio.wait_for(opened.wait(), 300)
    return tasks, sink


async def latency(port: int, cookie: str, clients: int) -> list[float]:
    tasks, sink = await hold(port, cookie, clients)
    await asyncio.sleep(0.5)
    events = events_for(clients)
    for _ in range(events):
        await asyncio.to_thread(publish, "jobs", {"t": time.time()})
        await asyncio.sleep(0.05)
    deadline = time.monotonic() + 20
    while len(sink) < events * clients and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return sink


async def memory(port: int, cookie: str, pid: int, clients: int) -> tuple[float, int]:
    await asyncio.sleep(0.5)
    before = rss_kb(pid)
    tasks, _ = await hold(port, cookie, clients)
    await asyncio.sleep(1.0)
    after = rss_kb(pid)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return (after - before) / clients, after


def use_redis_hints(redis_url: str) -> None:
    from channels.layers import channel_layers

    settings.REDIS_URL = redis_url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url or REDIS_URL]},
        }
    }
    channel_layers.backends.clear()


def events_for(clients: int) -> int:
    return EVENTS if clients <= 100 else 20


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def raise_file_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


def run() -> tuple[str, str]:
    raise_file_limit()  # 1,000 streams: as many sockets here and in daphne (it inherits this)
    cookie = staff_cookie()
    rows = []
    redis = socket.socket()
    has_redis = redis.connect_ex(("127.0.0.1", 6379)) == 0
    redis.close()
    modes = [("embedded (poll %.0f ms)" % (settings.LIVE_POLL_INTERVAL * 1000), "")]
    if has_redis:
        modes.append(("Redis hints", REDIS_URL))
    for label, redis_url in modes:
        use_redis_hints(redis_url)  # this process publishes, so it sends the hints too
        port = free_port()
        proc = start_daphne(port, redis_url)
        try:
            for clients in (1, 100, 1000):
                got = asyncio.run(latency(port, cookie, clients))
                rows.append(
                    f"| {label} | {clients} | {len(got):,}/{events_for(clients) * clients:,} | "
                    f"{pct(got, 0.5):.1f} | {pct(got, 0.95):.1f} | {pct(got, 0.99):.1f} |"
                )
        finally:
            proc.kill()
            proc.wait()
    memory_rows = []
    use_redis_hints("")
    for clients in (500, 1000):  # each on a fresh daphne, so earlier runs do not blur it
        port = free_port()
        proc = start_daphne(port, "")
        try:
            per_stream, total = asyncio.run(memory(port, cookie, proc.pid, clients))
        finally:
            proc.kill()
            proc.wait()
        memory_rows.append(f"| {clients:,} | {per_stream:.0f} | {total / 1024:.0f} |")
    table = "\n".join(
        [
            "| mode | clients | delivered | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            "Streams held by one daphne process (embedded), memory measured as the growth of",
            "its resident set while they are open:",
            "",
            "| streams | KB per stream | daphne RSS MB |",
            "|---:|---:|---:|",
            *memory_rows,
        ]
    )
    return "Live events: publish → client receipt", table
