"""Screenshots of the Import page for a person to look at: run under Xvfb.

    xvfb-run -a .venv/bin/python .ci/import_scenes.py /tmp/shots

Builds the real window against the built-in sandbox in a temporary data folder, opens a messy
invoice export (Windows-1252, semicolons, decimal commas, a title line, euro signs, a bad amount,
an empty customer, a repeated invoice number, a quoted line break) and saves import-*.png for
each step a clerk meets. Nothing here is a test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QT_API", "pyside6")

CUSTOMERS = ["Café Müller", "Bäckerei Schmidt", "Globex GmbH", "Initech AG"]


def messy_file(folder: Path) -> Path:
    """An export as German Excel writes it, with a few rows a clerk must fix."""
    lines = ["Rechnungen März 2025;;;;", ";;;;",
             "Rechnungsnummer;Kunde;Betrag;Datum;Bemerkung"]
    for i in range(1, 41):
        amount = f"{(i * 7919) % 5000 + i / 100:,.2f}".replace(",", " ").replace(".", ",")
        amount = amount.replace(" ", ".") + " €"
        note = "bezahlt" if i % 3 == 0 else ("Skonto 2 %" if i % 5 == 0 else "")
        lines.append(f"R-{1000 + i};{CUSTOMERS[i % 4]};{amount};{(i % 28) + 1:02}.03.2025;{note}")
    lines[8] = "R-1006;Globex GmbH;12,x5 €;07.03.2025;Tippfehler"
    lines[12] = "R-1010;;99,00 €;11.03.2025;Kunde fehlt"
    lines[20] = "R-1003;Initech AG;(250,00) €;19.03.2025;Gutschrift"
    lines[25] = 'R-1023;Café Müller;1.234,56 €;24.03.2025;"zwei\r\nZeilen"'
    path = folder / "Rechnungen März 2025.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


Step = tuple[str, Callable[[], None]]


def scenes(parts: Any, app: Any, out_dir: str, folder: Path) -> list[Step]:
    from pacspace_desktop.ui.import_page import TAB_CHECK, TAB_COLUMNS, ImportPage
    from pacspace_desktop.ui.main_window import IMPORT_FILE

    w = parts.window
    page: ImportPage = w._pages.import_file
    path = messy_file(folder)

    def open_it() -> None:
        page.open_file(path)

    def first_problem() -> None:
        page.tabs.setCurrentIndex(TAB_CHECK)
        panel = page.grid.problems
        if panel.model.rowCount():
            panel.list.setCurrentIndex(panel.model.index(0, 0))
            panel._go(panel.model.index(0, 0))

    def send() -> None:
        page.grid.send_bar.review()

    def confirm() -> None:
        dialog = page.grid.send_bar.review_dialog
        if dialog is not None:
            dialog.grab().save(f"{out_dir}/import-review.png")
            dialog.send.click()

    def paste_block() -> None:
        """A clerk copies three corrected rows from Excel and pastes them over rows 5–7."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel
        from PySide6.QtWidgets import QApplication

        page.tabs.setCurrentIndex(TAB_CHECK)
        QApplication.clipboard().setText(
            "R-1005\tGlobex GmbH\t12,50 €\t06.03.2025\t\"korrigiert\nvon Excel\"\r\n"
            "R-1006\tGlobex GmbH\t99,00 €\t07.03.2025\tkorrigiert\r\n"
            "R-1007\tInitech AG\t7,25 €\t08.03.2025\tkorrigiert\r\n")
        model, view = page.grid.model, page.grid.view
        first = model.index(4, 1)
        view.setCurrentIndex(first)
        view.selectionModel().select(QItemSelection(first, first),
                                     QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.setFocus()
        page.grid.editor.paste()

    def replace_preview() -> None:
        bar = page.grid.find_bar
        page.grid.view.setCurrentIndex(page.grid.model.index(0, 2))
        bar.open(replace=True)
        bar.find_edit.setText("GmbH")
        bar.replace_edit.setText("AG")
        bar.match_case.setChecked(True)
        bar.update_preview()

    return [
        ("", parts.session.start_sandbox_profile),
        ("import-empty", lambda: w.show_page(IMPORT_FILE)),
        ("import-preview", open_it),
        ("import-mapping", lambda: page.tabs.setCurrentIndex(TAB_COLUMNS)),
        ("import-grid-problems", first_problem),
        ("import-only-problems", lambda: page.grid.only_problems.setChecked(True)),
        ("", lambda: page.grid.only_problems.setChecked(False)),
        ("grid-paste", paste_block),
        ("grid-replace-preview", replace_preview),
        ("", lambda: page.grid.find_bar.hide()),
        ("", lambda: page.grid.editor.stack.setIndex(0)),
        ("", send),
        ("import-totals-sent", confirm),
    ]


def main(out: Path) -> int:
    from screenshots import run_scenes

    return run_scenes(scenes, out, size=(1280, 860), delay_ms=1200)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")))
