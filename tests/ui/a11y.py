"""Checking that every control a person can reach has a name for assistive technology."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

_CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit,
             QAbstractSpinBox)


def unnamed_controls(root: QWidget) -> list[str]:
    """Visible controls under `root` with neither an accessible name nor a text."""
    missing = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, _CONTROLS) or not w.isVisibleTo(root):
            continue
        parent = w.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the inner line edit of a spin box or combo box; the box has the name
        if isinstance(parent, QAbstractItemView) or (
                parent is not None and isinstance(parent.parentWidget(), QAbstractItemView)):
            continue  # an item view's own headers, scroll bars and corner buttons
        name = w.accessibleName()
        if not name and isinstance(w, QAbstractButton):
            name = w.text()
        if not name:
            missing.append(f"{type(w).__name__} '{w.objectName()}' in "
                           f"{type(parent).__name__ if parent else '-'}")
    return missing
