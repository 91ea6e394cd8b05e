"""Job IDs: `job_` plus 10 Crockford base32 characters, short enough to type to confirm.

The 50 bits are 40 bits of milliseconds since 2025-01-01 and 10 random bits, kept strictly
increasing within a process. IDs therefore sort by creation time (so "newest first" walks the
primary-key index) and never repeat: time only moves forward, and a collision between processes
within one millisecond is refused by the primary key and retried.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
PREFIX = "job_"
LENGTH = 10
EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
JOB_ID_RE = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{LENGTH}}}$")

_lock = threading.Lock()
_last = 0


def encode(value: int) -> str:
    chars = []
    for _ in range(LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def new_job_id() -> str:
    global _last
    candidate = ((int(time.time() * 1000) - EPOCH_MS) << 10) | secrets.randbelow(1024)
    with _lock:
        _last = max(candidate, _last + 1)
        value = _last
    return PREFIX + encode(value)


def is_job_id(text: str) -> bool:
    return bool(JOB_ID_RE.match(text))
