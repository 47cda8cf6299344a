"""A team history's password in a real Secret Service: the app connects with it, and no file
of the app holds it."""

from __future__ import annotations

from pathlib import Path

from keyring.backends import SecretService as SecretServiceBackend

from pacspace_desktop.services.team_history_service import open_configured_history
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.paths import resolve_paths
from pacspace_desktop.storage.team_settings import TeamSettings, save
from tests.integration.conftest import SecretService
from tests.integration.test_secret_service import lookup
from tests.pg_cluster import CLERK_PASSWORD


def test_the_team_password_lives_in_the_keyring_only(secret_service_env: SecretService,
                                                     tmp_path: Path, team_url: str) -> None:
    paths = resolve_paths(tmp_path / "data").ensure()
    settings = TeamSettings(team_url, "", "Anna (PC-FIN-02)")
    save(paths.config_dir, settings)
    KeyStore(SecretServiceBackend.Keyring()).set_team_password(settings.keyring_account(),
                                                              CLERK_PASSWORD)
    assert lookup(secret_service_env, settings.keyring_account()) == CLERK_PASSWORD
    store = open_configured_history(paths.config_dir, paths.history_db,
                                    KeyStore(SecretServiceBackend.Keyring()))
    try:
        assert store.path.startswith("postgresql://clerk@127.0.0.1:")
        assert store.sent_by == "Anna (PC-FIN-02)"
    finally:
        store.close()
    for root in (paths.config_dir, paths.data_dir):
        for path in root.rglob("*"):
            if path.is_file():
                assert CLERK_PASSWORD.encode() not in path.read_bytes(), path
