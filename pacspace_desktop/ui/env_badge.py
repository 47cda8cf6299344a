"""The environment badge: LIVE, TEST or SANDBOX, in words and colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from pacspace_desktop.domain.apikey import Environment
from pacspace_desktop.ui.style import ENV_COLOURS, ENV_TOOLTIPS


class EnvBadge(QLabel):
    """A coloured label that always carries the environment's word (never colour alone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(72)
        self.set_environment(Environment.UNKNOWN)

    def set_environment(self, env: Environment) -> None:
        """Show `env`."""
        background, text = ENV_COLOURS[env]
        word = "NO KEY" if env is Environment.UNKNOWN else env.label
        self.setText(word)
        self.setToolTip(ENV_TOOLTIPS[env])
        self.setAccessibleName(f"Environment: {word}")
        self.setStyleSheet(f"QLabel {{ background: {background}; color: {text}; "
                           "font-weight: bold; border-radius: 3px; padding: 2px 8px; }")
        self.environment = env
