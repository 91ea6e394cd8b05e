from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from transcription.services import Upload, create_jobs


class Command(BaseCommand):
    help = "Create transcription jobs from audio files and print their job IDs."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files: list[Path], **options):
        missing = [str(p) for p in files if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}. Nothing was queued.")
        handles = [p.open("rb") for p in files]
        try:
            jobs = create_jobs(
                uploads=[
                    Upload(name=p.name, file=File(h)) for p, h in zip(files, handles, strict=True)
                ]
            )
        finally:
            for h in handles:
                h.close()
        for job in jobs:
            self.stdout.write(job.pk)
