#!/bin/sh
# Removes PacSpace Desktop installed by install.sh (same PREFIX / XDG_DATA_HOME).
# Your history and settings stay (~/.local/share/PacSpace Desktop, ~/.config/PacSpace Desktop),
# and so does the API key in your keyring: remove those yourself if you want them gone.
set -eu

APP_ID=io.pacspace.Desktop
PREFIX=${PREFIX:-$HOME/.local}
DATA=${XDG_DATA_HOME:-$PREFIX/share}

rm -f "$DATA/applications/$APP_ID.desktop" "$DATA/metainfo/$APP_ID.metainfo.xml"
rm -f "$DATA"/icons/hicolor/*/apps/"$APP_ID".png "$DATA/icons/hicolor/scalable/apps/$APP_ID.svg"
[ ! -L "$PREFIX/bin/pacspace-desktop" ] || rm -f "$PREFIX/bin/pacspace-desktop"
rm -rf "$PREFIX/lib/pacspace-desktop"
command -v update-desktop-database >/dev/null 2>&1 \
  && update-desktop-database -q "$DATA/applications" 2>/dev/null || true
echo "PacSpace Desktop is removed. Your history, settings and keyring entry were kept."
