"""`submit` with a profile's certificate settings, as the app uses them: a company CA bundle
is trusted, and without it the refused certificate is named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pacspace_desktop.sandbox import DEMO_API_KEY
from pacspace_desktop.storage.settings import SettingsStore
from tests.network.test_transport import tls_server  # noqa: F401 - the fixture


def submit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    file = tmp_path / "items.json"
    file.write_text(json.dumps([{"key": "TLS-1", "accountId": "a", "bits": 1}]))
    env = dict(os.environ, PACSPACE_API_KEY=DEMO_API_KEY,
               PACSPACE_DATA_DIR=str(tmp_path / "data"),
               PACSPACE_CONFIG_DIR=str(tmp_path / "config"))
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "pacspace_desktop", "submit", str(file),
                           "--profile", "Company", *args], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_submit_uses_the_profiles_ca_bundle(
        tmp_path: Path, tls_server: tuple[str, Path]) -> None:  # noqa: F811 - the fixture
    url, cert = tls_server
    store = SettingsStore(tmp_path / "config" / "settings.json")
    profile = store.add_profile("Company", base_url=url)
    refused = submit(tmp_path)
    assert refused.returncode == 1, refused.stderr
    assert "was not accepted (self-signed certificate; checked against the certificates " \
           "that come with the app" in refused.stdout
    store.update_profile(profile.id, ca_bundle=str(cert))
    done = submit(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "accepted — Request ID req_tls" in done.stdout
