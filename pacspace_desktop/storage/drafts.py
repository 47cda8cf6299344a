"""Drafts that survive closing the app and a crash: saved atomically on every change."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pacspace_desktop.storage.db import StorageError


class DraftStore:
    """One JSON document per draft name in the data folder (`drafts/<name>.json`)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def path(self, name: str) -> Path:
        """Where a draft lives."""
        return self._folder / f"{name}.json"

    def load(self, name: str) -> Any | None:
        """The saved draft, or None when there is none or it cannot be read (kept aside)."""
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"The draft {path} cannot be read: {exc.strerror}.") from exc
        try:
            return json.loads(text)
        except ValueError:
            with contextlib.suppress(OSError):
                path.replace(path.with_suffix(".broken.json"))
            return None

    def save(self, name: str, data: Any) -> None:
        """Replace the draft atomically (write, fsync, rename)."""
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.path(name)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self._folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StorageError(f"The draft could not be saved: {exc.strerror}.") from exc

    def discard(self, name: str) -> None:
        """Remove a draft."""
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()
