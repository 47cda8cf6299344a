#!/bin/sh
# Installs PacSpace Desktop for the current user (no root needed), from the unpacked tarball:
#   the app       ~/.local/lib/pacspace-desktop/            (and ~/.local/bin/pacspace-desktop)
#   menu entry    ~/.local/share/applications/io.pacspace.Desktop.desktop
#   icons         ~/.local/share/icons/hicolor/*/apps/io.pacspace.Desktop.{png,svg}
#   AppStream     ~/.local/share/metainfo/io.pacspace.Desktop.metainfo.xml
# Running it again upgrades in place. Your history, settings and keyring entry are not touched.
# PREFIX (default ~/.local) and XDG_DATA_HOME move the install.
set -eu

APP_ID=io.pacspace.Desktop
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-$HOME/.local}
DATA=${XDG_DATA_HOME:-$PREFIX/share}
APP_DIR=$PREFIX/lib/pacspace-desktop
BIN=$APP_DIR/pacspace-desktop

[ -x "$HERE/pacspace-desktop/pacspace-desktop" ] || {
  echo "install.sh: run me from the unpacked PacSpace Desktop tarball" >&2; exit 1; }
case $APP_DIR in
  *[\"\`\$\\]*) echo "install.sh: the install folder must not contain \" \` \$ or \\: $APP_DIR" >&2
                exit 1 ;;
esac

# The app: copy beside the old one, then swap, so that a failed copy leaves the old app working.
mkdir -p "$PREFIX/lib" "$PREFIX/bin"
rm -rf "$APP_DIR.new"
cp -R "$HERE/pacspace-desktop" "$APP_DIR.new"
cp "$HERE/uninstall.sh" "$APP_DIR.new/uninstall.sh"
rm -rf "$APP_DIR.old"
[ ! -e "$APP_DIR" ] || mv "$APP_DIR" "$APP_DIR.old"
mv "$APP_DIR.new" "$APP_DIR"
rm -rf "$APP_DIR.old"
ln -sfn "$BIN" "$PREFIX/bin/pacspace-desktop"

# The menu entry, pointing at this install (quoted: the path may contain spaces).
mkdir -p "$DATA/applications" "$DATA/metainfo" "$DATA/icons"
sed -e "s|^Exec=.*|Exec=\"$BIN\"|" -e "s|^TryExec=.*|TryExec=$BIN|" \
  "$HERE/share/applications/$APP_ID.desktop" > "$DATA/applications/$APP_ID.desktop"
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$DATA/metainfo/"
cp -R "$HERE/share/icons/hicolor" "$DATA/icons/"

# Refresh the menu and icon caches where the tools exist (desktops also notice on their own).
command -v update-desktop-database >/dev/null 2>&1 \
  && update-desktop-database -q "$DATA/applications" 2>/dev/null || true
command -v gtk-update-icon-cache >/dev/null 2>&1 \
  && gtk-update-icon-cache -q -t -f "$DATA/icons/hicolor" 2>/dev/null || true

echo "PacSpace Desktop is installed: start it from your applications menu, or run $BIN"
echo "To remove it: $APP_DIR/uninstall.sh"
