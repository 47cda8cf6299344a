"""Screenshots of verification for a person to look at: run under Xvfb.

    xvfb-run -a .venv/bin/python .ci/verification_scenes.py /tmp/shots

Builds the real window against the built-in sandbox, switches the webhook receiver on with a
signing secret, lets the sandbox deliver signed webhooks to it (one verified request, one whose
verification fails, one left waiting, one with an unknown outcome, a forged delivery and a
replay), and saves verify-*.png of History, the item detail, the filter, the delivery log, and
a receipt (PDF, rendered with pdftoppm). Nothing here is a test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
os.environ.setdefault("QT_API", "pyside6")

SECRET = "whsec_screens_demo_0000000000000000"
PORT = 18789


def scenes(parts: Any, app: Any, out_dir: str, _tmp: Path) -> list[tuple[str, Callable[[], None]]]:
    import httpx

    from pacspace_desktop.storage.verification_settings import ReadBudget, ReceiverSettings
    from pacspace_desktop.ui.main_window import HISTORY

    w = parts.window
    session = parts.session
    verification = parts.verification
    page = w._pages.new_record
    history_page = w._pages.history
    url: list[str] = []

    def control(path: str, body: dict[str, Any]) -> None:
        httpx.post(f"{url[0]}/_sandbox/{path}", json=body)

    def setup() -> None:
        session.start_sandbox_profile()
        url.append(session.ensure_sandbox().base_url)
        verification.set_read_budget(ReadBudget.OFF)
        verification.store_secret(SECRET)
        verification.apply_receiver(ReceiverSettings(enabled=True, port=PORT))
        control("config", {"verifyDelay": 0.4, "webhookUrl": verification.receiver_status.url,
                           "webhookSecret": SECRET})

    def send(prefix: str, accounts: list[tuple[str, int]]) -> Callable[[], None]:
        def go() -> None:
            for i, (acct, bits) in enumerate(accounts):
                page.form.key.setText(f"{prefix}-{i + 1:03d}")
                page.form.account.setText(acct)
                page.form.bits.setText(str(bits))
                page.add_to_batch()
            page.review()
            page._review.send.click()
        return go

    def forged() -> None:
        body = (b'{"event":"verification.completed","data":{"requestId":"req_forged",'
                b'"status":"verified"}}')
        httpx.post(verification.receiver_status.url, content=body, headers={
            "X-PacSpace-Signature": "v1=" + "0" * 64, "X-PacSpace-Timestamp": "1700000000",
            "X-Event-ID": "evt_forged_1", "X-Webhook-Event": "verification.completed"})
        events = httpx.get(f"{url[0]}/_sandbox/state").json()["webhooks"]
        control("webhooks/redeliver", {"eventId": events[0]["eventId"]})

    def history() -> None:
        w.show_page(HISTORY)
        history_page.model.reload()

    def select_failed() -> None:
        for row in range(history_page.model.rowCount()):
            if history_page.model.row_at(row).source == "form" and \
                    "failed" in history_page.model.index(row, 8).data():
                history_page.table.selectRow(row)
                return

    def filter_waiting() -> None:
        combo = history_page.filters.verification
        combo.setCurrentIndex(combo.findData("waiting"))

    def clear_filter() -> None:
        history_page.filters.clear_filters()

    def log_dialog() -> None:
        from pacspace_desktop.ui.verification_dialog import VerificationDialog

        history_page.verification_button.click()
        for d in w.findChildren(VerificationDialog):
            d.log.selectRow(1)  # the forged delivery, in full

    def grab_dialog(name: str) -> Callable[[], None]:
        def grab() -> None:
            from pacspace_desktop.ui.verification_dialog import VerificationDialog

            app.processEvents()
            for d in w.findChildren(VerificationDialog):
                if d.isVisible():
                    d.grab().save(f"{out_dir}/{name}.png")
                    d.close()
        return grab

    def receipt() -> None:
        from pacspace_desktop.storage import receipts
        from pacspace_desktop.ui.receipt import write_receipt

        store = parts.history._store
        sub = min(r.id for r in store.list_submissions())
        r = receipts.receipt(store.connection, sub)
        pdf = Path(out_dir) / "verify-receipt.pdf"
        write_receipt(r, pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf),
                            str(Path(out_dir) / "verify-receipt")], check=True)

    def audit() -> None:
        from pacspace_desktop.services.audit_service import AuditService

        service = w.findChildren(AuditService)[0]
        service.ask_folder = lambda _parent: out_dir
        history_page.table.clearSelection()
        history_page.audit_button.click()

    return [
        ("", setup),
        ("", send("inv-2025-03", [("customer-001", 1250), ("customer-002", 480),
                                  ("customer-001", -75)])),
        ("", lambda: None),
        ("", lambda: control("faults", {"queue": [
            {"verify": "fail", "verifyError": "Ledger period March 2025 is closed"}]})),
        ("", send("inv-2025-04", [("customer-003", 990), ("customer-004", 310)])),
        ("", lambda: None),
        ("", lambda: control("config", {"webhookUrl": None})),
        ("", send("inv-2025-05", [("customer-001", 40), ("customer-002", 60),
                                  ("customer-005", 75), ("customer-006", 20)])),
        ("", lambda: control("faults", {"queue": [{"drop": True}]})),
        ("", send("inv-2025-06", [("customer-007", 5)])),
        ("", lambda: control("config", {"webhookUrl": verification.receiver_status.url})),
        ("", forged),
        ("", lambda: None),
        ("verify-01-history", history),
        ("verify-02-failed-item", select_failed),
        ("verify-03-filter-waiting", filter_waiting),
        ("", clear_filter),
        ("", log_dialog),
        ("", grab_dialog("verify-04-delivery-log")),
        ("", receipt),
        ("", audit),
        ("", lambda: None),
        ("verify-05-audit-written", lambda: None),
    ]


def main(out: Path) -> int:
    from screenshots import run_scenes

    return run_scenes(scenes, out, (1280, 720), delay_ms=900)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots")))
