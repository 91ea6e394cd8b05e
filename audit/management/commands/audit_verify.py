from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit.services import parse_head, verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero at the first entry that fails."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="A head printed earlier and kept elsewhere: also detects a removed tail.",
        )

    def handle(self, *args, expect_head: str | None = None, **options):
        try:
            expected = parse_head(expect_head) if expect_head else None
        except ValueError as exc:
            raise CommandError(f"--expect-head: {exc}") from exc
        verdict = verify(expect_head=expected)
        if not verdict.ok:
            raise CommandError(
                f"TAMPERED: {verdict.problem}. The {verdict.entries} entries before it are "
                "intact. Restore the audit table from a backup and investigate who had write "
                "access to the database."
            )
        self.stdout.write(
            f"OK: {verdict.entries} entries intact. Head {verdict.head_seq}:{verdict.head_hash}"
        )
