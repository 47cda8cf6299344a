"""Typing in the record form: nothing jumps, nothing covers the next field, Tab is in order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from pacspace_desktop.ui.record_form import RecordForm


def form(qtbot: object) -> RecordForm:
    f = RecordForm(lambda _k: [])
    qtbot.addWidget(f)  # type: ignore[attr-defined]
    f.resize(900, 500)
    f.show()
    QApplication.processEvents()
    return f


def tab_stops(start: QWidget, n: int) -> list[str]:
    names, w = [], start
    while len(names) < n:
        w = w.nextInFocusChain()
        if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            names.append(w.accessibleName())
    return names


def test_tab_from_the_record_key_goes_to_the_account_then_bits(qtbot: object) -> None:
    f = form(qtbot)
    assert tab_stops(f.key, 3) == ["Account ID", "Bits", "Metadata values"]
    f.pattern_toggle.setChecked(True)
    assert tab_stops(f.key, 2) == ["Account ID", "Bits"]


def test_a_message_while_typing_does_not_push_the_fields_down(qtbot: object) -> None:
    f = form(qtbot)
    qtbot.keyClicks(f.key, " inv")  # type: ignore[attr-defined]
    qtbot.keyClicks(f.bits, "1.5")  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert f.key_error.isVisible() and f.bits_error.isVisible()
    shown = (f.account.y(), f.bits.y(), f.metadata.y())
    # Fixing and breaking again as one types: the fields stay where they are.
    for text in ("inv", " inv", "inv"):
        f.key.setText(text)
        QApplication.processEvents()
        assert (f.account.y(), f.bits.y(), f.metadata.y()) == shown
    f.clear_for_next()  # a new record gives the room back
    QApplication.processEvents()
    assert f.account.y() < shown[0]


def test_account_suggestions_open_above_the_field_and_never_cover_bits(qtbot: object) -> None:
    f = form(qtbot)
    f.set_accounts(["customer-001", "customer-002", "other"])
    f.activateWindow()
    f.account.setFocus()
    qtbot.keyClicks(f.account, "cust")  # type: ignore[attr-defined]
    popup = f.account_completer.popup()
    qtbot.waitUntil(popup.isVisible)  # type: ignore[attr-defined]
    top_of_account = f.account.mapToGlobal(f.account.rect().topLeft()).y()
    top_of_bits = f.bits.mapToGlobal(f.bits.rect().topLeft()).y()
    assert popup.geometry().bottom() <= top_of_account < top_of_bits
    assert f.account_completer.completionCount() == 2
    f.account_completer.activated.emit("customer-002")
    assert f.account.text() == "customer-002"
