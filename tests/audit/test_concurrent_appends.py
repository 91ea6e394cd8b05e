from __future__ import annotations

import subprocess
import sys

import pytest

from audit.models import AuditEntry
from audit.services import verify
from tests import processes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

WRITER = """
from audit.models import AuditEntry
from audit.services import record
for i in range(40):
    record(actor="writer-{n}", action="retry-job", target=f"job-{{i}}",
           outcome=AuditEntry.Outcome.SUCCESS)
"""


def test_concurrent_writers_in_four_processes_keep_one_linear_chain():
    writers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-v0", "-c", WRITER.format(n=n)],
            cwd=processes.ROOT,
            env=processes.process_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]

    assert [w.returncode for w in writers] == [0, 0, 0, 0], errors
    verdict = verify()
    assert verdict.ok, verdict.problem
    assert verdict.entries == 160
    assert AuditEntry.objects.filter(actor="writer-3").count() == 40
