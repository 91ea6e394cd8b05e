"""The CommandRequest contract: what a client sends, how it is read, and how it is refused.

Every way in (the HTTP API, the confirmation forms, `manage.py retry_job`) builds a `Request`
here and hands it to the bus; anything that does not fit is a `CommandRejected` carrying the
HTTP status to answer.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from maintenance.models import Command


class CommandRejected(Exception):
    """Refused before it was claimed: nothing changed. Carries the HTTP status to answer."""

    def __init__(self, status: int, error: str, detail: str, remediation: str = ""):
        super().__init__(detail)
        self.status, self.error, self.detail, self.remediation = status, error, detail, remediation

    def as_json(self) -> dict[str, str]:
        body = {"error": self.error, "detail": self.detail}
        if self.remediation:
            body["remediation"] = self.remediation
        return body


@dataclass(frozen=True)
class Request:
    command_id: uuid.UUID
    type: str
    target: str
    params: dict[str, Any]


def parse_request(payload: Any) -> Request:
    """A CommandRequest from decoded JSON, or CommandRejected(400) naming the field."""
    if not isinstance(payload, dict):
        raise _bad("body", "The body must be a JSON object (a CommandRequest).")
    raw_id = payload.get("commandId")
    try:
        command_id = uuid.UUID(raw_id) if isinstance(raw_id, str) else None
    except ValueError:
        command_id = None
    if command_id is None:
        raise _bad("commandId", "commandId must be a UUID string, for example from uuidgen.")
    kind = payload.get("type")
    if kind not in Command.Type.values:
        raise _bad("type", f"type must be one of {', '.join(Command.Type.values)}; got {kind!r}.")
    target = payload.get("target")
    if not isinstance(target, str) or not target.strip() or len(target) > 255:
        raise _bad("target", "target must be a non-empty string: the job ID or name to act on.")
    params = payload.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise _bad("params", "params must be a JSON object when given.")
    return Request(command_id=command_id, type=kind, target=target.strip(), params=params)


def _bad(field: str, detail: str) -> CommandRejected:
    return CommandRejected(400, f"invalid {field}", detail)


def fingerprint(req: Request) -> str:
    canonical = json.dumps(
        {"type": req.type, "target": req.target, "params": req.params},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
