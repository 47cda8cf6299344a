"""The app as a person starts it: `pacspace-desktop --sandbox` opens, shows its pages, quits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_app_starts_visits_every_page_and_exits_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ, PACSPACE_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "pacspace_desktop", "--sandbox",
                             "--smoke-test"], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.stdout.strip().endswith("smoke test: ok"), result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "data" / "history.sqlite3").exists()
