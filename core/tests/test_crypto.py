import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from core.crypto import DecryptionError, decrypt, encrypt, rotate


def test_round_trip_and_ciphertext_differs():
    token = encrypt("whsec_abc")
    assert token != "whsec_abc" and decrypt(token) == "whsec_abc"


def test_rotation_keeps_old_values_readable_and_reencrypts_with_the_first_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(ENCRYPTION_KEYS=[old]):
        token = encrypt("pin-123456")
    with override_settings(ENCRYPTION_KEYS=[new, old]):
        assert decrypt(token) == "pin-123456"
        rotated = rotate(token)
    with override_settings(ENCRYPTION_KEYS=[new]):
        assert decrypt(rotated) == "pin-123456"
        with pytest.raises(DecryptionError):
            decrypt(token)
