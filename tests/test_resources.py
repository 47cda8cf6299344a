"""The one resource locator (checkout, wheel, frozen bundle) and the generated packaging icons."""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

import pytest

from pacspace_desktop import __version__
from pacspace_desktop.app import APP_ID
from pacspace_desktop.resources import ResourceMissingError, resource_path, resources_dir

ROOT = Path(__file__).resolve().parents[1]
ICONS = sorted(p.name for p in (ROOT / "resources" / "icons").glob("*.svg"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _fresh_locator() -> Iterator[None]:
    """`resources_dir` is cached for the process: every test starts and ends with it cleared."""
    resources_dir.cache_clear()
    yield
    resources_dir.cache_clear()


def _load(path: Path) -> ModuleType:
    """Import a script that is not in a package (its dataclasses need it in sys.modules)."""
    name = f"_pacspace_packaging_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- the locator ------------------------------------------------------------------------------

def test_checkout_finds_the_top_level_resources_folder() -> None:
    if (ROOT / "pacspace_desktop" / "_resources").exists():
        pytest.skip("a wheel's _resources folder shadows the checkout's")
    assert resources_dir() == ROOT / "resources"
    assert resource_path("icons", "app-icon.svg") == ROOT / "resources" / "icons" / "app-icon.svg"


def test_frozen_bundle_finds_meipass_resources(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    icons = tmp_path / "resources" / "icons"
    icons.mkdir(parents=True)
    (icons / "app-icon.svg").write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    assert resource_path("icons", "app-icon.svg") == icons / "app-icon.svg"


def test_frozen_bundle_without_resources_falls_back(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() != tmp_path / "resources"


def test_a_missing_resource_is_a_clear_error() -> None:
    with pytest.raises(ResourceMissingError, match=r"no-such-icon\.svg"):
        resource_path("icons", "no-such-icon.svg")


@pytest.mark.slow
def test_installed_wheel_carries_and_finds_its_resources(tmp_path: Path) -> None:
    """Build the wheel, check `_resources` is inside, install it by unzipping, ask the locator."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
         str(ROOT)], capture_output=True, text=True, timeout=110, check=False)
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "wheel").glob("pacspace_desktop-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert "pacspace_desktop/_resources/icons/app-icon.svg" in names
        assert {f"pacspace_desktop/_resources/icons/{n}" for n in ICONS} <= names
        zf.extractall(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(tmp_path / "site")  # ahead of the editable install of the checkout
    probe = subprocess.run(
        [sys.executable, "-c", "import pacspace_desktop.resources as r; "
         "print(r.__file__); print(r.resource_path('icons', 'app-icon.svg'))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert probe.returncode == 0, probe.stderr
    module_file, icon = probe.stdout.splitlines()
    site = tmp_path / "site" / "pacspace_desktop"
    assert Path(module_file).parent == site
    assert Path(icon) == site / "_resources" / "icons" / "app-icon.svg"


# --- generated icons --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def make_icons() -> ModuleType:
    return _load(ROOT / "packaging" / "icons" / "make_icons.py")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_generated_icons_have_valid_headers(qapp: object, make_icons: ModuleType,
                                            tmp_path: Path) -> None:
    icons = make_icons.make_icons(tmp_path)

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = (icons.hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png").read_bytes()
        assert _png_size(png) == (size, size)
    svg = icons.hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "app-icon.svg").read_bytes()

    ico = icons.ico.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    sizes = []
    for i in range(count):
        w, h, _colors, _res, planes, bpp, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        size = w or 256
        assert (h or 256) == size and (planes, bpp) == (1, 32)
        assert _png_size(ico[offset:offset + length]) == (size, size)
        sizes.append(size)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]

    icns = icons.icns.read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    found, pos = {}, 8
    while pos < len(icns):
        kind_bytes, length = icns[pos:pos + 4], struct.unpack(">I", icns[pos + 4:pos + 8])[0]
        found[kind_bytes.decode()] = _png_size(icns[pos + 8:pos + length])[0]
        pos += length
    assert pos == len(icns)
    assert found == {"ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024,
                     "ic11": 32, "ic12": 64, "ic13": 256, "ic14": 512}


def test_rendered_icon_is_drawn_and_has_transparent_corners(qapp: object,
                                                            make_icons: ModuleType,
                                                            tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    image = QImage.fromData(make_icons.render_png(ROOT / "resources/icons/app-icon.svg", 64))
    assert image.width() == 64
    assert image.pixelColor(0, 0).alpha() == 0  # outside the rounded tile
    assert image.pixelColor(32, 32).alpha() == 255  # the document


# --- one app id everywhere --------------------------------------------------------------------

def test_the_app_id_and_version_agree_across_packaging(make_icons: ModuleType) -> None:
    linux = ROOT / "packaging" / "linux"
    assert make_icons.APP_ID == APP_ID
    desktop = (linux / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert f"Icon={APP_ID}\n" in desktop
    meta = ElementTree.parse(linux / f"{APP_ID}.metainfo.xml").getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == f"{APP_ID}.desktop"
    newest = meta.find("releases/release")
    assert newest is not None and newest.get("version") == __version__, (
        "add a <release> for the new version to the metainfo file")
    spec = (ROOT / "packaging" / "pacspace-desktop.spec").read_text(encoding="utf-8")
    assert f'APP_ID = "{APP_ID}"' in spec
