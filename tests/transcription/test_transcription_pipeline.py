"""The pipeline a worker runs: real audio in, words or an actionable error out."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile
from django.core.files.base import ContentFile

from tests.factories import AUDIO_DIR
from transcription.models import JobAttempt, TranscriptionJob
from transcription.services import Upload, create_jobs, run_transcription

pytestmark = pytest.mark.django_db

Status = TranscriptionJob.Status


def make_job(name: str, content: bytes) -> TranscriptionJob:
    [job] = create_jobs(uploads=[Upload(name, ContentFile(content))])
    return job


def transcribe(name: str, content: bytes) -> TranscriptionJob:
    job = make_job(name, content)
    run_transcription(job_id=job.pk)
    job.refresh_from_db()
    return job


def encoded(clip: str, fmt: str, *, rate: int | None = None, stereo: bool = False, **kw) -> bytes:
    samples, source_rate = soundfile.read(AUDIO_DIR / f"{clip}.wav", dtype="float32")
    if rate:
        import soxr

        samples = soxr.resample(samples, source_rate, rate)
    if stereo:
        samples = np.column_stack([samples, samples])
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate or source_rate, format=fmt, **kw)
    return buffer.getvalue()


def test_wav_speech_comes_back_as_its_words():
    job = transcribe("fox.wav", (AUDIO_DIR / "fox.wav").read_bytes())

    assert job.status == Status.COMPLETED
    assert "quick brown fox" in job.transcript
    assert "lazy dog" in job.transcript
    assert job.progress == 1.0
    assert job.duration_seconds == pytest.approx(2.97, abs=0.05)
    assert job.engine == "pocketsphinx-en-us"


@pytest.mark.parametrize(
    ("fmt", "kw"),
    [("FLAC", {}), ("OGG", {"subtype": "VORBIS"}), ("MP3", {"subtype": "MPEG_LAYER_III"})],
)
def test_flac_ogg_and_mp3_are_decoded(fmt, kw):
    job = transcribe(f"fox.{fmt.lower()}", encoded("fox", fmt, **kw))

    assert job.status == Status.COMPLETED, job.error_message
    assert "brown fox" in job.transcript
    assert "lazy dog" in job.transcript


def test_stereo_44k_audio_is_resampled_to_16k_mono():
    job = transcribe("hello-stereo.wav", encoded("hello", "WAV", rate=44_100, stereo=True))

    assert job.status == Status.COMPLETED
    assert "hello world" in job.transcript


def test_successful_attempt_is_recorded_in_history():
    job = transcribe("hello.wav", (AUDIO_DIR / "hello.wav").read_bytes())

    [attempt] = job.attempt_history.all()
    assert (attempt.number, attempt.outcome) == (1, JobAttempt.Outcome.COMPLETED)
    assert attempt.finished_at is not None


def silent_wav() -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(32_000, np.float32), 16_000, format="WAV")
    return buffer.getvalue()


BAD_AUDIO = {
    "empty": ("empty.wav", b"", "The file is empty (0 bytes)"),
    "not audio": ("notes.wav", b"Agenda:\n1. Budget\n" * 50, "This is not an audio file"),
    "unsupported format": (
        "call.m4a",
        b"\x00\x00\x00\x20ftypM4A " + bytes(300),
        "MP4/M4A/AAC files are not supported. Convert the recording to WAV",
    ),
    "silence": ("silent.wav", silent_wav(), "The recording is silent"),
    "truncated": ("cut.flac", encoded("fox", "FLAC")[:3000], "damaged or truncated"),
}


@pytest.mark.parametrize("case", BAD_AUDIO, ids=list(BAD_AUDIO))
def test_bad_audio_fails_the_job_with_an_actionable_error(case):
    name, content, expected = BAD_AUDIO[case]

    job = transcribe(name, content)

    assert job.status == Status.FAILED
    assert expected in job.error_message
    assert "Traceback" not in job.error_message
    [attempt] = job.attempt_history.all()
    assert attempt.outcome == JobAttempt.Outcome.FAILED
    assert attempt.error_message == job.error_message


def test_too_long_recording_fails_with_the_limit(settings):
    settings.TRANSCRIPTION_MAX_SECONDS = 2.0

    job = transcribe("fox.wav", (AUDIO_DIR / "fox.wav").read_bytes())

    assert job.status == Status.FAILED
    assert "the limit is" in job.error_message
    assert "Split it into shorter files" in job.error_message


def test_noise_without_words_fails_as_no_speech():
    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    tone = 0.2 * np.sin(2 * np.pi * 440 * np.arange(16_000) / 16_000) + rng.normal(0, 0.001, 16_000)
    soundfile.write(buffer, tone.astype(np.float32), 16_000, format="WAV")

    job = transcribe("beep.wav", buffer.getvalue())

    assert job.status == Status.FAILED, job.transcript
    assert "No speech was recognised" in job.error_message


def test_job_deleted_before_it_runs_is_skipped_quietly():
    job = make_job("hello.wav", (AUDIO_DIR / "hello.wav").read_bytes())
    TranscriptionJob.objects.filter(pk=job.pk).delete()

    assert run_transcription(job_id=job.pk) is None
    assert not JobAttempt.objects.exists()


def test_job_that_is_not_queued_is_not_run_twice():
    job = transcribe("hello.wav", (AUDIO_DIR / "hello.wav").read_bytes())

    assert run_transcription(job_id=job.pk) is None
    assert job.attempt_history.count() == 1


class OtherEngine:
    """A second engine, to show that jobs work with any engine the setting names."""

    name = "other-engine"

    def transcribe(self, samples, *, on_progress):
        on_progress(1.0)
        return f"{len(samples)} samples"


def test_engine_is_chosen_by_setting(settings):
    settings.TRANSCRIPTION_ENGINE = f"{__name__}.OtherEngine"

    job = transcribe("hello.wav", (AUDIO_DIR / "hello.wav").read_bytes())

    assert job.engine == "other-engine"
    assert job.transcript.endswith("samples")
