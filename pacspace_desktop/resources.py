"""The one resource locator: `resources/` in a checkout, an installed wheel or a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


class ResourceMissingError(FileNotFoundError):
    """A bundled resource is not where the app was built to find it (a broken install)."""


@cache
def resources_dir() -> Path:
    """The folder holding the app's resources (icons, desktop files).

    Looked up in this order: a frozen bundle (`sys._MEIPASS/resources`), the installed wheel
    (`pacspace_desktop/_resources`), and the checkout's top-level `resources/`.
    """
    candidates = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "_resources", here.parent / "resources"]
    for folder in candidates:
        if (folder / "icons").is_dir():
            return folder
    raise ResourceMissingError(
        "The app's icons were not found; the installation looks incomplete. Looked in: "
        + ", ".join(str(c) for c in candidates))


def resource_path(*parts: str) -> Path:
    """The path of one resource, e.g. `resource_path("icons", "app-icon.svg")`.

    Raises:
        ResourceMissingError: when the file is not there.
    """
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise ResourceMissingError(f"Resource {'/'.join(parts)} is missing from {path.parent}.")
    return path
