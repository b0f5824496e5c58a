"""Secrets at rest: MultiFernet over ENCRYPTION_KEYS (the first key encrypts, every key decrypts)."""

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


class DecryptionError(Exception):
    """A stored value could not be decrypted with any of the configured keys."""


@functools.cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in settings.ENCRYPTION_KEYS if k.strip()]
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty: no secret can be stored or read.")
    return MultiFernet([Fernet(k.encode()) for k in keys])


@receiver(setting_changed)
def _reset_fernet(setting: str, **kwargs: Any) -> None:
    if setting in ("ENCRYPTION_KEYS", "SECRET_KEY"):
        _fernet.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from None


def rotate(token: str) -> str:
    """Re-encrypt a stored value with the first key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("stored secret cannot be decrypted with ENCRYPTION_KEYS") from None


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plaintext."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
