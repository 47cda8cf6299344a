"""The webhook signing secret in a real Secret Service: stored, read once, cleared; no fallback."""

from __future__ import annotations

import pytest
from keyring.backends import SecretService as SecretServiceBackend
from keyring.backends import fail

from pacspace_desktop.storage.keystore import WEBHOOK_ACCOUNT, KeyringUnavailable, KeyStore
from tests.integration.conftest import SecretService
from tests.integration.test_secret_service import lookup

WHSEC = "whsec_integration_0123456789abcdef"


def test_secret_round_trip(secret_service_env: SecretService) -> None:
    keys = KeyStore(SecretServiceBackend.Keyring())
    assert keys.webhook_secret() is None
    keys.set_webhook_secret(WHSEC)
    assert lookup(secret_service_env, WEBHOOK_ACCOUNT) == WHSEC
    fresh = KeyStore(SecretServiceBackend.Keyring())
    assert fresh.webhook_secret() == WHSEC
    assert keys.clear_webhook_secret() is True
    assert lookup(secret_service_env, WEBHOOK_ACCOUNT) == ""
    assert fresh.webhook_secret() == WHSEC  # read once per session …
    fresh.forget_cache()
    assert fresh.webhook_secret() is None  # … and again after forget_cache
    assert keys.clear_webhook_secret() is False


def test_no_keyring_no_plaintext_fallback() -> None:
    keys = KeyStore(fail.Keyring())
    with pytest.raises(KeyringUnavailable):
        keys.set_webhook_secret(WHSEC)
    with pytest.raises(KeyringUnavailable):
        keys.webhook_secret()
    with pytest.raises(ValueError, match="whsec_"):
        KeyStore(fail.Keyring()).set_webhook_secret("not-a-secret")
