"""Check a Linux one-folder bundle: resources, Qt plugins, translations, keyring data, libraries.

Every shared library a bundled file needs must be in the bundle or be one that every Linux
desktop has (libc, OpenGL/EGL, xcb, Wayland: PyInstaller leaves these to the system on purpose).
That also proves that removing the GTK3 theme stack in the spec left nothing that needs it.

Run: python packaging/linux/check_bundle.py dist/pacspace-desktop   (needs readelf, binutils)
Exit 0 when all is well; 1 with one line per problem otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Left to the target system (toolchain.md pitfall 10: the target needs libgl1, libegl1, fonts).
SYSTEM_LIBS = re.compile(
    r"^(ld-linux.*|libc|libm|libdl|libpthread|librt|libresolv|libutil|libGL|libEGL|libGLX|"
    r"libOpenGL|libGLdispatch|libdrm|libgbm|libxcb|libwayland-(client|cursor|egl|server))"
    r"\.so(\.\d+)*$")
REQUIRED = (
    "resources/icons/app-icon.svg",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/translations/qtbase_de.qm",
)
FORBIDDEN = ("libqgtk3.so", "libgtk-3.so.0")  # see GTK_ONLY in packaging/pacspace-desktop.spec


def _needed(path: Path) -> list[str]:
    """The DT_NEEDED names of an ELF file ([] for other files)."""
    with path.open("rb") as f:
        if f.read(4) != b"\x7fELF":
            return []
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True,
                         check=False).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def problems(bundle: Path) -> list[str]:
    """Everything wrong with the bundle, one sentence each ([] when it is fine)."""
    internal = bundle / "_internal"
    found: list[str] = []
    if not (bundle / "pacspace-desktop").is_file():
        found.append(f"{bundle}/pacspace-desktop (the executable) is missing")
    found += [f"{rel} is missing from {internal}" for rel in REQUIRED
              if not (internal / rel).is_file()]
    source_icons = {p.name for p in (ROOT / "resources" / "icons").glob("*.svg")}
    bundled_icons = {p.name for p in (internal / "resources" / "icons").glob("*.svg")}
    found += [f"icon {n} is not bundled" for n in sorted(source_icons - bundled_icons)]
    metadata = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    if not metadata or "keyring.backends" not in metadata[0].read_text(encoding="utf-8"):
        found.append("keyring's entry points are not bundled: it would find no backend")
    files = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in internal.rglob("*")}
    found += [f"{n} is bundled but should not be" for n in FORBIDDEN if n in names]
    for path in [bundle / "pacspace-desktop", *files]:
        if ".so" not in path.name and path.parent != bundle:
            continue
        for lib in _needed(path):
            if lib not in names and not SYSTEM_LIBS.match(lib):
                found.append(f"{path.relative_to(bundle)} needs {lib}, which is not bundled")
    return found


def main(argv: list[str]) -> int:
    """Print the problems of the bundle given as the only argument."""
    if len(argv) != 1:
        sys.stderr.write("usage: check_bundle.py BUNDLE_DIR\n")
        return 2
    bundle = Path(argv[0])
    found = problems(bundle)
    for line in found:
        sys.stderr.write(f"bundle check: {line}\n")
    if not found:
        sys.stdout.write(f"bundle check: {bundle} is complete\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
