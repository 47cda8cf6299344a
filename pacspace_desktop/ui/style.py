"""Colours, marks and icons for states and environments, readable in light and dark schemes."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.domain.states import ItemState
from pacspace_desktop.resources import resource_path

# (light scheme, dark scheme): each checked for >= 4.5:1 contrast against the window colour.
_STATE_COLOURS: dict[ItemState, tuple[str, str]] = {
    ItemState.ACCEPTED: ("#1a7f37", "#3fb950"),
    ItemState.VERIFIED: ("#116329", "#56d364"),
    ItemState.REJECTED: ("#cf222e", "#ff7b72"),
    ItemState.UNKNOWN: ("#9a6700", "#d29922"),
    ItemState.SENDING: ("#57606a", "#8b949e"),
    ItemState.QUEUED: ("#57606a", "#8b949e"),
    ItemState.NOT_SENT: ("#57606a", "#8b949e"),
}

_STATE_ICONS = {
    ItemState.ACCEPTED: "state-accepted", ItemState.VERIFIED: "state-verified",
    ItemState.REJECTED: "state-rejected", ItemState.UNKNOWN: "state-unknown",
    ItemState.SENDING: "state-sending", ItemState.QUEUED: "state-sending",
    ItemState.NOT_SENT: "state-not-sent",
}

# Badge colours (background, text). LIVE is a strong warm colour, never to be missed.
ENV_COLOURS: dict[Environment, tuple[str, str]] = {
    Environment.LIVE: ("#d1242f", "#ffffff"),
    Environment.TEST: ("#0969da", "#ffffff"),
    Environment.SANDBOX: ("#6639ba", "#ffffff"),
    Environment.UNKNOWN: ("#57606a", "#ffffff"),
}

ENV_TOOLTIPS: dict[Environment, str] = {
    Environment.LIVE: "LIVE: records sent now count for real in PacSpace.",
    Environment.TEST: "TEST: a PacSpace test key; records do not count for real.",
    Environment.SANDBOX: "SANDBOX: the local stand-in on this computer; nothing reaches "
                         "PacSpace.",
    Environment.UNKNOWN: "No key yet: the environment is not known.",
}


def is_dark() -> bool:
    """True when the application follows a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return True
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def state_colour(state: ItemState) -> QColor:
    """The colour of a state in the current scheme."""
    light, dark = _STATE_COLOURS[state]
    return QColor(dark if is_dark() else light)


def state_icon(state: ItemState) -> QIcon:
    """The icon of a state (shape as well as colour, so colour is never alone)."""
    return svg_icon(_STATE_ICONS[state])


def svg_icon(name: str, size: int = 24) -> QIcon:
    """An icon from `resources/icons/<name>.svg`, with `currentColor` in the text colour."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return QIcon(_pixmap(name, colour, size))


@cache
def _pixmap(name: str, colour: str, size: int) -> QPixmap:
    text = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(text.replace("currentColor", colour).encode("utf-8")))
    ratio = 2
    pixmap = QPixmap(QSize(size * ratio, size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def app_icon() -> QIcon:
    """The application icon."""
    return QIcon(str(resource_path("icons", "app-icon.svg")))


def error_style() -> str:
    """A stylesheet for error text, readable in the current scheme."""
    return f"color: {state_colour(ItemState.REJECTED).name()};"


def warning_style() -> str:
    """A stylesheet for warning text, readable in the current scheme."""
    return f"color: {state_colour(ItemState.UNKNOWN).name()};"
