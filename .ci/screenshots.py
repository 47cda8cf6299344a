"""Screenshots of the app for a person to look at: run under Xvfb with `xvfb-run -a`.

    xvfb-run -a .venv/bin/python .ci/screenshots.py /tmp/shots

Builds the real window against the built-in sandbox in a temporary data folder, walks through
the pages and states a clerk meets, and saves one PNG per state. Nothing here is a test.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QT_API", "pyside6")


Scenes = Callable[[Any, Any, str, Path], list[tuple[str, Callable[[], None]]]]


def run_scenes(scenes: Scenes, out: Path, size: tuple[int, int] = (1180, 800),
               delay_ms: int = 700) -> int:
    """Build the real app in a temporary data folder, play the scenes, save one PNG each.

    Each scene is (name, action); the window is grabbed `delay_ms` after the action, and an
    empty name only acts. Used by this script and by import_scenes.py.
    """
    import asyncio

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from pacspace_desktop.app import build_app
    from pacspace_desktop.storage.paths import resolve_paths
    from tests.fakes import MemoryKeyring

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="pacspace-shots-"))
    app = QApplication(sys.argv[:1])
    if os.environ.get("PACSPACE_SHOTS_SCHEME") == "dark":  # look at the dark scheme too
        from PySide6.QtCore import Qt

        app.setStyle("Fusion")
        app.styleHints().setColorScheme(Qt.ColorScheme.Dark)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    backend: Any = MemoryKeyring()
    if os.environ.get("PACSPACE_SHOTS_KEYRING") == "none":  # a computer with no keyring
        import keyring.backends.fail

        backend = keyring.backends.fail.Keyring()
    parts = build_app(resolve_paths(tmp).ensure(), keyring_backend=backend)
    window: Any = parts.window
    window.resize(*size)
    window.show()
    steps = scenes(parts, app, str(out), tmp)

    def run(i: int = 0) -> None:
        if i >= len(steps):
            app.quit()
            return
        name, action = steps[i]
        action()

        def shoot() -> None:
            if name:
                window.grab().save(str(out / f"{name}.png"))
                sys.stdout.write(f"saved {out / name}.png\n")
            run(i + 1)

        QTimer.singleShot(delay_ms, shoot)

    QTimer.singleShot(300, run)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    for close in parts.closers:
        close()
    return 0


def main(out: Path) -> int:
    """The clerk's path with a keyring, then (in a second process: one QApplication each) a
    first start on a computer with no keyring."""
    import subprocess

    from scenes import no_keyring_scenes, scenes

    size = os.environ.get("PACSPACE_SHOTS_SIZE", "1280x720")  # a clerk's laptop screen
    width, height = (int(n) for n in size.lower().split("x"))
    if os.environ.get("PACSPACE_SHOTS_KEYRING") == "none":
        return run_scenes(no_keyring_scenes, out, (width, height))
    code = run_scenes(scenes, out, (width, height))
    env = dict(os.environ, PACSPACE_SHOTS_KEYRING="none")
    return code or subprocess.call([sys.executable, __file__, str(out)], env=env)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")))
