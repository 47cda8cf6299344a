"""Render the app icon SVG to the PNG, ICO and ICNS files the installers need (no external tools).

The one source is `resources/icons/app-icon.svg`. This script renders it with Qt's SVG renderer
(offscreen) and writes, under the output folder (default `build/icons/`, which git ignores):

    hicolor/<N>x<N>/apps/io.pacspace.Desktop.png   N = 16 24 32 48 64 128 256 512 (Linux)
    hicolor/scalable/apps/io.pacspace.Desktop.svg  (Linux)
    pacspace-desktop.ico                           16..256, PNG-compressed entries (Windows)
    pacspace-desktop.icns                          ic07..ic14 PNG entries (macOS)

Run:  .venv/bin/python packaging/icons/make_icons.py [--out build/icons] [--svg PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.pacspace.Desktop"  # = pacspace_desktop.app.APP_ID (a test checks they agree)
DEFAULT_SVG = ROOT / "resources" / "icons" / "app-icon.svg"
DEFAULT_OUT = ROOT / "build" / "icons"

HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS types that hold PNG data, and their pixel size (the @2x types are the Retina variants).
ICNS_TYPES: tuple[tuple[bytes, int], ...] = (
    (b"ic11", 32),    # 16x16@2x
    (b"ic12", 64),    # 32x32@2x
    (b"ic07", 128),   # 128x128
    (b"ic13", 256),   # 128x128@2x
    (b"ic08", 256),   # 256x256
    (b"ic14", 512),   # 256x256@2x
    (b"ic09", 512),   # 512x512
    (b"ic10", 1024),  # 512x512@2x
)
# macOS (Big Sur and later) draws app icons as an 824/1024 tile with a transparent margin; the
# SVG's tile is 232/256 of its canvas, so the ICNS renderings shrink the artwork to match the Dock.
MACOS_SCALE = (824 / 1024) / (232 / 256)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class IconSet:
    """The files `make_icons` wrote."""

    hicolor: Path
    ico: Path
    icns: Path


def render_png(svg: Path, size: int, scale: float = 1.0) -> bytes:
    """The SVG rendered to a square PNG of `size` pixels, transparent around the artwork.

    `scale` < 1 draws the artwork smaller, centred, with a transparent margin.

    A QGuiApplication must exist (QPainter needs the platform's font and raster setup).
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    side = size * scale
    offset = (size - side) / 2
    renderer.render(painter, QRectF(offset, offset, side, side))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    png = image.convertToFormat(QImage.Format.Format_ARGB32)
    # PySide6's stubs (6.11-6.12) say `format: bytes`, but the call only accepts a str.
    if not png.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise RuntimeError(f"Qt could not encode a {size}px PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG-compressed image per size (Vista and later read these).

    Layout: ICONDIR (reserved 0, type 1, count), one 16-byte ICONDIRENTRY per image (width and
    height as a byte, 0 meaning 256), then the PNG data.
    """
    sizes = sorted(pngs)
    if any(not 1 <= s <= 256 for s in sizes):
        raise ValueError("ICO images must be 1..256 pixels")
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size == 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_bytes(entries: list[tuple[bytes, bytes]]) -> bytes:
    """An Apple .icns: 'icns' + total length (big-endian), then (type, 8 + length, data) entries."""
    body = b""
    for kind, data in entries:
        if len(kind) != 4:
            raise ValueError(f"ICNS type {kind!r} must be 4 bytes")
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out_dir: Path = DEFAULT_OUT, svg: Path = DEFAULT_SVG) -> IconSet:
    """Write every icon file the targets need under `out_dir` (a QGuiApplication must exist)."""
    sizes = sorted({*HICOLOR_SIZES, *ICO_SIZES})
    pngs = {size: render_png(svg, size) for size in sizes}
    hicolor = out_dir / "hicolor"
    for size in HICOLOR_SIZES:
        folder = hicolor / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{APP_ID}.png").write_bytes(pngs[size])
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable / f"{APP_ID}.svg")
    ico = out_dir / "pacspace-desktop.ico"
    ico.write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    icns = out_dir / "pacspace-desktop.icns"
    mac = {size: render_png(svg, size, MACOS_SCALE) for size in {s for _k, s in ICNS_TYPES}}
    icns.write_bytes(icns_bytes([(kind, mac[size]) for kind, size in ICNS_TYPES]))
    return IconSet(hicolor, ico, icns)


def main(argv: list[str] | None = None) -> int:
    """Command line: render the icons, print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help="the icon's SVG source")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    icons = make_icons(args.out, args.svg)
    del app
    sys.stdout.write(f"icons written: {icons.hicolor}, {icons.ico}, {icons.icns}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
