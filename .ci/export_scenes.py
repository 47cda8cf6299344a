"""Screenshots of the Columns step and the review for exports of accounting systems: run under
Xvfb, then look at them.

    xvfb-run -a .venv/bin/python .ci/export_scenes.py /tmp/shots

Opens the Xero, QuickBooks, DATEV and German totals fixtures (tests/importing/files/exports)
in the real window against the built-in sandbox and saves export-*.png: the Columns step with a
preset offered, the choice for invoices on several lines, the review naming the invoices added
up, a DATEV file with its signs, and total rows left out. Nothing here is a test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QT_API", "pyside6")

EXPORTS = Path(__file__).resolve().parent.parent / "tests" / "importing" / "files" / "exports"
Step = tuple[str, Callable[[], None]]


def scenes(parts: Any, app: Any, out_dir: str, folder: Path) -> list[Step]:
    from PySide6.QtWidgets import QMessageBox, QScrollArea

    from pacspace_desktop.importing import RepeatPolicy
    from pacspace_desktop.ui.import_fields import _select
    from pacspace_desktop.ui.import_page import TAB_CHECK, TAB_COLUMNS, ImportPage
    from pacspace_desktop.ui.main_window import IMPORT_FILE

    w = parts.window
    page: ImportPage = w._pages.import_file

    def open_file(name: str) -> Callable[[], None]:
        def go() -> None:
            page.open_file(EXPORTS / name)
            box = page.replace_box
            if box is not None:
                box.grab().save(f"{out_dir}/export-open-another.png")
                for button in box.buttons():
                    if box.buttonRole(button) is QMessageBox.ButtonRole.AcceptRole:
                        button.click()
        return go

    def columns() -> None:
        page.tabs.setCurrentIndex(TAB_COLUMNS)

    def use_preset() -> None:
        page.mapping.preset.use.click()

    def show_rules() -> None:
        page.tabs.setCurrentIndex(TAB_COLUMNS)
        for area in page.mapping.findChildren(QScrollArea):
            area.ensureWidgetVisible(page.mapping.rules, 0, 200)

    def add_up() -> None:
        _select(page.mapping.rules.repeats, RepeatPolicy.SUM)
        page.mapping.rules._repeats_chosen()
        page.mapping.flush()

    def review() -> None:
        page.tabs.setCurrentIndex(TAB_CHECK)
        page.grid.send_bar.review()

    def shoot_review() -> None:
        app.processEvents()
        dialog = page.grid.send_bar.review_dialog
        if dialog is not None:
            dialog.grab().save(f"{out_dir}/export-review-combined.png")
            dialog.reject()

    return [
        ("", parts.session.start_sandbox_profile),
        ("", lambda: w.show_page(IMPORT_FILE)),
        ("", open_file("xero_sales_invoices.csv")),
        ("export-columns-preset-offered", columns),
        ("export-columns-preset-used", use_preset),
        ("export-columns-repeated-keys", show_rules),
        ("", open_file("quickbooks_invoices.csv")),
        ("", columns),
        ("", use_preset),
        ("export-quickbooks-repeated-keys", show_rules),
        ("export-quickbooks-added-up", add_up),
        ("export-grid-added-up", lambda: page.tabs.setCurrentIndex(TAB_CHECK)),
        ("", review),
        ("", shoot_review),
        ("", open_file("datev_extf.csv")),
        ("export-datev-file-step", lambda: page.tabs.setCurrentIndex(0)),
        ("", columns),
        ("", use_preset),
        ("export-datev-grid", lambda: page.tabs.setCurrentIndex(TAB_CHECK)),
        ("", open_file("totals_de.csv")),
        ("export-totals-left-out", lambda: page.tabs.setCurrentIndex(TAB_CHECK)),
    ]


def main(out: Path) -> int:
    from screenshots import run_scenes

    return run_scenes(scenes, out, size=(1280, 900), delay_ms=1500)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")))
