"""Re-encrypt every EncryptedTextField value with the first key of ENCRYPTION_KEYS."""

from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from core.crypto import DecryptionError, EncryptedTextField, rotate

# The annotation that reads (and matches on) the stored ciphertext: its output field is a plain
# TextField, so the encrypted field's from_db_value/get_prep_value never run on it.
RAW = "_raw_ciphertext"
LISTED_FAILURES = 50


@dataclass
class FieldReport:
    label: str
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    failed_pks: list[Any] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.rotated + self.current + self.changed_meanwhile + len(self.failed_pks)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every EncryptedTextField column of every installed model, each table once."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                found.append((model, model_field))
    return found


def _raw_values(model: type[models.Model], name: str, after: Any, batch_size: int) -> list[tuple[Any, str]]:
    rows = model._base_manager.exclude(**{f"{name}__isnull": True}).exclude(**{name: ""})
    if after is not None:
        rows = rows.filter(pk__gt=after)
    rows = rows.annotate(**{RAW: Cast(name, models.TextField())}).order_by("pk")
    return list(rows.values_list("pk", RAW)[:batch_size])


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value in the database (webhook secrets, Meta tokens, PINs, signup codes, "
        "saved idempotent answers: every EncryptedTextField of every model) with the FIRST key of "
        "ENCRYPTION_KEYS. Rotation: prepend the new key to ENCRYPTION_KEYS and deploy, run this command, "
        "then remove the old key. Values already encrypted with the first key are left alone, so it is safe "
        "to run again. Rows are written in batches with a conditional update: a value the service changed "
        "meanwhile is kept. Values that no configured key decrypts are listed by model and id (never the "
        "value) and make the command exit non-zero. --dry-run only counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; write nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: object, dry_run: bool, batch_size: int, **options: object) -> None:
        keys = [k.strip() for k in settings.ENCRYPTION_KEYS if k.strip()]
        if not keys:
            raise CommandError("ENCRYPTION_KEYS is empty: nothing can be decrypted or re-encrypted.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        primary = Fernet(keys[0].encode())

        reports = [self._rotate_field(model, f, primary, batch_size, dry_run) for model, f in encrypted_fields()]

        verb = "would re-encrypt" if dry_run else "re-encrypted"
        for report in reports:
            self.stdout.write(
                f"{report.label}: {report.total} value(s): {verb} {report.rotated}, {report.current} already on "
                f"the first key, {report.changed_meanwhile} changed meanwhile (kept), "
                f"{len(report.failed_pks)} undecryptable."
            )
            self._list_failures(report)
        rotated = sum(r.rotated for r in reports)
        failed = sum(len(r.failed_pks) for r in reports)
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{len(reports)} encrypted field(s), {verb} {rotated} value(s) with the "
            f"first of {len(keys)} key(s); {failed} undecryptable."
        )
        if failed:
            raise CommandError(
                f"{failed} value(s) cannot be decrypted with any key in ENCRYPTION_KEYS (listed above). Do not "
                "remove an old key until they are fixed: restore the key that wrote them, or clear those values."
            )

    def _rotate_field(
        self, model: type[models.Model], model_field: EncryptedTextField, primary: Fernet, batch_size: int, dry: bool
    ) -> FieldReport:
        name = model_field.name
        report = FieldReport(label=f"{model._meta.label}.{name}")
        after = None
        while batch := _raw_values(model, name, after, batch_size):
            after = batch[-1][0]
            updates = []
            for pk, ciphertext in batch:
                try:
                    primary.decrypt(ciphertext.encode())
                    report.current += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    updates.append((pk, ciphertext, rotate(ciphertext)))
                except DecryptionError:
                    report.failed_pks.append(pk)
            if dry:
                report.rotated += len(updates)
                continue
            with transaction.atomic():
                for pk, old, new in updates:
                    # Only if the row still holds what was read: a concurrent write is newer than ours.
                    written = (
                        model._base_manager.annotate(**{RAW: Cast(name, models.TextField())})
                        .filter(pk=pk, **{RAW: old})
                        .update(**{name: models.Value(new, output_field=models.TextField())})
                    )
                    if written:
                        report.rotated += 1
                    else:
                        report.changed_meanwhile += 1
        return report

    def _list_failures(self, report: FieldReport) -> None:
        for pk in report.failed_pks[:LISTED_FAILURES]:
            self.stderr.write(f"  cannot decrypt {report.label} of pk={pk}")
        if len(report.failed_pks) > LISTED_FAILURES:
            self.stderr.write(f"  ... and {len(report.failed_pks) - LISTED_FAILURES} more in {report.label}")
