from __future__ import annotations

import uuid

import pytest

from audit.models import AuditEntry
from audit.services import audit_url, record

pytestmark = pytest.mark.django_db
URL = "/admin/audit/auditentry/"


@pytest.fixture
def entries():
    return [
        record(
            actor="alice",
            action="retry-job",
            target="job_1rf1aaaaaa",
            outcome=AuditEntry.Outcome.SUCCESS,
            command_id=uuid.uuid4(),
        ),
        record(
            actor="bob",
            action="delete-job",
            target="job_1rf1bbbbbb",
            outcome=AuditEntry.Outcome.REJECTED,
            command_id=uuid.uuid4(),
        ),
    ]


def test_staff_finds_an_entry_by_job_id(staff_client, entries):
    html = staff_client.get(URL, {"q": "job_1rf1bbbbbb"}).content.decode()

    assert "job_1rf1bbbbbb" in html
    assert "job_1rf1aaaaaa" not in html


def test_staff_finds_an_entry_by_command_id_or_an_uppercased_job_id(staff_client, entries):
    by_command = staff_client.get(URL, {"q": f" {entries[0].command_id} "}).content.decode()
    by_job = staff_client.get(URL, {"q": "JOB_1RF1BBBBBB"}).content.decode()

    assert "job_1rf1aaaaaa" in by_command
    assert "job_1rf1bbbbbb" not in by_command
    assert "job_1rf1bbbbbb" in by_job
    assert "job_1rf1aaaaaa" not in by_job


def test_deep_link_for_one_command_shows_only_its_entries(staff_client, entries):
    response = staff_client.get(audit_url(command_id=entries[0].command_id))

    assert response.status_code == 200
    assert "job_1rf1aaaaaa" in response.content.decode()
    assert "job_1rf1bbbbbb" not in response.content.decode()


def test_deep_link_for_one_job_shows_only_its_entries(staff_client, entries):
    html = staff_client.get(audit_url(target="job_1rf1bbbbbb")).content.decode()

    assert "job_1rf1bbbbbb" in html
    assert "job_1rf1aaaaaa" not in html


def test_list_is_newest_first_and_filters_by_outcome(staff_client, entries):
    html = staff_client.get(URL).content.decode()
    assert html.index("job_1rf1bbbbbb") < html.index("job_1rf1aaaaaa")

    html = staff_client.get(URL, {"outcome__exact": "rejected"}).content.decode()
    assert "job_1rf1bbbbbb" in html and "job_1rf1aaaaaa" not in html


def test_admin_offers_no_add_change_or_delete_even_to_superusers(client, entries):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    seq = entries[0].seq

    assert client.get(f"{URL}add/").status_code == 403
    assert client.get(f"{URL}{seq}/delete/").status_code == 403
    detail = client.get(f"{URL}{seq}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(f"{URL}{seq}/change/", {"actor": "mallory"}).status_code == 403
    changelist = client.get(URL).content.decode()
    assert 'name="action"' not in changelist  # no bulk actions, so no "delete selected"
    assert AuditEntry.objects.get(seq=seq).actor == "alice"


def test_non_staff_cannot_browse_the_trail(plain_client, entries):
    response = plain_client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
