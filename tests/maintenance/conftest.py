from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from tests.factories import UserFactory


def command_request(*, type="retry-job", target="", params=None, command_id=None) -> dict:
    body = {"commandId": str(command_id or uuid.uuid4()), "type": type, "target": target}
    if params is not None:
        body["params"] = params
    return body


def post_command(client: Client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/commands/run", data, content_type="application/json", **extra)


@pytest.fixture
def csrf_staff_client(db) -> Client:
    """A staff session that must send its CSRF token, as a browser or script would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, username="alice"))
    client.get("/jobs/")  # sets the csrftoken cookie
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client
