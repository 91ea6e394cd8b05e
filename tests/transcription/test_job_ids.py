from __future__ import annotations

from transcription.ids import is_job_id, new_job_id


def test_job_ids_are_prefixed_typeable_crockford_base32():
    job_id = new_job_id()

    assert is_job_id(job_id)
    assert len(job_id) == 14
    assert not set(job_id[4:]) & set("ilou")


def test_job_ids_never_repeat_and_sort_by_creation():
    ids = [new_job_id() for _ in range(20_000)]

    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
