"""Open event streams share a few threads instead of holding one each.

Django runs a request's synchronous code (middleware, session and auth lookups, and
django-eventstream's storage reads) in a thread of its own for the request's whole life. For
a page view that thread lives milliseconds; for an event stream it lives as long as the tab
is open, so 1,000 open tabs cost 1,000 threads (about 90 KB each, measured). This wrapper
gives each stream one of a few shared single-thread executors instead: a stream's sync calls
still run one at a time on one thread, as Django expects, but streams take turns on a small
fixed set of threads. Their reads are short (the relay's buffer of recent events, or one
indexed query), and at most that many streams hold a database connection at once.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext


class SharedStreamThreads:
    def __init__(self, app, *, prefix: str, threads: int) -> None:
        self.app = app
        self.prefix = prefix
        self.executors = itertools.cycle(
            [
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-stream")
                for _ in range(threads)
            ]
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            # An outer context with an executor wins over the per-request one Django opens.
            async with ThreadSensitiveContext(executor=next(self.executors)):
                return await self.app(scope, receive, send)
        return await self.app(scope, receive, send)
