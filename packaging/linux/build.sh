#!/usr/bin/env bash
# Builds the Linux one-folder bundle (dist/pacspace-desktop/) and the tarball
# (dist/pacspace-desktop-<version>-linux-<arch>.tar.gz) with install.sh. Run from anywhere;
# needs the venv with the app and PyInstaller (.ci/package-linux installs it) and binutils.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}

version=$("$PY" -c "import pacspace_desktop; print(pacspace_desktop.__version__)")
name="pacspace-desktop-$version-linux-$(uname -m)"

"$PY" packaging/icons/make_icons.py --out build/icons
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pacspace-desktop.spec

stage="build/linux-tarball/$name"
rm -rf "build/linux-tarball"
mkdir -p "$stage/share/applications" "$stage/share/metainfo" "$stage/share/icons"
cp -a dist/pacspace-desktop "$stage/"
cp packaging/linux/io.pacspace.Desktop.desktop "$stage/share/applications/"
cp packaging/linux/io.pacspace.Desktop.metainfo.xml "$stage/share/metainfo/"
cp -a build/icons/hicolor "$stage/share/icons/"
install -m 755 packaging/linux/install.sh packaging/linux/uninstall.sh "$stage/"
tar -C build/linux-tarball -czf "dist/$name.tar.gz" "$name"
rm -rf "build/linux-tarball"
echo "built dist/pacspace-desktop/ and dist/$name.tar.gz"
