"""Real processes for integration tests: daphne and task workers on free loopback ports.

Every process started here is stopped by its PID when the fixture that owns it ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The URL of the database this test runs against (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        MEDIA_ROOT=settings.STORAGES["default"]["OPTIONS"]["location"],
        DJANGO_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=process_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def background(args: list[str], *, name: str, **env: str) -> Iterator[subprocess.Popen]:
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / f"{name}-{os.getpid()}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        args, cwd=ROOT, env=process_env(**env), stdout=log, stderr=subprocess.STDOUT
    )
    proc.log_path = log.name  # type: ignore[attr-defined]
    try:
        yield proc
    finally:
        stop(proc)
        log.close()


@contextmanager
def daphne_process(**env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real daphne serving the project; yields its base URL and its process."""
    port = free_port()
    args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with background([*args, "config.asgi:application"], name="daphne", **env) as proc:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", proc


@contextmanager
def daphne(**env: str) -> Iterator[str]:
    """A real daphne serving the project; yields its base URL."""
    with daphne_process(**env) as (url, _proc):
        yield url


def thread_count(proc: subprocess.Popen) -> int:
    """How many threads a running process has (Linux)."""
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise RuntimeError(f"no thread count for pid {proc.pid}")


@contextmanager
def worker(queue: str = "transcription", **env: str) -> Iterator[subprocess.Popen]:
    args = [sys.executable, "manage.py", "worker", "--queue-name", queue, "--interval", "0.1"]
    with background(args, name=f"worker-{queue}", **env) as proc:
        yield proc


def last_log(proc: subprocess.Popen) -> str:
    """What a background process has written so far."""
    return Path(proc.log_path).read_text()  # type: ignore[attr-defined]


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise TimeoutError(message or f"condition not met within {timeout} s")


@contextmanager
def redis_server(port: int | None = None) -> Iterator[tuple[str, int]]:
    """A private redis-server on a free port (so a test may stop and restart it)."""
    port = port or free_port()
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    with background([*args, "--appendonly", "no"], name="redis") as proc:
        wait_for_port(port, proc)
        yield f"redis://127.0.0.1:{port}/0", port
