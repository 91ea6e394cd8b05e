from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded audio goes to a folder of the test's own."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def plain_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=False))
    return client


@pytest.fixture(autouse=True)
def audit_triggers(request):
    """Keep the audit trail's triggers in place for every test, and lift them only so that
    the harness can empty the scratch database after a transactional test (its flush DELETEs
    or TRUNCATEs every table, which the triggers rightly refuse)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if not (marker or transactional or "db" in request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    from audit.triggers import install_sql, remove_sql

    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)
    yield
    if transactional:
        with connection.cursor() as cursor:
            for statement in remove_sql(connection.vendor):
                cursor.execute(statement)
