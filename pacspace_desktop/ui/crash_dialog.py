"""One excepthook: an unexpected error is logged and shown with a copyable report."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pacspace_desktop import __version__
from pacspace_desktop.domain.redact import redact

log = logging.getLogger("pacspace_desktop.crash")


def crash_report(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None, secrets: Iterable[str] = ()) -> str:
    """A report for support: versions and the traceback, with every API key masked."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    head = (f"PacSpace Desktop {__version__}, Python {platform.python_version()}, "
            f"PySide6 {pyside_version}, {platform.platform()}\n\n")
    return redact(head + text, secrets)


class CrashDialog(QDialog):
    """Says that something unexpected happened, that the app keeps running, and offers a report."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        intro = QLabel("PacSpace Desktop ran into an unexpected problem and stopped what it was "
                       "doing. The app keeps running, and nothing you sent before is lost: the "
                       "history records every submission. Copy the report below and send it "
                       "to support.")
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Error report")
        copy = QPushButton("Copy report")
        copy.setAccessibleName("Copy report")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report)
        layout.addWidget(buttons)
        self.resize(640, 400)


def install_excepthook(secrets: Callable[[], Iterable[str]],
                       parent: Callable[[], QWidget | None]) -> Callable[..., None]:
    """Route unexpected errors to the log and a non-modal dialog; return the previous hook.

    The dialog is shown with `show()`, never `exec()`, so an error inside a coroutine cannot
    start a nested event loop.
    """
    previous = sys.excepthook
    open_dialogs: list[CrashDialog] = []

    def hook(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        report = crash_report(exc_type, exc, tb, secrets())
        log.error("unexpected error:\n%s", report)
        dialog = CrashDialog(report, parent())
        open_dialogs.append(dialog)
        dialog.finished.connect(lambda _code: open_dialogs.remove(dialog))
        dialog.show()

    sys.excepthook = hook
    return previous
