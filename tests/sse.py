"""A small Server-Sent Events client for tests: reads a real stream in a thread."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.test import Client


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@dataclass
class Event:
    type: str
    id: str | None
    data: str

    def json(self):
        return json.loads(self.data)


@dataclass
class Stream:
    base_url: str
    cookie: str = ""
    channels: list[str] = field(default_factory=lambda: ["jobs"])
    last_event_id: str | None = None
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.events: queue.Queue[Event] = queue.Queue()
        self.opened = threading.Event()
        self.conn: http.client.HTTPConnection | None = None

    def open(self) -> Stream:
        parts = urlsplit(self.base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        query = urlencode([("channel", c) for c in self.channels])
        headers = {"Accept": "text/event-stream", "Cookie": self.cookie}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        self.conn.request("GET", f"/events/?{query}", headers=headers)
        response = self.conn.getresponse()
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        if self.status == 200:
            threading.Thread(target=self._read, args=(response,), daemon=True).start()
        else:
            self.body = response.read().decode()
        return self

    def _read(self, response) -> None:
        kind, event_id, data = "message", None, []
        try:
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line == "":
                    if data or kind != "message":
                        self.events.put(Event(kind, event_id, "\n".join(data)))
                        if kind == "stream-open":
                            self.opened.set()
                    kind, event_id, data = "message", None, []
                elif line.startswith(":"):
                    continue
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        kind = value
                    elif name == "id":
                        event_id = value
                    elif name == "data":
                        data.append(value)
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass

    def close(self) -> None:
        if self.conn:
            self.conn.sock and self.conn.sock.shutdown(2)
            self.conn.close()

    def messages(self, count: int, timeout: float = 30) -> list[Event]:
        """The next `count` data events (not keep-alives), or fail after `timeout`."""
        out, deadline = [], time.monotonic() + timeout
        while len(out) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"got {len(out)} of {count} events: {out[-3:]}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.type in {"message", "stream-reset", "stream-error"}:
                out.append(event)
        return out

    def quiet_for(self, seconds: float) -> list[Event]:
        """Whatever data events arrive within `seconds` (expected: none)."""
        try:
            return self.messages(1, timeout=seconds)
        except TimeoutError:
            return []

    def __enter__(self) -> Stream:
        self.open()
        if self.status == 200:
            assert self.opened.wait(10), "stream-open never arrived"
        return self

    def __exit__(self, *exc) -> None:
        self.close()


CSRF_TOKEN = "t" * 32  # any 32-character secret works as both cookie and header


def post_json(base_url: str, path: str, payload, cookie: str, *, csrf: bool = True):
    """POST JSON as a script would: session cookie plus the CSRF token header."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Content-Type": "application/json", "Cookie": f"{cookie}; csrftoken={CSRF_TOKEN}"}
    if csrf:
        headers["X-CSRFToken"] = CSRF_TOKEN
    conn.request("POST", path, body=json.dumps(payload), headers=headers)
    response = conn.getresponse()
    status, body = response.status, response.read().decode()
    conn.close()
    return status, json.loads(body) if body.startswith("{") else body
