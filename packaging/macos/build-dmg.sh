#!/usr/bin/env bash
# Builds "PacSpace Desktop.app" (PyInstaller, the spec's BUNDLE: Info.plist, icon, bundle id)
# and a compressed disk image dist/PacSpace-Desktop-<version>.dmg with the app and an
# /Applications link to drag it onto. Run on macOS from anywhere, with the app in .venv.
# Signing and notarisation need PacSpace's Developer ID and are separate steps:
#   codesign --deep --force --options runtime --timestamp -s "Developer ID Application: ..." \
#     "dist/PacSpace Desktop.app"   (before the DMG), then xcrun notarytool submit ... --wait
#   and xcrun stapler staple on the DMG.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(uname -s)" = Darwin ] || { echo "build-dmg.sh runs on macOS only" >&2; exit 1; }
PY=${PYTHON:-.venv/bin/python}

"$PY" -m pip install -q "pyinstaller>=6.10,<7"
version=$("$PY" -c "import pacspace_desktop; print(pacspace_desktop.__version__)")
"$PY" packaging/icons/make_icons.py --out build/icons
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pacspace-desktop.spec

app="dist/PacSpace Desktop.app"
plutil -lint "$app/Contents/Info.plist"
[ "$(defaults read "$PWD/$app/Contents/Info" CFBundleIdentifier)" = io.pacspace.Desktop ]

# The frozen app must start: open the window offscreen, visit every page, quit.
data=$(mktemp -d)
out=$(QT_QPA_PLATFORM=offscreen PACSPACE_DATA_DIR="$data" \
      "$app/Contents/MacOS/pacspace-desktop" --sandbox --smoke-test)
rm -rf "$data"
grep -qx "smoke test: ok" <<<"$out" || { echo "smoke test failed: $out" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg="dist/PacSpace-Desktop-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "PacSpace Desktop" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"
hdiutil verify "$dmg"
echo "built $dmg"
