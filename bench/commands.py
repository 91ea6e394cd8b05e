"""Click to screen and commands per second, end to end over HTTP and SSE.

Each mode runs real processes: daphne and command workers, on the embedded default (SQLite)
and scaled out (PostgreSQL + Redis). The client mints the commandId, opens the command's
stream, then POSTs: "first phase" is POST → the queued event on screen, "terminal" is POST →
success.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import psycopg

from bench.live import ROOT, free_port, pct, start_daphne

CLICKS = 300
WARMUP = 5
THROUGHPUT = 300
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
SETUP = """
import json, os
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from transcription.ids import new_job_id
from transcription.models import TranscriptionJob as J
user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
s = SessionStore()
s.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend", "_auth_user_hash": user.get_session_auth_hash()})
s.create()
jobs = J.objects.bulk_create([J(id=new_job_id(), status="failed", audio="x.wav", original_name="x.wav", error_message="bench") for _ in range(int(os.environ["BENCH_JOBS"]))])
print(json.dumps({"cookie": "sessionid=" + s.session_key, "jobs": [j.pk for j in jobs]}))
"""  # noqa: E501


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(result.stderr)
    return result.stdout


def mode_env(scaled: bool, scratch: str) -> dict:
    env = dict(os.environ, DJANGO_DEBUG="0", LOG_LEVEL="WARNING", REDIS_URL="")
    if scaled:
        with psycopg.connect(PG_ADMIN, autocommit=True) as pg:
            pg.execute("DROP DATABASE IF EXISTS jobdesk_bench WITH (FORCE)")
            pg.execute("CREATE DATABASE jobdesk_bench")
        env.update(
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/jobdesk_bench",
            REDIS_URL="redis://127.0.0.1:6379/0",
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{scratch}/commands-{time.monotonic_ns()}.sqlite3"
    manage(env, "migrate", "-v0")
    return env


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--queue-name", "commands", "--interval", "0.05"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_all(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.kill()
        proc.wait()


async def request(port: int, method: str, path: str, cookie: str, body: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    token = "b" * 32
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}; csrftoken={token}\r\n"
        f"X-CSRFToken: {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


async def stream(port: int, cookie: str, query: str, opened: asyncio.Event, on_data):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /events/?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n".encode()
    )
    try:
        while line := await reader.readline():
            if line.startswith(b"event: stream-open"):
                opened.set()
            elif line.startswith(b"data: {") and on_data(json.loads(line[6:])):
                return
    finally:
        writer.close()


async def one_click(port: int, cookie: str, job_id: str) -> tuple[float, float]:
    command_id = str(uuid.uuid4())
    channel = f"command-{command_id}"
    opened, seen = asyncio.Event(), {}

    def on_data(event):
        seen.setdefault(event["phase"], time.perf_counter())
        return event["phase"] in {"success", "error"}

    task = asyncio.create_task(
        stream(port, cookie, f"channel={channel}&lastEventId={channel}:0", opened, on_data)
    )
    await asyncio.wait_for(opened.wait(), 10)
    body = {"commandId": command_id, "type": "retry-job", "target": job_id}
    start = time.perf_counter()
    await request(port, "POST", "/commands/run", cookie, json.dumps(body).encode())
    await asyncio.wait_for(task, 30)
    return seen["queued"] - start, min(seen.get("success", 1e9), seen.get("error", 1e9)) - start


async def clicks(port: int, cookie: str, jobs: list[str]) -> tuple[list[float], list[float]]:
    for job_id in jobs[:WARMUP]:  # first requests load code and open connections
        await one_click(port, cookie, job_id)
    first, terminal = [], []
    for job_id in jobs[WARMUP:]:
        a, b = await one_click(port, cookie, job_id)
        first.append(a)
        terminal.append(b)
    return first, terminal


async def throughput(port: int, cookie: str, jobs: list[str]) -> float:
    """POST every retry (20 at a time), count the table's events until all have run.

    Any answer but 202 is a failure of the run, never silently left out of the rate."""
    opened, done = asyncio.Event(), set()

    def on_data(event):
        done.add(event.get("jobId"))
        return len(done) >= len(jobs)

    watcher = asyncio.create_task(stream(port, cookie, "channel=jobs", opened, on_data))
    await asyncio.wait_for(opened.wait(), 10)
    gate = asyncio.Semaphore(20)

    async def post(job_id):
        async with gate:
            body = {"commandId": str(uuid.uuid4()), "type": "retry-job", "target": job_id}
            answer = await request(port, "POST", "/commands/run", cookie, json.dumps(body).encode())
            status = answer.split(b"\r\n", 1)[0]
            if b" 202 " not in status:
                raise RuntimeError(f"POST answered {status!r}: {answer[-300:]!r}")

    start = time.perf_counter()
    await asyncio.gather(*(post(j) for j in jobs))
    await asyncio.wait_for(watcher, 300)
    return len(jobs) / (time.perf_counter() - start)


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User plus system CPU time a running process has used (Linux)."""
    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spread(values: list[float]) -> str:
    return " / ".join(f"{pct(values, q):.1f}" for q in (0.5, 0.95, 0.99))


def run() -> tuple[str, str]:
    scratch = tempfile.mkdtemp(prefix="jobdesk-bench-commands-")
    click_rows, rate_rows = [], []
    for label, scaled in [("embedded (SQLite)", False), ("scaled out (PostgreSQL + Redis)", True)]:
        env = mode_env(scaled, scratch)
        env["BENCH_JOBS"] = str(WARMUP + CLICKS + 2 * THROUGHPUT)
        setup = json.loads(manage(env, "shell", "-v0", "-c", SETUP))
        jobs = setup["jobs"]
        with ExitStack() as stack:
            port = free_port()
            daphne = start_daphne(port, env["REDIS_URL"], env)
            stack.callback(kill_all, [daphne])
            workers = [start_worker(env)]
            stack.callback(kill_all, workers)
            first, terminal = asyncio.run(clicks(port, setup["cookie"], jobs[: WARMUP + CLICKS]))
            click_rows.append(f"| {label} | {CLICKS} | {spread(first)} | {spread(terminal)} |")
            rest = jobs[WARMUP + CLICKS :]
            for n, batch in [(1, rest[:THROUGHPUT]), (2, rest[THROUGHPUT:])]:
                while len(workers) < n:
                    workers.append(start_worker(env))
                before = [cpu_seconds(p) for p in (daphne, *workers)]
                rate = asyncio.run(throughput(port, setup["cookie"], batch))
                used = [cpu_seconds(p) - b for p, b in zip((daphne, *workers), before, strict=True)]
                per_command = [1000 * u / len(batch) for u in used]
                rate_rows.append(
                    f"| {label} | {n} | {rate:.0f} | {per_command[0]:.1f} | "
                    f"{sum(per_command[1:]):.1f} |"
                )
        print(click_rows[-1], flush=True)
    table = "\n".join(
        [
            "Click to screen, p50 / p95 / p99 in ms (one command at a time):",
            "",
            "| mode | commands | POST → first phase | POST → terminal phase |",
            "|---|---:|---:|---:|",
            *click_rows,
            "",
            f"Commands per second end to end ({THROUGHPUT} retries POSTed 20 at a time to one "
            "daphne, counted until every job's row event arrived), with the CPU time each "
            "process type spent per command:",
            "",
            "| mode | command workers | commands/s | daphne CPU ms | workers CPU ms |",
            "|---|---:|---:|---:|---:|",
            *rate_rows,
        ]
    )
    return "Commands: click to screen and throughput", table
