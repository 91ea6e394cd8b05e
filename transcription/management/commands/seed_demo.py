"""Demo data for a first look: real jobs run through the real pipeline, and a staff login."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import numpy as np
import soundfile
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from transcription.models import TranscriptionJob
from transcription.services import Upload, create_jobs, run_transcription

DEMO_AUDIO = Path(__file__).resolve().parents[2] / "demo_audio"
DEMO_NAMES = ["hello", "fox", "retry"]


def wav_bytes(samples: np.ndarray, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def long_recording() -> bytes:
    clips = [soundfile.read(DEMO_AUDIO / f"{n}.wav", dtype="float32")[0] for n in DEMO_NAMES]
    pause = np.zeros(8_000, dtype=np.float32)
    return wav_bytes(np.concatenate([part for c in clips * 3 for part in (c, pause)]))


class Command(BaseCommand):
    help = "Seed demo jobs when there are none, and create a staff user if none exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="staff")

    def handle(self, *args, username: str, **options):
        if TranscriptionJob.objects.exists():
            self.stdout.write("Jobs exist already; no demo data added.")
        else:
            self.seed_jobs()
        self.ensure_staff(username)

    def seed_jobs(self) -> None:
        finished = [
            Upload(f"{n}.wav", ContentFile((DEMO_AUDIO / f"{n}.wav").read_bytes()))
            for n in DEMO_NAMES
        ] + [
            Upload("voicemail-empty.wav", ContentFile(b"")),
            Upload("meeting-notes.wav", ContentFile(b"Agenda:\n1. Budget\n2. Hiring\n" * 20)),
            Upload("interview.m4a", ContentFile(b"\x00\x00\x00\x20ftypM4A " + bytes(200))),
            Upload("muted-call.wav", ContentFile(wav_bytes(np.zeros(48_000, np.float32)))),
        ]
        with transaction.atomic():
            jobs = create_jobs(uploads=finished, enqueue=False)
        for job in jobs:
            run_transcription(job_id=job.pk)
        with transaction.atomic():
            create_jobs(
                uploads=[
                    Upload("standup-recording.wav", ContentFile(long_recording())),
                    Upload("fox-again.wav", ContentFile((DEMO_AUDIO / "fox.wav").read_bytes())),
                ]
            )
        counts = {
            s: TranscriptionJob.objects.filter(status=s).count() for s in TranscriptionJob.Status
        }
        self.stdout.write("Demo jobs: " + ", ".join(f"{n} {s}" for s, n in counts.items()))

    def ensure_staff(self, username: str) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Staff user '{username}' exists. Forgot the password? "
                f"python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_user(
            username=username, password=password, is_staff=True, is_superuser=True
        )
        self.stdout.write(self.style.SUCCESS(f"Staff login (shown once): {username} / {password}"))
